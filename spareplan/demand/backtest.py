"""Rolling-origin backtest of the demand models: accuracy and the service a stock achieves.

For every evaluated period t (the last ``origins`` periods of the history) each method
forecasts from the periods before t only. Two sets of figures follow:

* accuracy of the one-step forecast: MASE (Hyndman & Koehler 2006, scaled by the
  in-sample mean absolute one-step naive error of the training part) and bias;
* inventory: each period an order-up-to level S_t is set for ``target_fill_rate`` from
  the method's distribution of demand over lead time + review period, the actual demand
  is replayed against it (lead time L periods, complete backordering) and the fill rate
  actually achieved (units filled from stock / units demanded) and the stock held are
  measured, with a 95 % confidence interval by a bootstrap over series.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from spareplan.demand import _kernels as k
from spareplan.demand.classify import classify_packed
from spareplan.demand.history import MAX_HISTORY_CELLS, PackedSeries, as_packed
from spareplan.demand.intermittent import (
    METHODS,
    _bootstrap_draws,
    _check_method,
    _check_positive_int,
    _check_unit_interval,
    _fit_point,
    _rng,
    _uncertainty_margin,
)
from spareplan.demand.similar import MAX_PRIOR_WEIGHT_YEARS, gamma_prior_by_group
from spareplan.errors import InputError, ParameterError

__all__ = ["BacktestResult", "backtest", "recommend"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "method",
    "base_method",
    "alpha",
    "beta",
    "quantile",
    "prior",
    "n_series",
    "mase",
    "bias",
    "target_fill_rate",
    "fill_rate",
    "fill_rate_low",
    "fill_rate_high",
    "average_stock",
    "extra_stock_vs_estimate",
)
CLASS_COLUMNS: tuple[str, ...] = (
    "method", "class", "n_series", "demand", "filled", "fill_rate", "average_stock",
    "stock",
)
PRIORS: tuple[str, ...] = ("none", "similar")
DEFAULT_SMOOTHING = 0.1
"""α and β whose runs keep the plain method name (``tsb``); others carry them."""
RULES: tuple[str, ...] = ("point", "ci_low")
MAX_LEVEL_UNITS = 10_000_000
"""Largest base-stock search the replay allows (units): beyond it the per-period demand
is not that of a spare part and the search would allocate gigabytes."""


def recommend(summary: pd.DataFrame, rule: str = "point") -> str:
    """The method of ``summary`` with the least stock among those that reach the target.

    Parameters
    ----------
    summary : pandas.DataFrame
        Rows with ``method``, ``target_fill_rate``, ``fill_rate``, ``fill_rate_low`` and
        ``average_stock`` (:attr:`BacktestResult.summary`).
    rule : {"point", "ci_low"}
        What "reach" means: ``point`` — the achieved fill rate (point estimate) is at
        least the target; ``ci_low`` — the lower end of its 95 % CI is.

    Returns
    -------
    str
        The cheapest method that reaches the target (ties: the higher fill rate); if none
        does, the one with the highest fill rate (point estimate).
    """
    if rule not in RULES:
        raise ParameterError("rule", f"must be one of {', '.join(RULES)}", rule)
    column = "fill_rate" if rule == "point" else "fill_rate_low"
    valid = summary[summary["fill_rate"].notna()]
    if valid.empty:
        raise InputError("backtest: no method has demand in the evaluated periods")
    reach = valid[valid[column] >= valid["target_fill_rate"]]
    if len(reach):
        ranked = reach.sort_values(["average_stock", "fill_rate"], ascending=[True, False],
                                   kind="stable")
        return str(ranked["method"].iloc[0])
    return str(valid.loc[valid["fill_rate"].idxmax(), "method"])


@dataclass(frozen=True)
class BacktestResult:
    """Figures of a rolling-origin backtest, per method and per series.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per method (run): ``method`` (its name, e.g. ``tsb(a0.3,b0.2)+prior+q0.8``;
        smoothing constants appear when not 0.1), ``base_method`` (``tsb``), ``alpha``,
        ``beta`` (NaN where the method has none), ``quantile`` (q of the
        parameter-uncertainty margin or NaN), ``prior`` (``none`` or ``similar``),
        ``n_series``, ``mase`` (mean over series with a non-zero scale), ``bias`` (mean
        forecast − actual per series and period; > 0 is over-forecasting),
        ``target_fill_rate``, ``fill_rate`` (achieved, pooled over series: Σ filled /
        Σ demanded), ``fill_rate_low`` / ``fill_rate_high`` (95 % bootstrap CI over
        series), ``average_stock`` (mean units on hand per series at the end of a
        period), ``extra_stock_vs_estimate``
        (for a ``+q`` or ``+prior`` row: its average stock over that of the same method
        and smoothing without them, − 1).
    per_series : pandas.DataFrame
        One row per method and series: ``method``, ``part``, ``site``, ``class``,
        ``mae``, ``mase_scale``, ``mean_error``, ``demand``, ``filled``,
        ``average_stock``. ``class`` is the ADI/CV² class of the series from the periods
        before the first evaluated one.
    target_fill_rate, lead_time_periods, origins, seed
        The settings of the run.
    """

    summary: pd.DataFrame
    per_series: pd.DataFrame
    target_fill_rate: float
    lead_time_periods: int
    origins: int
    seed: int | None = None
    period: str = "month"
    evaluated_periods: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The per-method summary (a copy)."""
        return self.summary.copy()

    def by_class(self) -> pd.DataFrame:
        """Per method and ADI/CV² class: ``n_series``, ``demand``, ``filled``,
        ``fill_rate`` (Σ filled / Σ demand, NaN without demand), ``average_stock`` (per
        series) and ``stock`` (summed over the class's series)."""
        grouped = self.per_series.groupby(["method", "class"], sort=False)
        table = grouped[["demand", "filled", "average_stock"]].sum().rename(
            columns={"average_stock": "stock"})
        table["n_series"] = grouped.size()
        table["fill_rate"] = np.where(table["demand"] > 0, table["filled"]
                                      / table["demand"].where(table["demand"] > 0), np.nan)
        table["average_stock"] = table["stock"] / table["n_series"]
        return table.reset_index()[list(CLASS_COLUMNS)]

    def recommended(self, rule: str = "point") -> str:
        """The single method with the least stock that reaches the target (see
        :func:`recommend`; ``rule`` ``point`` or ``ci_low``). For a choice per class,
        see :func:`spareplan.demand.selection.select_by_class`."""
        return recommend(self.summary, rule)


