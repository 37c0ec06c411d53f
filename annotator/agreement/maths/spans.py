"""One-to-one span matching and span F1 (numpy + scipy; no Django).

`match_claims` is the vectorised engine: it matches the spans of every pair of coders inside every
passage at once. `match_spans` and `span_f1` are the two-list views of the same engine, so a report
built on `match_claims` agrees exactly with what `match_spans` says about any one passage and pair.

Matching rules
- exact: spans match when (start, end[, label]) are identical; if one coder repeats a span, the k-th
  copy on one side pairs with the k-th copy on the other (in input order).
- overlap: candidate pairs are spans that share at least one position (and the label, when labels are
  given); the matching maximises the summed Jaccard overlap |a & b| / |a | b| under a one-to-one
  constraint. An uncontested candidate is matched directly (the optimum does the same); groups of
  conflicting candidates up to 5 x 5 are solved together by enumerating every assignment (a tie goes
  to the lexicographically first), larger groups by scipy's linear_sum_assignment.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from annotator.agreement.maths.coefficients import as_labels, encode, fast_unique

MODES = ("exact", "overlap")
BLOCK = 1 << 15  # claims per matching block (whole passages): small temporaries are reused, not refaulted
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SpanScores:
    """Span agreement of A against B: precision = tp / n_a, recall = tp / n_b, f1 = 2 tp / (n_a + n_b).

    precision is nan when A is empty, recall when B is empty, f1 (and both) when both are empty:
    with nothing marked on either side, agreement is undefined rather than perfect.
    """

    precision: float
    recall: float
    f1: float
    tp: int
    n_a: int
    n_b: int


def ranged_pairs(lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """All pairs (p, q) with lo[p] <= q < hi[p], as two index arrays (vectorised nested loop)."""
    count = np.maximum(hi - lo, 0)
    left = np.repeat(np.arange(len(lo), dtype=np.int64), count)
    offset = np.arange(len(left), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return left, np.repeat(lo, count) + offset


def overlap_candidates(group: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """Index pairs (i, j), i != j, of intervals in the same group that share at least one position."""
    if len(start) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    _, dense = fast_unique(group, return_inverse=True)
    scale = int(end.max()) + 1
    order = np.lexsort((start, dense))
    key = dense[order].astype(np.int64) * scale + start[order]
    hi = np.searchsorted(key, dense[order].astype(np.int64) * scale + end[order], side="left")
    p, q = ranged_pairs(np.arange(1, len(order) + 1, dtype=np.int64), hi.astype(np.int64))
    return order[p], order[q]


def exact_candidates(
    group: IntArray, coder: IntArray, start: IntArray, end: IntArray, label: IntArray
) -> tuple[IntArray, IntArray]:
    """Pairs of identical spans by different coders, k-th copy with k-th copy (one-to-one per coder pair)."""
    n = len(start)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((np.arange(n), coder, label, end, start, group))
    g, c, s, e, lab = group[order], coder[order], start[order], end[order], label[order]
    new_span = np.r_[True, (g[1:] != g[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1]) | (lab[1:] != lab[:-1])]
    new_block = new_span | np.r_[True, c[1:] != c[:-1]]
    block_start = np.maximum.accumulate(np.where(new_block, np.arange(n), 0))
    rank = np.arange(n) - block_start
    span_id = np.cumsum(new_span)
    # regroup by (span, rank): each coder appears at most once per group, pairs are then simply all pairs
    regroup = np.lexsort((c, rank, span_id))
    sid, rk = span_id[regroup], rank[regroup]
    first = np.r_[True, (sid[1:] != sid[:-1]) | (rk[1:] != rk[:-1])]
    block_end = np.flatnonzero(np.r_[first[1:], True]) + 1
    ends = block_end[np.cumsum(first) - 1]
    p, q = ranged_pairs(np.arange(1, n + 1, dtype=np.int64), ends.astype(np.int64))
    return order[regroup[p]], order[regroup[q]]


_ENUMERATE = 5  # components up to 5 x 5 are solved in bulk by enumerating all S! assignments
_PERMUTATIONS = {s: np.array(list(itertools.permutations(range(s))), dtype=np.int64) for s in range(1, 6)}


def _local_rank(group: IntArray, node: IntArray) -> tuple[IntArray, IntArray]:
    """Rank of each node among the distinct nodes of its group (by node id), and distinct nodes per group."""
    distinct, inverse = fast_unique(
        group.astype(np.int64) * (int(node.max()) + 1) + node, return_inverse=True
    )
    owner = distinct // (int(node.max()) + 1)
    first = np.searchsorted(owner, owner)
    return (np.arange(len(distinct)) - first)[inverse.reshape(-1)], np.bincount(owner)


def _enumerate_small(
    comp: IntArray, row: IntArray, col: IntArray, weight: NDArray[np.float64], size: int
) -> NDArray[np.bool_]:
    """Exact maximum-weight matching of many components of at most size x size nodes at once; ties go to
    the first assignment in lexicographic order (the lower row gets the lower column)."""
    if len(comp) == 0:
        return np.zeros(0, dtype=bool)
    _, comp = fast_unique(comp, return_inverse=True)
    permutations = _PERMUTATIONS[size]
    matrix = np.zeros((int(comp.max()) + 1, size, size))
    matrix[comp, row, col] = weight
    totals = matrix[:, np.arange(size), permutations].sum(axis=2)  # (components, permutations)
    best = permutations[np.argmax(totals, axis=1)]  # (components, rows) -> column
    return (best[comp, row] == col) & (weight > 0)


def solve_matching(left: IntArray, right: IntArray, weight: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Maximum-weight one-to-one selection of candidate edges left[k] - right[k] (keys are node ids)."""
    n_edges = len(left)
    chosen = np.zeros(n_edges, dtype=bool)
    if n_edges == 0:
        return chosen
    left_keys, li = fast_unique(left, return_inverse=True)
    right_keys, ri = fast_unique(right, return_inverse=True)
    # an edge whose two ends have no other candidate is a component of its own: matched as it is
    simple = (np.bincount(li)[li] == 1) & (np.bincount(ri)[ri] == 1)
    chosen[simple] = True
    contested = np.flatnonzero(~simple)
    if len(contested) == 0:
        return chosen
    n_left = len(left_keys)
    graph = coo_matrix(
        (np.ones(len(contested)), (li[contested], ri[contested] + n_left)),
        shape=(n_left + len(right_keys),) * 2,
    )
    _, component = connected_components(graph, directed=False)
    edge_component = np.zeros(n_edges, np.int64)
    edge_component[contested] = component[li[contested]]
    _, comp = fast_unique(edge_component[contested], return_inverse=True)
    row, n_rows = _local_rank(comp, li[contested])
    col, n_cols = _local_rank(comp, ri[contested])
    size = np.maximum(n_rows, n_cols)[comp]
    for s in range(2, _ENUMERATE + 1):
        mine = size == s
        chosen[contested[mine]] = _enumerate_small(
            comp[mine], row[mine], col[mine], weight[contested[mine]], s
        )
    small = size <= _ENUMERATE
    large = contested[~small]
    large = large[np.argsort(edge_component[large], kind="stable")]
    bounds = np.flatnonzero(np.diff(edge_component[large])) + 1
    for edges in np.split(large, bounds) if len(large) else []:
        rows, r_idx = fast_unique(li[edges], return_inverse=True)
        cols, c_idx = fast_unique(ri[edges], return_inverse=True)
        matrix = np.zeros((len(rows), len(cols)))
        matrix[r_idx, c_idx] = weight[edges]
        row_sel, col_sel = linear_sum_assignment(matrix, maximize=True)
        picked = np.zeros((len(rows), len(cols)), dtype=bool)
        picked[row_sel, col_sel] = True
        chosen[edges] = picked[r_idx, c_idx] & (weight[edges] > 0)
    return chosen


