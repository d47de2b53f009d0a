"""``spareplan backtest``: rolling-origin backtest of the demand models on a history file.

A plain function annotated for typer; the application registers it as a command and
maps :class:`spareplan.errors.InputError` to exit code 2.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from spareplan.cli.common import say, start_command
from spareplan.cli.progress import command_progress
from spareplan.errors import InputError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from spareplan.demand.backtest import BacktestResult
    from spareplan.demand.history import PackedSeries
    from spareplan.demand.selection import Selection

__all__ = ["backtest_command"]


def _read_history(path: Path) -> "pd.DataFrame":
    import pandas as pd

    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a demand history file (a CSV table)")
    if not path.is_file():
        raise InputError(f"{path}: demand history file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None
    if len(frame.columns) == 1:
        header = str(frame.columns[0])
        for separator, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if separator in header:
                raise InputError(f"{path}: the header looks {name}-separated; the demand "
                                 f"history must be comma-separated (received header "
                                 f"{header!r})")
    return frame


def _numbers(option: str, text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(option, "must be comma-separated numbers", text) from None


def _selection_record(selection: "Selection") -> dict[str, Any]:
    return {
        "choice": dict(selection.choice), "rule": selection.rule,
        "confidence": selection.confidence if selection.rule == "ci_low" else None,
        "min_class_fill_rate": selection.min_class_fill_rate,
        "fill_rate": selection.fill_rate, "fill_rate_low": selection.fill_rate_low,
        "fill_rate_high": selection.fill_rate_high,
        "average_stock": selection.average_stock, "baseline": selection.baseline,
        "baseline_fill_rate": selection.baseline_fill_rate,
        "baseline_average_stock": selection.baseline_average_stock,
        "extra_stock_vs_baseline": selection.extra_stock_vs_baseline,
        "reaches_target": selection.reaches_target,
    }


# Over 100 lines with its docstring: the signature is typer's declaration of the 18
# options with their help texts (48 lines); the body is short orchestration.
def backtest_command(
    history: Annotated[Path, typer.Argument(help="Demand history CSV: period, part, "
                                            "quantity and optionally site (other names are "
                                            "detected or given with the --*-column "
                                            "options).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    period: Annotated[str, typer.Option(help="Period of the history: month, week or day.")]
    = "month",
    part_column: Annotated[str | None, typer.Option(help="Column holding the part.")] = None,
    period_column: Annotated[str | None, typer.Option(help="Column holding the period "
                                                      "(YYYY-MM or YYYY-MM-DD).")] = None,
    quantity_column: Annotated[str | None, typer.Option(help="Column holding the units "
                                                        "demanded.")] = None,
    site_column: Annotated[str | None, typer.Option(help="Column holding the site "
                                                    "(optional).")] = None,
    methods: Annotated[str, typer.Option(help="Comma-separated methods.")]
    = "croston,sba,tsb,poisson,bootstrap",
    origins: Annotated[int, typer.Option(help="Rolling origins: the last ORIGINS periods "
                                         "are forecast and stocked for.")] = 12,
    target: Annotated[float, typer.Option(help="Target fill rate of the base-stock "
                                          "levels.")] = 0.95,
    lead_time: Annotated[int, typer.Option(help="Replenishment lead time in periods.")] = 1,
    alpha: Annotated[str, typer.Option(help="Smoothing constant(s) α of croston, sba, tsb, "
                                       "comma-separated.")] = "0.1,0.2,0.3",
    beta: Annotated[str, typer.Option(help="Smoothing constant(s) β of tsb, "
                                      "comma-separated.")] = "0.1,0.2,0.3",
    quantiles: Annotated[str, typer.Option(help="Parameter-uncertainty quantile(s), "
                                           "comma-separated (e.g. 0.6,0.7,0.8,0.9); "
                                           "empty: none.")] = "0.6,0.7,0.8,0.9",
    prior: Annotated[str, typer.Option(help="Similar-parts prior: none, similar or both.")]
    = "both",
    rule: Annotated[str, typer.Option(help="Selection rule: point (the point estimate "
                                      "reaches the target) or ci_low (the lower end of a "
                                      "one-sided CONFIDENCE interval does).")] = "ci_low",
    confidence: Annotated[float, typer.Option(help="Confidence of rule ci_low (0.975: the "
                                              "95 % CI's lower end).")] = 0.75,
    min_class_fill: Annotated[float | None, typer.Option(
        help="Floor on each class's own fill rate in the choice per class (default: "
        "none, only the pooled target).")] = None,
    folds: Annotated[int, typer.Option(help="Folds of the cross-validation across series "
                                       "(0: none).")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap, the folds and the "
                                      "CIs.")] = 0,
) -> int:
    """Backtest the demand models on a history, choose a configuration per class, write
    the figures.

    The defaults search the configurations measured in ``docs/demand.md`` (161 runs:
    5 methods, α and β in 0.1, 0.2, 0.3, quantiles 0.6–0.9, with and without the
    similar-parts prior; 20 s for the 1,337 car-parts series). ``--alpha 0.1 --beta 0.1
    --quantiles "" --prior none`` runs the five plain methods only.

    Writes into ``out``, atomically (:func:`spareplan.reports.atomic.atomic_folder`):
    ``backtest.csv`` (one row per configuration: MASE, bias, achieved fill rate with its
    95 % CI, average stock), ``by_class.csv`` (the same per ADI/CV² class),
    ``selection.csv`` (the configuration chosen per class by ``rule`` and the stock it
    costs against plain TSB), ``cross_validation.csv`` (that choice made on k − 1 folds
    of series and scored on the held-out one, per fold) and ``summary.json`` (settings,
    the columns used, the single recommended configuration, the choice per class and its
    out-of-sample figures).

    Returns
    -------
    int
        0 on success. Bad input raises :class:`spareplan.errors.InputError` (exit 2).
    """
    from spareplan.demand.backtest import PRIORS, RULES, backtest
    from spareplan.demand.history import prepare_history
    from spareplan.demand.selection import cross_validate, select_by_class
    from spareplan.reports.atomic import atomic_folder, write_csv, write_json

    start_command(out=out, inputs=[history], seed=seed)
    if prior not in (*PRIORS, "both"):
        raise ParameterError("prior", "must be none, similar or both", prior)
    if rule not in RULES:
        raise ParameterError("rule", f"must be one of {', '.join(RULES)}", rule)
    if isinstance(folds, bool) or folds < 0 or folds == 1:
        raise ParameterError("folds", "must be 0 (no cross-validation) or >= 2", folds)
    source = Path(history).name
    method_names = [m.strip() for m in methods.split(",") if m.strip()]
    with command_progress("backtest") as progress:
        progress.stage("history", detail=f"reading {history}")
        frame, columns = _history_columns(Path(history), source, part_column,
                                          period_column, quantity_column, site_column)
        packed = prepare_history(frame, period=period, source=source)
        progress.stage("backtest", detail=f"{len(method_names)} method(s) x {origins} "
                       f"origin(s), {packed.n_series:,} series")
        result = backtest(
            packed,
            methods=method_names,
            target_fill_rate=target,
            lead_time_periods=lead_time,
            origins=origins,
            seed=seed,
            alpha=_numbers("alpha", alpha),
            beta=_numbers("beta", beta),
            parameter_uncertainty=_numbers("quantiles", quantiles) or None,
            priors=PRIORS if prior == "both" else (prior,),
        )
        progress.stage("selection", detail=f"rule {rule}, per class" + (
            f", {folds}-fold cross-validation" if folds else ""))
        table = result.to_frame()
        single = select_by_class(result, rule, confidence=confidence, per_class=False,
                                 min_class_fill_rate=min_class_fill, seed=seed)
        per_class = select_by_class(result, rule, confidence=confidence,
                                    min_class_fill_rate=min_class_fill, seed=seed)
        summary = _summary(history, columns, period, packed, result, target, lead_time,
                           origins, seed, single, per_class)
        cv_folds = None
        if folds and packed.n_series >= folds:
            cv = cross_validate(result, folds=folds, seed=seed, rule=rule,
                                confidence=confidence, min_class_fill_rate=min_class_fill)
            summary["cross_validation"] = {key: value for key, value in cv.summary().items()
                                           if key != "final_choice"}
            cv_folds = cv.folds
        elif folds:
            summary["cross_validation"] = (f"skipped: {packed.n_series} series < {folds} "
                                           "folds")
        progress.stage("writing outputs", detail=f"{out}")
        with atomic_folder(out) as staging:
            write_csv(staging / "backtest.csv", table)
            write_csv(staging / "by_class.csv", result.by_class())
            write_csv(staging / "selection.csv", per_class.to_frame())
            if cv_folds is not None:
                write_csv(staging / "cross_validation.csv", cv_folds)
            write_json(staging / "summary.json", summary)
    _say_choice(source, packed.n_series, packed.n_periods, period, rule, per_class,
                summary["cross_validation"] if cv_folds is not None else None, folds)
    say(f"outputs written to {Path(out).resolve()}")
    return 0


def _summary(history: Path, columns: dict[str, str | None], period: str, packed: "PackedSeries",
             result: "BacktestResult", target: float, lead_time: int, origins: int, seed: int,
             single: "Selection", per_class: "Selection") -> dict[str, Any]:
    """``summary.json`` without the cross-validation."""
    return {
        "command": "backtest",
        "history": str(history),
        "columns": columns,
        "period": period,
        "n_series": packed.n_series,
        "n_periods": packed.n_periods,
        "evaluated_periods": list(result.evaluated_periods),
        "target_fill_rate": target,
        "lead_time_periods": lead_time,
        "origins": origins,
        "seed": seed,
        "recommended_method": next(iter(single.choice.values())),
        "recommended_single": _selection_record(single),
        "selection_by_class": _selection_record(per_class),
        "methods": result.to_frame().to_dict(orient="records"),
    }


def _history_columns(history: Path, source: str, part_column: str | None,
                     period_column: str | None, quantity_column: str | None,
                     site_column: str | None) -> "tuple[pd.DataFrame, dict[str, str | None]]":
    """Read the history file and map its columns (given or detected); say which."""
    from spareplan.demand.columns import map_history_columns

    frame, columns, detected = map_history_columns(
        _read_history(history),
        {"part": part_column, "period": period_column, "quantity": quantity_column,
         "site": site_column}, source=source)
    mapping = ", ".join(f"{role} <- {name!r}" for role, name in columns.items()
                        if name is not None)
    options = ", ".join(f"--{role}-column" for role in detected)
    say(f"{source}: columns {mapping}" + (f" (detected: {', '.join(detected)}; choose "
                                          f"others with {options})" if detected else ""))
    return frame, columns


def _say_choice(source: str, n_series: int, n_periods: int, period: str, rule: str,
                per_class: "Selection", cross_validation: dict[str, Any] | None,
                folds: int) -> None:
    """The choice per class and its figures (out of sample too, when cross-validated)."""
    say(f"{source}: choice per class: " + "; ".join(
        f"{row['class']} {row['method']} {row['fill_rate']:.1%}"
        for row in per_class.table.to_dict(orient="records")))
    say(f"{source}: {n_series} series x {n_periods} {period}s; by class "
        f"({rule}): fill rate {per_class.fill_rate:.4f} at "
        f"{per_class.extra_stock_vs_baseline:+.1%} stock vs {per_class.baseline}"
        + (f"; out of sample ({folds} folds): {cross_validation['fill_rate']:.4f}"
           if cross_validation is not None else ""))
