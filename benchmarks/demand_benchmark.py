"""Benchmark of the demand models on the real car-parts data, next to statsforecast.

Part 1 runs every spareplan method (croston, sba, tsb, poisson, bootstrap, and the
parameter-uncertainty variants) and statsforecast's CrostonClassic, CrostonSBA and TSB
in the same rolling-origin backtest: MASE, bias, fill rate achieved against a 95 % target
with its 95 % CI over series, average stock held, and runtime (first call with numba
compilation apart from warm calls).

Part 2 runs the search space of the selection per class (smoothing constants 0.1–0.3,
quantiles 0.6–0.9, with and without the similar-parts prior: 161 configurations) and
measures each selection rule by five-fold cross-validation across series, over several
fold assignments: the fill rate achieved on the series a choice was not made on, and its
stock against plain TSB.

Usage (from the repository root)::

    python benchmarks/demand_benchmark.py [--data ../shared/data/carparts/carparts.csv]
        [--origins 12] [--lead-time 1] [--target 0.95] [--seed 0] [--fold-seeds 5]

statsforecast is optional (``pip install statsforecast``, the ``bench`` extra); without
it only spareplan's methods run. Note that statsforecast 2.x requires pandas < 3.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spareplan.demand.backtest import backtest  # noqa: E402
from spareplan.demand.classify import classify_packed  # noqa: E402
from spareplan.demand.columns import map_history_columns  # noqa: E402
from spareplan.demand.history import PackedSeries, prepare_history  # noqa: E402
from spareplan.demand.intermittent import METHODS, forecast_intermittent  # noqa: E402
from spareplan.demand.selection import cross_validate  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared/data/carparts/carparts.csv"


def load(path: Path) -> PackedSeries:
    raw = pd.read_csv(path, dtype=str)
    frame, _, _ = map_history_columns(raw, source=path.name)  # part, month, demand
    return prepare_history(frame, period="month", source=path.name)


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def statsforecast_runs(
    packed: PackedSeries, n_windows: int, alpha: float, beta: float
) -> tuple[Any, dict[str, dict[str, float]]]:
    """One-step rolling forecasts of statsforecast's intermittent models (or None)."""
    try:
        import statsforecast
        from statsforecast import StatsForecast
        from statsforecast.models import TSB, CrostonClassic, CrostonSBA
    except ImportError:
        print("statsforecast is not installed: `pip install statsforecast` (bench extra) "
              "to compare with it; running spareplan's methods only.\n")
        return None, {}
    long = packed.to_frame()
    df = pd.DataFrame({
        "unique_id": long["part"].astype(str),
        "ds": pd.PeriodIndex(long["period"], freq="M").to_timestamp(),
        "y": long["quantity"].astype(float),
    })
    models = {"sf_croston": CrostonClassic(), "sf_sba": CrostonSBA(),
              "sf_tsb": TSB(alpha_d=alpha, alpha_p=beta)}
    timings: dict[str, dict[str, float]] = {}
    forecasts: dict[str, pd.DataFrame] = {}
    finals: dict[str, np.ndarray] = {}
    for name, model in models.items():
        sf = StatsForecast(models=[model], freq="MS", n_jobs=1)
        _, first = timed(sf.forecast, df=df, h=1)
        final, warm = timed(sf.forecast, df=df, h=1)
        cv, rolling = timed(sf.cross_validation, df=df, h=1, step_size=1, n_windows=n_windows)
        column = next(c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y"))
        forecasts[name] = pd.DataFrame({
            "part": cv["unique_id"].astype(str),
            "period": cv["ds"].dt.strftime("%Y-%m"),
            "forecast": cv[column].to_numpy(dtype=float),
        })
        finals[name] = final.sort_values("unique_id")[column].to_numpy(dtype=float)
        timings[name] = {"fit_first_s": first, "fit_warm_s": warm, "rolling_s": rolling}
    print(f"statsforecast {statsforecast.__version__}, pandas {pd.__version__}")
    return (forecasts, timings, finals), timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--lead-time", type=int, default=1)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--uncertainty", type=float, default=0.9)
    parser.add_argument("--fold-seeds", type=int, default=5,
                        help="fold assignments of the cross-validation (seeds 0..N-1)")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"car-parts data not found at {args.data}")
        return 2
    packed = load(args.data)
    print(f"{packed.n_series} series x {packed.n_periods} months; origins {args.origins}, "
          f"lead time {args.lead_time}, target {args.target}, seed {args.seed}")
    classes = classify_packed(packed)["class"].value_counts()
    print("classes:", ", ".join(f"{k} {v}" for k, v in classes.items()))

    # --- speed of one fit over all series (first call compiles or loads the cache)
    speed: dict[str, dict[str, float]] = {}
    own_final: dict[str, np.ndarray] = {}
    for method in METHODS:
        _, first = timed(forecast_intermittent, packed, method=method, seed=args.seed)
        out, warm = timed(forecast_intermittent, packed, method=method, seed=args.seed)
        own_final[method] = out["rate_per_period"].to_numpy()
        speed[method] = {"fit_first_s": first, "fit_warm_s": warm}

    sf, sf_timings = statsforecast_runs(packed, args.origins + args.lead_time, 0.1, 0.1)
    external = sf[0] if sf else None
    if sf:
        for mine, theirs in (("croston", "sf_croston"), ("sba", "sf_sba"), ("tsb", "sf_tsb")):
            diff = np.max(np.abs(own_final[mine] - sf[2][theirs]))
            print(f"max |{mine} - {theirs}| final forecast over all series: {diff:.2e}")
        speed.update(sf_timings)

    result, elapsed = timed(
        backtest, packed, target_fill_rate=args.target, lead_time_periods=args.lead_time,
        origins=args.origins, seed=args.seed, parameter_uncertainty=args.uncertainty,
        external_forecasts=external)
    table = result.to_frame()
    table["fit_warm_s"] = [speed.get(m, {}).get("fit_warm_s", np.nan) for m in table["method"]]
    table["fit_first_s"] = [speed.get(m, {}).get("fit_first_s", np.nan)
                            for m in table["method"]]
    table["rolling_s"] = [speed.get(m, {}).get("rolling_s", np.nan) for m in table["method"]]
    print(f"\nbacktest of all rows (spareplan part, incl. replay): {elapsed:.2f} s\n")
    cols = ["method", "mase", "bias", "fill_rate", "fill_rate_low", "fill_rate_high",
            "average_stock", "extra_stock_vs_estimate", "fit_first_s", "fit_warm_s",
            "rolling_s"]
    print(table[cols].to_markdown(index=False, floatfmt=".4g")
          if _has_tabulate() else table[cols].to_string(index=False))

    best = result.recommended()
    row = table.set_index("method").loc[best]
    print(f"\nrecommended: {best}: achieved {row['fill_rate']:.4f} "
          f"[{row['fill_rate_low']:.4f}, {row['fill_rate_high']:.4f}] vs target {args.target}"
          f" ({(row['fill_rate'] - args.target) * 100:+.2f} points)")
    per = result.per_series
    by_class = (per[per["method"] == best].groupby("class")[["demand", "filled"]].sum())
    by_class["fill_rate"] = by_class["filled"] / by_class["demand"]
    by_class["n_series"] = per[per["method"] == best].groupby("class").size()
    print(f"\nfill rate of {best} by class (class from the training part):")
    print(by_class.to_string())
    selection_part(packed, args)
    return 0


