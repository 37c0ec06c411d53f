"""Reported (indirect) speech: a cue verb or "according to" phrase and the clause it governs.

Span conventions: after "that" when the cue is followed by one ("X said that …"); else the clause right
after the verb ("X said the talks failed"), which needs a named, group or pronoun subject and must not
start with a preposition or a comma; "X described A as B" gives "A as B"; a postposed cue ("…, X said." /
"…, said X." / "…, according to X.") takes the sentence up to the comma, and a parenthetical one ("Kim and
Putin, Delury said, have …") the whole sentence. A cue phrase before the clause ("As noted in X, …", "as X
noted, …") takes the clause after its comma; a passive cue ("A is viewed by X as B") gives B. A sentence's
leading connective ("Rather,", "Hence,") and a trailing source (", based on reports from …") are left out.
Quoted fragments inside the clause are kept; a clause that is wholly one direct quote is left to the
direct-quote rule, and so is a cue that follows a quote ("…,” Wang said, …"). Final ". , ! ?" are
excluded.
"""

import bisect
import re
from dataclasses import dataclass

from .cues import ACCORDING, VERB, is_verb_cue, needs_complement, subject_end
from .speakers import Mention, is_title, mention_ending_at, mention_starting_at
from .text import trim_claim

_THAT = re.compile(r"\bthat\b")
_CLAUSE_START_REJECT = re.compile(
    r"[ \t]*(?:in|on|at|during|to|from|by|after|before|with|for|of|about|last|yesterday|today|when|"
    r"while|as|so|and|but|or|nothing|it\s+was|this\s+(?:week|month|year|morning|afternoon|evening|time))\b"
    r"|[ \t]*[:,\"“«‘(]|[ \t]*$"
)
_CUE_PARTICIPLE = r"(?:noted|observed|reported|argued|suggested|mentioned|pointed\s+out|highlighted|stated)"
# "As noted in X, …" / "as reported by X, …" / "as X noted, …" (X up to the comma).
_AS_CUE = re.compile(
    rf"\b[Aa]s[ \t]+(?:{_CUE_PARTICIPLE}[ \t]+(?:in|by)[ \t]+(?P<source>[^,.;]+)"
    rf"|(?P<subject>[^,.;]+?)[ \t]+(?:has[ \t]+|had[ \t]+)?{_CUE_PARTICIPLE}),"
)
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|been|being)[ \t]+(?:\w+ly[ \t]+)?(?:viewed|seen|cited|regarded|described|hailed|"
    r"considered|touted|portrayed|characteri[sz]ed)[ \t]+by[ \t]+"
)
_LEADING_CONNECTIVE = re.compile(
    r"(?:(?i:rather|however|also|still|instead|meanwhile|moreover|furthermore|further|yet|indeed|hence|thus|"
    r"therefore|first|second|third|finally|likewise|similarly|besides|nevertheless|nonetheless)|[A-Z][a-z]+ly)"
    r"[ \t]*,[ \t]*"
)
_CONJUNCTIONS = frozenset(["and", "but", "while", "because", "so", "yet", "then", "who", "whom", "which"])
_TRAILING_SOURCE = re.compile(r",[ \t]*(?:based on|in addition to|citing|according to)\b")
_MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Reported:
    start: int
    end: int
    mention: Mention | None


