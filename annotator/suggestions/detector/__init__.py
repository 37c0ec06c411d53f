"""Rule-based, offline suggestions of claims and their speakers in a news article.

`detect(text)` returns direct quotations and reported speech as `Suggestion`s in document order.
Offsets are Python code points (str indices) into `text`; `text[s.start:s.end]` is the claim content
without quotation marks and without final ". , ! ?". Paragraphs are lines; a pronoun subject (he, she,
they) takes the most recent named speaker before it, in this or an earlier paragraph, and its mention is
the pronoun itself. A quote without a cue of its own continues the speaker of the previous quote in the
same paragraph, with that quote's mention. A quote with no speaker is not suggested when it has fewer
than four words (scare quotes) or the sentence runs on after it in lower case (a quoted phrase:
"Highlighting “changes unseen in a century” across the world, …"); nor is a quote inside a reported
clause without a cue of its own.

A paragraph whose letters are mostly Han characters (`script.is_chinese`) is read by the Chinese rules
of `zh`; every other paragraph by the English ones, so English text is read exactly as before.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .cues import speaker_after_quote, speaker_before_quote
from .quotes import find_quotes
from .reported import reported_in_sentence
from .script import is_chinese
from .speakers import Mention, SpeakerIndex
from .text import paragraphs, sentences, trim_claim
from .zh import find as find_chinese

Attribution = Literal["direct", "indirect"]
_SCARE_QUOTE_WORDS = 4
_RUNS_ON = re.compile(r"[ \t]+[a-z]")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested claim: its content span, how it is attributed, and who says it (all None if unknown)."""

    start: int
    end: int
    attribution: Attribution
    speaker: str | None = None
    mention_start: int | None = None
    mention_end: int | None = None
    speaker_key: str | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    attribution: Attribution
    mention: Mention | None
    own_cue: bool = True  # False when the mention is the previous quote's


def _paragraph_of(paras: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for start, end in paras:  # paragraphs are few; a bisect is not worth it
        if start <= pos < end:
            return start, end
    return pos, pos


def _quoted_phrase(text: str, start: int, end: int, close_at: int) -> bool:
    """A speakerless quote that is a scare quote or a phrase inside a running sentence, not a statement."""
    runs_on = text[close_at - 1] not in ",.!?;:—–-" and _RUNS_ON.match(text, close_at + 1) is not None
    return len(text[start:end].split()) < _SCARE_QUOTE_WORDS or runs_on


def _direct(text: str, paras: list[tuple[int, int]]) -> tuple[list[_Candidate], list[tuple[int, int]]]:
    """Direct-quote candidates, and the raw contents of all quotes (for masking)."""
    found: list[_Candidate] = []
    contents: list[tuple[int, int]] = []
    previous: _Candidate | None = None
    previous_para = None
    for quote in find_quotes(text, paras):
        contents.append(quote.content)
        open_para = _paragraph_of(paras, quote.open_at)
        close_para = _paragraph_of(paras, quote.close_at)
        cue_from = open_para[0]
        if (
            not text[cue_from : quote.open_at].strip()
            and cue_from > 0
            and text[:cue_from].rstrip().endswith(":")
        ):
            cue_from = _paragraph_of(paras, len(text[:cue_from].rstrip()) - 1)[0]  # "X said:\n“…"
        mention = speaker_before_quote(text, cue_from, quote.open_at) or speaker_after_quote(
            text, quote.close_at, close_para[1]
        )
        own_cue = mention is not None
        if mention is None and previous is not None and previous_para == open_para:
            mention = previous.mention
        start, end = trim_claim(text, *quote.content)
        if start >= end or (mention is None and _quoted_phrase(text, start, end, quote.close_at)):
            continue
        previous = _Candidate(start, end, "direct", mention, own_cue)
        previous_para = close_para
        found.append(previous)
    return found, contents


def _indirect(text: str, paras: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> list[_Candidate]:
    found = []
    for para_start, para_end in paras:
        for s, e in sentences(text, para_start, para_end, quotes):
            reported = reported_in_sentence(text, s, e, quotes)
            if reported is not None:
                found.append(_Candidate(reported.start, reported.end, "indirect", reported.mention))
    return found


def detect(text: str, *, known_speakers: Mapping[str, str] | None = None) -> list[Suggestion]:
    """Suggest direct and reported claims in `text` with their speakers, linked to `known_speakers`
    (lower-cased name or alias → canonical name) where a mention matches; see the module docstring."""
    paras, chinese = [], []
    for para in paragraphs(text):
        (chinese if is_chinese(text[para[0] : para[1]]) else paras).append(para)
    direct, quotes = _direct(text, paras)
    indirect = _indirect(text, paras, quotes)
    for para in chinese:
        zh_direct, zh_indirect = find_chinese(text, para)
        direct += [_Candidate(f.start, f.end, f.attribution, f.mention, f.own_cue) for f in zh_direct]
        indirect += [_Candidate(f.start, f.end, f.attribution, f.mention) for f in zh_indirect]
    indirect = [c for c in indirect if not any(d.start <= c.start and c.end <= d.end for d in direct)]
    # A short quote inside a reported clause is part of that claim, not a claim of its own.
    direct = [
        d for d in direct if d.own_cue or not any(c.start <= d.start and d.end <= c.end for c in indirect)
    ]
    index = SpeakerIndex(known_speakers)
    suggestions: list[Suggestion] = []
    last_named: tuple[str, str | None] | None = None
    for candidate in sorted(direct + indirect, key=lambda c: (c.start, c.end)):
        mention = candidate.mention
        speaker = key = None
        if mention is not None and mention.pronoun:
            if last_named is None:
                mention = None
            else:
                speaker, key = last_named
        elif mention is not None:
            speaker = text[mention.start : mention.end]
            key = index.key_for(speaker)
            last_named = (speaker, key)
        suggestions.append(
            Suggestion(
                start=candidate.start,
                end=candidate.end,
                attribution=candidate.attribution,
                speaker=speaker,
                mention_start=mention.start if mention else None,
                mention_end=mention.end if mention else None,
                speaker_key=key,
            )
        )
    return suggestions