def match_claims(
    passage: ArrayLike,
    coder: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    *,
    mode: str = "overlap",
    label: ArrayLike | None = None,
    against: int | None = None,
) -> tuple[IntArray, IntArray]:
    """Match the spans of every coder pair inside every passage: (left, right) claim index arrays.

    coder[left] < coder[right]; with `against`, only pairs between that coder (always on the right)
    and the others are matched. `label` (integer codes) must agree for a match when given.
    """
    if mode not in MODES:
        raise ValueError(f"unknown matching mode {mode!r}; expected 'exact' or 'overlap'")
    g, c = np.asarray(passage, np.int64), np.asarray(coder, np.int64)
    s, e = np.asarray(start, np.int64), np.asarray(end, np.int64)
    lab = np.zeros(len(s), np.int64) if label is None else np.asarray(label, np.int64)
    if len(g) <= BLOCK:
        return _match_block(g, c, s, e, lab, mode, against)
    # passages never share a match: blocks of whole passages keep the temporaries small; a stable
    # sort keeps each passage's claims in input order, so the result does not depend on the blocking
    order = np.argsort(g, kind="stable")
    ordered = g[order]
    cuts = np.unique(np.r_[0, np.searchsorted(ordered, ordered[BLOCK::BLOCK]), len(g)])
    lefts, rights = [], []
    for begin, stop in zip(cuts[:-1], cuts[1:], strict=True):
        idx = order[begin:stop]
        i, j = _match_block(g[idx], c[idx], s[idx], e[idx], lab[idx], mode, against)
        lefts.append(idx[i])
        rights.append(idx[j])
    return np.concatenate(lefts), np.concatenate(rights)


