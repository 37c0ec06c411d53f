"""Mathet, Widlöcher & Métivier's (2015) γ for unitizing with categories (no Django).

A continuum (here: one passage) holds the units (start, end, category) of its annotators. Its best
alignment partitions the units into unitary alignments, each holding at most one unit per annotator; the
disorder of a unitary alignment is the mean over its annotator pairs of
    d(u, v) = Δ·(α·((|s_u − s_v| + |e_u − e_v|) / (l_u + l_v))² + β·[c_u ≠ c_v]),   d(u, ∅) = d(∅, ∅) = Δ,
and the best alignment is the partition of least total disorder, found exactly: a minimum-cost perfect
matching when a continuum has two annotators, a set-partitioning integer programme otherwise. Observed
disorder = Σ best-alignment disorders / Σ (units / annotators) over the continua (for one continuum this is
pygamma-agreement's value). Expected disorder: the mean best-alignment disorder of continua drawn at
random from the corpus's statistics (pygamma-agreement's StatisticalContinuumSampler: normal numbers of
units per annotator, gaps and lengths, categories by frequency). γ = 1 − observed / expected.

As in pygamma-agreement, a pair of two missing units also costs Δ, so a unitary alignment of k units
among n annotators costs (Σ of its unit pairs' d + (n(n−1)/2 − k(k−1)/2)·Δ) / (n(n−1)/2). Unlike it, the
chance sampler's gap statistics hold only gaps that occur (pygamma-agreement adds one zero per continuum).

γ-cat and γ_k (Mathet 2017) weigh the categorical disagreement of aligned pairs by their positional
closeness; unaligned units count Δ² over Δ, as pygamma-agreement does. Where several alignments are best,
γ-cat and γ_k depend on the one the solver returns (γ does not).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_TUPLE_BUDGET = 1 << 18  # candidate unitary alignments enumerated at once (bounds the temporaries)
_SEGMENT_PRECISION = 1e-6  # a sampled unit is at least this long (pyannote's segment precision)


@dataclass(frozen=True)
class Dissimilarity:
    """d = Δ·(α·positional + β·categorical); Δ is also the cost of pairing a unit with nothing."""

    alpha: float = 1.0
    beta: float = 1.0
    delta_empty: float = 1.0

    def __post_init__(self) -> None:
        if not (self.alpha >= 0 and self.beta >= 0 and self.delta_empty > 0):
            raise ValueError("γ needs alpha >= 0, beta >= 0 and delta_empty > 0")

    def positional(
        self, start1: ArrayLike, end1: ArrayLike, start2: ArrayLike, end2: ArrayLike
    ) -> FloatArray:
        """Δ·((|s1 − s2| + |e1 − e2|) / ((e1 − s1) + (e2 − s2)))², elementwise."""
        s1, e1 = np.asarray(start1, np.float64), np.asarray(end1, np.float64)
        s2, e2 = np.asarray(start2, np.float64), np.asarray(end2, np.float64)
        return self.delta_empty * ((np.abs(s1 - s2) + np.abs(e1 - e2)) / ((e1 - s1) + (e2 - s2))) ** 2

    def combined(
        self,
        start1: ArrayLike,
        end1: ArrayLike,
        category1: ArrayLike,
        start2: ArrayLike,
        end2: ArrayLike,
        category2: ArrayLike,
    ) -> FloatArray:
        """α·positional + β·Δ·[categories differ], elementwise."""
        different = np.asarray(category1) != np.asarray(category2)
        return (
            self.alpha * self.positional(start1, end1, start2, end2)
            + self.beta * self.delta_empty * different
        )


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of a quantity: enough for its mean and (population) deviation."""

    n: float = 0.0
    total: float = 0.0
    squares: float = 0.0

    @classmethod
    def of(cls, values: ArrayLike) -> Moments:
        v = np.asarray(values, dtype=np.float64)
        return cls(float(len(v)), float(v.sum()), float((v * v).sum()))

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def std(self) -> float:
        if not self.n:
            return 0.0
        return math.sqrt(max(self.squares / self.n - self.mean**2, 0.0))