def selection_part(packed: PackedSeries, args: argparse.Namespace) -> None:
    """Part 2: the selection rules under five-fold cross-validation across series."""
    grid, elapsed = timed(
        backtest, packed, target_fill_rate=args.target, lead_time_periods=args.lead_time,
        origins=args.origins, seed=args.seed, alpha=(0.1, 0.2, 0.3), beta=(0.1, 0.2, 0.3),
        parameter_uncertainty=(0.6, 0.7, 0.8, 0.9), priors=("none", "similar"))
    print(f"\nselection search space: {len(grid.summary)} configurations, backtest "
          f"{elapsed:.1f} s")
    plain = grid.to_frame().set_index("method")
    for name in ("tsb", "tsb+prior", "tsb(a0.3,b0.2)", "tsb(a0.3,b0.2)+prior",
                 "tsb(a0.3,b0.2)+prior+q0.6"):
        row = plain.loc[name]
        print(f"  {name:28s} fill {row['fill_rate']:.4f} [{row['fill_rate_low']:.4f}, "
              f"{row['fill_rate_high']:.4f}] stock {row['average_stock']:.3f} "
              f"({row['average_stock'] / plain.loc['tsb', 'average_stock'] - 1:+.1%} vs tsb)")
    rules = [("point", 0.975, True), ("point", 0.975, False), ("ci_low", 0.75, True),
             ("ci_low", 0.75, False), ("ci_low", 0.9, True), ("ci_low", 0.975, True)]
    print("\nfive-fold cross-validation across series (out of sample), fold seeds "
          f"0..{args.fold_seeds - 1}:")
    print("| rule | per class | fill rate (mean; min–max) | 95 % CI (seed 0) | "
          "stock vs tsb (mean; min–max) | s per CV |")
    print("|---|---|---|---|---|---|")
    recommended = None
    for rule, confidence, per_class in rules:
        runs = []
        start = time.perf_counter()
        for fold_seed in range(args.fold_seeds):
            cv = cross_validate(grid, folds=5, seed=fold_seed, rule=rule,
                                confidence=confidence, per_class=per_class)
            runs.append(cv)
        seconds = (time.perf_counter() - start) / len(runs)
        fills = np.array([cv.fill_rate for cv in runs])
        extra = np.array([cv.extra_stock_vs_baseline for cv in runs])
        label = "point" if rule == "point" else f"ci_low {confidence:g}"
        print(f"| {label} | {'yes' if per_class else 'no'} | {fills.mean():.4f}; "
              f"{fills.min():.4f}–{fills.max():.4f} | [{runs[0].fill_rate_low:.4f}, "
              f"{runs[0].fill_rate_high:.4f}] | {extra.mean():+.1%}; {extra.min():+.1%}–"
              f"{extra.max():+.1%} | {seconds:.1f} |")
        if (rule, confidence, per_class) == ("ci_low", 0.75, True):
            recommended = runs[0]
    assert recommended is not None
    print(f"\nrecommended (per class, ci_low 0.75), fold seed 0: out-of-sample fill "
          f"{recommended.fill_rate:.4f} vs plain tsb {recommended.baseline_fill_rate:.4f} on "
          f"the same series; stock {recommended.extra_stock_vs_baseline:+.2%}")
    print("by class, out of sample:")
    print(recommended.by_class.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("final choice (all series):")
    print(recommended.final.to_frame().to_string(index=False,
                                                 float_format=lambda v: f"{v:.4g}"))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
