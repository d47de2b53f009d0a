"""Intermittent-demand models: from a demand history to a rate and a dispersion per series.

Public functions (a long pandas table in, a table or a small result object out):

* :func:`forecast_intermittent` — rate per period and per year, variance-to-mean ratio,
  method and class of every (part, site) series;
* :func:`rates_from_history` — the per part × site ``rate_per_year`` and
  ``variance_to_mean`` that the simulation and the optimizer take, with an optional
  parameter-uncertainty upper quantile for short histories;
* :func:`bootstrap_lead_time_demand` — the whole distribution of lead-time demand by
  the Willemain, Smart & Schwarz (2004) bootstrap.

Models
------
croston
    Croston, J. D. (1972). Forecasting and stock control for intermittent demands.
    *Operational Research Quarterly* 23(3), 289–303: z/p with z, p exponentially
    smoothed demand sizes and inter-demand intervals.
sba
    Syntetos, A. A. & Boylan, J. E. (2005). The accuracy of intermittent demand
    estimates. *International Journal of Forecasting* 21(2), 303–314: (1 − α/2) z/p.
tsb
    Teunter, R. H., Syntetos, A. A. & Babai, M. Z. (2011). Intermittent demand: linking
    forecasting to inventory obsolescence. *EJOR* 214(3), 606–615: π z with the
    occurrence probability π updated every period.
poisson
    Mean demand per period and variance-to-mean ratio by the method of moments
    (negative binomial when VMR > 1).
bootstrap
    Willemain, T. R., Smart, C. N. & Schwarz, H. F. (2004). A new approach to forecasting
    intermittent demand for service parts inventories. *International Journal of
    Forecasting* 20(3), 375–387: Markov-chain occurrence and jittered sizes.

For croston, sba and tsb, which give a point rate only, the dispersion handed to the
stocking models is the variance-to-mean ratio of the history (method of moments,
floored at 1), the same as for poisson.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from spareplan.demand import _kernels as k
from spareplan.demand.classify import classify_packed
from spareplan.demand.history import PackedSeries, as_packed
from spareplan.errors import ParameterError

__all__ = [
    "METHODS",
    "LeadTimeDemand",
    "bootstrap_lead_time_demand",
    "forecast_intermittent",
    "rates_from_history",
]

METHODS: tuple[str, ...] = ("croston", "sba", "tsb", "poisson", "bootstrap")
JEFFREYS_SHAPE = 0.5
"""Shape of the weak Gamma(0.5, 0) (Jeffreys) prior of a Poisson rate."""


# ---------------------------------------------------------------- validation


def _check_method(method: object) -> str:
    if not isinstance(method, str) or method.strip().lower() not in METHODS:
        raise ParameterError("method", f"must be one of {', '.join(METHODS)}", method)
    return method.strip().lower()


def _check_unit_interval(name: str, value: object, *, closed: bool = True) -> float:
    ok = isinstance(value, int | float | np.floating) and not isinstance(value, bool)
    number = float(value) if ok else float("nan")  # type: ignore[arg-type]
    if not (ok and np.isfinite(number) and 0.0 < number and (number <= 1.0 if closed
                                                               else number < 1.0)):
        rule = "must be in (0, 1]" if closed else "must be in (0, 1)"
        raise ParameterError(name, rule, value)
    return number


def _check_positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(name, f"must be an integer >= {minimum}", value)
    return int(value)


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "must be an integer >= 0 or a numpy Generator", seed)
    return np.random.default_rng(int(seed))


# ---------------------------------------------------------------- private layer


@dataclass(frozen=True)
class _Fit:
    """One-step-ahead rates of one method: ``fitted`` aligned with ``values``."""

    fitted_rate: np.ndarray
    fitted_vmr: np.ndarray
    rate: np.ndarray
    vmr: np.ndarray


def _fit_point(packed: PackedSeries, method: str, alpha: float, beta: float) -> _Fit:
    """Run a point model (croston, sba, tsb, poisson) over every series at once."""
    values = np.ascontiguousarray(packed.values, dtype=np.float64)
    indptr = np.ascontiguousarray(packed.indptr, dtype=np.int64)
    n = packed.n_series
    fitted_mean = np.empty_like(values)
    fitted_vmr = np.empty_like(values)
    mean = np.empty(n)
    vmr = np.empty(n)
    k._moments(values, indptr, fitted_mean, fitted_vmr, mean, vmr)
    if method == "poisson":
        return _Fit(fitted_mean, fitted_vmr, mean, vmr)
    fitted = np.empty_like(values)
    rate = np.empty(n)
    if method == "croston":
        k._croston(values, indptr, alpha, 1.0, fitted, rate)
    elif method == "sba":
        k._croston(values, indptr, alpha, 1.0 - alpha / 2.0, fitted, rate)
    elif method == "tsb":
        k._tsb(values, indptr, alpha, beta, fitted, rate)
    else:  # pragma: no cover - guarded by _check_method
        raise ParameterError("method", f"must be one of {', '.join(METHODS[:4])}", method)
    return _Fit(fitted, fitted_vmr, rate, vmr)


def _bootstrap_draws(
    packed: PackedSeries,
    task_series: np.ndarray,
    task_length: np.ndarray,
    horizon: int,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Willemain draws of the demand over ``horizon`` periods (and its first horizon − 1)."""
    total = np.empty((task_series.size, n_draws))
    head = np.empty((task_series.size, n_draws))
    k._willemain_bootstrap(
        np.ascontiguousarray(packed.values, dtype=np.float64),
        np.ascontiguousarray(packed.indptr, dtype=np.int64),
        np.ascontiguousarray(task_series, dtype=np.int64),
        np.ascontiguousarray(task_length, dtype=np.int64),
        horizon,
        rng,
        total,
        head,
    )
    return total, head