@dataclass(frozen=True)
class GammaTerms:
    """Additive statistics of the continua of a document or block (see the module docstring).

    observed / weight is the observed disorder; the rest parameterises the chance sampler and γ-cat/γ_k.
    """

    dissimilarity: Dissimilarity = field(default_factory=Dissimilarity)
    observed: float = 0.0  # Σ disorders of the best alignments' unitary alignments
    weight: float = 0.0  # Σ units / annotators per continuum
    continua: int = 0  # continua with >= 2 annotators
    units: int = 0
    coders: dict[int, int] = field(default_factory=dict)  # annotators per continuum -> continua
    units_per_annotator: Moments = Moments()  # over (continuum, annotator)
    lengths: Moments = Moments()
    gaps: Moments = Moments()  # first start (when > 0) and start - previous end, per annotator
    categories: dict[str, int] = field(default_factory=dict)  # label -> units
    cat_disorder: float = 0.0  # γ-cat numerator and denominator over the best alignments
    cat_weight: float = 0.0
    label_disorder: dict[str, float] = field(default_factory=dict)  # γ_k numerators and denominators
    label_weight: dict[str, float] = field(default_factory=dict)

    @property
    def observed_disorder(self) -> float:
        return self.observed / self.weight if self.weight > 0 else float("nan")


@dataclass(frozen=True)
class GammaResult:
    gamma: float
    observed: float
    expected: float
    expected_stderr: float  # standard error of the sampled expected disorder
    samples: int
    seed: int
    gamma_cat: float
    per_label: dict[str, float]
    continua: int
    units: int


# --- continua as arrays ----------------------------------------------------------------------------------


@dataclass
class _Continua:
    """Units sorted by (continuum, annotator rank, start, end), with the annotators of each continuum."""

    n_coders: IntArray  # C: annotators per continuum
    cell_start: IntArray  # C*R+1 offsets of the units of (continuum, rank) cells, R = max annotators
    ranks: int
    start: FloatArray
    end: FloatArray
    category: IntArray  # codes into `labels`
    labels: list[str]

    @property
    def n_continua(self) -> int:
        return len(self.n_coders)

    def cell_counts(self) -> IntArray:
        return np.diff(self.cell_start).reshape(self.n_continua, self.ranks)


def _continua(
    continuum: IntArray,
    coder: IntArray,
    start: FloatArray,
    end: FloatArray,
    category: np.ndarray,
    slot_continuum: IntArray,
    slot_coder: IntArray,
) -> tuple[_Continua, IntArray]:
    """Dense continua (only those with >= 2 annotators) and, per dense continuum, its input id."""
    slots = np.unique(np.stack([slot_continuum, slot_coder], axis=1), axis=0)
    ids, slot_dense = np.unique(slots[:, 0], return_inverse=True)
    n_coders_all = np.bincount(slot_dense, minlength=len(ids))
    keep = n_coders_all >= 2
    first_slot = np.r_[0, np.cumsum(n_coders_all)[:-1]]
    slot_rank = np.arange(len(slots)) - first_slot[slot_dense]
    dense = np.full(len(ids), -1, np.int64)
    dense[keep] = np.arange(int(keep.sum()))
    n_cont, ranks = int(keep.sum()), int(n_coders_all.max(initial=2))

    # a unit counts only where its annotator is one of the continuum's annotators
    slot_index = _row_lookup(slots, continuum, coder)
    ok = slot_index >= 0
    ok[ok] = keep[slot_dense[slot_index[ok]]]
    u_cont = dense[slot_dense[slot_index[ok]]]
    u_rank = slot_rank[slot_index[ok]]
    labels, codes = np.unique(np.asarray(category)[ok].astype(str), return_inverse=True)
    s, e = np.asarray(start, np.float64)[ok], np.asarray(end, np.float64)[ok]
    order = np.lexsort((e, s, u_rank, u_cont))
    cell = (u_cont * ranks + u_rank)[order]
    cell_start = np.searchsorted(cell, np.arange(n_cont * ranks + 1))
    result = _Continua(
        n_coders=n_coders_all[keep].astype(np.int64),
        cell_start=cell_start.astype(np.int64),
        ranks=ranks,
        start=s[order],
        end=e[order],
        category=codes.reshape(-1)[order].astype(np.int64),
        labels=[str(x) for x in labels],
    )
    return result, ids[keep]


