"""Placing the detector's document-wide suggestions onto passages (pure; no Django).

The detector reads a whole article (a pronoun resolves to a speaker named paragraphs earlier), so its
offsets are into the document text. Annotators label passages, which are body lines of that text: a
suggestion is kept only when it lies inside one passage and is moved into that passage's offsets. One that
crosses a passage boundary, or falls in the title or page furniture (no passage), is dropped rather than
cut, since half a quote is not a claim anyone would accept.
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


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


def place(found: Iterable[Found], passages: Sequence[PassageSpan]) -> list[Placed]:
    """The suggestions that lie inside one passage, in passage offsets, one per key, in document order.

    A mention outside the claim's passage (a quote continuing an earlier paragraph's speaker) is left out;
    the speaker's name stays.
    """
    ordered = sorted(passages, key=lambda p: p.start)
    starts = [p.start for p in ordered]
    placed: dict[tuple[int, int, int, str], Placed] = {}
    for item in found:
        at = bisect_right(starts, item.start) - 1
        if at < 0:
            continue
        passage = ordered[at]
        if not (passage.start <= item.start < item.end <= passage.end):
            continue
        mention_start = mention_end = None
        if (
            item.mention_start is not None
            and item.mention_end is not None
            and passage.start <= item.mention_start < item.mention_end <= passage.end
        ):
            mention_start, mention_end = item.mention_start - passage.start, item.mention_end - passage.start
        candidate = Placed(
            passage_id=passage.id,
            start=item.start - passage.start,
            end=item.end - passage.start,
            attribution=item.attribution,
            speaker_name=(item.speaker or "")[:300],
            speaker_key=item.speaker_key,
            mention_start=mention_start,
            mention_end=mention_end,
        )
        placed.setdefault(candidate.key, candidate)
    return list(placed.values())
