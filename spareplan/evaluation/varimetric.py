"""VARI-METRIC: two-moment (negative binomial) evaluation of multi-echelon pipelines.

Slay (1984), Sherbrooke (1986, *Operations Research* 34(2)) and Graves (1985,
*Management Science* 31(10)): the units outstanding at a base are approximated by a
negative binomial with the exact first two moments instead of METRIC's Poisson. For a
base i supplied by a depot with backorders B_0 (demand share f_i = lambda_i / lambda_0) and
transit T_i, with compound demand of variance-to-mean ratio v_i:

    E[N_i]   = lambda_i T_i + f_i E[B_0]
    Var[N_i] = v_i lambda_i T_i + f_i (1 - f_i) E[B_0] + f_i^2 Var[B_0]

(Sherbrooke 2004, *Optimal Inventory Modeling of Systems*, §5.2, eqs. 5.3–5.4). When the
variance does not exceed the mean the Poisson is used.

Negative binomial with mean m and variance V > m: ``N ~ NB(r, p)`` with ``p = m / V`` and
``r = m^2 / (V - m)``; EBO(S) = m - S + sum_{x<S} (S - x) P(N = x).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from spareplan.errors import ParameterError
from spareplan.evaluation.two_echelon_exact import (
    TwoEchelonResult,
    _moments,
    depot_backorder_distribution,
)

__all__ = ["negative_binomial_backorders", "negative_binomial_fill_rate",
           "varimetric_two_echelon"]


def _pmf_below(stock: int, mean: float, variance: float) -> np.ndarray:
    values = np.arange(max(stock, 0))
    if mean <= 0.0:
        return (values == 0).astype(float)
    if variance <= mean * (1.0 + 1e-12):
        return stats.poisson.pmf(values, mean)
    p = mean / variance
    r = mean * mean / (variance - mean)
    return stats.nbinom.pmf(values, r, p)


def negative_binomial_backorders(stock: int, mean: float, variance: float) -> float:
    """E[(N - S)^+] for N negative binomial with the given mean and variance.

    Falls back to the Poisson when ``variance <= mean``.

    Examples
    --------
    >>> round(negative_binomial_backorders(0, 2.0, 4.0), 6)
    2.0
    """
    if mean < 0 or variance < 0:
        raise ParameterError("mean/variance", "must be >= 0", (mean, variance))
    pmf = _pmf_below(stock, mean, variance)
    values = np.arange(pmf.size)
    return max(mean - stock + float((stock - values) @ pmf), 0.0)


def negative_binomial_fill_rate(stock: int, mean: float, variance: float) -> float:
    """P(N <= S - 1) for N negative binomial with the given mean and variance."""
    return float(_pmf_below(stock, mean, variance).sum())


def varimetric_two_echelon(depot_stock: int, base_stock: np.ndarray,
                           base_rate_per_day: np.ndarray, depot_resupply_days: float,
                           base_transit_days: np.ndarray,
                           variance_to_mean: np.ndarray | None = None) -> TwoEchelonResult:
    """VARI-METRIC base backorders and fill rates of a depot + bases system.

    Parameters
    ----------
    depot_stock, base_stock, base_rate_per_day, depot_resupply_days, base_transit_days
        As in :func:`spareplan.evaluation.two_echelon_exact.two_echelon_exact`.
    variance_to_mean : numpy.ndarray, optional
        v_i of the base demand (1 = Poisson, the default). The depot's backorder moments are
        computed with a Poisson depot pipeline (exact for v = 1).

    Returns
    -------
    TwoEchelonResult
        ``method = "varimetric"``. For Poisson demand and deterministic transit the two
        moments are exact, only the shape is approximated.
    """
    base_stock = np.asarray(base_stock, dtype=np.int64)
    rate = np.asarray(base_rate_per_day, dtype=float)
    transit = np.asarray(base_transit_days, dtype=float)
    vtm = np.ones_like(rate) if variance_to_mean is None else np.asarray(variance_to_mean,
                                                                         dtype=float)
    if np.any(vtm < 1.0):
        raise ParameterError("variance_to_mean", "must be >= 1", vtm.tolist())
    total = rate.sum()
    if total <= 0:
        raise ParameterError("base_rate_per_day", "must have one rate > 0", rate.tolist())
    depot_pmf = depot_backorder_distribution(int(depot_stock), total * depot_resupply_days)
    depot_mean, depot_variance = _moments(depot_pmf)
    share = rate / total
    means = rate * transit + share * depot_mean
    variances = (vtm * rate * transit + share * (1.0 - share) * depot_mean
                 + share ** 2 * depot_variance)
    backorders = np.array([negative_binomial_backorders(int(s), m, v)
                           for s, m, v in zip(base_stock, means, variances, strict=True)])
    fills = np.array([negative_binomial_fill_rate(int(s), m, v)
                      for s, m, v in zip(base_stock, means, variances, strict=True)])
    return TwoEchelonResult("varimetric", depot_mean, depot_variance, means, variances,
                            backorders, fills)