def _row_lookup(slots: IntArray, continuum: IntArray, coder: IntArray) -> IntArray:
    """Index into the sorted (continuum, coder) rows of each (continuum[i], coder[i]); -1 when absent."""
    if len(slots) == 0:
        return np.full(len(continuum), -1, np.int64)
    low = min(int(slots[:, 1].min()), int(np.min(coder, initial=0)))
    width = max(int(slots[:, 1].max()), int(np.max(coder, initial=0))) - low + 1
    flat = slots[:, 0].astype(np.int64) * width + (slots[:, 1] - low)
    query = np.asarray(continuum, np.int64) * width + (np.asarray(coder, np.int64) - low)
    pos = np.minimum(np.searchsorted(flat, query), len(flat) - 1)
    return np.where(flat[pos] == query, pos, -1).astype(np.int64)


def _dissimilarity(c: _Continua, a: IntArray, b: IntArray, d: Dissimilarity) -> FloatArray:
    return d.combined(c.start[a], c.end[a], c.category[a], c.start[b], c.end[b], c.category[b])


def _positional(c: _Continua, a: IntArray, b: IntArray, d: Dissimilarity) -> FloatArray:
    return d.positional(c.start[a], c.end[a], c.start[b], c.end[b])


# --- candidate unitary alignments and the best alignment ------------------------------------------------


def _candidates(
    c: _Continua, cont: IntArray, n: int, d: Dissimilarity
) -> tuple[IntArray, IntArray, FloatArray]:
    """The unitary alignments of the continua `cont` (all with n annotators) that can be in a best one.

    Returns (continuum per candidate, (T, n) unit indices with -1 for nothing, disorder). Dropped, as no
    best alignment needs them: a candidate with k units whose disorder exceeds k·Δ (its k singletons, of
    disorder Δ each, do better: pygamma-agreement's test, tightened from n·Δ), and one holding a unit u
    whose pairs cost more than (n − 1 + n(n−1)/2)·Δ (u alone plus the rest do better). Both tests apply
    to partial candidates with their most favourable completion, so the result stays exact.
    """
    pairs = n * (n - 1) // 2
    counts = c.cell_counts()[cont, :n]
    base = c.cell_start[:-1].reshape(c.n_continua, c.ranks)[cont, :n]
    delta = d.delta_empty
    t_cont = np.arange(len(cont), dtype=np.int64)  # local continuum index
    members = np.zeros((len(cont), 0), np.int64)
    total = np.zeros(len(cont))  # Σ over decided pairs (empty pairs count Δ)
    member_cost = np.zeros((len(cont), 0))  # Σ over the decided pairs of each member
    k = np.zeros(len(cont), np.int64)
    lone_bound = (n - 1 + pairs) * delta + 1e-9
    for m in range(n):
        options = counts[t_cont, m] + 1
        parent = np.repeat(np.arange(len(t_cont)), options)
        offset = np.arange(len(parent)) - np.repeat(np.cumsum(options) - options, options)
        real = offset < counts[t_cont[parent], m]
        unit = np.where(real, base[t_cont[parent], m] + offset, -1)
        t_cont, members, total, k = t_cont[parent], members[parent], total[parent], k[parent]
        member_cost = np.concatenate([member_cost[parent], np.zeros((len(parent), 1))], axis=1)
        for j in range(m):
            other = members[:, j]
            both = real & (other >= 0)
            added = np.full(len(unit), delta)
            added[both] = _dissimilarity(c, unit[both], other[both], d)
            total = total + added
            member_cost[:, j] += added
            member_cost[:, m] += added
        members = np.concatenate([members, unit[:, None]], axis=1)
        k = k + real
        decided = m + 1
        left = n - decided
        # best case over x more real units among the `left` annotators still to decide
        x = np.arange(left + 1)
        forced = (
            (left - x) * decided
            + left * (left - 1) // 2
            - x * (x - 1) // 2
            + x[None, :] * (decided - k[:, None])
        )
        room = (k[:, None] + x[None, :]) * pairs * delta - forced * delta
        keep = (total[:, None] <= room + 1e-9).any(axis=1) | (k == 0)
        keep &= ~((members >= 0) & (member_cost > lone_bound)).any(axis=1)
        t_cont, members, total, k = t_cont[keep], members[keep], total[keep], k[keep]
        member_cost = member_cost[keep]
    nonempty = k > 0
    return cont[t_cont[nonempty]], members[nonempty], total[nonempty] / pairs


