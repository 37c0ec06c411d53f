"""Span agreement for the project report: per-position label alpha, u-alpha and pairwise span F1.

Each figure comes with per-document rows of additive statistics (a `Reweighted`), so that its value and
its bootstrap replicates come from the same estimator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from annotator.agreement.bootstrap import Reweighted
from annotator.agreement.coefficients import alpha_batch, fast_unique, grouped_coincidences
from annotator.agreement.report_inputs import ProjectArrays
from annotator.agreement.spans import BLOCK, MODES, match_claims
from annotator.agreement.unitizing import (
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
    """(slot indices, claim indices) of consecutive groups of passages holding about `size` claims."""
    size = size or BLOCK
    per_passage = np.bincount(pa.passage, minlength=len(pa.passage_ids)) + 1
    block = np.cumsum(per_passage) // size
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


def position_agreement(pa: ProjectArrays) -> PositionAgreement:
    """Per-character label: none / claim / claim with perspective p; where one annotator's claims overlap,
    the shortest claim covering the character decides (then the earlier start)."""
    perspective = pa.codes["perspective"]
    label = np.where(perspective >= 0, perspective + 2, 1)
    labels = ["none", "claim"] + [f"claim:{p}" for p in pa.labels["perspective"]]
    n_labels, n_docs = len(labels), len(pa.document_ids)
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
    values = np.arange(n_labels)
    statistic = Reweighted(
        per_doc.reshape(n_docs, -1),
        lambda sums: alpha_batch(sums.reshape(-1, n_labels, n_labels), values, "nominal"),
    )
    m = coders_per_passage(pa)
    shared = m >= 2
    return PositionAgreement(
        labels=labels,
        per_document=per_doc,
        statistic=statistic,
        n_units=int(pa.passage_length[shared].sum()),
        n_annotators=len(fast_unique(pa.slot_coder[shared[pa.slot_passage]])),
    )


def unitizing_agreement(pa: ProjectArrays, bins: int = U_ALPHA_BINS) -> tuple[float, Reweighted]:
    """Binary u-alpha (claim vs. no claim) over all passages as one continuum, and its resampling rows.

    Its expected disagreement pairs every unit with every gap of the project, which is not a sum over
    documents; the rows therefore hold unit and gap statistics per length class. Pairs of a unit and a
    gap from different classes are exact; within a class holding several unit lengths, the replicate
    rescales the exact full-sample value by the class's unit and gap counts.
    """
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
    terms = UnitizingTerms(
        *(
            sum(getattr(b, name) for b in blocks)
            for name in ("observed", "length", "coder_length", "pair_length")
        ),
        *(
            np.concatenate([getattr(b, name) for b in blocks])
            for name in ("unit_length", "unit_passage", "gap_length", "gap_passage")
        ),
    )
    d_o, d_e = disagreements(terms)
    value = 1.0 - d_o / d_e if d_e > 0 else float("nan")
    every = np.arange(len(pa.passage_ids))
    ul, gl = terms.unit_length, terms.gap_length
    distinct = fast_unique(ul)
    if len(distinct) <= bins:
        edges = distinct
    else:
        edges = fast_unique(np.quantile(ul, np.linspace(0, 1, bins, endpoint=False), method="lower"))
    k = max(len(edges), 1)
    ubin = np.searchsorted(edges, ul, side="right") - 1
    gbin = np.searchsorted(edges, gl, side="right") - 1
    gkeep = gbin >= 0  # gaps shorter than every unit never host one
    u_doc, g_doc = pa.passage_document[terms.unit_passage], pa.passage_document[terms.gap_passage[gkeep]]
    n_docs = len(pa.document_ids)

    def binned(doc: IntArray, which: IntArray, weights: FloatArray) -> FloatArray:
        flat = np.bincount(doc * k + which, weights=weights, minlength=n_docs * k)
        return flat.reshape(n_docs, k)

    rows = np.hstack(
        [
            np.c_[
                doc_sum(pa, every, terms.observed),
                doc_sum(pa, every, terms.length),
                doc_sum(pa, every, terms.coder_length),
                doc_sum(pa, every, terms.pair_length),
                doc_sum(pa, terms.unit_passage),
                doc_sum(pa, terms.unit_passage, 2 * ul**3 - 3 * ul**2 + ul),
                doc_sum(pa, terms.unit_passage, ul * (ul - 1)),
            ],
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
class SpanMatches:
    pairs: dict[str, tuple[IntArray, IntArray]]  # mode -> (left, right) claims, coder[left] < coder[right]
    pair_tp: dict[str, FloatArray]  # mode -> (A, A) matched claims per annotator pair (upper triangle)
    pair_claims: FloatArray  # (A, A): claims of a on passages b also submitted
    statistics: dict[str, Reweighted]  # mode -> pooled pairwise F1
    n_units: int  # claims on passages with >= 2 annotators
    n_annotators: int


def f1_from_rows(sums: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sums[:, 1] > 0, 2.0 * sums[:, 0] / sums[:, 1], np.nan)


def span_matches(pa: ProjectArrays) -> SpanMatches:
    """Exact and overlap matches between every annotator pair, and pooled pairwise F1 = 2 sum tp / sum
    (n_a + n_b) over pairs of annotators on their shared passages."""
    n_ann, n_passages = len(pa.annotator_ids), len(pa.passage_ids)
    m = coders_per_passage(pa)
    others = (m[pa.passage] - 1).astype(np.float64)
    denominator = doc_sum(pa, pa.passage, others)
    ones = np.ones(len(pa.passage))
    claims = sparse.csr_matrix((ones, (pa.passage, pa.coder)), shape=(n_passages, n_ann))
    slots = sparse.csr_matrix(
        (np.ones(len(pa.slot_passage)), (pa.slot_passage, pa.slot_coder)), shape=(n_passages, n_ann)
    )
    pair_claims = np.asarray((claims.T @ slots).todense(), dtype=np.float64)
    pairs, pair_tp, statistics = {}, {}, {}
    for mode in MODES:
        left, right = match_claims(pa.passage, pa.coder, pa.start, pa.end, mode=mode)
        pairs[mode] = (left, right)
        key = pa.coder[left] * n_ann + pa.coder[right]
        pair_tp[mode] = np.bincount(key, minlength=n_ann * n_ann).reshape(n_ann, n_ann).astype(np.float64)
        statistics[mode] = Reweighted(np.c_[doc_sum(pa, pa.passage[left]), denominator], f1_from_rows)
    shared = m[pa.passage] >= 2
    return SpanMatches(
        pairs=pairs,
        pair_tp=pair_tp,
        pair_claims=pair_claims,
        statistics=statistics,
        n_units=int(shared.sum()),
        n_annotators=len(fast_unique(pa.coder[shared])),
    )


def gold_span_scores(pa: ProjectArrays) -> dict:
    """Per annotator against gold on adjudicated passages: tp, n_annotator, n_gold per mode, plus the
    overlap matches (annotator claim index, gold claim index) for attribute agreement."""
    n_ann, n_passages = len(pa.annotator_ids), len(pa.passage_ids)
    adjudicated = np.zeros(n_passages, bool)
    adjudicated[pa.gold_passages] = True
    on_gold = adjudicated[pa.passage]
    gold_per_passage = np.bincount(pa.gold_passage, minlength=n_passages).astype(np.float64)
    slot_on_gold = adjudicated[pa.slot_passage]
    gold_seen = gold_per_passage[pa.slot_passage][slot_on_gold]
    result = {
        "n_annotator": np.bincount(pa.coder[on_gold], minlength=n_ann).astype(np.float64),
        "n_gold": np.bincount(pa.slot_coder[slot_on_gold], weights=gold_seen, minlength=n_ann),
        "n_passages": np.bincount(pa.slot_coder[slot_on_gold], minlength=n_ann),
    }
    n_claims = int(on_gold.sum())
    passage = np.r_[pa.passage[on_gold], pa.gold_passage]
    coder = np.r_[pa.coder[on_gold], np.full(len(pa.gold_passage), n_ann)]
    start, end = np.r_[pa.start[on_gold], pa.gold_start], np.r_[pa.end[on_gold], pa.gold_end]
    claim_index = np.flatnonzero(on_gold)
    for mode in MODES:
        left, right = match_claims(passage, coder, start, end, mode=mode, against=n_ann)
        result[f"tp_{mode}"] = np.bincount(coder[left], minlength=n_ann).astype(np.float64)
        result[f"pairs_{mode}"] = (claim_index[left], right - n_claims)
    return result
