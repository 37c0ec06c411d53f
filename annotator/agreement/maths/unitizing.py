"""Agreement on unitizing a continuum: Krippendorff's u-alpha and per-position nominal alpha (numpy only).

Input of the public functions: one entry per coder, each a sequence of half-open (start, end[, category])
intervals on [0, length). The engines (`unitizing_terms`, `position_counts`) take flat arrays over many
passages at once, which is what the project report uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.maths.coefficients import (
    alpha_from_coincidences,
    as_labels,
    encode,
    fast_unique,
    grouped_coincidences,
)
from annotator.agreement.maths.spans import overlap_candidates, ranged_pairs

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class UnitizingTerms:
    """Sufficient statistics of u-alpha for one category; per-passage arrays are 0 where m_p < 2."""

    observed: FloatArray  # per passage: sum over ordered coder pairs of delta^2 (the uDo numerator)
    length: FloatArray  # per passage: L_p
    coder_length: FloatArray  # per passage: m_p * L_p
    pair_length: FloatArray  # per passage: m_p (m_p - 1) L_p
    unit_length: FloatArray  # every (merged) unit
    unit_passage: IntArray
    gap_length: FloatArray  # every gap section (> 0 long)
    gap_passage: IntArray


def _slot_index(slot_passage: IntArray, slot_coder: IntArray, passage: IntArray, coder: IntArray) -> IntArray:
    """Index of each (passage, coder) in the slot table; ValueError when a unit's coder has no slot."""
    scale = int(max(slot_coder.max(initial=0), coder.max(initial=0))) + 1
    slot_key = slot_passage.astype(np.int64) * scale + slot_coder
    order = np.argsort(slot_key, kind="stable")
    key = passage.astype(np.int64) * scale + coder
    pos = np.minimum(np.searchsorted(slot_key[order], key), len(order) - 1)
    if len(key) and (len(order) == 0 or np.any(slot_key[order][pos] != key)):
        raise ValueError("a unit belongs to a coder who did not code that passage")
    return order[pos] if len(key) else np.zeros(0, np.int64)