MAX_RESAMPLE_CELLS = 8_000_000
"""Largest resample-count matrix (n_boot × n_series) kept in memory (64 MB)."""


def _resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray | None:
    """How often each series is drawn in each bootstrap resample, ``(n_boot, n)``; None
    when the matrix would exceed :data:`MAX_RESAMPLE_CELLS` (resample per call then)."""
    if n == 0 or n * n_boot > MAX_RESAMPLE_CELLS:
        return None
    counts = np.zeros((n_boot, n))
    idx = rng.integers(0, n, size=(n_boot, n))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n), idx.ravel()), 1.0)
    return counts


def _cluster_ci(
    demand: np.ndarray, filled: np.ndarray, rng: np.random.Generator, n_boot: int,
    level: float = 0.95, counts: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap CI (``level``, two-sided) of Σ filled / Σ demand, resampling
    whole series.

    With ``counts`` (:func:`_resample_counts`) every call uses the same resamples
    (common random numbers across methods); otherwise resamples are drawn from ``rng``
    in chunks of at most ~4 million series, so memory stays bounded.
    """
    n = demand.size
    if n == 0 or demand.sum() <= 0:
        return float("nan"), float("nan")
    if counts is not None:
        ratio = np.empty(counts.shape[0])
        k._resampled_ratios(counts, np.ascontiguousarray(demand, dtype=np.float64),
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


def _external_fitted(
    packed: PackedSeries, name: str, frame: pd.DataFrame, first: int
) -> np.ndarray:
    """Align an external one-step forecast table (part, site, period, forecast)."""
    needed = {"part", "period", "forecast"}
    if not needed <= set(frame.columns):
        raise InputError(
            f"external forecasts {name!r}: need columns part, period, forecast "
            f"(and site when the history has sites); received {list(frame.columns)!r}"
        )
    labels = {label: j for j, label in enumerate(packed.period_labels)}
    keys = {(p, s): i for i, (p, s) in enumerate(zip(packed.parts, packed.sites, strict=True))}
    site = frame["site"].astype(str) if "site" in frame.columns else pd.Series(
        "", index=frame.index)
    fitted = np.full(packed.values.size, np.nan)
    for part, s, per, value in zip(frame["part"].astype(str), site, frame["period"].astype(str),
                                   frame["forecast"].to_numpy(dtype=float), strict=True):
        i = keys.get((part, s))
        j = labels.get(per)
        if i is not None and j is not None:
            fitted[packed.indptr[i] + j] = value
    lengths = np.diff(packed.indptr)
    for i in range(packed.n_series):
        window = fitted[packed.indptr[i] + first : packed.indptr[i] + lengths[i]]
        if np.isnan(window).any():
            raise InputError(
                f"external forecasts {name!r}: no forecast for part {packed.parts[i]!r}, "
                f"site {packed.sites[i]!r} in an evaluated period"
            )
    return np.maximum(np.nan_to_num(fitted, nan=0.0), 0.0)


def _quantiles(value: float | Sequence[float] | None) -> tuple[float, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, int | float | np.floating) else list(value)  # type: ignore[arg-type]
    checked = [_check_unit_interval("parameter_uncertainty", q, closed=False) for q in values]
    if len(set(checked)) != len(checked):
        raise ParameterError("parameter_uncertainty", "must not repeat a quantile", value)
    return tuple(checked)


def _priors(value: str | Sequence[str]) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else list(value)
    for prior in values:
        if prior not in PRIORS:
            raise ParameterError("priors", f"must be among {', '.join(PRIORS)}", value)
    if not values or len(set(values)) != len(values):
        raise ParameterError("priors", "must name each prior once, at least one", value)
    return tuple(values)


def _smoothing(name: str, value: float | Sequence[float]) -> tuple[float, ...]:
    values = [value] if isinstance(value, int | float | np.floating) else list(value)  # type: ignore[arg-type]
    checked = [_check_unit_interval(name, v) for v in values]
    if not checked or len(set(checked)) != len(checked):
        raise ParameterError(name, "must give each value once, at least one", value)
    return tuple(checked)


def _grid(method: str, alphas: tuple[float, ...], betas: tuple[float, ...]
          ) -> list[tuple[str, float, float]]:
    """(name, α, β) of every smoothing of ``method`` (α for croston/sba, α × β for tsb)."""
    default = DEFAULT_SMOOTHING
    if method == "tsb":
        return [(method if (a, b) == (default, default) else f"{method}(a{a:g},b{b:g})", a, b)
                for a in alphas for b in betas]
    if method in ("croston", "sba"):
        return [(method if a == default else f"{method}(a{a:g})", a, np.nan) for a in alphas]
    return [(method, np.nan, np.nan)]


@dataclass(frozen=True)
class _Run:
    """One configuration to replay: a rate per series and period (None: bootstrap)."""

    name: str
    base_method: str
    alpha: float
    beta: float
    quantile: float | None
    prior: str
    fitted_rate: np.ndarray | None
    fitted_vmr: np.ndarray
    plain: str  # the run without prior and margin, for extra_stock_vs_estimate


def _similar_prior(
    running_total: np.ndarray, fitted_vmr: np.ndarray, group: np.ndarray,
    fallback: np.ndarray, first: int, max_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """Prior mean M and weight k per series and period t >= ``first`` (periods before t)."""
    n_series, n_periods = running_total.shape
    mean = np.full((n_series, n_periods), np.nan)
    weight = np.full((n_series, n_periods), np.nan)
    for t in range(max(first, 1), n_periods):
        mean[:, t], weight[:, t] = gamma_prior_by_group(
            running_total[:, t], np.full(n_series, float(t)), fitted_vmr[:, t], group,
            fallback, max_weight=max_weight)
    return mean, weight


def _with_prior(rate: np.ndarray, vmr: np.ndarray, n_before: np.ndarray,
                prior: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """A method's one-step rate blended with the similar-parts prior (a copy):
    (k M + w r) / (k + w), w = n / φ (see :mod:`spareplan.demand.similar`)."""
    if prior is None:
        return rate.copy()
    mean, weight = prior
    has = np.isfinite(mean)
    w = n_before / np.maximum(vmr, 1.0)
    k = np.where(has, weight, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(has & (k + w > 0), (k * np.where(has, mean, 0.0) + w * rate)
                        / (k + w), rate)


def _margin(vmr: np.ndarray, running_total: np.ndarray, n_before: np.ndarray,
            prior: tuple[np.ndarray, np.ndarray] | None, quantile: float,
            active: np.ndarray) -> np.ndarray:
    """The parameter-uncertainty margin per series and period (0 where not ``active``).

    q-quantile − mean of the rate's Gamma posterior, floored at 0: with the prior
    Gamma(k M + y/φ, k + n/φ), else the Jeffreys Gamma((1/2 + y)/φ, n/φ). It depends on
    the history and the prior only, not on the method, so it is computed once per q.
    """
    out = np.zeros_like(running_total)
    y, n, phi = running_total[active], n_before[active], vmr[active]
    jeffreys = _uncertainty_margin(y, n, phi, quantile)
    if prior is None:
        out[active] = jeffreys
        return out
    mean, weight = prior[0][active], prior[1][active]
    phi = np.maximum(phi, 1.0)
    has = np.isfinite(mean)
    shape = np.where(has, weight * np.where(has, mean, 0.0), 0.0) + y / phi
    scale_inv = np.where(has, weight, 0.0) + n / phi
    usable = has & (shape > 0) & (scale_inv > 0)
    safe_shape = np.where(usable, shape, 1.0)
    safe_scale = 1.0 / np.where(usable, scale_inv, 1.0)
    posterior = stats.gamma.ppf(quantile, safe_shape, scale=safe_scale) - safe_shape * safe_scale
    out[active] = np.where(usable, np.maximum(posterior, 0.0), jeffreys)
    return out


def _check_level_sizes(packed: PackedSeries, rate: np.ndarray, vmr: np.ndarray,
                       lead: int, first: int, name: str) -> None:
    """Refuse a replay whose base-stock search would allocate more than
    :data:`MAX_LEVEL_UNITS` (the kernel's bound: mean + 15 sd + 20 over L + 1 periods)."""
    n_periods = packed.n_periods
    dense_rate = rate.reshape(packed.n_series, n_periods)[:, first:]
    dense_vmr = vmr.reshape(packed.n_series, n_periods)[:, first:]
    mean = dense_rate * (lead + 1)
    cap = mean + 15.0 * np.sqrt(np.maximum(dense_vmr, 1.0) * mean) + 20.0
    if cap.size == 0 or float(cap.max()) <= MAX_LEVEL_UNITS:
        return
    i, t = np.unravel_index(int(np.argmax(cap)), cap.shape)
    raise InputError(
        f"{packed.source}: column quantity: the demand per period must be small enough for "
        f"a base-stock search of at most {MAX_LEVEL_UNITS:,} units (a spare part's); "
        f"method {name}, part {packed.parts[i]!r}, site {packed.sites[i]!r}, period "
        f"{packed.period_labels[first + t]!r}: rate {float(dense_rate[i, t]):.4g} per "
        f"period with variance-to-mean {float(dense_vmr[i, t]):.4g} (received a history "
        f"whose largest quantity is {float(packed.values.max()):.4g})"
    )


def backtest(
    history_frame: pd.DataFrame | PackedSeries,
    methods: Sequence[str] = METHODS,
    target_fill_rate: float = 0.95,
    lead_time_periods: int = 1,
    origins: int = 12,
    seed: int = 0,
    *,
    period: str = "month",
    alpha: float | Sequence[float] = DEFAULT_SMOOTHING,
    beta: float | Sequence[float] = DEFAULT_SMOOTHING,
    n_draws: int = 500,
    parameter_uncertainty: float | Sequence[float] | None = None,
    priors: str | Sequence[str] = ("none",),
    external_forecasts: Mapping[str, pd.DataFrame] | None = None,
    n_boot: int = 1000,
) -> BacktestResult:
    """Rolling-origin backtest: MASE, bias, achieved fill rate and stock per method.

    Parameters
    ----------
    history_frame : pandas.DataFrame or PackedSeries
        Demand history (see :func:`spareplan.demand.history.prepare_history`).
    methods : sequence of str
        Any of ``croston``, ``sba``, ``tsb``, ``poisson``, ``bootstrap``.
    target_fill_rate : float
        β*, the fill rate the base-stock levels are set for, in (0, 1).
    lead_time_periods : int
        L >= 0: an order placed at the start of period t arrives at the start of t + L.
    origins : int
        Number of rolling origins: the last ``origins`` periods are forecast one step
        ahead and stocked for, each from the periods before it. At least
        ``lead_time_periods + 2`` periods must remain before them.
    seed : int
        Seed of the bootstrap draws and of the confidence intervals.
    period : {"month", "week", "day"}
        Period of the history when a table is given.
    alpha, beta : float in (0, 1] or a sequence of them
        Smoothing constants (see :func:`spareplan.demand.intermittent.forecast_intermittent`):
        croston and sba run once per α, tsb once per (α, β); runs whose constants are
        not 0.1 carry them in their name (``tsb(a0.3,b0.2)``).
    n_draws : int
        Bootstrap replicates per series and origin (method ``bootstrap``).
    parameter_uncertainty : float in (0, 1), sequence of them, or None
        For each q, every parametric method is run again as ``"<method>+q<q>"`` with the
        rate raised by the q-quantile margin of its posterior (see
        :func:`spareplan.demand.intermittent.rates_from_history`); the summary reports
        its extra stock against the plain estimate.
    priors : "none", "similar" or a sequence of them
        ``similar``: every parametric run (and its ``+q`` twins) is also run as
        ``"<method>+prior"`` with the rate blended with the empirical-Bayes prior of the
        series like it (same ADI/CV² class and site; a series without demand borrows
        from its site), see :mod:`spareplan.demand.similar`. The prior at period t uses
        every series' periods before t only.
    external_forecasts : mapping of str to pandas.DataFrame, optional
        Extra one-step forecasts to evaluate the same way (e.g. statsforecast's), each a
        table ``part``, ``site``, ``period``, ``forecast`` covering every evaluated
        period; dispersion is the history's VMR, as for croston.
    n_boot : int
        Bootstrap resamples of the confidence interval.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ParameterError
        A setting breaks its rule (named with the value received).
    InputError
        The history is empty, or its demand per period is too large for the base-stock
        search (:data:`MAX_LEVEL_UNITS`).

    Notes
    -----
    The base-stock level is the smallest S with
    β(S) = 1 − (E[(D_{L+1} − S)⁺] − E[(D_L − S)⁺]) / E[D_1] >= β*,
    the fill rate of an order-up-to policy with a one-period review and backordering,
    D_n being the demand over n periods: Poisson / negative binomial with the forecast
    rate and the history's variance-to-mean ratio, or the bootstrap's own draws. The
    replay starts L periods before the first evaluated period with S on hand, so that
    the pipeline is filled when measuring starts. The CI treats series as clusters:
    whole series are resampled with replacement and Σ filled / Σ demanded recomputed.
    The ADI/CV² class of each series (for ``by_class`` and the prior's groups) is taken
    from the periods before the first evaluated one.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.period_range("2020-01", periods=36, freq="M").astype(str)
    >>> y = np.random.default_rng(0).poisson(2.0, 36)
    >>> h = pd.DataFrame({"period": months, "part": "P", "quantity": y})
    >>> r = backtest(h, methods=("poisson",), origins=12, seed=0)
    >>> list(r.to_frame()["method"])
    ['poisson']
    """
    target = _check_unit_interval("target_fill_rate", target_fill_rate, closed=False)
    lead = _check_positive_int("lead_time_periods", lead_time_periods, 0)
    origins = _check_positive_int("origins", origins, 1)
    n_draws = _check_positive_int("n_draws", n_draws)
    n_boot = _check_positive_int("n_boot", n_boot, 10)
    alphas = _smoothing("alpha", alpha)
    betas = _smoothing("beta", beta)
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m.strip()]
    methods = [_check_method(m) for m in methods]
    if not methods and not external_forecasts:
        raise ParameterError("methods", "must name at least one method", methods)
    if len(set(methods)) != len(methods):
        raise ParameterError("methods", "must not repeat a method", methods)
    quantiles = _quantiles(parameter_uncertainty)
    prior_modes = _priors(priors)
    rng = _rng(seed)

    packed = as_packed(history_frame, period)
    if packed.n_series == 0:
        raise InputError(f"{packed.source}: the demand history has no rows")
    lengths = np.diff(packed.indptr)
    n_periods = int(lengths.min())
    if int(lengths.max()) != n_periods:  # prepare_history always gives a common calendar
        raise InputError(f"{packed.source}: series must share one calendar of periods")
    measure_from = n_periods - origins
    first = measure_from - lead
    if first < 2:
        raise ParameterError(
            "origins",
            f"leaves {first} training period(s) before the first replayed period; need >= 2 "
            f"(history has {n_periods} periods, lead time {lead})",
            origins,
        )
    if "bootstrap" in methods and packed.n_series * n_draws > MAX_HISTORY_CELLS:
        raise ParameterError("n_draws", f"times the {packed.n_series:,} series must be at "
                             f"most {MAX_HISTORY_CELLS:,} draws per origin", n_draws)

    values = np.ascontiguousarray(packed.values, dtype=np.float64)
    indptr = np.ascontiguousarray(packed.indptr, dtype=np.int64)
    dense = values.reshape(packed.n_series, n_periods)
    class_frame = classify_packed(packed.tail(measure_from))
    classes = class_frame["class"].to_numpy()
    # MASE scale: in-sample one-step naive MAE of the training part (Hyndman & Koehler 2006)
    train = dense[:, :measure_from]
    scale = np.abs(np.diff(train, axis=1)).mean(axis=1)
    actual = dense[:, measure_from:]

    base = _fit_point(packed, "poisson", 1.0, 1.0)  # running moments: VMR, totals
    running_total = np.cumsum(dense, axis=1) - dense  # Σ y before period t
    n_before = np.broadcast_to(np.arange(n_periods, dtype=np.float64), dense.shape)
    prior_arrays: tuple[np.ndarray, np.ndarray] | None = None
    if "similar" in prior_modes:
        site_codes = pd.factorize(pd.Series(packed.sites, dtype=object), sort=True)[0]
        group_codes = pd.factorize(pd.Series(packed.sites, dtype=object) + "\x1f"
                                   + pd.Series(classes, dtype=object), sort=True)[0]
        mean, weight = _similar_prior(running_total, base.fitted_vmr.reshape(dense.shape),
                                      group_codes, site_codes, first,
                                      max_weight=MAX_PRIOR_WEIGHT_YEARS
                                      * packed.periods_per_year)
        prior_arrays = (mean.ravel(), weight.ravel())

    active = (np.arange(n_periods) >= first)[None, :].repeat(packed.n_series, 0).ravel()
    margins: dict[tuple[str, float], np.ndarray] = {}
    runs: list[_Run] = []
    for method in methods:
        if method == "bootstrap":
            runs.append(_Run(method, method, np.nan, np.nan, None, "none", None,
                             base.fitted_vmr, method))
            continue
        for plain, a, b in _grid(method, alphas, betas):
            fit = _fit_point(packed, method, 1.0 if np.isnan(a) else a,
                             1.0 if np.isnan(b) else b)
            for mode in prior_modes:
                prior = prior_arrays if mode == "similar" else None
                blended = _with_prior(fit.fitted_rate, fit.fitted_vmr, n_before.ravel(), prior)
                for q in (None, *quantiles):
                    name = plain + ("+prior" if mode == "similar" else "") + \
                        ("" if q is None else f"+q{q:g}")
                    if q is not None and (mode, q) not in margins:
                        margins[(mode, q)] = _margin(fit.fitted_vmr, running_total.ravel(),
                                                     n_before.ravel(), prior, q, active)
                    rate = blended if q is None else blended + margins[(mode, q)]
                    runs.append(_Run(name, method, a, b, q, mode, rate, fit.fitted_vmr,
                                     plain))
    for name, frame in (external_forecasts or {}).items():
        fitted = _external_fitted(packed, name, frame, first)
        runs.append(_Run(str(name), str(name), np.nan, np.nan, None, "none", fitted,
                         base.fitted_vmr, str(name)))
    if len({run.name for run in runs}) != len(runs):
        raise ParameterError("external_forecasts", "must not reuse a method's name",
                             sorted(external_forecasts or {}))
    for run in runs:
        if run.fitted_rate is not None:
            _check_level_sizes(packed, run.fitted_rate, run.fitted_vmr, lead, first, run.name)

    summaries: list[dict[str, object]] = []
    per_series: list[pd.DataFrame] = []
    stock_of: dict[str, float] = {}
    counts = _resample_counts(np.random.default_rng(rng.integers(2**63)), packed.n_series,
                              n_boot)
    for run in runs:
        levels = np.zeros_like(values)
        if run.fitted_rate is None:  # bootstrap: its own distribution, one origin at a time
            series = np.arange(packed.n_series, dtype=np.int64)
            point = np.empty((packed.n_series, n_periods))
            for t in range(first, n_periods):
                total, head = _bootstrap_draws(
                    packed, series, np.full(packed.n_series, t, dtype=np.int64),
                    lead + 1, n_draws, rng)
                out = np.empty(packed.n_series)
                k._levels_empirical(total, head, target, out)
                levels[indptr[:-1] + t] = out
                point[:, t] = (total - head).mean(axis=1)
            forecast = point[:, measure_from:]
        else:
            k._levels_parametric(run.fitted_rate, run.fitted_vmr, indptr, first, lead, target,
                                 levels)
            forecast = run.fitted_rate.reshape(packed.n_series, n_periods)[:, measure_from:]
        demand = np.empty(packed.n_series)
        filled = np.empty(packed.n_series)
        stock = np.empty(packed.n_series)
        counted = np.empty(packed.n_series, dtype=np.int64)
        k._simulate_base_stock(values, indptr, levels, first, measure_from, lead,
                               demand, filled, stock, counted)
        error = forecast - actual
        mae = np.abs(error).mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mase = np.where(scale > 0, mae / np.where(scale > 0, scale, 1.0), np.nan)
        avg_stock = stock / np.maximum(counted, 1)
        low, high = _cluster_ci(demand, filled, rng, n_boot, counts=counts)
        stock_of[run.name] = float(avg_stock.mean())
        plain_stock = stock_of.get(run.plain, 0.0)
        extra = (stock_of[run.name] / plain_stock - 1.0
                 if run.name != run.plain and plain_stock > 0 else np.nan)
        summaries.append({
            "method": run.name,
            "base_method": run.base_method,
            "alpha": run.alpha,
            "beta": run.beta,
            "quantile": np.nan if run.quantile is None else run.quantile,
            "prior": run.prior,
            "n_series": packed.n_series,
            "mase": float(np.nanmean(mase)) if np.isfinite(mase).any() else np.nan,
            "bias": float(error.mean()),
            "target_fill_rate": target,
            "fill_rate": float(filled.sum() / demand.sum()) if demand.sum() > 0 else np.nan,
            "fill_rate_low": low,
            "fill_rate_high": high,
            "average_stock": float(avg_stock.mean()),
            "extra_stock_vs_estimate": extra,
        })
        rows = packed.keys_frame()
        rows.insert(0, "method", run.name)
        rows["class"] = classes
        rows["mae"] = mae
        rows["mase_scale"] = scale
        rows["mean_error"] = error.mean(axis=1)
        rows["demand"] = demand
        rows["filled"] = filled
        rows["average_stock"] = avg_stock
        per_series.append(rows)

    return BacktestResult(
        summary=pd.DataFrame(summaries, columns=list(SUMMARY_COLUMNS)),
        per_series=pd.concat(per_series, ignore_index=True),
        target_fill_rate=target,
        lead_time_periods=lead,
        origins=origins,
        seed=int(seed) if isinstance(seed, int | np.integer) else None,
        period=packed.period,
        evaluated_periods=packed.period_labels[measure_from:],
    )
