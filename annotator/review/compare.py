"""Comparing annotators' claims on one passage: alignment, differences, majority gold, disagreement score.

Pure (no Django): takes plain `ClaimLabel` values grouped by annotator, returns plain values. Claims are
matched in overlap mode by the agreement engine (`match_spans` for one passage, its vectorised form
`match_claims` for a whole project at once), the same one-to-one matching the agreement figures use,
so "these two claims are the same claim" means one thing everywhere.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any

from annotator.agreement.maths.metrics import match_spans
from annotator.agreement.maths.spans import match_claims

# Compared on matched claims; the order is the order differences are listed in.
ATTRIBUTES = ("speaker_id", "attribution", "perspective", "stance", "target")
# The name each attribute's difference is reported under.
DIFFERENCE_NAMES = {"speaker_id": "speaker"}
DIFFERENCE_KINDS = ("missing", "span", "speaker", "attribution", "perspective", "stance", "target")
# A boundary difference on a matched claim weighs less than a missing claim or a changed label: annotators
# often disagree by a word at the edge of a claim and that rarely changes what the claim says.
BOUNDARY_WEIGHT = 0.5
AUTHORIAL = "authorial"

Span = tuple[int, int]


@dataclass(frozen=True)
class ClaimLabel:
    """One annotator's claim, reduced to what is compared."""

    id: int
    annotator_id: int
    start: int
    end: int
    attribution: str
    perspective: str
    stance: str
    target: str
    speaker_id: int | None = None
    mention_start: int | None = None
    mention_end: int | None = None

    @property
    def span(self) -> Span:
        return (self.start, self.end)

    def value(self, name: str) -> Hashable:
        return self.span if name == "span" else getattr(self, name)


@dataclass
class AlignedRow:
    """Claims of different annotators that match each other (at most one per annotator)."""

    cells: dict[int, ClaimLabel] = field(default_factory=dict)
    differences: dict[int, list[str]] = field(default_factory=dict)

    @property
    def span(self) -> Span:
        """The span most members share (ties: the earliest annotator's), used to match further claims."""
        return _modal([claim.span for claim in self.cells.values()])

    @property
    def claim_ids(self) -> list[int]:
        return [claim.id for claim in self.cells.values()]


@dataclass(frozen=True)
class Disagreement:
    """How much the annotators of one passage disagree: `score` = span + attributes + weighted boundary."""

    score: float
    span: float  # 1 - mean pairwise overlap F1 of the claims
    attributes: float  # mean share of ATTRIBUTES that differ on matched claims
    boundary: float  # mean 1 - character IoU of matched claims
    kinds: tuple[str, ...] = ()  # what differs somewhere: "missing", "span", "stance", ...


ClaimsByAnnotator = Mapping[int, Sequence[ClaimLabel]]


def align(claims_by_annotator: ClaimsByAnnotator, annotators: Sequence[int]) -> list[AlignedRow]:
    """Group matching claims across annotators into rows, ordered by position; differences filled in.

    Each annotator's claims are matched one-to-one (overlap mode) against the rows built so far; a claim
    that matches no row starts a new one.
    """
    rows: list[AlignedRow] = []
    for annotator in annotators:
        claims = sorted(claims_by_annotator.get(annotator, ()), key=lambda c: (c.start, c.end, c.id))
        matched = set()
        if rows and claims:
            for row_index, claim_index in match_spans(
                [row.span for row in rows], [claim.span for claim in claims], mode="overlap"
            ):
                rows[row_index].cells[annotator] = claims[claim_index]
                matched.add(claim_index)
        rows += [AlignedRow(cells={annotator: claim}) for i, claim in enumerate(claims) if i not in matched]
    rows.sort(key=lambda row: (*row.span, min(row.claim_ids)))
    for row in rows:
        row.differences = row_differences(row, annotators)
    return rows


def row_differences(row: AlignedRow, annotators: Sequence[int]) -> dict[int, list[str]]:
    """Annotator -> what differs in their cell: "missing", or "span"/attribute names that disagree.

    A value differs when a strict majority of the row's claims share another value, or when there is no
    majority at all; a value everyone shares never differs.
    """
    differences = {annotator: ["missing"] for annotator in annotators if annotator not in row.cells}
    for name in ("span", *ATTRIBUTES):
        values = {annotator: claim.value(name) for annotator, claim in row.cells.items()}
        if len(set(values.values())) < 2:
            continue
        majority = _majority(list(values.values()))
        for annotator, value in values.items():
            if majority is None or value != majority.value:
                differences.setdefault(annotator, []).append(DIFFERENCE_NAMES.get(name, name))
    return {annotator: differences[annotator] for annotator in annotators if annotator in differences}


