"""Percentile bootstrap intervals: a generic one, and the fast one that reweights stored statistics.

The fast path never goes back to raw labels: replicate r's statistic is W[r] @ S, where S stacks the
additive statistics of the resampled items (documents, units) and W[r] counts how often each item was
drawn, so a whole chunk of replicates is a single matrix product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from annotator.agreement.maths.coefficients import alpha_batch, check_level

_CHUNK_CELLS = 1 << 22  # replicates x items per weight chunk (32 MB of float64)


# A percentile interval needs replicates that can differ: at least this many resampling units (documents).
MIN_RESAMPLING_UNITS = 2


def degenerate_interval_reason(interval: tuple[float, float] | None, n_items: int) -> str | None:
    """Why an interval says nothing, as text to show instead of it; None when it is usable.

    Resampling fewer than MIN_RESAMPLING_UNITS documents can only repeat the estimate. With more, an
    interval of zero width is a finding (every document agrees alike, e.g. perfectly), not a failure.
    """
    if n_items < MIN_RESAMPLING_UNITS:
        return f"needs \u2265 {MIN_RESAMPLING_UNITS} documents"
    return None


def _check(n: int, confidence: float) -> None:
    if int(n) != n or n < 1:
        raise ValueError("the number of bootstrap replicates must be a positive integer")
    if not 0.0 < confidence < 1.0:
        raise ValueError("the confidence level must lie strictly between 0 and 1")


def resample_weights(n_items: int, n: int, seed: int) -> Iterator[NDArray[np.float64]]:
    """Chunks of a (n, n_items) matrix of multinomial draw counts: row r = how often each item is in
    bootstrap sample r. The same seed gives the same matrix, whatever the chunking."""
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n, _CHUNK_CELLS // max(n_items, 1)))
    done = 0
    while done < n:
        k = min(chunk, n - done)
        draws = rng.integers(0, n_items, size=(k, n_items))
        flat = (np.arange(k)[:, None] * n_items + draws).ravel()
        yield np.bincount(flat, minlength=k * n_items).reshape(k, n_items).astype(np.float64)
        done += k


def percentile_interval(replicates: ArrayLike, confidence: float = 0.95) -> tuple[float, float]:
    """(low, high) percentile interval of the finite replicates; (nan, nan) when there are none."""
    values = np.asarray(replicates, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_ci(
    statistic: Callable[[Any], float],
    data: ArrayLike | Sequence,
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    *,
    axis: int | None = None,
) -> tuple[float, float]:
    """Percentile interval of `statistic` over `n` resamples of units, drawn with replacement.

    Units are the columns of a 2-D array (coders x units, as krippendorff_alpha takes), else the items
    of a list / the rows of a 1-D array; `axis` overrides this for arrays. Replicates where the
    statistic is nan are dropped; if all are nan the result is (nan, nan).
    """
    _check(n, level)
    is_array = isinstance(data, np.ndarray)
    if is_array:
        arr = np.asarray(data)
        axis = (1 if arr.ndim == 2 else 0) if axis is None else axis
        if not -arr.ndim <= axis < arr.ndim:
            raise ValueError(f"axis {axis} is out of range for a {arr.ndim}-D array")
        n_units = arr.shape[axis]
    else:
        items = list(data)
        n_units = len(items)
    if n_units == 0:
        raise ValueError("cannot bootstrap an empty sample")
    draws = np.random.default_rng(seed).integers(0, n_units, size=(n, n_units))
    replicates = np.empty(n)
    for r, idx in enumerate(draws):
        sample = np.take(arr, idx, axis=axis) if is_array else [items[i] for i in idx]
        replicates[r] = statistic(sample)
    return percentile_interval(replicates, level)


@dataclass(frozen=True)
class Reweighted:
    """An estimator of summed per-item statistics: value = estimator(rows.sum(0)); a bootstrap replicate
    with draw counts w is estimator(w @ rows). `rows` is (n_items, k), dense or scipy.sparse; the
    estimator maps a (B, k) stack of sums to B values. With `quadratic` (a sparse (n_items, n_items)
    matrix Q) the sums get one more column, w Q w', for terms like sum_c (sum_i w_i x_ic)^2 = w X X' w'
    over many columns c that are cheaper as a sparse Q = X X' than as B x c replicate sums."""

    rows: Any
    estimator: Callable[[NDArray[np.float64]], NDArray[np.float64]]
    quadratic: Any = None

    def sums(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        sums = (self.rows.T @ weights.T).T if sparse.issparse(self.rows) else weights @ self.rows
        sums = np.asarray(sums, dtype=np.float64)
        if self.quadratic is None:
            return sums
        form = (np.asarray((self.quadratic @ weights.T).T) * weights).sum(axis=1)
        return np.c_[sums, form]

    def replicate(
        self, weights: NDArray[np.float64], sums: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        sums = self.sums(weights) if sums is None else sums
        return np.asarray(self.estimator(sums), dtype=np.float64)

    def value(self) -> float:
        return float(self.replicate(np.ones((1, self.rows.shape[0])))[0])


def reweighted_intervals(
    statistics: Mapping[str, Reweighted], n_items: int, n: int = 1000, seed: int = 0, confidence: float = 0.95
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of many statistics of the same items from one shared set of resamples."""
    _check(n, confidence)
    if n_items == 0:
        return {name: (float("nan"), float("nan")) for name in statistics}
    replicates: dict[str, list] = {name: [] for name in statistics}
    for weights in resample_weights(n_items, n, seed):
        shared: dict[
            tuple[int, int], NDArray[np.float64]
        ] = {}  # statistics built on the same rows share one product
        for name, statistic in statistics.items():
            key = (id(statistic.rows), id(statistic.quadratic))
            if key not in shared:
                shared[key] = statistic.sums(weights)
            replicates[name].append(statistic.replicate(weights, shared[key]))
    return {name: percentile_interval(np.concatenate(runs), confidence) for name, runs in replicates.items()}


def bootstrap_alpha_ci(
    coincidences: ArrayLike,
    values: ArrayLike,
    level: str = "nominal",
    *,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of Krippendorff's alpha resampling items (units or documents) whose coincidence
    matrices are stacked in `coincidences` (n_items, V, V): each replicate is a weighted sum of them."""
    check_level(level)
    _check(n, confidence)
    stack = np.asarray(coincidences, dtype=np.float64)
    if stack.ndim != 3 or stack.shape[1] != stack.shape[2] or stack.shape[1] != len(np.asarray(values)):
        raise ValueError("coincidences must be (n_items, V, V) with V = len(values)")
    if len(stack) == 0:
        raise ValueError("cannot bootstrap an empty sample")
    n_values = stack.shape[1]
    statistic = Reweighted(
        stack.reshape(len(stack), -1),
        lambda sums: alpha_batch(sums.reshape(-1, n_values, n_values), values, level),
    )
    return reweighted_intervals({"alpha": statistic}, len(stack), n, seed, confidence)["alpha"]