def _wholly_quoted(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> bool:
    """True when [start, end) is (up to punctuation) the content of one direct quote."""
    return any(q_start - 1 <= start and end <= q_end + 2 for q_start, q_end in quotes)


def _inside(pos: int, quotes: list[tuple[int, int]]) -> bool:
    return any(q_start <= pos < q_end for q_start, q_end in quotes)


def _postposed(text: str, s: int, cue_start: int) -> int | None:
    """Index of the comma that ends the reported clause before a postposed cue, if the cue follows one."""
    head = text[s:cue_start].rstrip(" \t")
    return s + len(head) - 1 if head.endswith(",") else None


def _according(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    for match in ACCORDING.finditer(text, s, e):
        if _inside(match.start(), quotes):
            continue
        mention = mention_starting_at(text, match.end(), e)
        comma = _postposed(text, s, match.start())
        if comma is not None:
            return Reported(*trim_claim(text, s, comma), mention)
        if not text[s : match.start()].strip():  # sentence-initial: "According to X, clause."
            after = text.find(",", mention.end if mention else match.end(), e)
            if after != -1:
                return Reported(*trim_claim(text, after + 1, e), mention)
    return None


def _opens_clause(before: str) -> bool:
    """Whether a subject after `before` (its sentence up to the name) opens a clause: at the sentence
    start, after a comma or a conjunction, once a role and capitalised words before the name are set
    aside ("Foreign Ministry spokesperson Lin Jian said …")."""
    words = before.split()
    while words and (words[-1][0].isupper() or is_title(words[-1]) or words[-1] in ("the", "a", "an")):
        words.pop()
    return not words or words[-1][-1] in ",;:—–(" or words[-1].lower() in _CONJUNCTIONS


def _after_connective(text: str, s: int) -> int:
    """Where a sentence starts once a leading connective ("Rather,", "Hence,") is skipped."""
    match = _LEADING_CONNECTIVE.match(text, s)
    return match.end() if match else s


def _as_cue(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    """ "As noted in X, clause." / "Hence, as X noted, clause." — the cue phrase opens the sentence; or it
    is set off by commas before "that": "What is striking, as noted in X, is that clause."."""
    start = _after_connective(text, s)
    for match in _AS_CUE.finditer(text, start, e):
        if _inside(match.start(), quotes):
            continue
        source = "source" if match.group("source") is not None else "subject"
        mention = mention_starting_at(text, match.start(source), match.end(source))
        if match.start() == start:
            return Reported(*trim_claim(text, match.end(), e), mention)
        that = _THAT.search(text, match.end(), e)
        if text[s : match.start()].rstrip().endswith(",") and that is not None:
            return Reported(*trim_claim(text, that.end(), e), mention)
    return None


def _passive(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    """ "A is viewed by X as B": the claim is B, the speaker X."""
    for match in _PASSIVE.finditer(text, s, e):
        if _inside(match.start(), quotes):
            continue
        mention = mention_starting_at(text, match.end(), e)
        if mention is None:
            continue
        as_ = re.match(r"[ \t]+as[ \t]+", text[mention.end : e])
        if as_ is not None:
            return Reported(*trim_claim(text, mention.end + as_.end(), e), mention)
    return None


def _cue_of_a_quote(text: str, verb_start: int, quotes: list[tuple[int, int]]) -> bool:
    """True when the verb is the cue of a quote just before it: "…,” China’s top diplomat Wang Yi said"."""
    before = bisect.bisect_left(quotes, verb_start, key=lambda q: q[1])  # quotes are in document order
    if before == 0:
        return False
    q_end = quotes[before - 1][1]
    # The quote hands over to its cue with a comma or dash, inside or after the closing mark.
    gap = re.fullmatch(r"[”\"»’][ \t]*(?P<comma>[,—–-]?)[^.!?;“”\"«»\n]{0,100}", text[q_end:verb_start])
    return gap is not None and (bool(gap.group("comma")) or text[q_end - 1] in ",—–-")


def _verb_cue(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    for verb in VERB.finditer(text, s, e):
        if _inside(verb.start(), quotes) or not is_verb_cue(text, s, verb.start()):
            continue
        if not needs_complement(text, verb, e) or _cue_of_a_quote(text, verb.start(), quotes):
            continue
        rest = text[verb.end() : e]
        if re.match(r"[ \t]*[:,]?[ \t]*[\"“«‘]", rest) and _inside(
            verb.end() + len(rest) - len(rest.lstrip(" \t:,")) + 1, quotes
        ):
            continue  # introduces a direct quote
        comma = _postposed(text, s, verb.start())
        if not rest.strip(" \t.!?"):  # "…, Blinken said." ("…, said Blinken." is handled below)
            subject = mention_ending_at(text, s, subject_end(text, s, verb.start()))
            if subject is not None:
                head = text[s : subject.start].rstrip(" \t")
                if head.endswith(","):
                    return Reported(*trim_claim(text, _after_connective(text, s), s + len(head) - 1), subject)
            continue
        if comma is not None:  # "…, said Blinken."
            inverted = mention_starting_at(text, verb.end(), e)
            if inverted is not None and not text[inverted.end : e].strip(" \t.!?"):
                return Reported(*trim_claim(text, s, comma), inverted)
        subject = mention_ending_at(text, s, subject_end(text, s, verb.start()))
        if (
            subject is not None
            and rest.lstrip(" \t").startswith(",")
            and text[s : subject.start].rstrip().endswith(",")
        ):
            return Reported(*trim_claim(text, _after_connective(text, s), e), subject)  # "A, X said, B."
        that = _THAT.search(text, verb.end(), min(e, verb.end() + 160))
        if that is not None and not re.search(r"[.;,]", text[verb.end() : that.start()]):
            return Reported(*trim_claim(text, that.end(), e), subject)
        if subject is None or verb.group().startswith("tel") or verb.group() == "told":
            continue
        if not _opens_clause(text[s : subject.start]):
            continue  # "could give Beijing added stature": the name is an object, not a speaker
        if _CLAUSE_START_REJECT.match(text, verb.end(), e):
            continue
        start, end = trim_claim(text, verb.end(), e)
        if len(text[start:end].split()) >= _MIN_WORDS:
            return Reported(start, end, subject)
    return None


def reported_in_sentence(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    """The first reported-speech claim in sentence text[s:e], if any; quotes are direct-quote contents."""
    found = (
        _according(text, s, e, quotes)
        or _as_cue(text, s, e, quotes)
        or _passive(text, s, e, quotes)
        or _verb_cue(text, s, e, quotes)
    )
    if found is None:
        return None
    source = _TRAILING_SOURCE.search(text, found.start, found.end)
    if source is not None and not _inside(source.start(), quotes):
        found = Reported(*trim_claim(text, found.start, source.start()), found.mention)
    if found.start >= found.end or _wholly_quoted(text, found.start, found.end, quotes):
        return None
    return found