def difference_counts(rows: Iterable[AlignedRow]) -> dict[str, int]:
    """Kind -> how many annotator cells show that difference, over all rows (zero counts left out)."""
    counts = Counter(kind for row in rows for kinds in row.differences.values() for kind in kinds)
    return {kind: counts[kind] for kind in DIFFERENCE_KINDS if counts[kind]}


def majority_claim(row: AlignedRow, annotator_count: int) -> dict[str, Any] | None:
    """The gold claim most annotators agree on, or None when fewer than a strict majority marked it.

    Span and each attribute take their majority value; a tie goes to the claim whose span was chosen.
    `source_claim_ids` lists every claim of the row.
    """
    claims = list(row.cells.values())
    if not claims or 2 * len(claims) <= annotator_count:
        return None
    span = row.span
    anchor = next(claim for claim in claims if claim.span == span)
    proposal: dict[str, Any] = {
        "start": span[0],
        "end": span[1],
        "mention_start": anchor.mention_start,
        "mention_end": anchor.mention_end,
    }
    for name in ATTRIBUTES:
        majority = _majority([claim.value(name) for claim in claims])
        proposal[name] = majority.value if majority else anchor.value(name)
    if proposal["attribution"] == AUTHORIAL:  # the writer's own voice has no speaker, by definition
        proposal["speaker_id"] = None
        proposal["mention_start"] = proposal["mention_end"] = None
    proposal["source_claim_ids"] = sorted(row.claim_ids)
    return proposal


def place_gold(rows: list[AlignedRow], gold_claims: Sequence[tuple[Span, Iterable[int]]]) -> list[int]:
    """The row index of each saved gold claim, given (span, source claim ids); appends rows as needed.

    A gold claim goes to the row holding its source claims, else to a free row its span overlaps, else
    to a new empty row at the end.
    """
    row_of_claim = {claim_id: index for index, row in enumerate(rows) for claim_id in row.claim_ids}
    placed: list[int | None] = []
    taken: set[int] = set()
    for _, sources in gold_claims:
        index = next((row_of_claim[s] for s in sources if s in row_of_claim), None)
        if index in taken:
            index = None
        placed.append(index)
        if index is not None:
            taken.add(index)
    free = [index for index in range(len(rows)) if index not in taken]
    loose = [position for position, index in enumerate(placed) if index is None]
    if free and loose:
        for i, j in match_spans(
            [rows[index].span for index in free], [gold_claims[p][0] for p in loose], mode="overlap"
        ):
            placed[loose[j]] = free[i]
    result = []
    for index in placed:
        if index is None:
            rows.append(AlignedRow())
            index = len(rows) - 1
        result.append(index)
    return result


def disagreement(claims_by_annotator: ClaimsByAnnotator, annotators: Sequence[int]) -> Disagreement:
    """The disagreement of one passage's annotators (see `disagreements`)."""
    return disagreements({0: claims_by_annotator}, {0: annotators})[0]


def disagreements(
    claims: Mapping[int, ClaimsByAnnotator], annotators: Mapping[int, Sequence[int]]
) -> dict[int, Disagreement]:
    """Passage -> disagreement of its annotators (0 when all marked the same claims alike).

    All passages are matched in one call of the vectorised engine (overlap mode, per annotator pair).
    span: 1 - mean over annotator pairs of the matched F1 (two empty sets agree fully);
    attributes: mean, over matched claim pairs, of the share of ATTRIBUTES that differ;
    boundary: mean, over matched claim pairs, of 1 - intersection/union of their characters.
    """
    flat = [
        claim
        for passage_id in annotators
        for annotator in annotators[passage_id]
        for claim in claims.get(passage_id, {}).get(annotator, ())
    ]
    passage_of = [p for p in annotators for a in annotators[p] for _ in claims.get(p, {}).get(a, ())]
    matched: dict[tuple[int, int, int], int] = Counter()
    matched_pairs: dict[int, list[tuple[ClaimLabel, ClaimLabel]]] = {}
    if flat:
        left, right = match_claims(
            passage_of,
            [c.annotator_id for c in flat],
            [c.start for c in flat],
            [c.end for c in flat],
            mode="overlap",
        )
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            x, y = flat[i], flat[j]
            matched[(passage_of[i], x.annotator_id, y.annotator_id)] += 1
            matched[(passage_of[i], y.annotator_id, x.annotator_id)] += 1
            matched_pairs.setdefault(passage_of[i], []).append((x, y))
    return {
        passage_id: _passage_disagreement(
            passage_id, claims.get(passage_id, {}), people, matched, matched_pairs.get(passage_id, [])
        )
        for passage_id, people in annotators.items()
    }