def _uncertainty_margin(
    total_demand: np.ndarray, n_periods: np.ndarray, vmr: np.ndarray, quantile: float
) -> np.ndarray:
    """Upper-quantile margin of a per-period rate for parameter uncertainty.

    Gamma posterior of a Poisson rate with the Jeffreys prior Gamma(1/2, 0):
    λ | y ~ Gamma(1/2 + Σy, n). For over-dispersed demand the information is deflated by
    the VMR φ (quasi-Poisson): shape (1/2 + Σy)/φ, rate n/φ. The margin is the posterior
    ``quantile`` minus the posterior mean, floored at 0 (a low quantile of a skewed
    posterior never lowers the estimate); it shrinks like 1/√n.
    """
    n = np.maximum(np.asarray(n_periods, dtype=np.float64), 1.0)
    phi = np.maximum(vmr, 1.0)
    shape = (JEFFREYS_SHAPE + total_demand) / phi
    scale = phi / n
    margin = stats.gamma.ppf(quantile, shape, scale=scale) - shape * scale
    return np.maximum(np.asarray(margin, dtype=np.float64), 0.0)


def _rates(
    packed: PackedSeries,
    method: str,
    alpha: float,
    beta: float,
    seed: int | np.random.Generator,
    n_draws: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """Final rate per period and VMR of every series for one method."""
    if method == "bootstrap":
        rng = _rng(seed)
        series = np.arange(packed.n_series, dtype=np.int64)
        lengths = np.diff(packed.indptr).astype(np.int64)
        total, _ = _bootstrap_draws(packed, series, lengths, 1, n_draws, rng)
        rate = total.mean(axis=1)
        var = total.var(axis=1, ddof=1) if n_draws > 1 else np.zeros_like(rate)
        with np.errstate(invalid="ignore", divide="ignore"):
            vmr = np.where(rate > 0, np.maximum(var / np.where(rate > 0, rate, 1.0), 1.0), 1.0)
        return rate, vmr
    fit = _fit_point(packed, method, alpha, beta)
    return fit.rate, fit.vmr


# ---------------------------------------------------------------- public layer


def forecast_intermittent(
    history: pd.DataFrame | PackedSeries,
    method: str = "sba",
    alpha: float = 0.1,
    beta: float = 0.1,
    *,
    period: str = "month",
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Forecast the demand rate and dispersion of every (part, site) series.

    Parameters
    ----------
    history : pandas.DataFrame or PackedSeries
        Demand history (``period``, ``part``, optional ``site``, ``quantity``) or the
        output of :func:`spareplan.demand.history.prepare_history`.
    method : {"croston", "sba", "tsb", "poisson", "bootstrap"}
        The model (see the module docstring for the papers).
    alpha : float
        α in (0, 1]: smoothing constant of demand sizes and intervals (Croston, SBA) or of
        sizes (TSB). SBA's bias correction is the factor 1 − α/2.
    beta : float
        β in (0, 1]: smoothing constant of TSB's demand probability π.
    period : {"month", "week", "day"}
        Period of ``history`` when it is a table.
    seed : int or numpy.random.Generator
        Random stream of the bootstrap (ignored by the other methods).

    Returns
    -------
    pandas.DataFrame
        ``part``, ``site``, ``rate_per_period``, ``rate_per_year``, ``variance_to_mean``,
        ``method``, ``class`` (see :func:`spareplan.demand.classify.classify_series`).

    Notes
    -----
    Croston: at a demand y_t after interval q_t, z ← z + α(y_t − z), p ← p + α(q_t − p);
    rate = z/p. SBA: rate = (1 − α/2) z/p. TSB: every period π ← π + β(d_t − π), at a
    demand z ← z + α(y_t − z); rate = π z. Poisson: rate = mean per period. Bootstrap:
    mean of 2,000 Willemain draws of the next period's demand. ``variance_to_mean`` is
    max(1, s²/ȳ) of the history for every method but bootstrap (VMR of its draws).

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03", "2024-04"],
    ...                   "part": "P", "quantity": [0, 2, 0, 4]})
    >>> float(forecast_intermittent(h, method="croston", alpha=0.5)["rate_per_period"][0])
    1.5
    """
    method = _check_method(method)
    alpha = _check_unit_interval("alpha", alpha)
    beta = _check_unit_interval("beta", beta)
    packed = as_packed(history, period)
    rate, vmr = _rates(packed, method, alpha, beta, seed)
    frame = packed.keys_frame()
    frame["rate_per_period"] = rate
    frame["rate_per_year"] = rate * packed.periods_per_year
    frame["variance_to_mean"] = vmr
    frame["method"] = method
    frame["class"] = classify_packed(packed)["class"].to_numpy()
    return frame


def rates_from_history(
    frame: pd.DataFrame | PackedSeries,
    period: str = "month",
    method: str = "sba",
    parameter_uncertainty: float | None = None,
    *,
    alpha: float = 0.1,
    beta: float = 0.1,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Demand rate per year and variance-to-mean ratio per part × site, from a history.

    This is the hand-over from the demand layer to the simulation and the optimizer: a
    Poisson (VMR = 1) or negative binomial (VMR > 1) demand per part and site, not a
    point forecast only.

    Parameters
    ----------
    frame : pandas.DataFrame or PackedSeries
        Demand history (``period``, ``part``, optional ``site``, ``quantity``).
    period : {"month", "week", "day"}
        ``[demand] history_period`` of the scenario.
    method : {"croston", "sba", "tsb", "poisson", "bootstrap"}
        Rate model (see :func:`forecast_intermittent`).
    parameter_uncertainty : float in (0, 1) or None
        If given, stock against an upper quantile q of the rate instead of its estimate:
        rate + (Gamma posterior q-quantile − posterior mean), with the posterior
        Gamma((1/2 + Σy)/φ, n/φ) of a Poisson rate under the Jeffreys prior, deflated by
        the VMR φ. The margin is large for short or sparse histories and vanishes like
        1/√n for long ones. ``rate_per_year_estimate`` keeps the unprotected rate.
    alpha, beta, seed
        As in :func:`forecast_intermittent`.

    Returns
    -------
    pandas.DataFrame
        ``part``, ``site``, ``rate_per_year``, ``variance_to_mean`` (>= 1), plus
        ``rate_per_year_estimate`` when ``parameter_uncertainty`` is set. ``site`` is
        ``""`` when the history has no site column.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"period": ["2024-01", "2024-02"], "part": "P", "quantity": [1, 3]})
    >>> rates_from_history(h, method="poisson")[["rate_per_year", "variance_to_mean"]]
       rate_per_year  variance_to_mean
    0           24.0               1.0
    """
    method = _check_method(method)
    alpha = _check_unit_interval("alpha", alpha)
    beta = _check_unit_interval("beta", beta)
    packed = as_packed(frame, period)
    rate, vmr = _rates(packed, method, alpha, beta, seed)
    out = packed.keys_frame()
    if parameter_uncertainty is not None:
        q = _check_unit_interval("parameter_uncertainty", parameter_uncertainty, closed=False)
        totals = np.add.reduceat(packed.values, packed.indptr[:-1]) if packed.n_series and \
            packed.values.size else np.zeros(packed.n_series)
        margin = _uncertainty_margin(totals, np.diff(packed.indptr), vmr, q)
        out["rate_per_year"] = (rate + margin) * packed.periods_per_year
        out["variance_to_mean"] = vmr
        out["rate_per_year_estimate"] = rate * packed.periods_per_year
        return out
    out["rate_per_year"] = rate * packed.periods_per_year
    out["variance_to_mean"] = vmr
    return out