def _best_by_matching(
    c: _Continua, cand_cont: IntArray, members: IntArray, disorder: FloatArray
) -> NDArray[np.bool_]:
    """Chosen candidates of two-annotator continua: a min-cost perfect matching where each unit of the
    first annotator meets a unit of the second or its own stand-in, and stand-ins pair up for free."""
    a, b = members[:, 0], members[:, 1]
    ua = np.unique(a[a >= 0])
    ub = np.unique(b[b >= 0])
    na, nb = len(ua), len(ub)
    ra = np.searchsorted(ua, a)  # row of a real first-annotator unit
    cb = np.searchsorted(ub, b)  # column of a real second-annotator unit
    pair = (a >= 0) & (b >= 0)
    only_a, only_b = (a >= 0) & (b < 0), (a < 0) & (b >= 0)
    idx = np.arange(len(members))
    # rows: first-annotator units, then stand-ins of second-annotator units; columns likewise swapped
    rows = np.concatenate([ra[pair], na + cb[pair], ra[only_a], na + cb[only_b]])
    cols = np.concatenate([cb[pair], nb + ra[pair], nb + ra[only_a], cb[only_b]])
    cost = np.concatenate([disorder[pair], np.zeros(int(pair.sum())), disorder[only_a], disorder[only_b]])
    owner = np.concatenate([idx[pair], np.full(int(pair.sum()), -1), idx[only_a], idx[only_b]])
    size = na + nb
    # a perfect matching has `size` edges, so a constant shift keeps the optimum and no weight is 0
    graph = sparse.csr_matrix((cost + 1.0, (rows, cols)), shape=(size, size))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    edge_key = rows * size + cols
    order = np.argsort(edge_key)
    chosen = owner[order[np.searchsorted(edge_key[order], matched_rows * size + matched_cols)]]
    mask = np.zeros(len(members), bool)
    mask[chosen[chosen >= 0]] = True
    return mask


def _best_by_programme(cand_cont: IntArray, members: IntArray, disorder: FloatArray) -> NDArray[np.bool_]:
    """Chosen candidates: every unit in exactly one chosen candidate, least total disorder (exact).

    The linear relaxation of all continua at once is usually integral; as the programme is a sum of
    independent continua, an integral continuum is optimal as it stands and only the others go to the
    integer programme.
    """
    incidence, n_units = _incidence(members)
    relaxed = linprog(disorder, A_eq=incidence, b_eq=np.ones(n_units), bounds=(0.0, 1.0), method="highs")
    if relaxed.x is None:
        raise RuntimeError(f"the best alignment could not be found: {relaxed.message}")
    chosen = relaxed.x > 0.5
    fractional = np.abs(relaxed.x - np.round(relaxed.x)) > 1e-7
    redo = np.isin(cand_cont, np.unique(cand_cont[fractional]))
    if redo.any():
        chosen[redo] = _best_by_milp(members[redo], disorder[redo])
    return chosen


def _incidence(members: IntArray) -> tuple[sparse.csr_matrix, int]:
    rows, cols = np.nonzero(members >= 0)
    present, units = np.unique(members[rows, cols], return_inverse=True)
    shape = (len(present), len(members))
    return sparse.csr_matrix((np.ones(len(rows)), (units.reshape(-1), rows)), shape=shape), len(present)