def _passage_disagreement(
    passage_id: int,
    claims: ClaimsByAnnotator,
    annotators: Sequence[int],
    matched: Mapping[tuple[int, int, int], int],
    pairs: Sequence[tuple[ClaimLabel, ClaimLabel]],
) -> Disagreement:
    if len(annotators) < 2:
        return Disagreement(0.0, 0.0, 0.0, 0.0)
    kinds: set[str] = set()
    f1s = []
    for a, b in combinations(annotators, 2):
        n_a, n_b = len(claims.get(a, ())), len(claims.get(b, ()))
        tp = matched.get((passage_id, a, b), 0)
        f1s.append(2 * tp / (n_a + n_b) if n_a + n_b else 1.0)
        if tp < max(n_a, n_b):
            kinds.add("missing")
    shares, boundaries = [], []
    for x, y in pairs:
        differing = [name for name in ATTRIBUTES if x.value(name) != y.value(name)]
        kinds.update(DIFFERENCE_NAMES.get(name, name) for name in differing)
        shares.append(len(differing) / len(ATTRIBUTES))
        boundaries.append(1 - _iou(x.span, y.span))
        if x.span != y.span:
            kinds.add("span")
    span = 1 - sum(f1s) / len(f1s)
    attributes = sum(shares) / len(shares) if shares else 0.0
    boundary = sum(boundaries) / len(boundaries) if boundaries else 0.0
    return Disagreement(
        score=round(span + attributes + BOUNDARY_WEIGHT * boundary, 6),
        span=round(span, 6),
        attributes=round(attributes, 6),
        boundary=round(boundary, 6),
        kinds=tuple(kind for kind in DIFFERENCE_KINDS if kind in kinds),
    )


@dataclass(frozen=True)
class _Vote:
    value: Hashable
    count: int


def _majority(values: Sequence[Hashable]) -> _Vote | None:
    """The value more than half of `values` share, or None."""
    if not values:
        return None
    value, count = Counter(values).most_common(1)[0]
    return _Vote(value, count) if 2 * count > len(values) else None


def _modal(values: Sequence[Span]) -> Span:
    """The most frequent value; ties go to the one that comes first."""
    counts = Counter(values)
    best = max(counts.values())
    return next(value for value in values if counts[value] == best)


def _iou(a: Span, b: Span) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 1.0


@dataclass(frozen=True)
class SpanDifference:
    """Two versions of one claim's span: the characters both cover, and those only one covers, by edge.

    `shared` is None when the spans have no character in common; `only_a`/`only_b` list at most two
    pieces each (before and after `shared`), in text order.
    """

    shared: Span | None
    only_a: tuple[Span, ...]
    only_b: tuple[Span, ...]


@dataclass(frozen=True)
class SpanExtra:
    """Characters of one version's span that the versions `missing_from` (annotator ids) do not cover."""

    start: int
    end: int
    missing_from: tuple[int, ...]


def span_difference(a: Span, b: Span) -> SpanDifference:
    """Compare [a_start, a_end) with [b_start, b_end), offsets into the same text."""
    start, end = max(a[0], b[0]), min(a[1], b[1])
    if start >= end:
        return SpanDifference(None, _nonempty(a), _nonempty(b))
    return SpanDifference(
        (start, end),
        _nonempty((a[0], start), (end, a[1])),
        _nonempty((b[0], start), (end, b[1])),
    )


def span_extras(spans: Mapping[int, Span]) -> dict[int, list[SpanExtra]]:
    """Annotator -> the pieces of their span that some other version of the claim lacks, in text order.

    `spans` maps annotator -> their span of one claim (one aligned row). Each piece names the annotators
    whose span lacks it; adjacent pieces lacking from the same annotators are one piece.
    """
    extras: dict[int, list[SpanExtra]] = {}
    for annotator, span in spans.items():
        missing_in = {
            other: span_difference(span, other_span).only_a
            for other, other_span in spans.items()
            if other != annotator
        }
        cuts = sorted({edge for pieces in missing_in.values() for piece in pieces for edge in piece})
        pieces: list[SpanExtra] = []
        for start, end in pairwise(cuts):
            lacking = tuple(
                other
                for other, missing in missing_in.items()
                if any(s <= start and end <= e for s, e in missing)
            )
            if not lacking:
                continue
            if pieces and pieces[-1].end == start and pieces[-1].missing_from == lacking:
                pieces[-1] = SpanExtra(pieces[-1].start, end, lacking)
            else:
                pieces.append(SpanExtra(start, end, lacking))
        extras[annotator] = pieces
    return extras


def _nonempty(*spans: Span) -> tuple[Span, ...]:
    return tuple(span for span in spans if span[0] < span[1])
