"""Reporting cues: the verbs and phrases that attribute words to a speaker, and the speaker next to them.

A cue verb is lower-case and not preceded by a determiner, "to", "as" or "having" ("the claim",
"declined to say", "as noted in …", "Having said that" are not cues of their own). Auxiliaries and adverbs
between subject and verb ("has also said", "approvingly called") are skipped. Some cues report only
with a complement: the "as" verbs ("described the pact as …", "sees X as …") and the adjectives of
belief ("are apprehensive that …", "is convinced that …").
"""

import re

from .speakers import Mention, mention_ending_at, mention_starting_at

_VERBS = [
    "said",
    "says",
    "say",
    "told",
    "tells",
    "tell",
    "noted",
    "notes",
    "note",
    "added",
    "adds",
    "add",
    "argued",
    "argues",
    "argue",
    "claimed",
    "claims",
    "claim",
    "warned",
    "warns",
    "warn",
    "stressed",
    "stresses",
    "stress",
    "explained",
    "explains",
    "explain",
    "wrote",
    "writes",
    "write",
    "believes",
    "believed",
    "believe",
    "thinks",
    "thought",
    "think",
    "remarked",
    "remarks",
    "remark",
    "posited",
    "posits",
    "posit",
    "suggested",
    "suggests",
    "suggest",
    "insisted",
    "insists",
    "insist",
    "acknowledged",
    "acknowledges",
    "acknowledge",
    "asserted",
    "asserts",
    "assert",
    "contended",
    "contends",
    "contend",
    "maintained",
    "maintains",
    "emphasized",
    "emphasizes",
    "emphasised",
    "emphasises",
    "stated",
    "states",
    "declared",
    "declares",
    "observed",
    "observes",
    "admitted",
    "admits",
    "conceded",
    "concedes",
    "predicted",
    "predicts",
    "announced",
    "announces",
    "replied",
    "replies",
    "responded",
    "responds",
    "commented",
    "comments",
    "cautioned",
    "cautions",
    "concluded",
    "concludes",
    "reckons",
    "reckoned",
    "countered",
    "counters",
    "recalled",
    "recalls",
    "urged",
    "urges",
    "alleged",
    "alleges",
    "hinted",
    "hints",
    "confirmed",
    "confirms",
    "denied",
    "denies",
    "mentioned",
    "mentions",
    "highlighted",
    "highlights",
    "indicated",
    "indicates",
    "opined",
    "opines",
    "continued",
]
# Verbs that report a view only as "<verb> X as Y"; the claim is "X as Y".
AS_VERBS = frozenset(
    [
        "described",
        "describes",
        "hailed",
        "hails",
        "lauded",
        "lauds",
        "called",
        "calls",
        "characterized",
        "characterizes",
        "characterised",
        "characterises",
        "portrayed",
        "portrays",
        "labelled",
        "labeled",
        "branded",
        "sees",
        "saw",
        "regards",
        "regarded",
        "views",
        "viewed",
    ]
)
# Adjectives that report a belief only when "that" follows: "scholars who are apprehensive that …".
THAT_ADJECTIVES = frozenset(
    [
        "apprehensive",
        "worried",
        "concerned",
        "confident",
        "convinced",
        "certain",
        "hopeful",
        "fearful",
        "adamant",
    ]
)
_PHRASES = [
    r"pointed out",
    r"points out",
    r"expressed (?:the|their|his|her|its) (?:view|views|belief|hope|concern|fear|opinion)",
]
VERB = re.compile(
    r"\b(?:"
    + "|".join(_PHRASES + sorted([*_VERBS, *AS_VERBS, *THAT_ADJECTIVES], key=len, reverse=True))
    + r")\b(?![ \t]+tanks?\b)"  # "think tank" is a noun
)
ACCORDING = re.compile(r"\b(?:[Aa]ccording to|[Ii]n the (?:view|words|opinion) of)[ \t]+")
_FILLER = frozenset(
    [
        "has",
        "have",
        "had",
        "also",
        "later",
        "previously",
        "recently",
        "repeatedly",
        "further",
        "then",
        "once",
        "publicly",
        "reportedly",
        "would",
        "will",
        "did",
        "does",
        "was",
        "were",
        "is",
        "long",
        "are",
        "earlier",
        "already",
        "even",
        "still",
    ]
)
_NOT_BEFORE_VERB = frozenset(
    [
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "its",
        "our",
        "my",
        "your",
        "this",
        "these",
        "those",
        "such",
        "whose",
        "to",
        "as",
        "having",
    ]
)
_LAST_WORD = re.compile(r"([\w’'\-]+)[ \t]*$")


