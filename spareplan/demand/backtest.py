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
from spareplan.demand.history import PackedSeries, as_packed
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
from spareplan.errors import InputError, ParameterError

__all__ = ["BacktestResult", "backtest"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "method",
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


@dataclass(frozen=True)
class BacktestResult:
    """Figures of a rolling-origin backtest, per method and per series.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per method: ``method``, ``n_series``, ``mase`` (mean over series with a
        non-zero scale), ``bias`` (mean forecast − actual per series and period; > 0 is
        over-forecasting), ``target_fill_rate``, ``fill_rate`` (achieved, pooled over
        series: Σ filled / Σ demanded), ``fill_rate_low`` / ``fill_rate_high`` (95 %
        bootstrap CI over series), ``average_stock`` (mean units on hand per series at
        the end of a period), ``extra_stock_vs_estimate`` (for a ``+q`` row: its
        average stock over that of the same method without parameter uncertainty, − 1).
    per_series : pandas.DataFrame
        One row per method and series: ``method``, ``part``, ``site``, ``class``,
        ``mae``, ``mase_scale``, ``mean_error``, ``demand``, ``filled``,
        ``average_stock``.
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

    def recommended(self) -> str:
        """The method whose achieved fill rate is closest to target among those that
        reach it (CI upper bound >= target) at the least stock; else the closest."""
        s = self.summary
        reach = s[s["fill_rate_high"] >= s["target_fill_rate"]]
        if len(reach):
            return str(reach.sort_values("average_stock")["method"].iloc[0])
        gap = (s["target_fill_rate"] - s["fill_rate"]).abs()
        return str(s.loc[gap.idxmin(), "method"])


def _cluster_ci(
    demand: np.ndarray, filled: np.ndarray, rng: np.random.Generator, n_boot: int
) -> tuple[float, float]:
    """95 % percentile bootstrap CI of Σ filled / Σ demand, resampling whole series."""
    n = demand.size
    if n == 0 or demand.sum() <= 0:
        return float("nan"), float("nan")
    idx = rng.integers(0, n, size=(n_boot, n))
    d = demand[idx].sum(axis=1)
    f = filled[idx].sum(axis=1)
    ratio = np.divide(f, d, out=np.full(n_boot, np.nan), where=d > 0)
    low, high = np.nanpercentile(ratio, [2.5, 97.5])
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


def backtest(
    history_frame: pd.DataFrame | PackedSeries,
    methods: Sequence[str] = METHODS,
    target_fill_rate: float = 0.95,
    lead_time_periods: int = 1,
    origins: int = 12,
    seed: int = 0,
    *,
    period: str = "month",
    alpha: float = 0.1,
    beta: float = 0.1,
    n_draws: int = 500,
    parameter_uncertainty: float | None = None,
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
    alpha, beta : float
        Smoothing constants (see :func:`spareplan.demand.intermittent.forecast_intermittent`).
    n_draws : int
        Bootstrap replicates per series and origin (method ``bootstrap``).
    parameter_uncertainty : float in (0, 1) or None
        If set, every parametric method is run a second time as ``"<method>+q<q>"`` with
        the rate raised to the upper quantile of its posterior (see
        :func:`spareplan.demand.intermittent.rates_from_history`); the summary reports
        its extra stock against the plain estimate.
    external_forecasts : mapping of str to pandas.DataFrame, optional
        Extra one-step forecasts to evaluate the same way (e.g. statsforecast's), each a
        table ``part``, ``site``, ``period``, ``forecast`` covering every evaluated
        period; dispersion is the history's VMR, as for croston.
    n_boot : int
        Bootstrap resamples of the confidence interval.

    Returns
    -------
    BacktestResult

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
    alpha = _check_unit_interval("alpha", alpha)
    beta = _check_unit_interval("beta", beta)
    if isinstance(methods, str):
        methods = [m for m in methods.split(",") if m.strip()]
    methods = [_check_method(m) for m in methods]
    if not methods and not external_forecasts:
        raise ParameterError("methods", "must name at least one method", methods)
    if len(set(methods)) != len(methods):
        raise ParameterError("methods", "must not repeat a method", methods)
    q_unc = (None if parameter_uncertainty is None else
             _check_unit_interval("parameter_uncertainty", parameter_uncertainty, closed=False))
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

    values = np.ascontiguousarray(packed.values, dtype=np.float64)
    indptr = np.ascontiguousarray(packed.indptr, dtype=np.int64)
    dense = values.reshape(packed.n_series, n_periods)
    classes = classify_packed(packed.tail(measure_from))["class"].to_numpy()
    # MASE scale: in-sample one-step naive MAE of the training part (Hyndman & Koehler 2006)
    train = dense[:, :measure_from]
    scale = np.abs(np.diff(train, axis=1)).mean(axis=1)
    actual = dense[:, measure_from:]

    base = _fit_point(packed, "poisson", alpha, beta)  # running moments: VMR, totals
    running_total = np.cumsum(dense, axis=1) - dense  # Σ y before period t
    n_before = np.broadcast_to(np.arange(n_periods, dtype=np.float64), dense.shape)

    # (name, fitted one-step rate or None for bootstrap, fitted vmr, base method)
    runs: list[tuple[str, np.ndarray | None, np.ndarray, str | None]] = []
    for method in methods:
        if method == "bootstrap":
            runs.append((method, None, base.fitted_vmr, None))
            continue
        fit = _fit_point(packed, method, alpha, beta)
        runs.append((method, fit.fitted_rate, fit.fitted_vmr, None))
        if q_unc is not None:
            margin = _uncertainty_margin(
                running_total.ravel(), n_before.ravel(), fit.fitted_vmr, q_unc)
            runs.append((f"{method}+q{q_unc:g}", fit.fitted_rate + margin, fit.fitted_vmr,
                         method))
    for name, frame in (external_forecasts or {}).items():
        fitted = _external_fitted(packed, name, frame, first)
        runs.append((str(name), fitted, base.fitted_vmr, None))

    summaries: list[dict[str, object]] = []
    per_series: list[pd.DataFrame] = []
    stock_of: dict[str, float] = {}
    for name, fitted_rate, fitted_vmr, base_method in runs:
        levels = np.zeros_like(values)
        if fitted_rate is None:  # bootstrap: its own distribution, one origin at a time
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
            k._levels_parametric(fitted_rate, fitted_vmr, indptr, first, lead, target, levels)
            forecast = fitted_rate.reshape(packed.n_series, n_periods)[:, measure_from:]
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
        low, high = _cluster_ci(demand, filled, rng, n_boot)
        stock_of[name] = float(avg_stock.mean())
        extra = (stock_of[name] / stock_of[base_method] - 1.0
                 if base_method is not None and stock_of.get(base_method, 0.0) > 0 else np.nan)
        summaries.append({
            "method": name,
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
        rows.insert(0, "method", name)
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