@dataclass(frozen=True)
class LeadTimeDemand:
    """Bootstrap distribution of the demand over ``horizon`` periods, per series.

    Attributes
    ----------
    parts, sites : numpy.ndarray
        Series keys.
    horizon : int
        Number of periods summed (lead time + review period).
    draws : numpy.ndarray
        ``(n_series, n_draws)`` simulated lead-time demands (read-only).
    seed : int or None
        The seed used, when an int was given.
    """

    parts: np.ndarray
    sites: np.ndarray
    horizon: int
    draws: np.ndarray
    seed: int | None = None

    def quantile(self, q: float) -> np.ndarray:
        """The q-quantile of lead-time demand per series (inverted CDF, whole draws)."""
        q = _check_unit_interval("q", q)
        return np.quantile(self.draws, q, axis=1, method="inverted_cdf")

    def pmf(self, max_units: int | None = None) -> np.ndarray:
        """P(D = k) for k = 0..K per series, ``(n_series, K + 1)``; each row sums to 1.

        Draws are rounded up to whole units. K defaults to the largest draw; with a
        smaller ``max_units`` the last column holds P(D >= K).
        """
        units = np.ceil(self.draws).astype(np.int64)
        top = int(units.max()) if units.size else 0
        k_max = top if max_units is None else _check_positive_int("max_units", max_units, 0)
        clipped = np.minimum(units, k_max)
        out = np.zeros((units.shape[0], k_max + 1))
        rows = np.repeat(np.arange(units.shape[0]), units.shape[1])
        np.add.at(out, (rows, clipped.ravel()), 1.0)
        return out / max(units.shape[1], 1)

    def to_frame(self) -> pd.DataFrame:
        """``part``, ``site``, ``horizon``, ``mean``, ``variance``, ``q50``, ``q90``, ``q95``."""
        frame = pd.DataFrame({"part": self.parts.copy(), "site": self.sites.copy()})
        frame["horizon"] = self.horizon
        frame["mean"] = self.draws.mean(axis=1)
        frame["variance"] = self.draws.var(axis=1, ddof=1) if self.draws.shape[1] > 1 else 0.0
        for q in (0.5, 0.9, 0.95):
            frame[f"q{round(q * 100)}"] = self.quantile(q)
        return frame


