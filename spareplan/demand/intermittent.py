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
from spareplan.demand.similar import MAX_PRIOR_WEIGHT_YEARS, gamma_prior_by_group
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


def _blend_with_prior(
    rate: np.ndarray,
    vmr: np.ndarray,
    years: float,
    prior_rate: np.ndarray,
    prior_weight_years: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gamma-Poisson credibility blend of history rates with a prior rate (per year).

    Prior λ ~ Gamma(a₀ = λ₀w, b₀ = w): mean λ₀, worth w years of Poisson exposure. The
    history contributes the evidence of its estimate r over T years, deflated by the VMR
    φ (quasi-Poisson): a = λ₀w + rT/φ, b = w + T/φ. Returns the posterior shape a, rate b
    (per year) and the history's credibility weight Z = (T/φ) / (w + T/φ); the posterior
    mean a/b = Z r + (1 − Z) λ₀. With ``method="poisson"`` rT = Σy and this is the exact
    conjugate update (Bühlmann credibility); for Croston, SBA and TSB it weighs their
    estimate as if it were a mean over the whole history.
    """
    exposure = years / np.maximum(vmr, 1.0)
    shape = prior_rate * prior_weight_years + rate * exposure
    rate_b = prior_weight_years + exposure
    weight = exposure / rate_b
    return shape, rate_b, weight


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
    prior: pd.DataFrame | None = None,
    prior_weight_years: float = 2.0,
    similar_parts: bool = False,
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
        With a ``prior`` the quantile is taken of the blended posterior instead.
    prior : pandas.DataFrame, optional
        ``part``, ``site``, ``rate_per_year``: a prior rate λ₀ per pair, e.g. the
        installed-base rates (:func:`spareplan.demand.rates.installed_base_rates`). The
        output then covers every history series and every prior pair (a prior pair
        absent from the history had no demand over the whole calendar: an all-zero
        series), and the rate is the Gamma-Poisson posterior mean
        (λ₀w + rT/φ) / (w + T/φ) with r the history estimate over T years and φ its VMR
        (see ``docs/demand.md``). Pairs without a prior keep r. Needs a ``site`` column.
    prior_weight_years : float
        w >= 0: the prior's weight in equivalent years of (Poisson) history. 0 ignores
        the prior's rates (but still adds its pairs as all-zero series).
    similar_parts : bool
        Series without a ``prior`` row get the prior of the series like them: the
        empirical-Bayes Gamma prior of the history series of the same ADI/CV² class at
        the same site (a series without demand, or a group of fewer than 5, borrows from
        the whole site), blended the same way with its measured weight k = M / τ² in
        years (see :mod:`spareplan.demand.similar`). With ``parameter_uncertainty`` the
        quantile is taken of that blended posterior.
    alpha, beta, seed
        As in :func:`forecast_intermittent`.

    Returns
    -------
    pandas.DataFrame
        ``part``, ``site``, ``rate_per_year``, ``variance_to_mean`` (>= 1), plus
        ``rate_per_year_estimate`` when ``parameter_uncertainty`` is set, plus
        ``rate_per_year_history``, ``rate_per_year_prior`` (NaN without a prior),
        ``history_weight`` Z and ``prior_source`` (``installed_base``,
        ``similar_parts`` or ``""``) when a ``prior`` is given or ``similar_parts`` is
        set. ``site`` is ``""`` when the history has no site column.

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
    q = None if parameter_uncertainty is None else _check_unit_interval(
        "parameter_uncertainty", parameter_uncertainty, closed=False)
    packed = as_packed(frame, period)
    rate, vmr = _rates(packed, method, alpha, beta, seed)
    if prior is not None or similar_parts:
        empty = pd.DataFrame({"part": pd.Series(dtype=object), "site": pd.Series(dtype=object),
                              "rate_per_year": pd.Series(dtype=float)})
        return _rates_with_prior(packed, rate, vmr, empty if prior is None else prior,
                                 prior_weight_years, q, similar_parts)
    out = packed.keys_frame()
    if q is not None:
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


def _rates_with_prior(
    packed: PackedSeries,
    rate: np.ndarray,
    vmr: np.ndarray,
    prior: pd.DataFrame,
    prior_weight_years: float,
    quantile: float | None,
    similar_parts: bool = False,
) -> pd.DataFrame:
    """The prior branch of :func:`rates_from_history` (vectorized over the pairs)."""
    weight_ok = isinstance(prior_weight_years, int | float) and not isinstance(
        prior_weight_years, bool) and np.isfinite(prior_weight_years) and prior_weight_years >= 0
    if not weight_ok:
        raise ParameterError("prior_weight_years", "must be a finite number >= 0",
                             prior_weight_years)
    missing = {"part", "site", "rate_per_year"} - set(prior.columns)
    if missing:
        raise ParameterError("prior", f"must have the columns part, site, rate_per_year "
                             f"(missing {', '.join(sorted(missing))})", list(prior.columns))
    if not packed.has_site and len(prior):
        raise ParameterError("prior", "needs a history with a site column (per part × site "
                             "rates)", "history without site")
    prior_rates = prior[["part", "site", "rate_per_year"]].astype(
        {"part": str, "site": str}).groupby(["part", "site"], as_index=False)[
        "rate_per_year"].sum().rename(columns={"rate_per_year": "rate_per_year_prior"})
    if (prior_rates["rate_per_year_prior"] < 0).any() or \
            not np.isfinite(prior_rates["rate_per_year_prior"]).all():
        raise ParameterError("prior", "rate_per_year must be finite and >= 0",
                             prior_rates["rate_per_year_prior"].min())
    years = packed.n_periods / packed.periods_per_year
    history = packed.keys_frame()
    history["rate_per_year_history"] = rate * packed.periods_per_year
    history["variance_to_mean"] = vmr
    history["total"] = np.add.reduceat(packed.values, packed.indptr[:-1]) \
        if packed.n_series and packed.values.size else np.zeros(packed.n_series)
    history["class"] = classify_packed(packed)["class"].to_numpy()
    out = history.merge(prior_rates, on=["part", "site"], how="outer", sort=True)
    absent = out["rate_per_year_history"].isna().to_numpy()
    out.loc[absent, ["rate_per_year_history", "total"]] = 0.0
    out.loc[absent, "variance_to_mean"] = 1.0
    r = out["rate_per_year_history"].to_numpy(dtype=np.float64)
    phi = np.maximum(out["variance_to_mean"].to_numpy(dtype=np.float64), 1.0)
    lam0 = out["rate_per_year_prior"].to_numpy(dtype=np.float64)
    has_prior = ~np.isnan(lam0) & (prior_weight_years > 0)
    w = np.full(len(out), float(prior_weight_years))
    out["prior_source"] = np.where(has_prior, "installed_base", "")
    if similar_parts:
        mean, k = _similar_prior(out, packed, years)
        similar = ~has_prior & out["rate_per_year_prior"].isna().to_numpy() & np.isfinite(mean)
        lam0 = np.where(similar, mean, lam0)
        w = np.where(similar, k, w)
        has_prior = has_prior | similar
        out.loc[similar, "prior_source"] = "similar_parts"
        out["rate_per_year_prior"] = np.where(similar, mean, out["rate_per_year_prior"])
    shape, rate_b, weight = _blend_with_prior(r, phi, years, np.nan_to_num(lam0), w)
    weight = np.where(has_prior, weight, 1.0)
    blended = np.where(has_prior, shape / rate_b, r)
    out["variance_to_mean"] = phi
    out["rate_per_year"] = blended
    out["history_weight"] = weight
    if quantile is not None:
        # with a prior: quantile of Gamma(a, b) per year; without: the Jeffreys margin
        n_periods = np.full(len(out), float(packed.n_periods))
        jeffreys = _uncertainty_margin(out["total"].to_numpy(dtype=np.float64), n_periods,
                                       phi, quantile) * packed.periods_per_year
        safe_shape = np.where(has_prior & (shape > 0), shape, 1.0)
        posterior = stats.gamma.ppf(quantile, safe_shape, scale=1.0 / rate_b) - \
            safe_shape / rate_b
        margin = np.where(has_prior, np.where(shape > 0, np.maximum(posterior, 0.0), 0.0),
                          jeffreys)
        out["rate_per_year_estimate"] = blended
        out["rate_per_year"] = blended + margin
    columns = ["part", "site", "rate_per_year", "variance_to_mean"]
    if quantile is not None:
        columns.append("rate_per_year_estimate")
    columns += ["rate_per_year_history", "rate_per_year_prior", "history_weight",
                "prior_source"]
    return out[columns].reset_index(drop=True)


def _similar_prior(out: pd.DataFrame, packed: PackedSeries, years: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes prior (per year) and weight (years) of every row of ``out`` from the
    history series of its class and site (rows not in the history get NaN)."""
    in_history = out["class"].notna().to_numpy()
    mean = np.full(len(out), np.nan)
    weight = np.full(len(out), np.nan)
    if not in_history.any() or years <= 0:
        return mean, weight
    rows = out[in_history]
    sites = rows["site"].astype(str)
    site_codes = pd.factorize(sites, sort=True)[0]
    group_codes = pd.factorize(sites + "\x1f" + rows["class"].astype(str), sort=True)[0]
    m, k = gamma_prior_by_group(rows["total"].to_numpy(dtype=np.float64),
                                np.full(len(rows), years),
                                rows["variance_to_mean"].to_numpy(dtype=np.float64),
                                group_codes, site_codes, max_weight=MAX_PRIOR_WEIGHT_YEARS)
    mean[in_history] = m
    weight[in_history] = k
    return mean, weight


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
