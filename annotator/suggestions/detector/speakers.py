"""Speaker mentions next to a reporting cue, and linking them to known speakers.

Convention: a mention is the name only. Titles and roles written before a name are left out
("U.S. Secretary of State Antony Blinken" → "Antony Blinken", "Foreign Ministry spokesperson Lin Jian" →
"Lin Jian") and so is an appositive description ("Wang Junsheng, a research fellow at …," → "Wang
Junsheng"). A capitalised run ending in an organisation word is kept whole ("State Department"), as is a
run that is nothing but a title ("the President" → "President"). A group or a publication named by a
common noun is a mention with its determiner and modifiers ("Several Chinese scholars", "the commentary",
"analysts in Beijing", "many in China"); a relative "who" after a name is not part of it ("Sun, who
said"). Pronouns (he, she, they) are mentions too; the detector resolves them to the most recent named
speaker.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from annotator.corpus.name_forms import latin_variant, romanised

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_CAP = (
    rf"(?:[A-Z]\.){{2,}}"  # U.S., U.N.
    r"|(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Lt|Gov|Jr|Sr|St)\."
    rf"|[{_UPPER}]\.(?=[ \t])"  # an initial
    rf"|(?:(?:al|el|bin|ibn|bint)-)?[{_UPPER}][\w’'\-]*"
)
_PARTICLE = r"(?:bin|bint|ibn|al|el|de|del|della|der|den|di|da|du|dos|das|van|von|la|le|of|y)"
RUN = rf"(?:{_CAP})(?:[ \t]+(?:{_PARTICLE}[ \t]+)*(?:{_CAP}))*"
PRONOUN = r"(?:[Hh]e|[Ss]he|[Tt]hey)"

_TITLES = frozenset(
    [
        "president",
        "vice",
        "deputy",
        "prime",
        "minister",
        "secretary",
        "state",
        "foreign",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "senator",
        "sen.",
        "rep.",
        "representative",
        "gen.",
        "general",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "professor",
        "prof.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "leader",
        "chancellor",
        "king",
        "queen",
        "premier",
        "governor",
        "gov.",
        "mayor",
        "chief",
        "executive",
        "ceo",
        "envoy",
        "official",
        "commander",
        "admiral",
        "colonel",
        "col.",
        "lieutenant",
        "lt.",
        "sir",
        "lord",
        "judge",
        "justice",
        "pope",
        "sheikh",
        "emir",
        "secretary-general",
        "president-elect",
        "analyst",
        "researcher",
        "fellow",
        "editor",
        "correspondent",
        "defense",
        "defence",
        "affairs",
        "national",
        "security",
        "adviser",
        "advisor",
        "spokesperson",
        "minister-counselor",
        "counselor",
    ]
)
_ORGANISATIONS = frozenset(
    [
        "department",
        "ministry",
        "agency",
        "office",
        "council",
        "committee",
        "government",
        "commission",
        "institute",
        "university",
        "party",
        "court",
        "police",
        "army",
        "navy",
        "embassy",
        "bank",
        "fund",
        "company",
        "corporation",
        "house",
        "senate",
        "congress",
        "parliament",
        "administration",
        "cabinet",
        "center",
        "centre",
        "foundation",
        "academy",
        "association",
        "union",
        "organization",
        "organisation",
        "group",
        "authority",
        "bureau",
        "service",
        "forces",
        "kremlin",
        "pentagon",
    ]
)
_LEADING_NOISE = frozenset(
    [
        "the",
        "a",
        "an",
        "but",
        "and",
        "however",
        "yesterday",
        "today",
        "meanwhile",
        "in",
        "on",
        "at",
        "also",
        "still",
        "then",
        "later",
        "this",
        "that",
        "earlier",
        "last",
        "when",
        "while",
        "as",
        "after",
        "before",
        "speaking",
        "separately",
        "moreover",
        "furthermore",
        "now",
        "instead",
        "so",
        "yet",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)

# Sources named by a common noun: groups of people and texts that speak for someone.
_GROUP_NOUN = (
    r"(?i:analysts|observers|experts|scholars|commentators|commentaries|commentary|officials|critics|diplomats"
    r"|sources|reports?|researchers|economists|academics|watchers|specialists|pundits|insiders|editorials?"
    r"|news[ \t]+agency|newspaper|broadcaster)"
)
_MODIFIER = (
    rf"(?:[{_UPPER}][\w’'\-.]*|official|state|state-run|state-controlled|state-owned|independent|leading)"
)
_DETERMINER = (
    r"(?i:quite[ \t]+a[ \t]+few|a[ \t]+few|several|many|some|most|other|both|the|a|an|another|these|those)"
)
_PLACE = rf"[ \t]+(?:in|from|across|at)[ \t]+(?:the[ \t]+)?(?:{RUN})(?:(?<=’s)(?:[ \t]+[a-z]+){{1,3}})?"
GROUP = (
    rf"(?:(?:{_DETERMINER})[ \t]+)?(?:{_MODIFIER}[ \t]+){{0,3}}{_GROUP_NOUN}"
    rf"(?:[ \t]+and[ \t]+{_GROUP_NOUN})?(?:{_PLACE})?"
    rf"|(?i:many|some|most|others)(?:{_PLACE})"
)
_GROUP_END = re.compile(rf"(?<![\w’'\-])(?:{GROUP})$")
_GROUP_AT = re.compile(rf"(?:{GROUP})(?![\w’'\-])")
_RELATIVE_END = re.compile(r",?[ \t]+who$")

_RUN_AT = re.compile(RUN)
_RUN_END = re.compile(rf"(?<![\w’'\-.])(?P<run>{RUN})$")
_PRONOUN_END = re.compile(rf"(?<![\w’'\-])(?P<pron>{PRONOUN})$")
_APPOSITIVE_NAME_END = re.compile(rf",[ \t]*(?P<run>{RUN})[ \t]*,$")  # "Blinken’s deputy, Kurt Campbell,"
_DESCRIPTION_END = re.compile(r",[ \t]*(?:a|an|the|who|whose|[a-z]\w*)\b[^,]{0,160},$")  # ", a fellow at X,"
_TITLE_THEN_RUN = re.compile(
    r"[ \t]+(?:"
    + "|".join(sorted((re.escape(t) for t in _TITLES), key=len, reverse=True))
    + rf")[ \t]+({RUN})"
)
_PRONOUN_AT = re.compile(rf"(?P<pron>{PRONOUN})\b")


def is_title(word: str) -> bool:
    """A word of a role written before a name ("spokesperson", "Minister")."""
    return word.lower() in _TITLES


@dataclass(frozen=True, slots=True)
class Mention:
    """A speaker mention: the span naming the speaker, and whether it is a pronoun."""

    start: int
    end: int
    pronoun: bool = False


def _name_part(text: str, start: int, end: int) -> Mention | None:
    """Reduce a capitalised run to its name part (see module docstring); None if nothing name-like is left."""
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    words = [text[start + a : start + b] for a, b in tokens]
    first = 0
    while first < len(words) and words[first].lower() in _LEADING_NOISE:
        first += 1
    if first == len(words):
        return None
    if words[-1].lower() in _ORGANISATIONS:
        return Mention(start + tokens[first][0], start + tokens[-1][1])
    cut = first
    for k in range(first, len(words)):
        if words[k].lower() in _TITLES or re.fullmatch(r"(?:[A-Z]\.){2,}", words[k]):
            cut = k + 1
    if cut == len(words):  # a title alone: "President"
        cut = first
    while cut < len(words) - 1 and words[cut] in ("of", "de", "van", "von"):
        cut += 1
    return Mention(start + tokens[cut][0], start + tokens[-1][1])


def mention_ending_at(text: str, window_start: int, end: int) -> Mention | None:
    """The subject mention that ends text[window_start:end] (whitespace stripped): a name, a name followed by
    a description in commas, a name set off by commas, or a pronoun."""
    while end > window_start and text[end - 1] in " \t":
        end -= 1
    head = text[window_start:end]
    relative = _RELATIVE_END.search(head)
    if relative is not None:  # "Sun Weidong, who said", "scholars who are apprehensive"
        return mention_ending_at(text, window_start, window_start + relative.start())
    if head.endswith(","):
        match = _APPOSITIVE_NAME_END.search(head)
        if match:
            return _name_part(text, window_start + match.start("run"), window_start + match.end("run"))
        match = _DESCRIPTION_END.search(head)
        if match:
            return mention_ending_at(text, window_start, window_start + match.start())
        return None
    match = _PRONOUN_END.search(head)
    if match:
        return Mention(window_start + match.start(), window_start + match.end(), pronoun=True)
    match = _GROUP_END.search(head)
    if match:
        return Mention(window_start + match.start(), window_start + match.end())
    match = _RUN_END.search(head)
    if match:
        return _name_part(text, window_start + match.start("run"), window_start + match.end("run"))
    return None


def mention_starting_at(text: str, pos: int, end: int) -> Mention | None:
    """The mention that starts at pos (after spaces and an optional "the"): a capitalised run or a pronoun."""
    while pos < end and text[pos] in " \t":
        pos += 1
    if text.startswith("the ", pos):
        pos += 4
    match = _PRONOUN_AT.match(text, pos, end)
    if match:
        return Mention(match.start(), match.end(), pronoun=True)
    match = _GROUP_AT.match(text, pos, end)
    if match:
        return Mention(match.start(), match.end())
    match = _RUN_AT.match(text, pos, end)
    if match is None:
        return None
    titled = _TITLE_THEN_RUN.match(text, match.end(), end)
    if titled is not None:  # "Foreign Ministry spokesperson Lin Jian": the name follows the role
        match = titled
    mention_end = match.end()
    if text[mention_end - 1] == "." and not re.search(r"(?:[A-Z]\.){2,}$", match.group()):
        mention_end -= 1  # a sentence end, not part of the name
    return _name_part(text, match.start(match.lastindex or 0), mention_end)


class SpeakerIndex:
    """Links mentions to a mapping of lower-cased name or alias → canonical name.

    A mention matches a key or a canonical name case-insensitively (whitespace and a possessive ’s
    ignored), else by surname (its last word) when exactly one canonical name has that surname, else
    across scripts and word orders by its words (`corpus.name_forms`): 王俊生 finds "Wang Junsheng",
    "Junsheng Wang" and "Wáng Jùnshēng" find 王俊生. The result is the first matching key in the
    mapping's order.
    """

    def __init__(self, known: Mapping[str, str] | None) -> None:
        self._by_name: dict[str, str] = {}
        self._by_words: dict[frozenset[str], str] = {}
        by_surname: dict[str, dict[str, str]] = {}
        for key, canonical in (known or {}).items():
            for form in (key, canonical):
                normal = _normalise(form)
                if not normal:
                    continue
                self._by_name.setdefault(normal, key)
                by_surname.setdefault(normal.split()[-1], {}).setdefault(canonical, key)
                self._by_words.setdefault(_name_words(form), key)
        self._by_surname = {s: next(iter(c.values())) for s, c in by_surname.items() if len(c) == 1}

    def key_for(self, name: str) -> str | None:
        normal = _normalise(name)
        if not normal:
            return None
        return (
            self._by_name.get(normal)
            or self._by_surname.get(normal.split()[-1])
            or self._by_words.get(_name_words(name))
        )


def _name_words(name: str) -> frozenset[str]:
    """A name's words in Latin script, folded: 王俊生 and "Junsheng Wáng" both give {wang, junsheng}."""
    return frozenset((romanised(name) or latin_variant(_normalise(name))).split())


def _normalise(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return " ".join(name.lower().split())
