"""One simulation run, every stock level: the service curve of one location (backordering).

Under complete backordering with one-for-one (S-1, S) replenishment from a supplier that
never runs out (a central warehouse resupplied by procurement or repair, or a location
whose parent always has stock), the number of units in resupply X(t) does not depend on
the base stock S: the demand path and the resupply times are the same for every S. So
one pass over one path gives, for every S = 0..S_max at once (Sherbrooke 2004, §2.3, the
reasoning behind Palm's theorem; here with the actual path, so with any demand process):

- fill rate FR(S): fraction of demand units that find X < S on arrival;
- expected backorders EBO(S) = E[(X - S)^+] and average on hand S - E[X] + EBO(S);
- the wait of unit n: ``max(0, a_(n-S) - t_n)`` with ``a_(k)`` the k-th resupply
  arrival (FCFS), hence the fill rate within a window and the mean wait.

The curves are exactly monotone in S (common random numbers) and come with standard
errors across independent replications. This does not hold when a stock-out changes what
happens next (lost sales, emergency or lateral shipments) or when the supplier can run
out (then the resupply time depends on its stock): use :func:`simulate_network` there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from spareplan.codes import DAYS_PER_YEAR, HOURS_PER_DAY
from spareplan.errors import ParameterError
from spareplan.simulation import _kernels as k

__all__ = ["StockCurve", "stock_curve"]


@dataclass(frozen=True)
class StockCurve:
    """Service of one location at every base stock 0..S_max, with standard errors.

    Attributes
    ----------
    stock : numpy.ndarray
        S = 0..S_max.
    fill_rate, expected_backorders, average_on_hand, fill_rate_within, mean_wait_hours
        Means over replications, ``(S_max + 1,)``; ``fill_rate_within`` is ``nan`` without
        a window.
    standard_errors : dict[str, numpy.ndarray]
        The standard error of each of them across replications.
    replications : int
        Number of independent replications.
    """

    stock: np.ndarray
    fill_rate: np.ndarray
    expected_backorders: np.ndarray
    average_on_hand: np.ndarray
    fill_rate_within: np.ndarray
    mean_wait_hours: np.ndarray
    standard_errors: dict[str, np.ndarray]
    replications: int

    def to_frame(self) -> pd.DataFrame:
        """One row per stock level: every figure and its ``*_se``."""
        frame = pd.DataFrame({"stock": self.stock})
        for name in ("fill_rate", "expected_backorders", "average_on_hand",
                     "fill_rate_within", "mean_wait_hours"):
            frame[name] = getattr(self, name)
            frame[f"{name}_se"] = self.standard_errors[name]
        return frame


def _check(name: str, ok: bool, rule: str, value: object) -> None:
    if not ok:
        raise ParameterError(name, rule, value)


def stock_curve(rate_per_year: float, lead_time_days: float, *, max_stock: int,
                lead_time_cv: float = 0.0, variance_to_mean: float = 1.0,
                window_hours: float | None = None, replications: int = 20,
                years: float = 5.0, warmup_years: float = 1.0, seed: int = 0) -> StockCurve:
    """Fill rate, backorders, on hand and waits of one location for every S in one pass.

    Parameters
    ----------
    rate_per_year : float
        Mean demand lambda (units per year), > 0.
    lead_time_days : float
        Mean resupply time T (days), >= 0: deterministic, or gamma with coefficient of
        variation ``lead_time_cv`` (independent per unit, so orders may cross).
    max_stock : int
        S_max >= 0: the curve covers S = 0..S_max.
    lead_time_cv : float
        Coefficient of variation of the resupply time (0: deterministic).
    variance_to_mean : float
        >= 1: demand in geometric batches with this variance-to-mean ratio of the count
        (as :func:`simulate_network`); 1 = Poisson.
    window_hours : float, optional
        SLA window for ``fill_rate_within`` (fraction of units filled within it).
    replications, years, warmup_years, seed
        Independent replications (>= 2) of ``warmup_years + years``; ``seed`` drives
        every draw (:class:`numpy.random.SeedSequence`, one child per replication).

    Returns
    -------
    StockCurve

    Examples
    --------
    >>> curve = stock_curve(73.0, 10.0, max_stock=4, replications=4, years=2.0)
    >>> bool(np.all(np.diff(curve.fill_rate) >= 0))
    True
    """
    _check("rate_per_year", bool(np.isfinite(rate_per_year)) and rate_per_year > 0,
           "must be finite and > 0", rate_per_year)
    _check("lead_time_days", bool(np.isfinite(lead_time_days)) and lead_time_days >= 0,
           "must be finite and >= 0", lead_time_days)
    _check("max_stock", isinstance(max_stock, int | np.integer) and max_stock >= 0,
           "must be an integer >= 0", max_stock)
    _check("lead_time_cv", bool(np.isfinite(lead_time_cv)) and lead_time_cv >= 0,
           "must be finite and >= 0", lead_time_cv)
    _check("variance_to_mean", bool(np.isfinite(variance_to_mean)) and variance_to_mean >= 1,
           "must be finite and >= 1", variance_to_mean)
    _check("replications", isinstance(replications, int | np.integer) and replications >= 2,
           "must be an integer >= 2 (standard errors need two replications)", replications)
    _check("years", bool(np.isfinite(years)) and years > 0, "must be > 0", years)
    _check("warmup_years", bool(np.isfinite(warmup_years)) and warmup_years >= 0,
           "must be >= 0", warmup_years)
    window = np.nan if window_hours is None else float(window_hours)
    _check("window_hours", bool(np.isnan(window) or window >= 0), "must be >= 0",
           window_hours)

    q = (variance_to_mean - 1.0) / (variance_to_mean + 1.0)
    batch_rate_per_day = rate_per_year / DAYS_PER_YEAR * (1.0 - q)
    warmup = warmup_years * DAYS_PER_YEAR
    end = warmup + years * DAYS_PER_YEAR
    size = max_stock + 1
    figures = {name: np.empty((replications, size)) for name in (
        "fill_rate", "expected_backorders", "average_on_hand", "fill_rate_within",
        "mean_wait_hours")}
    stock = np.arange(size)
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rng = np.random.default_rng(child)
        # a Poisson process of batches on [0, end): a Poisson count, uniform order statistics
        batch_times = np.sort(rng.uniform(0.0, end, rng.poisson(batch_rate_per_day * end)))
        sizes = (rng.geometric(1.0 - q, batch_times.size) if q > 0
                 else np.ones(batch_times.size, dtype=np.int64))
        unit_times = np.repeat(batch_times, sizes)
        if lead_time_cv > 0 and lead_time_days > 0:
            shape = 1.0 / lead_time_cv ** 2
            lead = rng.gamma(shape, lead_time_days / shape, unit_times.size)
        else:
            lead = np.full(unit_times.size, float(lead_time_days))
        arrivals = np.sort(unit_times + lead)
        fill, within, wait, level_days = (np.zeros(size) for _ in range(4))
        measured, pipeline_days = k.stock_curve_replication(
            unit_times, arrivals, warmup, end, window, fill, within, wait, level_days)
        horizon = end - warmup
        mean_level = pipeline_days / horizon
        probability = level_days / horizon
        # EBO(S) = E[X] - S + sum_{x<S} (S - x) P(X = x)
        below = np.array([np.sum((s - np.arange(s)) * probability[:s]) for s in stock])
        backorders = np.maximum(mean_level - stock + below, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            figures["fill_rate"][r] = fill / measured
            figures["fill_rate_within"][r] = (within / measured if np.isfinite(window)
                                              else np.nan)
            figures["mean_wait_hours"][r] = HOURS_PER_DAY * wait / measured
        figures["expected_backorders"][r] = backorders
        figures["average_on_hand"][r] = stock - mean_level + backorders
    means = {name: values.mean(axis=0) for name, values in figures.items()}
    errors = {name: values.std(axis=0, ddof=1) / np.sqrt(replications)
              for name, values in figures.items()}
    return StockCurve(stock=stock, standard_errors=errors, replications=replications,
                      **means)