def _match_block(
    g: IntArray, c: IntArray, s: IntArray, e: IntArray, lab: IntArray, mode: str, against: int | None
) -> tuple[IntArray, IntArray]:
    if mode == "exact":
        i, j = exact_candidates(g, c, s, e, lab)
    else:
        i, j = overlap_candidates(g, s, e)
        keep = (c[i] != c[j]) & (lab[i] == lab[j])
        i, j = i[keep], j[keep]
    if against is not None:
        keep = (c[i] == against) != (c[j] == against)
        i, j = i[keep], j[keep]
        flip = c[i] == against
    else:
        flip = c[i] > c[j]
    i, j = np.where(flip, j, i), np.where(flip, i, j)
    if mode == "exact" or len(i) == 0:
        return i, j
    inter = np.minimum(e[i], e[j]) - np.maximum(s[i], s[j])
    jaccard = inter / (np.maximum(e[i], e[j]) - np.minimum(s[i], s[j]))
    low = int(c.min())
    n_coders = int(c.max()) - low + 1
    # a node is a claim as seen from one partner coder, so each coder pair is its own matching problem
    chosen = solve_matching(i * n_coders + (c[j] - low), j * n_coders + (c[i] - low), jaccard)
    return i[chosen], j[chosen]


def parse_spans(spans: Sequence | ArrayLike, name: str) -> tuple[IntArray, IntArray, np.ndarray | None]:
    """(starts, ends, labels or None) of a list of (start, end[, label]) half-open intervals."""
    rows = list(spans)
    widths = {len(r) for r in rows} if rows else {2}
    if len(widths) != 1 or widths.pop() not in (2, 3):
        raise ValueError(f"{name}: every span must be (start, end) or (start, end, label), all alike")
    bounds = np.array([(r[0], r[1]) for r in rows], dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(bounds)) or np.any(bounds != np.floor(bounds)):
        raise ValueError(f"{name}: span offsets must be integers")
    starts, ends = bounds[:, 0].astype(np.int64), bounds[:, 1].astype(np.int64)
    if np.any(starts < 0) or np.any(starts >= ends):
        raise ValueError(f"{name}: every span needs 0 <= start < end")
    labels = as_labels([r[2] for r in rows]) if rows and len(rows[0]) == 3 else None
    return starts, ends, labels


def match_spans(
    spans_a: Sequence | ArrayLike, spans_b: Sequence | ArrayLike, mode: str = "exact"
) -> list[tuple[int, int]]:
    """One-to-one matches between two span lists as (index in a, index in b) pairs, sorted."""
    sa, ea, la = parse_spans(spans_a, "spans_a")
    sb, eb, lb = parse_spans(spans_b, "spans_b")
    if (la is None) != (lb is None) and len(sa) and len(sb):
        raise ValueError("either both span lists carry labels or neither does")
    label = None
    if la is not None and lb is not None:
        _, label = encode(np.concatenate([la.astype(object), lb.astype(object)]))
    na = len(sa)
    left, right = match_claims(
        np.zeros(na + len(sb), np.int64),
        np.r_[np.zeros(na, np.int64), np.ones(len(sb), np.int64)],
        np.r_[sa, sb],
        np.r_[ea, eb],
        mode=mode,
        label=label,
    )
    return sorted(zip(left.tolist(), (right - na).tolist(), strict=True))


def span_f1(spans_a: Sequence | ArrayLike, spans_b: Sequence | ArrayLike, mode: str = "exact") -> SpanScores:
    """Precision/recall/F1 of spans_a against spans_b after one-to-one matching (see SpanScores)."""
    spans_a, spans_b = list(spans_a), list(spans_b)
    tp = len(match_spans(spans_a, spans_b, mode))
    n_a, n_b = len(spans_a), len(spans_b)
    nan = float("nan")
    return SpanScores(
        precision=tp / n_a if n_a else nan,
        recall=tp / n_b if n_b else nan,
        f1=2 * tp / (n_a + n_b) if n_a + n_b else nan,
        tp=tp,
        n_a=n_a,
        n_b=n_b,
    )
