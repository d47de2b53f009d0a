"""Two-echelon depot + bases under Poisson demand: METRIC, VARI-METRIC and the exact result.

The system (Sherbrooke 1968; Graves 1985; Axsäter 1990): a depot with base stock S_0 and
i.i.d. resupply times of mean T_0 feeds bases i = 1..n with base stock S_i by FCFS
one-for-one orders; the transit depot → base i is deterministic, T_i days; demand at base
i is Poisson with rate lambda_i, so the depot sees lambda_0 = sum lambda_i.

- Depot: by Palm's theorem its pipeline X_0 ~ Poisson(lambda_0 T_0); its backorders
  B_0 = (X_0 - S_0)^+.
- Exact (Graves 1985, §3; Axsäter 1990): the units outstanding at base i at time t are the
  base-i orders among the depot backorders at t - T_i — a binomial thinning of B_0 with
  f_i = lambda_i / lambda_0 — plus the base-i demand in (t - T_i, t], Poisson(lambda_i
  T_i), independent of it. Its distribution is the convolution of the two.
- METRIC (Sherbrooke 1968) replaces it by a Poisson with the same mean
  lambda_i T_i + f_i E[B_0], i.e. a variance equal to the mean, whereas the true variance
  is lambda_i T_i + f_i (1 - f_i) E[B_0] + f_i^2 Var[B_0] >= the mean (Var[B_0] >= E[B_0]
  here); it therefore underestimates the base backorders when the depot is short of stock.
- VARI-METRIC (Slay 1984; Sherbrooke 1986; Graves 1985) keeps the exact mean and
  variance lambda_i T_i + f_i(1 - f_i) E[B_0] + f_i^2 Var[B_0] and fits a negative
  binomial (see :mod:`spareplan.evaluation.varimetric`).

Assumptions: Poisson demand, FCFS at the depot, deterministic depot → base transit (the
exact result); i.i.d. depot resupply of any distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from spareplan.errors import ParameterError

__all__ = ["TwoEchelonResult", "depot_backorder_distribution", "metric_two_echelon",
           "two_echelon_exact"]

_TAIL = 1e-13


@dataclass(frozen=True)
class TwoEchelonResult:
    """Steady-state figures of a depot + bases system.

    Attributes
    ----------
    method : str
        ``"exact"``, ``"metric"`` or ``"varimetric"``.
    depot_backorders : float
        E[B_0].
    depot_backorder_variance : float
        Var[B_0].
    base_pipeline_mean, base_pipeline_variance : numpy.ndarray
        Mean and variance of the units outstanding at each base (as modelled).
    base_backorders : numpy.ndarray
        Expected backorders at each base, E[(N_i - S_i)^+].
    base_fill_rate : numpy.ndarray
        P(N_i <= S_i - 1): fraction of base demand filled from stock on arrival.
    """

    method: str
    depot_backorders: float
    depot_backorder_variance: float
    base_pipeline_mean: np.ndarray
    base_pipeline_variance: np.ndarray
    base_backorders: np.ndarray
    base_fill_rate: np.ndarray


def _validate(depot_stock: int, base_stock: np.ndarray, base_rate_per_day: np.ndarray,
              depot_resupply_days: float, base_transit_days: np.ndarray) -> None:
    if depot_stock < 0 or int(depot_stock) != depot_stock:
        raise ParameterError("depot_stock", "must be an integer >= 0", depot_stock)
    if np.any(base_stock < 0):
        raise ParameterError("base_stock", "must be >= 0", base_stock.tolist())
    if np.any(base_rate_per_day < 0) or not np.any(base_rate_per_day > 0):
        raise ParameterError("base_rate_per_day", "must be >= 0 with one > 0",
                             base_rate_per_day.tolist())
    if not depot_resupply_days >= 0:
        raise ParameterError("depot_resupply_days", "must be >= 0", depot_resupply_days)
    if np.any(base_transit_days < 0) or base_transit_days.shape != base_rate_per_day.shape:
        raise ParameterError("base_transit_days", "must be >= 0, one per base",
                             base_transit_days.tolist())


def depot_backorder_distribution(depot_stock: int, depot_pipeline_mean: float) -> np.ndarray:
    """pmf of B_0 = (X_0 - S_0)^+, X_0 ~ Poisson(depot_pipeline_mean), up to a 1e-13 tail."""
    top = int(stats.poisson.isf(_TAIL, depot_pipeline_mean)) + 1 if depot_pipeline_mean > 0 else 0
    top = max(top, depot_stock)
    pipeline = stats.poisson.pmf(np.arange(top + 1), depot_pipeline_mean)
    backorders = np.zeros(max(top - depot_stock, 0) + 1)
    backorders[0] = pipeline[:depot_stock + 1].sum()
    backorders[1:] = pipeline[depot_stock + 1:]
    return backorders


def _moments(pmf: np.ndarray) -> tuple[float, float]:
    values = np.arange(pmf.size)
    mean = float(values @ pmf)
    return mean, float(((values - mean) ** 2) @ pmf)


def _backorders_and_fill(pmf: np.ndarray, stock: int) -> tuple[float, float]:
    values = np.arange(pmf.size)
    return (float(np.maximum(values - stock, 0) @ pmf),
            float(pmf[:stock].sum()) if stock > 0 else 0.0)


def two_echelon_exact(depot_stock: int, base_stock: np.ndarray, base_rate_per_day: np.ndarray,
                      depot_resupply_days: float, base_transit_days: np.ndarray
                      ) -> TwoEchelonResult:
    """Exact base backorders and fill rates of a depot + bases system (Graves 1985).

    Parameters
    ----------
    depot_stock : int
        S_0.
    base_stock : numpy.ndarray
        S_i per base.
    base_rate_per_day : numpy.ndarray
        lambda_i per base (Poisson, units per day).
    depot_resupply_days : float
        Mean depot resupply time T_0 (any distribution).
    base_transit_days : numpy.ndarray
        Deterministic transit T_i depot → base i.

    Returns
    -------
    TwoEchelonResult

    Examples
    --------
    >>> r = two_echelon_exact(2, np.array([1, 1]), np.array([0.05, 0.05]), 50.0,
    ...                       np.array([5.0, 5.0]))
    >>> bool(r.base_backorders[0] > 0)
    True
    """
    base_stock = np.asarray(base_stock, dtype=np.int64)
    rate = np.asarray(base_rate_per_day, dtype=float)
    transit = np.asarray(base_transit_days, dtype=float)
    _validate(depot_stock, base_stock, rate, depot_resupply_days, transit)
    total = rate.sum()
    depot_pmf = depot_backorder_distribution(int(depot_stock), total * depot_resupply_days)
    depot_mean, depot_variance = _moments(depot_pmf)
    support = np.arange(depot_pmf.size)
    means, variances, backorders, fills = [], [], [], []
    for i in range(rate.size):
        share = rate[i] / total
        # binomial thinning of B_0: P(Y = y) = sum_b P(B_0 = b) C(b, y) f^y (1 - f)^(b - y)
        thinned = stats.binom.pmf(support[None, :], support[:, None], share).T @ depot_pmf
        local_mean = rate[i] * transit[i]
        top = int(stats.poisson.isf(_TAIL, local_mean)) + 1 if local_mean > 0 else 0
        local = stats.poisson.pmf(np.arange(top + 1), local_mean)
        pmf = np.convolve(thinned, local)
        mean, variance = _moments(pmf)
        ebo, fill = _backorders_and_fill(pmf, int(base_stock[i]))
        means.append(mean)
        variances.append(variance)
        backorders.append(ebo)
        fills.append(fill)
    return TwoEchelonResult("exact", depot_mean, depot_variance, np.array(means),
                            np.array(variances), np.array(backorders), np.array(fills))


def metric_two_echelon(depot_stock: int, base_stock: np.ndarray, base_rate_per_day: np.ndarray,
                       depot_resupply_days: float, base_transit_days: np.ndarray
                       ) -> TwoEchelonResult:
    """METRIC (Sherbrooke 1968): base pipeline Poisson with mean lambda_i (T_i + E[B_0]/lambda_0).

    Same parameters as :func:`two_echelon_exact`. The base pipeline's variance is taken
    equal to its mean, which understates it when the depot is short of stock, so the base
    backorders are underestimated.
    """
    base_stock = np.asarray(base_stock, dtype=np.int64)
    rate = np.asarray(base_rate_per_day, dtype=float)
    transit = np.asarray(base_transit_days, dtype=float)
    _validate(depot_stock, base_stock, rate, depot_resupply_days, transit)
    total = rate.sum()
    depot_pmf = depot_backorder_distribution(int(depot_stock), total * depot_resupply_days)
    depot_mean, depot_variance = _moments(depot_pmf)
    means = rate * (transit + depot_mean / total)
    backorders = np.empty(rate.size)
    fills = np.empty(rate.size)
    for i in range(rate.size):
        s = int(base_stock[i])
        values = np.arange(s)
        pmf = stats.poisson.pmf(values, means[i])
        backorders[i] = means[i] - s + float((s - values) @ pmf)
        fills[i] = float(pmf.sum())
    return TwoEchelonResult("metric", depot_mean, depot_variance, means, means.copy(),
                            np.maximum(backorders, 0.0), fills)
