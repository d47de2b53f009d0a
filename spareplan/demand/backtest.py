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

from spareplan.demand import _kernels as k
from spareplan.demand.classify import classify_packed
from spareplan.demand.configurations import (
    DEFAULT_SMOOTHING,
    MAX_LEVEL_UNITS,
    PRIORS,
    Run,
    check_level_sizes,
    check_priors,
    check_quantiles,
    check_smoothing,
    similar_prior_by_period,
    smoothing_grid,
    uncertainty_margin,
    with_prior,
)
from spareplan.demand.fill_ci import cluster_ci, resample_counts
from spareplan.demand.history import MAX_HISTORY_CELLS, PackedSeries, as_packed
from spareplan.demand.intermittent import (
    METHODS,
    _bootstrap_draws,
    _check_method,
    _check_positive_int,
    _check_unit_interval,
    _fit_point,
    _rng,
)
from spareplan.demand.similar import MAX_PRIOR_WEIGHT_YEARS
from spareplan.errors import InputError, ParameterError

__all__ = ["MAX_LEVEL_UNITS", "PRIORS", "RULES", "BacktestResult", "backtest", "recommend"]

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
RULES: tuple[str, ...] = ("point", "ci_low")


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


# Over 100 lines only by its numpydoc docstring (79 lines, the model and every setting);
# the code is checks and orchestration of the helpers below (48 lines).
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
    alphas = check_smoothing("alpha", alpha)
    betas = check_smoothing("beta", beta)
    methods = _check_methods(methods, external_forecasts)
    quantiles = check_quantiles(parameter_uncertainty)
    prior_modes = check_priors(priors)
    rng = _rng(seed)

    replay = _replay_layout(as_packed(history_frame, period), origins, lead, target,
                            n_draws if "bootstrap" in methods else 0)
    vmr = _fit_point(replay.packed, "poisson", 1.0, 1.0).fitted_vmr  # the history's VMR
    runs = _configured_runs(replay, vmr, methods, alphas, betas, prior_modes, quantiles)
    runs += _external_runs(replay, vmr, external_forecasts or {})
    if len({run.name for run in runs}) != len(runs):
        raise ParameterError("external_forecasts", "must not reuse a method's name",
                             sorted(external_forecasts or {}))
    for run in runs:
        if run.fitted_rate is not None:
            check_level_sizes(replay.packed, run.fitted_rate, run.fitted_vmr, lead,
                              replay.first, run.name)

    summaries: list[dict[str, object]] = []
    per_series: list[pd.DataFrame] = []
    stock_of: dict[str, float] = {}
    counts = resample_counts(np.random.default_rng(rng.integers(2**63)),
                             replay.packed.n_series, n_boot)
    for run in runs:
        levels, forecast = _levels_and_forecast(replay, run, n_draws, rng)
        summary, rows = _score_run(replay, run, levels, forecast, rng, n_boot, counts,
                                   stock_of)
        summaries.append(summary)
        per_series.append(rows)

    return BacktestResult(
        summary=pd.DataFrame(summaries, columns=list(SUMMARY_COLUMNS)),
        per_series=pd.concat(per_series, ignore_index=True),
        target_fill_rate=target,
        lead_time_periods=lead,
        origins=origins,
        seed=int(seed) if isinstance(seed, int | np.integer) else None,
        period=replay.packed.period,
        evaluated_periods=replay.packed.period_labels[replay.measure_from:],
    )


def _check_methods(methods: Sequence[str] | str,
                   external_forecasts: Mapping[str, pd.DataFrame] | None) -> list[str]:
    """The method names, checked: known, not repeated, at least one run in all."""
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m.strip()]
    checked = [_check_method(m) for m in methods]
    if not checked and not external_forecasts:
        raise ParameterError("methods", "must name at least one method", checked)
    if len(set(checked)) != len(checked):
        raise ParameterError("methods", "must not repeat a method", checked)
    return checked


@dataclass(frozen=True)
class _Replay:
    """The history laid out for the replay: one common calendar of ``n_periods``, the
    replay starting at ``first`` (L periods before ``measure_from``, the first evaluated
    period), with what every run is measured against."""

    packed: PackedSeries
    values: np.ndarray        # flat float64 history
    indptr: np.ndarray        # int64 offsets of the series
    dense: np.ndarray         # (series, periods) view of ``values``
    n_periods: int
    measure_from: int
    first: int
    lead: int
    target: float
    classes: np.ndarray       # ADI/CV² class from the periods before ``measure_from``
    scale: np.ndarray         # MASE scale per series
    actual: np.ndarray        # demand of the evaluated periods