def is_filler(word: str) -> bool:
    """An auxiliary or an adverb that may stand between a subject and its cue ("has also", "approvingly")."""
    return word in _FILLER or (word.islower() and len(word) > 4 and word.endswith("ly"))


def needs_complement(text: str, verb: re.Match[str], end: int) -> bool:
    """False when a complement-only cue lacks its complement: "described X as Y" needs an object and "as";
    "apprehensive" needs "that"."""
    word = verb.group()
    if word in AS_VERBS:
        return re.match(r"[ \t]+[^ \t.!?;:,“”\"]+.*?\bas\b", text[verb.end() : end]) is not None
    if word in THAT_ADJECTIVES:
        return re.match(r"[ \t]+that\b", text[verb.end() : end]) is not None
    return True


def subject_end(text: str, start: int, verb_start: int) -> int:
    """Where the subject before a verb ends, once auxiliaries and adverbs are skipped."""
    end = verb_start
    while True:
        match = _LAST_WORD.search(text, start, end)
        if match is None or not is_filler(match.group(1)):
            return end
        end = match.start()


def is_verb_cue(text: str, start: int, verb_start: int) -> bool:
    """False when the verb is a noun or infinitive here: "the claims", "declined to say"."""
    match = _LAST_WORD.search(text, start, verb_start)
    return match is None or match.group(1).lower() not in _NOT_BEFORE_VERB


def speaker_before_quote(text: str, para_start: int, open_at: int) -> Mention | None:
    """Speaker of a quote introduced by a cue just before it: 'Blinken said: “…' or 'said Blinken, “…' or
    'According to Blinken, “…'."""
    window = max(para_start, open_at - 240)
    end = open_at
    while end > window and text[end - 1] in " \t\n:,—–-":
        end -= 1
    verb = None
    for match in VERB.finditer(text, max(window, end - 120), end):
        verb = match
    if verb is not None and is_verb_cue(text, window, verb.start()):
        tail = text[verb.end() : end]
        if not tail.strip() or re.fullmatch(r"[ \t]+(?:that|as)", tail):  # "Blinken said:", "hailed as “"
            return mention_ending_at(text, window, subject_end(text, window, verb.start()))
        inverted = mention_starting_at(text, verb.end(), end)  # "said Blinken," / "said in a statement"
        if inverted is not None and not text[inverted.end : end].strip():
            return inverted
        if re.fullmatch(r"[ \t]+(?:in|on|at|during|to|from|by|after|before|when|with)\b[^“”\"«».!?]*", tail):
            return mention_ending_at(text, window, subject_end(text, window, verb.start()))
    for match in ACCORDING.finditer(text, window, end):
        mention = mention_starting_at(text, match.end(), end)
        if mention is not None and not text[mention.end : end].strip():
            return mention
    return None


def speaker_after_quote(text: str, close_at: int, para_end: int) -> Mention | None:
    """Speaker named by a cue right after a closing mark: '…,” Blinken said.' / '…,” said Blinken.' /
    '…,” he added.' / '…,” according to Blinken.'"""
    pos = close_at + 1
    while pos < para_end and text[pos] in " \t,—–-":
        pos += 1
    verb = VERB.match(text, pos, para_end)
    if verb is not None:
        return mention_starting_at(text, verb.end(), para_end)
    according = ACCORDING.match(text, pos, para_end)
    if according is not None:
        return mention_starting_at(text, according.end(), para_end)
    mention = mention_starting_at(text, pos, para_end)
    if mention is not None:
        gap = _skip_filler(text, mention.end, para_end)
        if text.startswith(",", gap):  # "…,” Wang, a fellow at X, said."
            comma = text.find(",", gap + 1, para_end)
            gap = _skip_filler(text, comma + 1, para_end) if comma != -1 else para_end
        if VERB.match(text, gap, para_end):
            return mention
    # A role before the name: "…,” China’s top diplomat Wang Yi said." (a quote that hands over with a comma)
    if text[close_at - 1] not in ",—–-" and not re.match(r"[”\"»’]?[ \t]*[,—–-]", text[close_at:para_end]):
        return None
    verb = VERB.search(text, pos, min(para_end, pos + 100))
    if verb is None or re.search(r"[.!?“”\"«»]", text[pos : verb.start()]):
        return None
    return mention_ending_at(text, pos, subject_end(text, pos, verb.start()))


_WORD_AT = re.compile(r"[ \t]*([\w’'\-]+)")


def _skip_filler(text: str, pos: int, end: int) -> int:
    """Position after spaces and any auxiliaries/adverbs starting at pos."""
    while True:
        word = _WORD_AT.match(text, pos, end)
        if word is None or not is_filler(word.group(1)):
            while pos < end and text[pos] in " \t":
                pos += 1
            return pos
        pos = word.end()