def bootstrap_lead_time_demand(
    history: pd.DataFrame | PackedSeries,
    horizon: int,
    n_draws: int = 1000,
    seed: int | np.random.Generator = 0,
    *,
    period: str = "month",
) -> LeadTimeDemand:
    """Distribution of the demand over the next ``horizon`` periods by bootstrap.

    Willemain, Smart & Schwarz (2004): (1) estimate the zero / non-zero transition
    probabilities of a two-state Markov chain from the history; (2) simulate the
    occurrence of demand over the horizon, starting from the last period's state;
    (3) give each period with demand a size resampled from the history's non-zero sizes
    and jittered, X* = 1 + INT(X + Z√X), Z ~ N(0, 1) (X* = X if X* <= 0); (4) sum.

    Parameters
    ----------
    history : pandas.DataFrame or PackedSeries
        Demand history.
    horizon : int
        Periods of lead time + review period (>= 1).
    n_draws : int
        Number of bootstrap replicates per series.
    seed : int or numpy.random.Generator
        Random stream; the same seed gives the same draws.
    period : {"month", "week", "day"}
        Period of ``history`` when it is a table.

    Returns
    -------
    LeadTimeDemand
        Draws per series with ``quantile``, ``pmf`` and ``to_frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "part": "P",
    ...                   "quantity": [0, 2, 1]})
    >>> ltd = bootstrap_lead_time_demand(h, horizon=2, n_draws=500, seed=1)
    >>> float(ltd.pmf().sum())
    1.0
    """
    horizon = _check_positive_int("horizon", horizon)
    n_draws = _check_positive_int("n_draws", n_draws)
    rng = _rng(seed)
    packed = as_packed(history, period)
    series = np.arange(packed.n_series, dtype=np.int64)
    lengths = np.diff(packed.indptr).astype(np.int64)
    total, _ = _bootstrap_draws(packed, series, lengths, horizon, n_draws, rng)
    total.flags.writeable = False
    return LeadTimeDemand(
        parts=packed.parts.copy(),
        sites=packed.sites.copy(),
        horizon=horizon,
        draws=total,
        seed=int(seed) if isinstance(seed, int | np.integer) else None,
    )
