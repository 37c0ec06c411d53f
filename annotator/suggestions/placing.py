"""Placing the detector's document-wide suggestions onto passages (pure; no Django).

The detector reads a whole article (a pronoun resolves to a speaker named paragraphs earlier), so its
offsets are into the document text. Annotators label passages, which are body lines of that text, and a
claim lies inside one passage: a suggestion is moved into its passage's offsets, and a quotation that runs
over several paragraphs becomes one suggestion per paragraph (each continuation without its opening
quotation mark), as an annotator marks it. What falls in the title or page furniture (no passage) is
dropped.
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .detector.text import strip_span, trim_claim

_OPENING_QUOTES = '“"‘«'


class Found(Protocol):
    """What `detect` returns per suggestion (document offsets)."""

    start: int
    end: int
    attribution: str
    speaker: str | None
    mention_start: int | None
    mention_end: int | None
    speaker_key: str | None


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """A passage's id and its [start, end) in the document text."""

    id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Placed:
    """A suggestion in passage offsets; the mention only when it is in the same passage."""

    passage_id: int
    start: int
    end: int
    attribution: str
    speaker_name: str
    speaker_key: str | None
    mention_start: int | None
    mention_end: int | None

    @property
    def key(self) -> tuple[int, int, int, str]:
        """What identifies a suggestion across runs (the rows' unique constraint)."""
        return (self.passage_id, self.start, self.end, self.attribution)


def place(found: Iterable[Found], passages: Sequence[PassageSpan], text: str) -> list[Placed]:
    """The suggestions in passage offsets, one per key, in document order; `text` is the document's.

    A mention outside the claim's passage (a quote continuing an earlier paragraph's speaker) is left out;
    the speaker's name stays.
    """
    ordered = sorted(passages, key=lambda p: p.start)
    starts = [p.start for p in ordered]
    placed: dict[tuple[int, int, int, str], Placed] = {}
    for item in found:
        first = max(bisect_right(starts, item.start) - 1, 0)
        for passage in ordered[first:]:
            if passage.start >= item.end:
                break
            span = _piece(text, item, passage)
            if span is None:
                continue
            mention_start = mention_end = None
            if (
                item.mention_start is not None
                and item.mention_end is not None
                and passage.start <= item.mention_start < item.mention_end <= passage.end
            ):
                mention_start = item.mention_start - passage.start
                mention_end = item.mention_end - passage.start
            candidate = Placed(
                passage_id=passage.id,
                start=span[0] - passage.start,
                end=span[1] - passage.start,
                attribution=item.attribution,
                speaker_name=(item.speaker or "")[:300],
                speaker_key=item.speaker_key,
                mention_start=mention_start,
                mention_end=mention_end,
            )
            placed.setdefault(candidate.key, candidate)
    return list(placed.values())


def _piece(text: str, item: Found, passage: PassageSpan) -> tuple[int, int] | None:
    """The part of the suggestion inside the passage, trimmed like a claim; None when nothing is left."""
    start, end = max(item.start, passage.start), min(item.end, passage.end)
    if start >= end:
        return None
    if (start, end) == (item.start, item.end):
        return start, end  # wholly inside: the detector's edges stand
    start, end = strip_span(text, start, end)
    while start < end and text[start] in _OPENING_QUOTES:  # a continued quotation's opening mark
        start, end = strip_span(text, start + 1, end)
    start, end = trim_claim(text, start, end)
    return (start, end) if start < end else None
