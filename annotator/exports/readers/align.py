"""Putting a foreign record's claims onto the passages of a project's document (pure).

A record from another tool may be a whole article, one paragraph, or a piece of one; the project has the
article split into passages. ``TextIndex`` finds where a record's text lies in the project's documents, and
``place_claims`` moves each claim from record coordinates to its passage's, reporting (never cutting) a
claim that crosses a passage boundary or lies outside every passage (a title or page furniture).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from annotator.exports.readers.plan import PlannedClaim

PREFIX = 48  # characters of a record's start looked up in the index; longer is rarer, shorter finds more
BRUTE_FORCE_DOCUMENTS = 300  # below this many documents a record not found by prefix is searched for


@dataclass(frozen=True)
class PassageSpan:
    id: int
    start: int  # code points in the document text
    end: int


@dataclass(frozen=True)
class Location:
    document_id: int
    offset: int  # where the record's text starts in the document text


class TextIndex:
    """Where a text occurs in a set of documents: by the start of any line, else by plain search when the
    documents are few. Built once per import from the documents' texts."""

    def __init__(self, documents: Iterable[tuple[int, str]]) -> None:
        self.texts: dict[int, str] = {}
        self.starts: dict[str, list[tuple[int, int]]] = {}
        for document_id, text in documents:
            self.texts[document_id] = text
            offset = 0
            while offset < len(text):
                key = text[offset : offset + PREFIX]
                if key.strip():
                    self.starts.setdefault(key, []).append((document_id, offset))
                newline = text.find("\n", offset)
                if newline < 0:
                    break
                offset = newline + 1

    def find(self, text: str) -> Location | None:
        """The first place (by document id, then offset) whose text is ``text``, or None."""
        for document_id, offset in sorted(self.starts.get(text[:PREFIX], ())):
            if self.texts[document_id].startswith(text, offset):
                return Location(document_id, offset)
        if len(self.texts) <= BRUTE_FORCE_DOCUMENTS:
            for document_id in sorted(self.texts):
                offset = self.texts[document_id].find(text)
                if offset >= 0:
                    return Location(document_id, offset)
        return None


def covered_passages(passages: Sequence[PassageSpan], start: int, end: int) -> list[PassageSpan]:
    """The passages lying wholly inside ``[start, end)`` of the document (``passages`` sorted by start)."""
    return [p for p in passages if start <= p.start and p.end <= end]


def _container(
    passages: Sequence[PassageSpan], starts: Sequence[int], start: int, end: int
) -> PassageSpan | None:
    index = bisect.bisect_right(starts, start) - 1
    if index >= 0 and passages[index].start <= start and end <= passages[index].end:
        return passages[index]
    return None


def place_claims(
    claims: Iterable[PlannedClaim], *, offset: int, passages: Sequence[PassageSpan]
) -> tuple[dict[int, list[PlannedClaim]], list[str]]:
    """Passage id → its claims in passage coordinates, and what could not be placed.

    ``offset`` is where the record starts in the document; ``passages`` are the document's, sorted by
    start. A claim must lie inside one passage; its speaker mention keeps the speaker either way, but
    only a mention inside the same passage is kept as a span.
    """
    starts = [p.start for p in passages]
    placed: dict[int, list[PlannedClaim]] = {}
    lost: list[str] = []
    for claim in claims:
        start, end = claim.start + offset, claim.end + offset
        passage = _container(passages, starts, start, end)
        if passage is None:
            crossing = [p for p in passages if p.start < end and start < p.end]
            why = (
                "crosses a passage boundary" if crossing else "lies outside the passages (title or furniture)"
            )
            lost.append(f"the claim at {claim.start}–{claim.end} {why}; not imported")
            continue
        mention = None
        if claim.mention is not None:
            mention_start, mention_end = claim.mention[0] + offset, claim.mention[1] + offset
            if passage.start <= mention_start and mention_end <= passage.end:
                mention = (mention_start - passage.start, mention_end - passage.start)
            else:
                lost.append(
                    f"the speaker mention of the claim at {claim.start}–{claim.end} is in another passage;"
                    " the speaker is kept, the mention span is not"
                )
        moved = replace(claim, start=start - passage.start, end=end - passage.start, mention=mention)
        placed.setdefault(passage.id, []).append(moved)
    return placed, lost