def _best_by_milp(members: IntArray, disorder: FloatArray) -> NDArray[np.bool_]:
    incidence, _ = _incidence(members)
    result = milp(
        disorder,
        constraints=LinearConstraint(incidence, 1.0, 1.0),
        integrality=np.ones(len(members)),
        bounds=Bounds(0.0, 1.0),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:
        raise RuntimeError(f"the best alignment could not be found: {result.message}")
    return result.x > 0.5


def _blocks(sizes: NDArray[np.float64], budget: int) -> list[slice]:
    """Consecutive groups of items whose sizes sum to about `budget` (a big item stands alone)."""
    cut = np.searchsorted(np.cumsum(sizes), np.arange(1, int(sizes.sum() // budget) + 1) * budget)
    edges = np.unique(np.r_[0, cut + 1, len(sizes)].clip(0, len(sizes)))
    return [slice(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def _best_alignments(c: _Continua, d: Dissimilarity) -> tuple[IntArray, IntArray, FloatArray]:
    """The best alignment of every continuum: (continuum, (T, R) members with -1, disorder) per chosen
    unitary alignment."""
    out_cont, out_members, out_disorder = [], [], []
    counts = c.cell_counts()
    for n in np.unique(c.n_coders).tolist():
        cont = np.flatnonzero(c.n_coders == n)
        # enumeration size before pruning: the product of (units + 1) over the annotators
        sizes = np.prod(counts[cont, :n] + 1.0, axis=1)
        for block in _blocks(sizes, _TUPLE_BUDGET):
            group = cont[block]
            cand_cont, members, disorder = _candidates(c, group, n, d)
            if len(members) == 0:
                continue
            if n == 2:
                chosen = _best_by_matching(c, cand_cont, members, disorder)
            else:
                chosen = _best_by_programme(cand_cont, members, disorder)
            padded = np.full((int(chosen.sum()), c.ranks), -1, np.int64)
            padded[:, :n] = members[chosen]
            out_cont.append(cand_cont[chosen])
            out_members.append(padded)
            out_disorder.append(disorder[chosen])
    if not out_cont:
        return np.zeros(0, np.int64), np.zeros((0, c.ranks), np.int64), np.zeros(0)
    return np.concatenate(out_cont), np.concatenate(out_members), np.concatenate(out_disorder)


# --- per-continuum statistics ---------------------------------------------------------------------------


@dataclass
class _PerContinuum:
    observed: FloatArray  # C
    weight: FloatArray
    units: IntArray
    slot_units: FloatArray  # (C, 2): Σ units and Σ units² over the continuum's annotators
    lengths: FloatArray  # (C, 2)
    gaps: FloatArray  # (C, 3): n, Σ, Σ²
    categories: FloatArray  # (C, L)
    cat: FloatArray  # (C, 2): γ-cat numerator, denominator
    label_num: FloatArray  # (C, L)
    label_den: FloatArray  # (C, L)


def _category_terms(
    c: _Continua, t_cont: IntArray, members: IntArray, d: Dissimilarity
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """γ-cat and γ_k numerators and denominators per continuum from its best alignment (Mathet 2017, as
    pygamma-agreement: aligned pairs weigh d_cat by max(0, 1 − α·d_pos) / (units − 1); a unit aligned
    with nothing adds Δ² over Δ)."""
    n_cont, n_labels = c.n_continua, len(c.labels)
    num, den = np.zeros(n_cont), np.zeros(n_cont)
    lnum, lden = np.zeros(n_cont * n_labels), np.zeros(n_cont * n_labels)
    k = (members >= 0).sum(axis=1)
    delta = d.delta_empty
    for i in range(c.ranks):
        for j in range(i + 1, c.ranks):
            a, b = members[:, i], members[:, j]
            inside = j < c.n_coders[t_cont]  # columns past a continuum's annotators are padding
            lone = ((a >= 0) ^ (b >= 0)) & inside
            both = (a >= 0) & (b >= 0)
            w = np.zeros(len(a))
            v = np.zeros(len(a))
            w[lone], v[lone] = delta, delta * delta
            if both.any():
                aa, bb = a[both], b[both]
                w[both] = np.maximum(0.0, 1.0 - d.alpha * _positional(c, aa, bb, d)) / (k[both] - 1)
                v[both] = w[both] * delta * (c.category[aa] != c.category[bb])
            counted = lone | both
            num += np.bincount(t_cont[counted], weights=v[counted], minlength=n_cont)
            den += np.bincount(t_cont[counted], weights=w[counted], minlength=n_cont)
            ca = np.where(a >= 0, c.category[np.maximum(a, 0)], -1)
            cb = np.where(b >= 0, c.category[np.maximum(b, 0)], -1)
            for label, use in ((ca, counted & (ca >= 0)), (cb, counted & (cb >= 0) & (cb != ca))):
                cell = t_cont[use] * n_labels + label[use]
                lnum += np.bincount(cell, weights=v[use], minlength=n_cont * n_labels)
                lden += np.bincount(cell, weights=w[use], minlength=n_cont * n_labels)
    return num, den, lnum.reshape(n_cont, n_labels), lden.reshape(n_cont, n_labels)


def _per_continuum(c: _Continua, d: Dissimilarity) -> _PerContinuum:
    n_cont, n_labels = c.n_continua, len(c.labels)
    t_cont, members, disorder = _best_alignments(c, d)
    cells = c.cell_counts()
    units = cells.sum(axis=1)
    valid_rank = np.arange(c.ranks)[None, :] < c.n_coders[:, None]
    slot_units = np.stack([(cells * valid_rank).sum(axis=1), (cells**2 * valid_rank).sum(axis=1)], 1)
    unit_cont = np.repeat(np.arange(n_cont), units)
    length = c.end - c.start
    lengths = np.stack(
        [np.bincount(unit_cont, length, n_cont), np.bincount(unit_cont, length**2, n_cont)], axis=1
    )
    # gaps: within each (continuum, annotator) cell, start − previous end; the first start when > 0
    unit_cell = np.repeat(np.arange(n_cont * c.ranks), np.diff(c.cell_start))
    first = np.r_[True, unit_cell[1:] != unit_cell[:-1]] if len(unit_cell) else np.zeros(0, bool)
    gap = np.where(first, c.start, c.start - np.r_[0.0, c.end[:-1]])
    use = ~first | (c.start > 0)
    g_cont = unit_cont[use]
    gaps = np.stack(
        [
            np.bincount(g_cont, minlength=n_cont),
            np.bincount(g_cont, gap[use], n_cont),
            np.bincount(g_cont, gap[use] ** 2, n_cont),
        ],
        axis=1,
    ).astype(np.float64)
    categories = np.bincount(unit_cont * n_labels + c.category, minlength=n_cont * n_labels)
    num, den, lnum, lden = _category_terms(c, t_cont, members, d)
    return _PerContinuum(
        observed=np.bincount(t_cont, disorder, n_cont),
        weight=units / np.maximum(c.n_coders, 1),
        units=units,
        slot_units=slot_units.astype(np.float64),
        lengths=lengths,
        gaps=gaps,
        categories=categories.reshape(n_cont, n_labels).astype(np.float64),
        cat=np.stack([num, den], axis=1),
        label_num=lnum,
        label_den=lden,
    )


def _terms_of(c: _Continua, p: _PerContinuum, rows: IntArray, d: Dissimilarity) -> GammaTerms:
    labels = c.labels
    cat_counts = p.categories[rows].sum(axis=0)
    lnum, lden = p.label_num[rows].sum(axis=0), p.label_den[rows].sum(axis=0)
    present = np.flatnonzero(cat_counts > 0)
    coders = np.bincount(c.n_coders[rows]) if len(rows) else np.zeros(0, np.int64)
    slot_units = p.slot_units[rows].sum(axis=0)
    lengths = p.lengths[rows].sum(axis=0)
    gaps = p.gaps[rows].sum(axis=0)
    n_units = int(p.units[rows].sum())
    return GammaTerms(
        dissimilarity=d,
        observed=float(p.observed[rows].sum()),
        weight=float(p.weight[rows].sum()),
        continua=len(rows),
        units=n_units,
        coders={int(n): int(v) for n, v in enumerate(coders.tolist()) if v},
        units_per_annotator=Moments(
            float(c.n_coders[rows].sum()), float(slot_units[0]), float(slot_units[1])
        ),
        lengths=Moments(float(n_units), float(lengths[0]), float(lengths[1])),
        gaps=Moments(float(gaps[0]), float(gaps[1]), float(gaps[2])),
        categories={labels[i]: int(cat_counts[i]) for i in present.tolist()},
        cat_disorder=float(p.cat[rows, 0].sum()),
        cat_weight=float(p.cat[rows, 1].sum()),
        label_disorder={labels[i]: float(lnum[i]) for i in present.tolist()},
        label_weight={labels[i]: float(lden[i]) for i in present.tolist()},
    )


def _inputs(
    continuum: ArrayLike,
    coder: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    category: ArrayLike | None,
    slot_continuum: ArrayLike | None,
    slot_coder: ArrayLike | None,
) -> tuple[_Continua, IntArray]:
    cont, who = np.asarray(continuum, np.int64), np.asarray(coder, np.int64)
    s, e = np.asarray(start, np.float64), np.asarray(end, np.float64)
    if not (len(cont) == len(who) == len(s) == len(e)):
        raise ValueError("continuum, coder, start and end differ in length")
    cat = np.full(len(cont), "", dtype=object) if category is None else np.asarray(category, dtype=object)
    if len(cat) != len(cont):
        raise ValueError("category differs in length from the units")
    if np.any(~np.isfinite(s)) or np.any(~np.isfinite(e)) or np.any(e <= s):
        raise ValueError("every unit needs finite start < end")
    if (slot_continuum is None) != (slot_coder is None):
        raise ValueError("give both slot_continuum and slot_coder, or neither")
    if slot_continuum is None:
        slot_c, slot_a = cont, who
    else:
        slot_c, slot_a = np.asarray(slot_continuum, np.int64), np.asarray(slot_coder, np.int64)
        if len(slot_c) != len(slot_a):
            raise ValueError("slot_continuum and slot_coder differ in length")
    return _continua(cont, who, s, e, cat, slot_c, slot_a)


def gamma_terms(
    continuum: ArrayLike,
    coder: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    category: ArrayLike | None = None,
    *,
    slot_continuum: ArrayLike | None = None,
    slot_coder: ArrayLike | None = None,
    dissimilarity: Dissimilarity | None = None,
) -> GammaTerms:
    """The γ terms of the units (continuum, coder, start, end, category label) of some continua.

    slot_continuum/slot_coder list who annotated each continuum (an annotator with no unit there agrees
    on "nothing here"); by default, the annotators with units. Continua with < 2 annotators are left out.
    """
    d = dissimilarity or Dissimilarity()
    c, _ = _inputs(continuum, coder, start, end, category, slot_continuum, slot_coder)
    return _terms_of(c, _per_continuum(c, d), np.arange(c.n_continua), d)


# --- chance disorder ------------------------------------------------------------------------------------


def _sample_continua(
    terms: GammaTerms, samples: int, rng: np.random.Generator, max_work: float | None = None
) -> _Continua:
    """Random continua drawn from the corpus statistics, one per sample (pygamma-agreement's
    StatisticalContinuumSampler): annotators as many as in a random continuum of the corpus; per
    annotator |int(N(units))| units (the first annotator at least one), gaps ~ N(gap), lengths
    ~ |N(length)|, categories by frequency."""
    sizes = np.array(sorted(terms.coders), np.int64)
    weights = np.array([terms.coders[n] for n in sizes.tolist()], np.float64)
    n_coders = rng.choice(sizes, size=samples, p=weights / weights.sum())
    ranks = int(sizes.max())
    upa = terms.units_per_annotator
    counts = np.zeros((samples, ranks), np.int64)
    redraw = np.ones(samples, bool)
    for _ in range(100):
        draw = np.abs(rng.normal(upa.mean, upa.std, size=(int(redraw.sum()), ranks)).astype(np.int64))
        draw[:, 0] = np.maximum(draw[:, 0], 1)
        draw[np.arange(ranks)[None, :] >= n_coders[redraw, None]] = 0
        counts[redraw] = draw
        # as the observed side leaves such continua out, so does chance (their alignment is too costly)
        redraw = np.prod(counts + 1.0, axis=1) > max_work if max_work else np.zeros(samples, bool)
        if not redraw.any():
            break
    else:
        raise ValueError("the chance continua exceed max_work: raise it or pass fewer annotators' units")
    total = int(counts.sum())
    gap = rng.normal(terms.gaps.mean, terms.gaps.std, size=total)
    length = np.abs(rng.normal(terms.lengths.mean, terms.lengths.std, size=total))
    short = length < _SEGMENT_PRECISION
    while short.any():
        length[short] = np.abs(rng.normal(terms.lengths.mean, terms.lengths.std, size=int(short.sum())))
        short = length < _SEGMENT_PRECISION
    labels = sorted(terms.categories)
    frequency = np.array([terms.categories[x] for x in labels], np.float64)
    category = rng.choice(len(labels), size=total, p=frequency / frequency.sum())
    # each annotator's units follow one another from 0: start_i = Σ_{j<=i} gap_j + Σ_{j<i} length_j
    cell = np.repeat(np.arange(samples * ranks), counts.ravel())
    step = gap + np.r_[0.0, length[:-1]]
    cell_first = np.r_[True, cell[1:] != cell[:-1]] if total else np.zeros(0, bool)
    step[cell_first] = gap[cell_first]
    running = np.cumsum(step)
    first_of_cell = np.maximum.accumulate(np.where(cell_first, np.arange(total), 0))
    start = running - (running - step)[first_of_cell]
    end = start + length
    order = np.lexsort((end, start, cell))  # start, end order inside a cell, as the alignment expects
    return _Continua(
        n_coders=n_coders.astype(np.int64),
        cell_start=np.r_[0, np.cumsum(counts.ravel())].astype(np.int64),
        ranks=ranks,
        start=start[order],
        end=end[order],
        category=category[order].astype(np.int64),
        labels=labels,
    )


def gamma_from_terms(
    terms: GammaTerms, *, samples: int = 30, seed: int = 0, max_work: float | None = None
) -> GammaResult:
    """γ, γ-cat and γ_k per label from (summed) terms, the chance disorder from `samples` random continua
    (with max_work: only continua whose Π over annotators of (units + 1) stays within it)."""
    if samples < 1:
        raise ValueError("γ needs at least one chance sample")
    observed = terms.observed_disorder
    labels = sorted(terms.categories)
    nan = float("nan")
    if terms.units == 0 or terms.continua == 0:
        return GammaResult(
            nan, nan, nan, nan, samples, seed, nan, {x: nan for x in labels}, terms.continua, 0
        )
    rng = np.random.default_rng(seed)
    c = _sample_continua(terms, samples, rng, max_work)
    per = _per_continuum(c, terms.dissimilarity)
    chance = per.observed / per.weight
    expected = float(chance.mean())
    stderr = float(chance.std(ddof=1) / math.sqrt(samples)) if samples > 1 else nan

    def ratio(num: float, den: float) -> float:
        return num / den if den > 0 else nan

    def one_minus(obs: float, exp: float) -> float:
        if obs == 0:
            return 1.0  # no disorder at all: perfect agreement, whatever chance would do
        return 1.0 - obs / exp if exp > 0 else nan

    with np.errstate(invalid="ignore", divide="ignore"):
        chance_cat = float(np.nanmean(np.where(per.cat[:, 1] > 0, per.cat[:, 0] / per.cat[:, 1], np.nan)))
        chance_label = np.where(per.label_den > 0, per.label_num / per.label_den, np.nan)
    per_label = {}
    for i, label in enumerate(c.labels):
        column = chance_label[:, i]
        expected_k = float(np.mean(column[np.isfinite(column)])) if np.isfinite(column).any() else nan
        obs_k = ratio(terms.label_disorder.get(label, 0.0), terms.label_weight.get(label, 0.0))
        per_label[label] = one_minus(obs_k, expected_k) if not math.isnan(obs_k) else nan
    return GammaResult(
        gamma=one_minus(observed, expected),
        observed=observed,
        expected=expected,
        expected_stderr=stderr,
        samples=samples,
        seed=seed,
        gamma_cat=one_minus(ratio(terms.cat_disorder, terms.cat_weight), chance_cat),
        per_label=per_label,
        continua=terms.continua,
        units=terms.units,
    )


def gamma(
    continuum: ArrayLike,
    coder: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    category: ArrayLike | None = None,
    *,
    samples: int = 30,
    seed: int = 0,
    dissimilarity: Dissimilarity | None = None,
    slot_continuum: ArrayLike | None = None,
    slot_coder: ArrayLike | None = None,
) -> GammaResult:
    """γ of some continua in one call: gamma_from_terms(gamma_terms(...))."""
    terms = gamma_terms(
        continuum,
        coder,
        start,
        end,
        category,
        slot_continuum=slot_continuum,
        slot_coder=slot_coder,
        dissimilarity=dissimilarity,
    )
    return gamma_from_terms(terms, samples=samples, seed=seed)


def units_from_rows(rows: Sequence[tuple[str, str, float, float]]) -> dict[str, np.ndarray]:
    """One continuum from (annotator, category, start, end) rows, pygamma-agreement's CSV layout."""
    names = sorted({r[0] for r in rows})
    return {
        "continuum": np.zeros(len(rows), np.int64),
        "coder": np.array([names.index(r[0]) for r in rows], np.int64),
        "start": np.array([float(r[2]) for r in rows]),
        "end": np.array([float(r[3]) for r in rows]),
        "category": np.array([str(r[1]) for r in rows], dtype=object),
    }
