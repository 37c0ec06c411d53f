"""Span agreement for the project report: per-position label alpha, u-alpha and pairwise span F1.

Two steps per figure: `*_pieces` / `position_coincidences` compute the per-document parts of a set of
whole documents (what `sufficient` stores), `*_agreement` turns the parts of all documents into the
figure. Each figure comes with per-document rows of additive statistics (a `Reweighted`), so that its
value and its bootstrap replicates come from the same estimator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.maths.bootstrap import Reweighted
from annotator.agreement.maths.coefficients import alpha_batch, fast_unique, grouped_coincidences
from annotator.agreement.maths.report_inputs import ProjectArrays
from annotator.agreement.maths.spans import BLOCK, MODES, match_claims, ranged_pairs
from annotator.agreement.maths.unitizing import (
    UnitizingTerms,
    cross_term,
    disagreements,
    position_counts,
    unitizing_terms,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
U_ALPHA_BINS = 64  # length classes for u-alpha's bootstrap (exact when units have <= this many lengths)


def coders_per_passage(pa: ProjectArrays) -> IntArray:
    return np.bincount(pa.slot_passage, minlength=len(pa.passage_ids))


def doc_sum(pa: ProjectArrays, passage: IntArray, weights: FloatArray | None = None) -> FloatArray:
    """Per-document sums of a per-item quantity, items located by passage."""
    doc = pa.passage_document[passage]
    return np.bincount(doc, weights=weights, minlength=len(pa.document_ids)).astype(np.float64)


def passage_blocks(pa: ProjectArrays, size: int | None = None) -> list[tuple[IntArray, IntArray]]:
    """(slot indices, claim indices) of groups of whole documents holding about `size` claims.

    A document never straddles two blocks, so whatever is summed per document is summed in one pass in
    passage order, and comes out the same however the documents were chosen or grouped.
    """
    size = size or BLOCK
    per_passage = np.bincount(pa.passage, minlength=len(pa.passage_ids)) + 1
    per_document = np.bincount(pa.passage_document, weights=per_passage, minlength=len(pa.document_ids))
    block = (np.cumsum(per_document) // size).astype(np.int64)[pa.passage_document]
    slot_block, claim_block = block[pa.slot_passage], block[pa.passage]
    slot_order = np.argsort(slot_block, kind="stable")
    claim_order = np.argsort(claim_block, kind="stable")
    slot_cut = np.searchsorted(slot_block[slot_order], np.arange(int(block.max(initial=0)) + 2))
    claim_cut = np.searchsorted(claim_block[claim_order], np.arange(int(block.max(initial=0)) + 2))
    return [
        (slot_order[slot_cut[b] : slot_cut[b + 1]], claim_order[claim_cut[b] : claim_cut[b + 1]])
        for b in range(len(slot_cut) - 1)
    ]


@dataclass
class PositionAgreement:
    labels: list
    per_document: FloatArray  # (D, V, V) coincidence matrices over character positions
    statistic: Reweighted
    n_units: int  # characters in passages with >= 2 annotators
    n_annotators: int


def position_labels(perspectives: list) -> list:
    return ["none", "claim"] + [f"claim:{p}" for p in perspectives]


def position_coincidences(pa: ProjectArrays) -> FloatArray:
    """(D, V, V) per-document coincidences of the per-character label: none / claim / claim with
    perspective p; where one annotator's claims overlap, the shortest claim covering the character
    decides (then the earlier start)."""
    perspective = pa.codes["perspective"]
    label = np.where(perspective >= 0, perspective + 2, 1)
    n_labels, n_docs = len(pa.labels["perspective"]) + 2, len(pa.document_ids)
    per_doc = np.zeros((n_docs, n_labels, n_labels))
    for slots, claims in passage_blocks(pa):  # coincidences add up over passages: bounded temporaries
        seg_passage, seg_length, seg, lab, count = position_counts(
            pa.slot_passage[slots],
            pa.slot_coder[slots],
            pa.passage_length,
            pa.passage[claims],
            pa.coder[claims],
            pa.start[claims],
            pa.end[claims],
            label[claims],
            n_labels,
        )
        group = pa.passage_document[seg_passage] if len(seg_passage) else np.zeros(0, np.int64)
        per_doc += grouped_coincidences(
            seg, lab, count, n_labels, unit_weight=seg_length, unit_group=group, n_groups=n_docs
        )
    return per_doc


def position_agreement(
    per_doc: FloatArray, perspectives: list, n_units: int, n_annotators: int
) -> PositionAgreement:
    """Nominal alpha over characters from the per-document coincidences (see position_coincidences)."""
    labels = position_labels(perspectives)
    n_docs, n_labels = len(per_doc), len(labels)
    values = np.arange(n_labels)
    statistic = Reweighted(
        per_doc.reshape(n_docs, n_labels * n_labels),
        lambda sums: alpha_batch(sums.reshape(-1, n_labels, n_labels), values, "nominal"),
    )
    return PositionAgreement(labels, per_doc, statistic, n_units, n_annotators)


UNITIZING_ROW = 7  # per-document u-alpha sums: observed, L, m L, m (m - 1) L, units, cubic, square


@dataclass
class UnitizingPieces:
    """Per-document u-alpha sums, and every unit's and gap's length with its document."""

    rows: FloatArray  # (D, UNITIZING_ROW)
    unit_document: IntArray
    unit_length: FloatArray
    gap_document: IntArray
    gap_length: FloatArray


def unitizing_pieces(pa: ProjectArrays) -> UnitizingPieces:
    """The per-document parts of binary u-alpha (claim vs. no claim); see unitizing_agreement."""
    blocks = [
        unitizing_terms(
            pa.slot_passage[slots],
            pa.slot_coder[slots],
            pa.passage_length,
            pa.passage[claims],
            pa.coder[claims],
            pa.start[claims],
            pa.end[claims],
        )
        for slots, claims in passage_blocks(pa)
    ]
    observed, length, coder_length, pair_length = (
        sum(getattr(b, name) for b in blocks)
        for name in ("observed", "length", "coder_length", "pair_length")
    )
    ul, up, gl, gp = (
        np.concatenate([getattr(b, name) for b in blocks])
        for name in ("unit_length", "unit_passage", "gap_length", "gap_passage")
    )
    every = np.arange(len(pa.passage_ids))
    rows = np.c_[
        doc_sum(pa, every, observed),
        doc_sum(pa, every, length),
        doc_sum(pa, every, coder_length),
        doc_sum(pa, every, pair_length),
        doc_sum(pa, up),
        doc_sum(pa, up, 2 * ul**3 - 3 * ul**2 + ul),
        doc_sum(pa, up, ul * (ul - 1)),
    ]
    return UnitizingPieces(rows, pa.passage_document[up], ul, pa.passage_document[gp], gl)


def unitizing_agreement(pieces: UnitizingPieces, bins: int = U_ALPHA_BINS) -> tuple[float, Reweighted]:
    """Binary u-alpha (claim vs. no claim) over all passages as one continuum, and its resampling rows.

    Its expected disagreement pairs every unit with every gap of the project, which is not a sum over
    documents; the rows therefore hold unit and gap statistics per length class, the classes being
    decided here from all units. Pairs of a unit and a gap from different classes are exact; within a
    class holding several unit lengths, the replicate rescales the exact full-sample value by the
    class's unit and gap counts.
    """
    n_docs = len(pieces.rows)
    ul, gl = pieces.unit_length, pieces.gap_length
    obs, length, coder_len, pair_len = (pieces.rows[:, k] for k in range(4))
    terms = UnitizingTerms(
        obs, length, coder_len, pair_len, ul, pieces.unit_document, gl, pieces.gap_document
    )
    d_o, d_e = disagreements(terms)
    value = 1.0 - d_o / d_e if d_e > 0 else float("nan")
    distinct = fast_unique(ul)
    if len(distinct) <= bins:
        edges = distinct
    else:
        edges = fast_unique(np.quantile(ul, np.linspace(0, 1, bins, endpoint=False), method="lower"))
    k = max(len(edges), 1)
    ubin = np.searchsorted(edges, ul, side="right") - 1
    gbin = np.searchsorted(edges, gl, side="right") - 1
    gkeep = gbin >= 0  # gaps shorter than every unit never host one
    u_doc, g_doc = pieces.unit_document, pieces.gap_document[gkeep]

    def binned(doc: IntArray, which: IntArray, weights: FloatArray) -> FloatArray:
        flat = np.bincount(doc * k + which, weights=weights, minlength=n_docs * k)
        return flat.reshape(n_docs, k)

    rows = np.hstack(
        [
            pieces.rows,
            binned(u_doc, ubin, np.ones_like(ul)),
            binned(u_doc, ubin, ul**2),
            binned(u_doc, ubin, ul**3),
            binned(g_doc, gbin[gkeep], np.ones(int(gkeep.sum()))),
            binned(g_doc, gbin[gkeep], gl[gkeep]),
        ]
    )
    single = np.zeros(k, bool)
    exact_within = np.zeros(k)
    # classes are ranges of length, so after sorting each class is one slice
    sorted_units, sorted_gaps = np.sort(ul), np.sort(gl)
    unit_cut = np.searchsorted(sorted_units, np.r_[edges, np.inf])
    gap_cut = np.searchsorted(sorted_gaps, np.r_[edges, np.inf])
    for b in range(len(edges)):
        mine = sorted_units[unit_cut[b] : unit_cut[b + 1]]
        single[b] = mine[0] == mine[-1]
        exact_within[b] = cross_term(mine, sorted_gaps[gap_cut[b] : gap_cut[b + 1]], gaps_sorted=True)
    full = rows.sum(axis=0)
    base_pairs = full[7 : 7 + k] * full[7 + 3 * k : 7 + 4 * k]

    def estimator(sums: FloatArray) -> FloatArray:
        obs, length, coder_len, pair_len, n_units, cubic, square = sums[:, :7].T
        u0, a2, a3, g0, g1 = (sums[:, 7 + i * k : 7 + (i + 1) * k] for i in range(5))
        above0 = np.cumsum(g0[:, ::-1], axis=1)[:, ::-1] - g0  # gaps in strictly longer classes
        above1 = np.cumsum(g1[:, ::-1], axis=1)[:, ::-1] - g1
        cross = (a2 * above1 - (a3 - a2) * above0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(base_pairs > 0, exact_within * u0 * g0 / base_pairs, 0.0)
            within = np.where(single, a2 * g1 - (a3 - a2) * g0, scaled).sum(axis=1)
            d_obs = obs / (length * pair_len)
            d_exp = 2.0 / length * ((n_units - 1) / 3 * cubic + cross + within)
            d_exp /= coder_len * (coder_len - 1) - square
            result = 1.0 - d_obs / d_exp
        return np.where((pair_len > 0) & (d_exp > 0), result, np.nan)

    return value, Reweighted(rows, estimator)


@dataclass
class SpanPieces:
    """Per document: matched claims per mode and pooled F1 denominators; per (document, a, b) with a < b:
    shared passages, claims of a on passages b also submitted (and of b on a's), matches per mode."""

    pairs: dict[str, tuple[IntArray, IntArray]]  # mode -> (left, right) claims, coder[left] < coder[right]
    tp: dict[str, FloatArray]  # mode -> (D,)
    denominator: FloatArray  # (D,) sum over claims on shared passages of (coders of the passage - 1)
    pair_document: IntArray  # one entry per (document, a, b) sharing a passage, sorted
    pair_a: IntArray
    pair_b: IntArray
    pair_shared: IntArray
    pair_claims_ab: IntArray
    pair_claims_ba: IntArray
    pair_tp: dict[str, IntArray]


def span_pieces(pa: ProjectArrays) -> SpanPieces:
    """Exact and overlap matches between every annotator pair, summed per document and annotator pair."""
    n_ann = len(pa.annotator_ids)
    m = coders_per_passage(pa)
    others = (m[pa.passage] - 1).astype(np.float64)
    denominator = doc_sum(pa, pa.passage, others)
    # slots are sorted by passage, then annotator: a passage's slots are one run
    first_slot = np.searchsorted(pa.slot_passage, np.arange(len(pa.passage_ids)))
    s_left, s_right = ranged_pairs(
        np.arange(1, len(pa.slot_passage) + 1), first_slot[pa.slot_passage] + m[pa.slot_passage]
    )
    width = max(n_ann, 1)

    def key(passage: IntArray, a: IntArray, b: IntArray) -> IntArray:
        return (pa.passage_document[passage] * width + a) * width + b

    shared_keys, shared = fast_unique(
        key(pa.slot_passage[s_left], pa.slot_coder[s_left], pa.slot_coder[s_right]), return_counts=True
    )
    c_claim, c_slot = ranged_pairs(first_slot[pa.passage], first_slot[pa.passage] + m[pa.passage])
    other = pa.slot_coder[c_slot] != pa.coder[c_claim]
    c_claim, c_slot = c_claim[other], c_slot[other]
    a, b = pa.coder[c_claim], pa.slot_coder[c_slot]
    lower = a < b
    low, high = np.where(lower, a, b), np.where(lower, b, a)
    claim_key = key(pa.passage[c_claim], low, high)

    def counted(keys: IntArray, weights: NDArray[np.bool_] | None = None) -> IntArray:
        at = np.searchsorted(shared_keys, keys)
        return np.bincount(at, weights=weights, minlength=len(shared_keys)).astype(np.int64)

    pairs, tp, pair_tp = {}, {}, {}
    for mode in MODES:
        left, right = match_claims(pa.passage, pa.coder, pa.start, pa.end, mode=mode)
        pairs[mode] = (left, right)
        tp[mode] = doc_sum(pa, pa.passage[left])
        pair_tp[mode] = counted(key(pa.passage[left], pa.coder[left], pa.coder[right]))
    document, rest = np.divmod(shared_keys, width * width)
    pair_a, pair_b = np.divmod(rest, width)
    return SpanPieces(
        pairs=pairs,
        tp=tp,
        denominator=denominator,
        pair_document=document,
        pair_a=pair_a,
        pair_b=pair_b,
        pair_shared=shared.astype(np.int64),
        pair_claims_ab=counted(claim_key, lower.astype(np.float64)),
        pair_claims_ba=counted(claim_key, (~lower).astype(np.float64)),
        pair_tp=pair_tp,
    )


@dataclass
class SpanMatches:
    pair_tp: dict[str, FloatArray]  # mode -> (A, A) matched claims per annotator pair (upper triangle)
    pair_claims: FloatArray  # (A, A): claims of a on passages b also submitted (off the diagonal)
    statistics: dict[str, Reweighted]  # mode -> pooled pairwise F1
    n_units: int  # claims on passages with >= 2 annotators
    n_annotators: int


def f1_from_rows(sums: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sums[:, 1] > 0, 2.0 * sums[:, 0] / sums[:, 1], np.nan)


def span_agreement(
    tp: dict[str, FloatArray],
    denominator: FloatArray,
    pair_tp: dict[str, FloatArray],
    pair_claims: FloatArray,
    n_units: int,
    n_annotators: int,
) -> SpanMatches:
    """Pooled pairwise F1 = 2 sum tp / sum (n_a + n_b) over pairs of annotators on their shared passages,
    from per-document sums (tp, denominator) and project-wide (A, A) sums."""
    statistics = {mode: Reweighted(np.c_[tp[mode], denominator], f1_from_rows) for mode in MODES}
    return SpanMatches(pair_tp, pair_claims, statistics, n_units, n_annotators)


@dataclass
class GoldPieces:
    """Per (document, annotator) on adjudicated passages: the annotator's claims, the gold claims they
    saw, their adjudicated passages and matches per mode; plus the overlap matches (annotator claim,
    gold claim) for attribute agreement."""

    document: IntArray
    coder: IntArray
    n_annotator: IntArray
    n_gold: IntArray
    n_passages: IntArray
    tp: dict[str, IntArray]
    pairs_overlap: tuple[IntArray, IntArray]


def gold_pieces(pa: ProjectArrays) -> GoldPieces:
    """Each annotator against gold on the adjudicated passages, summed per document."""
    n_ann, n_passages = len(pa.annotator_ids), len(pa.passage_ids)
    width = max(n_ann, 1)
    adjudicated = np.zeros(n_passages, bool)
    adjudicated[pa.gold_passages] = True
    on_gold = adjudicated[pa.passage]
    gold_per_passage = np.bincount(pa.gold_passage, minlength=n_passages)
    slot_on_gold = adjudicated[pa.slot_passage]
    slot_key = pa.passage_document[pa.slot_passage] * width + pa.slot_coder
    keys = fast_unique(slot_key[slot_on_gold])

    def summed(key: IntArray, weights: IntArray | None = None) -> IntArray:
        at = np.searchsorted(keys, key)
        return np.bincount(at, weights=weights, minlength=len(keys)).astype(np.int64)

    claim_key = pa.passage_document[pa.passage] * width + pa.coder
    n_claims = int(on_gold.sum())
    passage = np.r_[pa.passage[on_gold], pa.gold_passage]
    coder = np.r_[pa.coder[on_gold], np.full(len(pa.gold_passage), n_ann)]
    start, end = np.r_[pa.start[on_gold], pa.gold_start], np.r_[pa.end[on_gold], pa.gold_end]
    claim_index = np.flatnonzero(on_gold)
    tp, pairs = {}, (np.zeros(0, np.int64), np.zeros(0, np.int64))
    for mode in MODES:
        left, right = match_claims(passage, coder, start, end, mode=mode, against=n_ann)
        tp[mode] = summed(claim_key[claim_index[left]])
        if mode == "overlap":
            pairs = (claim_index[left], right - n_claims)
    document, coder_of_key = np.divmod(keys, width)
    return GoldPieces(
        document=document,
        coder=coder_of_key,
        n_annotator=summed(claim_key[on_gold]),
        n_gold=summed(slot_key[slot_on_gold], gold_per_passage[pa.slot_passage][slot_on_gold]),
        n_passages=summed(slot_key[slot_on_gold]),
        tp=tp,
        pairs_overlap=pairs,
    )