def _merge(slot: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Union of overlapping intervals within each slot (touching intervals stay separate), sorted."""
    if len(start) == 0:
        return slot, start, end
    order = np.lexsort((start, slot))
    sl, s, e = slot[order], start[order], end[order]
    scale = int(e.max()) + 1
    reach = np.maximum.accumulate(sl * scale + e) - sl * scale  # running max end within the slot
    new = np.r_[True, (sl[1:] != sl[:-1]) | (s[1:] >= reach[:-1])]
    first = np.flatnonzero(new)
    return sl[first], s[first], np.maximum.reduceat(e, first)


def check_intervals(start: IntArray, end: IntArray, limit: IntArray) -> None:
    if np.any(start < 0) or np.any(start >= end) or np.any(end > limit):
        raise ValueError("every unit needs 0 <= start < end <= passage length")


def unitizing_terms(
    slot_passage: IntArray,
    slot_coder: IntArray,
    passage_length: IntArray,
    passage: IntArray,
    coder: IntArray,
    start: IntArray,
    end: IntArray,
) -> UnitizingTerms:
    """u-alpha statistics of units (passage, coder, start, end); `slot_*` lists who coded which passage."""
    lengths = np.asarray(passage_length, np.int64)
    m = np.bincount(slot_passage, minlength=len(lengths))
    kept = m >= 2
    sel = kept[passage]
    slot = _slot_index(slot_passage, slot_coder, passage[sel], coder[sel])
    slot, s, e = _merge(slot, start[sel], end[sel])
    up = slot_passage[slot]
    i, j = overlap_candidates(up, s, e)  # a coder's merged units never overlap: all pairs are cross-coder
    observed = np.bincount(up[i], weights=(s[i] - s[j]) ** 2.0 + (e[i] - e[j]) ** 2.0, minlength=len(lengths))
    observed = observed.astype(np.float64)  # bincount of nothing is an integer array
    # a unit lies inside a gap of every other coder who has no unit overlapping it
    pair_coder = fast_unique(
        np.r_[i, j] * (int(slot_coder.max(initial=0)) + 1) + slot_coder[slot[np.r_[j, i]]]
    )
    touching = np.bincount(pair_coder // (int(slot_coder.max(initial=0)) + 1), minlength=len(s))
    ul = (e - s).astype(np.float64)
    observed += np.bincount(up, weights=ul**2 * (m[up] - 1 - touching), minlength=len(lengths))
    # gaps: before each unit (after the previous one of the same slot), and after the last one of each slot
    first = np.r_[True, slot[1:] != slot[:-1]] if len(slot) else np.zeros(0, bool)
    prev_end = np.where(first, 0, np.r_[0, e[:-1]])
    last_end = np.zeros(len(slot_passage), np.int64)
    last_end[slot] = e  # sorted by start within a slot, so the last write is the last unit
    slot_kept = kept[slot_passage]
    gaps = np.r_[s - prev_end, (lengths[slot_passage] - last_end)[slot_kept]].astype(np.float64)
    gap_passage = np.r_[up, slot_passage[slot_kept]]
    real = gaps > 0
    length = np.where(kept, lengths, 0).astype(np.float64)
    return UnitizingTerms(
        observed=2.0 * observed,
        length=length,
        coder_length=m * length,
        pair_length=m * (m - 1.0) * length,
        unit_length=ul,
        unit_passage=up,
        gap_length=gaps[real],
        gap_passage=gap_passage[real],
    )


def cross_term(unit_length: FloatArray, gap_length: FloatArray, *, gaps_sorted: bool = False) -> float:
    """sum over units u and gaps g with l_g >= l_u of l_u^2 (l_g - l_u + 1)."""
    gaps = gap_length if gaps_sorted else np.sort(gap_length)
    suffix_sum = np.r_[np.cumsum(gaps[::-1])[::-1], 0.0]
    at = np.searchsorted(gaps, unit_length, side="left")
    count = len(gaps) - at
    return float((unit_length**2 * (suffix_sum[at] - (unit_length - 1.0) * count)).sum())


def disagreements(terms: UnitizingTerms) -> tuple[float, float]:
    """(uDo, uDe) of Krippendorff (1995, 2004) for one category.

    Several passages form one continuum whose sections never cross a passage boundary. Where passages
    have different coders (missing data), m(m-1)L^2 becomes L * sum_p m_p (m_p - 1) L_p and mL becomes
    sum_p m_p L_p, which is the original formula whenever every passage has the same m coders; passages
    with fewer than two coders are left out, as unpairable values are in alpha.
    """
    total, coder_total = terms.length.sum(), terms.coder_length.sum()
    n_units, ul = len(terms.unit_length), terms.unit_length
    if total <= 0 or terms.pair_length.sum() <= 0:
        return float("nan"), float("nan")
    d_o = terms.observed.sum() / (total * terms.pair_length.sum())
    within = (n_units - 1.0) / 3.0 * (2 * ul**3 - 3 * ul**2 + ul).sum()
    denominator = coder_total * (coder_total - 1.0) - (ul * (ul - 1.0)).sum()
    d_e = 2.0 / total * (within + cross_term(ul, terms.gap_length)) / denominator if n_units else 0.0
    return float(d_o), float(d_e)


def _parse_coders(units: Sequence, length: int) -> tuple[IntArray, IntArray, IntArray, np.ndarray]:
    if not float(length).is_integer() or length <= 0:
        raise ValueError("length must be a positive integer")
    rows = [(c, *u) for c, coder_units in enumerate(units) for u in coder_units]
    widths = {len(r) for r in rows}
    if widths - {3, 4} or len(widths) > 1:
        raise ValueError("every unit must be (start, end) or (start, end, category), all alike")
    bounds = np.array([r[:3] for r in rows], dtype=np.float64).reshape(-1, 3)
    if np.any(bounds != np.floor(bounds)):
        raise ValueError("unit offsets must be integers")
    coder, start, end = (bounds[:, k].astype(np.int64) for k in range(3))
    check_intervals(start, end, np.full(len(start), int(length)))
    category = as_labels([r[3] for r in rows]) if widths == {4} else np.zeros(len(rows), np.int64)
    return coder, start, end, category


def unitizing_alpha_by_category(units: Sequence, length: int) -> dict:
    """{category: u-alpha}, each category against everything else (see `unitizing_alpha`)."""
    return _unitizing(units, length)[1]


def unitizing_alpha(units: Sequence, length: int) -> float:
    """Krippendorff's u-alpha of coders' unitizations of one continuum [0, length).

    Formulation: Krippendorff (1995) "On the reliability of unitizing contiguous data", as given in
    Content Analysis (2004, sec. 12.4) and implemented by DKPro Agreement. For each category k every
    coder's continuum is a sequence of sections, units of k and gaps (the rest, including units of other
    categories). uDo sums, over ordered coder pairs, delta^2 = (b_i - b_j)^2 + (e_i - e_j)^2 for overlapping
    units and l^2 for a unit lying inside the other coder's gap, divided by m(m-1)L^2; uDe is the expected
    disagreement over all positions of the observed units in the observed gaps. Overall
    u-alpha = 1 - sum_k uDo_k / sum_k uDe_k. Overlapping units of one coder and category are merged (the
    1995 formulation assumes they do not overlap); a coder with no units has one gap of length L.
    nan when undefined (fewer than 2 coders, no units at all).
    """
    return _unitizing(units, length)[0]


def _unitizing(units: Sequence, length: int) -> tuple[float, dict]:
    coder, start, end, category = _parse_coders(units, length)
    n_coders = len(units)
    if n_coders < 2:
        return float("nan"), {k: float("nan") for k in fast_unique(category).tolist()}
    domain, codes = encode(category)
    slots = np.arange(n_coders, dtype=np.int64)
    parts = {}
    for code, label in enumerate(domain.tolist()):
        mine = codes == code
        terms = unitizing_terms(
            np.zeros(n_coders, np.int64),
            slots,
            np.array([int(length)]),
            np.zeros(int(mine.sum()), np.int64),
            coder[mine],
            start[mine],
            end[mine],
        )
        parts[label] = disagreements(terms)
    d_o = sum(p[0] for p in parts.values())
    d_e = sum(p[1] for p in parts.values())
    by_category = {k: 1.0 - o / e if e > 0 else float("nan") for k, (o, e) in parts.items()}
    return (1.0 - d_o / d_e if d_e > 0 else float("nan")), by_category


def _runs(slot: IntArray, start: IntArray, end: IntArray, label: IntArray) -> tuple[IntArray, ...]:
    """Per slot, a non-overlapping labelling: where a coder's units overlap, the shortest covering unit
    wins (then the earlier start, then input order). Returns (slot, start, end, label) runs."""
    n = len(start)
    order = np.lexsort((start, slot))
    sl, s, e = slot[order], start[order], end[order]
    scale = int(e.max(initial=0)) + 1
    reach = np.maximum.accumulate(sl * scale + e) - sl * scale
    new = np.r_[True, (sl[1:] != sl[:-1]) | (s[1:] >= reach[:-1])][:n]
    cluster = np.cumsum(new) - 1
    size = np.bincount(cluster)
    alone = order[size[cluster] == 1]
    crowd = order[size[cluster] > 1]
    if len(crowd) == 0:
        return slot[alone], start[alone], end[alone], label[alone]
    cl = cluster[np.argsort(order)][crowd]
    cs, ce = start[crowd], end[crowd]
    bounds = fast_unique(np.r_[cl * scale + cs, cl * scale + ce])
    lo = np.searchsorted(bounds, cl * scale + cs)
    hi = np.searchsorted(bounds, cl * scale + ce)
    unit, piece = ranged_pairs(lo.astype(np.int64), hi.astype(np.int64))
    priority = np.empty(len(crowd), np.int64)
    priority[np.lexsort((crowd, cs, ce - cs))] = np.arange(len(crowd))
    pick = np.lexsort((priority[unit], piece))
    keep = pick[np.r_[True, piece[pick][1:] != piece[pick][:-1]]]
    pu, pp = unit[keep], piece[keep]
    runs = (slot[crowd][pu], bounds[pp] % scale, bounds[pp + 1] % scale, label[crowd][pu])
    single = (slot[alone], start[alone], end[alone], label[alone])
    return tuple(np.r_[a, b] for a, b in zip(single, runs, strict=True))


def position_counts(
    slot_passage: IntArray,
    slot_coder: IntArray,
    passage_length: IntArray,
    passage: IntArray,
    coder: IntArray,
    start: IntArray,
    end: IntArray,
    label: IntArray,
    n_labels: int,
) -> tuple[IntArray, FloatArray, IntArray, IntArray, FloatArray]:
    """Per-position labels as run-length segments: (seg_passage, seg_length, entry_seg, entry_label, count).

    Label 0 means "no unit"; units carry labels 1..n_labels-1. Segments are maximal stretches where no
    coder's label changes, restricted to passages with >= 2 coders; entries are sorted by segment.
    """
    lengths = np.asarray(passage_length, np.int64)
    m = np.bincount(slot_passage, minlength=len(lengths))
    sel = (m >= 2)[passage]
    slot = _slot_index(slot_passage, slot_coder, passage[sel], coder[sel])
    r_slot, r_start, r_end, r_label = _runs(slot, start[sel], end[sel], label[sel])
    r_passage = slot_passage[r_slot]
    scale = int(lengths.max(initial=0)) + 1
    kept = np.flatnonzero(m >= 2)
    bounds = fast_unique(
        np.r_[
            kept * scale, kept * scale + lengths[kept], r_passage * scale + r_start, r_passage * scale + r_end
        ]
    )
    seg_passage = bounds[:-1] // scale
    seg_ok = (seg_passage == bounds[1:] // scale) if len(bounds) else np.zeros(0, bool)
    lo = np.searchsorted(bounds, r_passage * scale + r_start)
    hi = np.searchsorted(bounds, r_passage * scale + r_end)
    _, seg = ranged_pairs(lo.astype(np.int64), hi.astype(np.int64))
    run = np.repeat(np.arange(len(lo)), hi - lo)
    n_seg = max(len(bounds) - 1, 0)
    table = np.bincount(seg * n_labels + r_label[run], minlength=n_seg * n_labels).reshape(n_seg, n_labels)
    table[:, 0] = np.where(seg_ok, m[seg_passage] - table[:, 1:].sum(axis=1), 0) if n_seg else 0
    entry_seg, entry_label = np.nonzero(table)
    seg_length = np.where(seg_ok, np.diff(bounds), 0).astype(np.float64)
    return seg_passage, seg_length, entry_seg, entry_label, table[entry_seg, entry_label].astype(np.float64)


def positional_alpha(units: Sequence, length: int) -> float:
    """Nominal Krippendorff's alpha over positions: each position of [0, length) is a unit and a coder's
    value there is the category of the unit covering it (the shortest one where units overlap) or "gap".
    """
    coder, start, end, category = _parse_coders(units, length)
    n_coders = len(units)
    if n_coders < 2:
        return float("nan")
    domain, codes = encode(category)
    slots = np.arange(n_coders, dtype=np.int64)
    n_labels = len(domain) + 1
    _, seg_length, seg, lab, count = position_counts(
        np.zeros(n_coders, np.int64),
        slots,
        np.array([int(length)]),
        np.zeros(len(start), np.int64),
        coder,
        start,
        end,
        codes.astype(np.int64) + 1,
        n_labels,
    )
    matrix = grouped_coincidences(seg, lab, count, n_labels, unit_weight=seg_length)[0]
    return alpha_from_coincidences(matrix, np.arange(n_labels), "nominal")
