"""Confidence interval of a pooled fill rate, Σ filled / Σ demanded, by a bootstrap over
series (series as clusters: a series' periods are not independent, so whole series are
resampled with replacement). Used by the backtest and by the selection per class.
"""

from __future__ import annotations

import numpy as np

from spareplan.demand._kernels import _resampled_ratios

__all__ = ["MAX_RESAMPLE_CELLS", "cluster_ci", "resample_counts"]

MAX_RESAMPLE_CELLS = 8_000_000
"""Largest resample-count matrix (n_boot × n_series) kept in memory (64 MB)."""


def resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray | None:
    """How often each series is drawn in each bootstrap resample, ``(n_boot, n)``; None
    when the matrix would exceed :data:`MAX_RESAMPLE_CELLS` (resample per call then)."""
    if n == 0 or n * n_boot > MAX_RESAMPLE_CELLS:
        return None
    counts = np.zeros((n_boot, n))
    idx = rng.integers(0, n, size=(n_boot, n))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n), idx.ravel()), 1.0)
    return counts


def cluster_ci(
    demand: np.ndarray, filled: np.ndarray, rng: np.random.Generator, n_boot: int,
    level: float = 0.95, counts: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap CI (``level``, two-sided) of Σ filled / Σ demand, resampling
    whole series.

    With ``counts`` (:func:`resample_counts`) every call uses the same resamples
    (common random numbers across methods); otherwise resamples are drawn from ``rng``
    in chunks of at most ~4 million series, so memory stays bounded.
    """
    n = demand.size
    if n == 0 or demand.sum() <= 0:
        return float("nan"), float("nan")
    if counts is not None:
        ratio = np.empty(counts.shape[0])
        _resampled_ratios(counts, np.ascontiguousarray(demand, dtype=np.float64),
                            np.ascontiguousarray(filled, dtype=np.float64), ratio)
    else:
        ratio = np.empty(n_boot)
        chunk = max(1, min(n_boot, 4_000_000 // n))
        for start in range(0, n_boot, chunk):
            size = min(chunk, n_boot - start)
            idx = rng.integers(0, n, size=(size, n))
            d = demand[idx].sum(axis=1)
            f = filled[idx].sum(axis=1)
            ratio[start:start + size] = np.divide(f, d, out=np.full(size, np.nan),
                                                  where=d > 0)
    tail = 50.0 * (1.0 - level)
    low, high = np.nanpercentile(ratio, [tail, 100.0 - tail])
    return float(low), float(high)
