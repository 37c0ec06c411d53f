"""Reporting cues: the verbs and phrases that attribute words to a speaker, and the speaker next to them.

A cue verb is lower-case and not preceded by a determiner or "to" ("the claim", "declined to say" are
not cues). Auxiliaries and adverbs between subject and verb ("has also said") are skipped.
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
]
VERB = re.compile(r"\b(?:pointed out|points out|" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r")\b")
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
    ]
)
_LAST_WORD = re.compile(r"([\w’'\-]+)[ \t]*$")


def subject_end(text: str, start: int, verb_start: int) -> int:
    """Where the subject before a verb ends, once auxiliaries and adverbs are skipped."""
    end = verb_start
    while True:
        match = _LAST_WORD.search(text, start, end)
        if match is None or match.group(1) not in _FILLER:
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
        if not tail.strip():  # "... Blinken said:" — subject before the verb
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
    if mention is None:
        return None
    gap = _skip_filler(text, mention.end, para_end)
    if text.startswith(",", gap):  # "…,” Wang, a fellow at X, said."
        comma = text.find(",", gap + 1, para_end)
        if comma == -1:
            return None
        gap = _skip_filler(text, comma + 1, para_end)
    return mention if VERB.match(text, gap, para_end) else None


_WORD_AT = re.compile(r"[ \t]*([\w’'\-]+)")


def _skip_filler(text: str, pos: int, end: int) -> int:
    """Position after spaces and any auxiliaries/adverbs starting at pos."""
    while True:
        word = _WORD_AT.match(text, pos, end)
        if word is None or word.group(1) not in _FILLER:
            while pos < end and text[pos] in " \t":
                pos += 1
            return pos
        pos = word.end()
