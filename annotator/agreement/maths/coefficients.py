"""Krippendorff's alpha, Cohen's kappa and Fleiss' kappa from additive sufficient statistics (numpy only).

Every coefficient is computed in two steps: raw labels -> an additive statistic (coincidence matrix,
confusion matrix, Fleiss category totals), then statistic -> coefficient. Statistics of disjoint sets of
units (documents, chunks) can be summed before the second step; `metrics.py` is the public facade.
Undefined agreement (fewer than two pairable values, a single category, ...) gives nan, never an
exception; malformed input raises ValueError.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

LEVELS = ("nominal", "ordinal", "interval", "ratio")
# Above this many cells (units x values) the dense value-count table is replaced by sparse pairs.
_DENSE_CELLS = 1 << 24


def fast_unique(
    keys: ArrayLike, *, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False
) -> Any:
    """np.unique for flat numeric arrays by sorting (numpy 2.x's hash-based unique is far slower on large
    integer arrays); same results and return order as np.unique, first occurrence for return_index."""
    arr = np.asarray(keys).reshape(-1)
    if arr.dtype.kind not in "iufb":
        return np.unique(
            arr, return_index=return_index, return_inverse=return_inverse, return_counts=return_counts
        )
    wanted = return_index or return_inverse
    order = np.argsort(arr, kind="stable") if wanted else None
    ordered = arr[order] if wanted else np.sort(arr)
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(arr) else np.zeros(0, bool)
    result: list = [ordered[first]]
    if return_index:
        result.append(order[first])
    if return_inverse:
        inverse = np.empty(len(arr), np.intp)
        inverse[order] = np.cumsum(first) - 1
        result.append(inverse)
    if return_counts:
        result.append(np.diff(np.r_[np.flatnonzero(first), len(arr)]))
    return result[0] if len(result) == 1 else tuple(result)


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; expected one of {', '.join(LEVELS)}")


def missing_mask(arr: np.ndarray) -> NDArray[np.bool_]:
    """True where a label is missing: nan (floats), None or nan (objects), "nan" or "" (strings)."""
    kind = arr.dtype.kind
    if kind == "f":
        return np.isnan(arr)
    if kind in "iub":
        return np.zeros(arr.shape, dtype=bool)
    if kind in "US":
        return (arr == arr.dtype.type("nan")) | (arr == arr.dtype.type(""))
    if kind == "O":
        flat = [x is None or (isinstance(x, float) and x != x) for x in arr.ravel().tolist()]
        return np.array(flat, dtype=bool).reshape(arr.shape)
    raise ValueError(f"cannot use labels of dtype {arr.dtype}")


def as_labels(labels: Sequence | ArrayLike) -> np.ndarray:
    """A label sequence as an array: numeric or string dtype when numpy infers one, else object."""
    arr = np.asarray(list(labels) if isinstance(labels, str) else labels)
    return arr if arr.dtype.kind in "iufbUS" else np.asarray(labels, dtype=object)


def _encode_strings(present: np.ndarray) -> tuple[np.ndarray, NDArray[np.intp]]:
    """Sorted domain and codes of a unicode array via a vectorised 64-bit hash of its characters (sorting
    fixed-width strings is slow); verified afterwards, with np.unique as the fallback on a collision."""
    chars = np.ascontiguousarray(present).view(np.uint32).reshape(len(present), -1)
    weights = np.random.default_rng(0).integers(1, 1 << 62, chars.shape[1])
    digest = np.empty(len(present), np.int64)
    step = 1 << 15  # in slices: a full int64 copy of every character would be 8x the labels' memory
    for begin in range(0, len(present), step):
        # integer matmul wraps around: a hash, checked below
        np.matmul(chars[begin : begin + step].astype(np.int64), weights, out=digest[begin : begin + step])
    _, first, inverse = fast_unique(digest, return_index=True, return_inverse=True)
    representative = present[first]
    exact = all(
        np.array_equal(representative[inverse[begin : begin + step]], present[begin : begin + step])
        for begin in range(0, len(present), step)
    )
    if not exact:
        domain, codes = np.unique(present, return_inverse=True)
        return domain, codes.reshape(-1).astype(np.intp)
    order = np.argsort(representative)
    rank = np.empty(len(order), np.intp)
    rank[order] = np.arange(len(order))
    return representative[order], rank[inverse]


def encode(present: np.ndarray, values: ArrayLike | None = None) -> tuple[np.ndarray, NDArray[np.intp]]:
    """Map labels to codes 0..V-1: (domain, codes). The domain is sorted unless `values` fixes it."""
    if values is None and present.dtype.kind in "iuf" and len(present):
        # numeric fast path: counting (small integer range) or sort + binary search, no argsort
        lo, hi = present.min(), present.max()
        small_range = hi - lo < max(4 * len(present), 1 << 16)
        if small_range and (present.dtype.kind in "iu" or np.array_equal(present, np.floor(present))):
            shifted = (present - lo).astype(np.intp)
            seen = np.bincount(shifted).astype(bool)
            lookup = np.cumsum(seen) - 1
            domain = (np.flatnonzero(seen) + lo).astype(present.dtype)
            return domain, lookup[shifted].astype(np.intp)
        domain = fast_unique(present)
        return domain, np.searchsorted(domain, present).astype(np.intp)
    if values is None and present.dtype.kind == "U" and len(present):
        return _encode_strings(present)
    if values is None:
        try:
            domain, codes = fast_unique(present, return_inverse=True)
            return domain, codes.reshape(-1).astype(np.intp)
        except TypeError:  # unorderable mix of label types: keep first-appearance order
            lookup: dict = {}
            codes = np.fromiter((lookup.setdefault(x, len(lookup)) for x in present.tolist()), np.intp)
            domain = np.empty(len(lookup), dtype=object)
            domain[:] = list(lookup)
            return domain, codes
    domain = np.asarray(values)
    if domain.ndim != 1:
        raise ValueError("values must be a 1-D sequence of labels")
    lookup = {x: i for i, x in enumerate(domain.tolist())}
    if len(lookup) != len(domain):
        raise ValueError("values contains duplicates")
    if domain.dtype.kind in "iufUS" and present.dtype.kind == domain.dtype.kind:
        order = np.argsort(domain)
        pos = np.minimum(np.searchsorted(domain[order], present), len(domain) - 1)
        found = domain[order][pos] == present
        if len(domain) and found.all():
            return domain, order[pos].astype(np.intp)
    try:
        codes = np.fromiter((lookup[x] for x in present.tolist()), np.intp, count=len(present))
    except KeyError as exc:
        raise ValueError(f"label {exc.args[0]!r} is not in values") from None
    return domain, codes


def pairable_counts(
    unit: NDArray[np.intp], code: NDArray[np.intp], n_values: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Collapse (unit, value) observations into sorted non-zero counts (unit, value, count)."""
    key = unit.astype(np.int64) * n_values + code
    uniq, count = fast_unique(key, return_counts=True)
    return (uniq // n_values).astype(np.intp), (uniq % n_values).astype(np.intp), count.astype(np.float64)


def grouped_coincidences(
    unit: NDArray[np.intp],
    code: NDArray[np.intp],
    count: NDArray[np.float64],
    n_values: int,
    *,
    unit_weight: NDArray[np.float64] | None = None,
    unit_group: NDArray[np.intp] | None = None,
    n_groups: int = 1,
) -> NDArray[np.float64]:
    """Coincidence matrices (n_groups, V, V) from sparse value counts sorted by unit.

    o_ck = sum_u w_u * (n_uc * n_uk - [c == k] n_uc) / (m_u - 1), over units with m_u >= 2 values;
    `unit_weight` scales a unit (e.g. the length of a text segment), `unit_group` sums units per group.
    """
    if len(unit) == 0:
        return np.zeros((n_groups, n_values, n_values))
    n_units = int(unit.max()) + 1
    m_u = np.bincount(unit, weights=count, minlength=n_units)
    scale = np.zeros(n_units)
    np.divide(1.0, m_u - 1.0, out=scale, where=m_u >= 2)
    if unit_weight is not None:
        scale *= unit_weight[:n_units]
    group = np.zeros(n_units, np.intp) if unit_group is None else unit_group[:n_units]
    # every ordered pair of entries inside a unit (including an entry with itself)
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    sizes = np.diff(np.r_[starts, len(unit)])
    per_entry = np.repeat(sizes, sizes)
    first = np.repeat(starts, sizes)
    left = np.repeat(np.arange(len(unit)), per_entry)
    offsets = np.arange(len(left)) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    right = np.repeat(first, per_entry) + offsets
    u = unit[left]
    weight = scale[u] * count[left] * (count[right] - (left == right))
    key = (group[u] * n_values + code[left]) * n_values + code[right]
    flat = np.bincount(key, weights=weight, minlength=n_groups * n_values * n_values)
    return flat.reshape(n_groups, n_values, n_values)


def coincidence_matrix(data: ArrayLike, values: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's coincidence matrix of a coders x units table (nan/None = missing): (values, matrix).

    Pass the same `values` for several tables to get matrices that can be summed.
    """
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise ValueError(f"data must be a 2-D coders x units array, got {arr.ndim} dimension(s)")
    present = ~missing_mask(arr)
    units = np.broadcast_to(np.arange(arr.shape[1]), arr.shape)[present]
    domain, codes = encode(arr[present], values)
    n_values = len(domain)
    if n_values == 0:
        return domain, np.zeros((0, 0))
    if arr.shape[1] * n_values <= _DENSE_CELLS:
        table = np.bincount(units * n_values + codes, minlength=arr.shape[1] * n_values)
        table = table.reshape(arr.shape[1], n_values).astype(np.float64)
        m_u = table.sum(axis=1)
        scale = np.zeros_like(m_u)
        np.divide(1.0, m_u - 1.0, out=scale, where=m_u >= 2)
        weighted = table * scale[:, None]
        matrix = weighted.T @ table
        # the diagonal directly (not as a difference) so that rounding never makes it negative
        matrix[np.diag_indices(n_values)] = (weighted * (table - 1.0)).sum(axis=0)
        return domain, matrix
    unit, code, count = pairable_counts(units.astype(np.intp), codes, n_values)
    return domain, grouped_coincidences(unit, code, count, n_values)[0]


def _distances(values: np.ndarray, level: str, n_v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared distance metric delta^2 for each value pair: (V, V), or (B, V, V) for ordinal batches."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "ordinal":
        cum = np.concatenate([np.zeros(n_v.shape[:-1] + (1,)), np.cumsum(n_v, axis=-1)], axis=-1)
        idx = np.arange(n_v.shape[-1])
        lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
        between = cum[..., hi + 1] - cum[..., lo]
        return (between - (n_v[..., :, None] + n_v[..., None, :]) / 2.0) ** 2
    if values.dtype.kind not in "iufb":
        raise ValueError(f"level {level!r} needs numeric values, got dtype {values.dtype}")
    v = values.astype(np.float64)
    diff = np.subtract.outer(v, v)
    if level == "interval":
        return diff**2
    total = np.add.outer(v, v)
    ratio = np.zeros_like(diff)
    np.divide(diff, total, out=ratio, where=total != 0)
    return ratio**2


def alpha_batch(matrices: ArrayLike, values: ArrayLike, level: str = "nominal") -> NDArray[np.float64]:
    """Alpha for a stack of coincidence matrices (B, V, V) sharing one value domain; nan where undefined."""
    check_level(level)
    o = np.asarray(matrices, dtype=np.float64)
    domain = np.asarray(values)
    if o.ndim != 3 or o.shape[1] != o.shape[2] or o.shape[1] != len(domain):
        raise ValueError("coincidence matrices must be (B, V, V) with V = len(values)")
    n_v = o.sum(axis=2)
    n = n_v.sum(axis=1)
    d = _distances(domain, level, n_v)
    observed = (o * d).reshape(len(o), -1).sum(axis=1)
    expected_pairs = n_v[:, :, None] * n_v[:, None, :]
    expected_pairs[:, np.arange(len(domain)), np.arange(len(domain))] -= n_v
    expected = (expected_pairs * d).reshape(len(o), -1).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = 1.0 - (n - 1.0) * observed / expected
    return np.where((n >= 2) & (expected > 0), result, np.nan)


def alpha_from_coincidences(matrix: ArrayLike, values: ArrayLike, level: str = "nominal") -> float:
    """Krippendorff's alpha from a (possibly summed) coincidence matrix over `values`."""
    o = np.asarray(matrix, dtype=np.float64)
    if o.ndim != 2 or o.shape[0] != o.shape[1]:
        raise ValueError("coincidence matrix must be square")
    if np.any(o < 0) or not np.all(np.isfinite(o)):
        raise ValueError("coincidence matrix must be finite and non-negative")
    return float(alpha_batch(o[None], values, level)[0])


def krippendorff_alpha(data: ArrayLike, level: str = "nominal", *, values: ArrayLike | None = None) -> float:
    """Krippendorff's alpha of a coders x units table (np.nan / None = missing) at a level of measurement.

    `values` fixes the ordered value domain (needed for ordinal string labels).
    """
    check_level(level)
    arr = np.asarray(data)
    if level != "nominal" and values is None and arr.dtype.kind in "USO":
        raise ValueError(f"level {level!r} on non-numeric labels needs an ordered `values` domain")
    domain, matrix = coincidence_matrix(arr, values)
    if len(domain) < 2:
        return float("nan")
    return alpha_from_coincidences(matrix, domain, level)


def confusion_matrix(
    a: Sequence | ArrayLike, b: Sequence | ArrayLike, labels: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Confusion matrix of two label sequences (rows: a, columns: b): (labels, matrix).

    Pairs where either label is missing (None / nan) are dropped; `labels` fixes the order.
    """
    left, right = as_labels(a), as_labels(b)
    if left.ndim != 1 or right.ndim != 1 or len(left) != len(right):
        raise ValueError("a and b must be 1-D sequences of the same length")
    keep = ~(missing_mask(left) | missing_mask(right))
    domain, codes = encode(np.concatenate([left[keep], right[keep]]), labels)
    n_values, n_pairs = len(domain), int(keep.sum())
    flat = np.bincount(codes[:n_pairs] * n_values + codes[n_pairs:], minlength=n_values * n_values)
    return domain, flat.reshape(n_values, n_values).astype(np.float64)


def kappa_from_margins(
    n: ArrayLike, agree: ArrayLike, rows: ArrayLike, cols: ArrayLike
) -> NDArray[np.float64]:
    """Vectorised Cohen's kappa from totals, diagonal sums and row/column marginals (last axis)."""
    chance = (np.asarray(rows, np.float64) * np.asarray(cols, np.float64)).sum(axis=-1)
    return kappa_from_chance(n, agree, chance)


def kappa_from_chance(n: ArrayLike, agree: ArrayLike, chance: ArrayLike) -> NDArray[np.float64]:
    """Vectorised Cohen's kappa from totals n, diagonal sums and sum_c rows_c * cols_c (= n^2 p_e)."""
    n, agree, chance = (np.asarray(x, np.float64) for x in (n, agree, chance))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o, p_e = agree / n, chance / (n * n)
        kappa = (p_o - p_e) / (1.0 - p_e)
    return np.where((n > 0) & (p_e < 1.0 - 1e-15), kappa, np.nan)


def cohen_kappa_from_confusion(matrix: ArrayLike) -> float:
    """Cohen's kappa from a (possibly summed) square confusion matrix; nan when undefined."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError("confusion matrix must be square")
    if np.any(m < 0) or not np.all(np.isfinite(m)):
        raise ValueError("confusion matrix must be finite and non-negative")
    return float(kappa_from_margins(m.sum(), np.trace(m), m.sum(axis=1), m.sum(axis=0)))


def cohen_kappa(a: Sequence | ArrayLike, b: Sequence | ArrayLike) -> float:
    """Cohen's kappa of two coders' labels for the same units; pairs with a missing label are dropped."""
    return cohen_kappa_from_confusion(confusion_matrix(a, b)[1])


def fleiss_kappa_from_totals(
    category_totals: ArrayLike, agreeing_pairs: float, n_units: int, n_raters: int
) -> float:
    """Fleiss' kappa from additive sums: per-category totals, sum_i sum_j n_ij (n_ij - 1), unit count."""
    totals = np.asarray(category_totals, dtype=np.float64)
    if n_units <= 0 or n_raters < 2 or totals.sum() <= 0:
        return float("nan")
    p_j = totals / totals.sum()
    p_bar = agreeing_pairs / (n_units * n_raters * (n_raters - 1))
    p_e = float((p_j * p_j).sum())
    return float("nan") if p_e >= 1.0 - 1e-15 else float((p_bar - p_e) / (1.0 - p_e))


def fleiss_kappa(counts: ArrayLike) -> float:
    """Fleiss' kappa of a units x categories table of rater counts (every row the same number of raters)."""
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("counts must be a 2-D units x categories table")
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise ValueError("counts must be finite and non-negative")
    if table.shape[0] == 0:
        return float("nan")
    raters = table.sum(axis=1)
    if not np.allclose(raters, raters[0]):
        raise ValueError("every unit (row) must be rated by the same number of raters")
    agreeing = float((table * (table - 1.0)).sum())
    return fleiss_kappa_from_totals(table.sum(axis=0), agreeing, table.shape[0], int(round(raters[0])))
