"""How well the detector's suggestions agree with a gold annotation (pure; no Django).

Only attributed gold claims (direct and indirect) count: the detector does not suggest authorial claims.
A suggestion and a gold claim are paired one-to-one: exactly, when their spans are identical; by overlap,
as the maximum matching: the most pairs of spans that share a character, and among those matchings the
one with the greatest total overlap (`scipy.optimize.linear_sum_assignment`), so of two suggestions over
one claim the one covering more of it is paired unless the other is needed for a claim of its own.
Precision is over all suggestions, recall over the attributed gold claims. On the overlap pairs the
attribution and the speaker (a suggestion's speaker linked to the gold speakers by name or alias; no
speaker on both sides agrees) are compared too.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from . import detect
from .gold import ATTRIBUTED, known_speakers


@dataclass(frozen=True, slots=True)
class Span:
    """A claim for scoring: its span, attribution and canonical speaker (None when unknown or authorial)."""

    start: int
    end: int
    attribution: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    """Counts from one or more documents; scores are derived, so documents add up with `+`."""

    gold: int = 0
    suggested: int = 0
    exact: int = 0
    overlap: int = 0
    attribution_agrees: int = 0
    speaker_agrees: int = 0

    def __add__(self, other: "Scores") -> "Scores":
        return Scores(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))

    def precision(self, kind: str) -> float:
        return _ratio(getattr(self, kind), self.suggested)

    def recall(self, kind: str) -> float:
        return _ratio(getattr(self, kind), self.gold)

    def f1(self, kind: str) -> float:
        p, r = self.precision(kind), self.recall(kind)
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attribution_accuracy(self) -> float:
        return _ratio(self.attribution_agrees, self.overlap)

    @property
    def speaker_accuracy(self) -> float:
        return _ratio(self.speaker_agrees, self.overlap)


def _fields(scores: Scores) -> tuple[int, ...]:
    return tuple(getattr(scores, name) for name in Scores.__slots__)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def overlap_pairs(gold: Sequence[Span], suggested: Sequence[Span]) -> list[tuple[int, int]]:
    """(gold index, suggestion index) of the one-to-one matching with the most overlapping pairs, then the
    greatest total overlap; only pairs that share at least one character."""
    if not gold or not suggested:
        return []
    shared = np.array(
        [[max(0, min(g.end, s.end) - max(g.start, s.start)) for s in suggested] for g in gold], dtype=float
    )
    # Each pair weighs 1 plus its share of all overlap: the shares of any matching sum to less than 1, so
    # one pair more always outweighs any gain in overlap.
    weight = (shared > 0) + shared / (shared.sum() + 1)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if shared[r, c] > 0]


def score(gold: Iterable[Span], suggested: Iterable[Span]) -> Scores:
    """Exact and overlap matches of `suggested` against the attributed claims of `gold`."""
    gold = [g for g in gold if g.attribution in ATTRIBUTED]
    suggested = list(suggested)
    exact = len({(g.start, g.end) for g in gold} & {(s.start, s.end) for s in suggested})
    pairs = overlap_pairs(gold, suggested)
    return Scores(
        gold=len(gold),
        suggested=len(suggested),
        exact=exact,
        overlap=len(pairs),
        attribution_agrees=sum(gold[g].attribution == suggested[s].attribution for g, s in pairs),
        speaker_agrees=sum(gold[g].speaker == suggested[s].speaker for g, s in pairs),
    )


def evaluate_document(text: str, gold: Mapping[str, Any]) -> Scores:
    """Run the detector on `text` with the gold's speakers as the known speakers and score it."""
    known = known_speakers(gold)
    gold_spans = [Span(c["start"], c["end"], c["attribution"], c["speaker"]) for c in gold["claims"]]
    suggested = [
        Span(s.start, s.end, s.attribution, known.get(s.speaker_key) if s.speaker_key else None)
        for s in detect(text, known_speakers=known)
    ]
    return score(gold_spans, suggested)


HEADER = (
    "article",
    "gold",
    "suggested",
    "exact P",
    "exact R",
    "exact F1",
    "overlap P",
    "overlap R",
    "overlap F1",
    "attribution",
    "speaker",
)


def table_rows(per_document: Mapping[str, Scores]) -> list[tuple[str, ...]]:
    """One row per document and an "overall" row (counts summed, then scored), figures to two places."""
    rows = []
    overall = sum(per_document.values(), Scores())
    for name, s in [*per_document.items(), ("overall", overall)]:
        figures = [s.precision("exact"), s.recall("exact"), s.f1("exact")]
        figures += [s.precision("overlap"), s.recall("overlap"), s.f1("overlap")]
        figures += [s.attribution_accuracy, s.speaker_accuracy]
        rows.append((name, str(s.gold), str(s.suggested), *(f"{f:.2f}" for f in figures)))
    return rows


def markdown_table(rows: Sequence[tuple[str, ...]]) -> str:
    lines = [HEADER, tuple("---" for _ in HEADER), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