def _replay_layout(packed: PackedSeries, origins: int, lead: int, target: float,
                   bootstrap_draws: int) -> _Replay:
    """Check the calendar against ``origins`` and ``lead`` and lay the history out."""
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
    if bootstrap_draws and packed.n_series * bootstrap_draws > MAX_HISTORY_CELLS:
        raise ParameterError("n_draws", f"times the {packed.n_series:,} series must be at "
                             f"most {MAX_HISTORY_CELLS:,} draws per origin", bootstrap_draws)
    values = np.ascontiguousarray(packed.values, dtype=np.float64)
    dense = values.reshape(packed.n_series, n_periods)
    # MASE scale: in-sample one-step naive MAE of the training part (Hyndman & Koehler 2006)
    train = dense[:, :measure_from]
    return _Replay(
        packed=packed, values=values,
        indptr=np.ascontiguousarray(packed.indptr, dtype=np.int64), dense=dense,
        n_periods=n_periods, measure_from=measure_from, first=first, lead=lead,
        target=target,
        classes=classify_packed(packed.tail(measure_from))["class"].to_numpy(),
        scale=np.abs(np.diff(train, axis=1)).mean(axis=1),
        actual=dense[:, measure_from:],
    )


def _similar_prior(replay: _Replay, running_total: np.ndarray, fitted_vmr: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The similar-parts prior (mean, weight) per series and period, flat."""
    packed = replay.packed
    sites = pd.Series(packed.sites, dtype=object)
    site_codes = pd.factorize(sites, sort=True)[0]
    group_codes = pd.factorize(sites + "\x1f" + pd.Series(replay.classes, dtype=object),
                               sort=True)[0]
    mean, weight = similar_prior_by_period(
        running_total, fitted_vmr.reshape(replay.dense.shape), group_codes, site_codes,
        replay.first, max_weight=MAX_PRIOR_WEIGHT_YEARS * packed.periods_per_year)
    return mean.ravel(), weight.ravel()


def _configured_runs(replay: _Replay, vmr: np.ndarray, methods: Sequence[str],
                     alphas: Sequence[float], betas: Sequence[float],
                     prior_modes: Sequence[str], quantiles: Sequence[float]) -> list[Run]:
    """Every configuration of ``methods``: smoothing grid x prior x uncertainty margin
    (``vmr``: the history's running variance-to-mean ratio, for bootstrap and the prior)."""
    packed, dense = replay.packed, replay.dense
    running_total = np.cumsum(dense, axis=1) - dense  # Σ y before period t
    n_before = np.broadcast_to(np.arange(replay.n_periods, dtype=np.float64),
                               dense.shape).ravel()
    prior_arrays = (_similar_prior(replay, running_total, vmr)
                    if "similar" in prior_modes else None)
    active = (np.arange(replay.n_periods) >= replay.first)[None, :].repeat(
        packed.n_series, 0).ravel()
    margins: dict[tuple[str, float], np.ndarray] = {}
    runs: list[Run] = []
    for method in methods:
        if method == "bootstrap":
            runs.append(Run(method, method, np.nan, np.nan, None, "none", None, vmr,
                            method))
            continue
        for plain, a, b in smoothing_grid(method, alphas, betas):
            fit = _fit_point(packed, method, 1.0 if np.isnan(a) else a,
                             1.0 if np.isnan(b) else b)
            for mode in prior_modes:
                prior = prior_arrays if mode == "similar" else None
                blended = with_prior(fit.fitted_rate, fit.fitted_vmr, n_before, prior)
                for q in (None, *quantiles):
                    name = plain + ("+prior" if mode == "similar" else "") + \
                        ("" if q is None else f"+q{q:g}")
                    if q is not None and (mode, q) not in margins:
                        margins[(mode, q)] = uncertainty_margin(
                            fit.fitted_vmr, running_total.ravel(), n_before, prior, q,
                            active)
                    rate = blended if q is None else blended + margins[(mode, q)]
                    runs.append(Run(name, method, a, b, q, mode, rate, fit.fitted_vmr,
                                    plain))
    return runs


def _external_runs(replay: _Replay, vmr: np.ndarray,
                   external_forecasts: Mapping[str, pd.DataFrame]) -> list[Run]:
    """One run per external forecast table (dispersion: the history's VMR ``vmr``)."""
    return [Run(str(name), str(name), np.nan, np.nan, None, "none",
                _external_fitted(replay.packed, name, frame, replay.first), vmr, str(name))
            for name, frame in external_forecasts.items()]


def _levels_and_forecast(replay: _Replay, run: Run, n_draws: int,
                         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Base-stock levels of ``run`` per series and period, and its one-step forecast of
    the evaluated periods."""
    packed, n_periods, indptr = replay.packed, replay.n_periods, replay.indptr
    levels = np.zeros_like(replay.values)
    if run.fitted_rate is not None:
        k._levels_parametric(run.fitted_rate, run.fitted_vmr, indptr, replay.first,
                             replay.lead, replay.target, levels)
        forecast = run.fitted_rate.reshape(packed.n_series, n_periods)[:, replay.measure_from:]
        return levels, forecast
    # bootstrap: its own distribution, one origin at a time
    series = np.arange(packed.n_series, dtype=np.int64)
    point = np.empty((packed.n_series, n_periods))
    for t in range(replay.first, n_periods):
        total, head = _bootstrap_draws(
            packed, series, np.full(packed.n_series, t, dtype=np.int64),
            replay.lead + 1, n_draws, rng)
        out = np.empty(packed.n_series)
        k._levels_empirical(total, head, replay.target, out)
        levels[indptr[:-1] + t] = out
        point[:, t] = (total - head).mean(axis=1)
    return levels, point[:, replay.measure_from:]


def _score_run(replay: _Replay, run: Run, levels: np.ndarray, forecast: np.ndarray,
               rng: np.random.Generator, n_boot: int, counts: np.ndarray,
               stock_of: dict[str, float]) -> tuple[dict[str, object], pd.DataFrame]:
    """Replay the demand against ``levels``: the run's summary row and per-series rows.

    ``stock_of`` collects each run's average stock (its plain twin's is read from it).
    """
    n_series = replay.packed.n_series
    demand = np.empty(n_series)
    filled = np.empty(n_series)
    stock = np.empty(n_series)
    counted = np.empty(n_series, dtype=np.int64)
    k._simulate_base_stock(replay.values, replay.indptr, levels, replay.first,
                           replay.measure_from, replay.lead, demand, filled, stock, counted)
    error = forecast - replay.actual
    mae = np.abs(error).mean(axis=1)
    scale = replay.scale
    with np.errstate(divide="ignore", invalid="ignore"):
        mase = np.where(scale > 0, mae / np.where(scale > 0, scale, 1.0), np.nan)
    avg_stock = stock / np.maximum(counted, 1)
    low, high = cluster_ci(demand, filled, rng, n_boot, counts=counts)
    stock_of[run.name] = float(avg_stock.mean())
    plain_stock = stock_of.get(run.plain, 0.0)
    extra = (stock_of[run.name] / plain_stock - 1.0
             if run.name != run.plain and plain_stock > 0 else np.nan)
    summary = {
        "method": run.name,
        "base_method": run.base_method,
        "alpha": run.alpha,
        "beta": run.beta,
        "quantile": np.nan if run.quantile is None else run.quantile,
        "prior": run.prior,
        "n_series": n_series,
        "mase": float(np.nanmean(mase)) if np.isfinite(mase).any() else np.nan,
        "bias": float(error.mean()),
        "target_fill_rate": replay.target,
        "fill_rate": float(filled.sum() / demand.sum()) if demand.sum() > 0 else np.nan,
        "fill_rate_low": low,
        "fill_rate_high": high,
        "average_stock": float(avg_stock.mean()),
        "extra_stock_vs_estimate": extra,
    }
    rows = replay.packed.keys_frame()
    rows.insert(0, "method", run.name)
    rows["class"] = replay.classes
    rows["mae"] = mae
    rows["mase_scale"] = scale
    rows["mean_error"] = error.mean(axis=1)
    rows["demand"] = demand
    rows["filled"] = filled
    rows["average_stock"] = avg_stock
    return summary, rows
