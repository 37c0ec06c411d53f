"""Reported (indirect) speech: a cue verb or "according to" phrase and the clause it governs.

Span conventions: after "that" when the cue is followed by one ("X said that …"); else the clause right
after the verb ("X said the talks failed"), which needs a named or pronoun subject and must not start with
a preposition; a postposed cue ("…, X said." / "…, said X." / "…, according to X.") takes the sentence up
to the comma. Quoted fragments inside the clause are kept; a clause that is wholly one direct quote is left
to the direct-quote rule. Final ". , ! ?" are excluded.
"""

import re
from dataclasses import dataclass

from .cues import ACCORDING, VERB, is_verb_cue, subject_end
from .speakers import Mention, mention_ending_at, mention_starting_at
from .text import trim_claim

_THAT = re.compile(r"\bthat\b")
_CLAUSE_START_REJECT = re.compile(
    r"[ \t]*(?:in|on|at|during|to|from|by|after|before|with|for|of|about|last|this|yesterday|today|when|"
    r"while|as|so|and|but|or|nothing|it\s+was)\b|[ \t]*[:\"“«‘(]|[ \t]*$"
)
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


def _verb_cue(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    for verb in VERB.finditer(text, s, e):
        if _inside(verb.start(), quotes) or not is_verb_cue(text, s, verb.start()):
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
                    return Reported(*trim_claim(text, s, s + len(head) - 1), subject)
            continue
        if comma is not None:  # "…, said Blinken."
            inverted = mention_starting_at(text, verb.end(), e)
            if inverted is not None and not text[inverted.end : e].strip(" \t.!?"):
                return Reported(*trim_claim(text, s, comma), inverted)
        subject = mention_ending_at(text, s, subject_end(text, s, verb.start()))
        that = _THAT.search(text, verb.end(), min(e, verb.end() + 160))
        if that is not None and not re.search(r"[.;]", text[verb.end() : that.start()]):
            return Reported(*trim_claim(text, that.end(), e), subject)
        if subject is None or verb.group().startswith("tel") or verb.group() == "told":
            continue
        if _CLAUSE_START_REJECT.match(text, verb.end(), e):
            continue
        start, end = trim_claim(text, verb.end(), e)
        if len(text[start:end].split()) >= _MIN_WORDS:
            return Reported(start, end, subject)
    return None


def reported_in_sentence(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Reported | None:
    """The first reported-speech claim in sentence text[s:e], if any; quotes are direct-quote contents."""
    found = _according(text, s, e, quotes) or _verb_cue(text, s, e, quotes)
    if found is None or found.start >= found.end or _wholly_quoted(text, found.start, found.end, quotes):
        return None
    return found
