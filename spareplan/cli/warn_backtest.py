"""``spareplan warn-backtest``: judge the early warning against sample paths.

A plain function annotated for typer; the application registers it as a command and maps
:class:`spareplan.errors.InputError` to exit code 2.
"""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from spareplan.cli.common import say, start_command
from spareplan.cli.progress import command_progress
from spareplan.cli.warn import _parse_as_of, load_plan

__all__ = ["warn_backtest_command"]


def _percent(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]


def warn_backtest_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder or scenario.toml.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    plan: Annotated[Path | None, typer.Option("--plan", help="recommendations.csv of "
                                              "`spareplan plan` (the base stock).")] = None,
    weeks: Annotated[int, typer.Option(help="Weekly runs per replication.")] = 26,
    replications: Annotated[int, typer.Option(help="Independent sample paths.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of every path.")] = 0,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Start, YYYY-MM-DD "
                                              "(default: [early_warning] as_of).")] = None,
    horizon_weeks: Annotated[int | None, typer.Option("--horizon-weeks", help="Weeks "
                                                      "projected by each run.")] = None,
) -> int:
    """Run ``warn`` every week of sample paths; write precision, recall and notices.

    Writes ``summary.json`` (settings and the figures), ``by_week.csv`` (alerts per level,
    sites notified, shortages per run) and ``calibration.csv`` (projected probability
    against the frequency of shortage) into ``out``, atomically. See
    :mod:`spareplan.warning.backtest` for the definitions.
    """
    from spareplan.reports.atomic import atomic_folder, write_csv, write_json
    from spareplan.scenario.load import load_scenario
    from spareplan.warning.backtest import backtest

    start_command(out=out, scenario=scenario, inputs=[plan], seed=seed)
    day: dt.date | None = _parse_as_of(as_of)
    with command_progress("warn-backtest") as progress:
        progress.stage("scenario", detail=f"loading and checking {scenario}")
        loaded = load_scenario(scenario)
        plan_frame = None if plan is None else load_plan(Path(plan), loaded)
        progress.stage("weekly runs", total=replications * weeks,
                       detail=f"{replications} sample paths x {weeks} weeks")
        result = backtest(loaded, plan=plan_frame, weeks=weeks, replications=replications,
                          seed=seed, as_of=day, horizon_weeks=horizon_weeks,
                          plan_source=Path(plan).name if plan is not None else "plan",
                          on_run=lambda done, _: progress.advance(done))
        figures = result.summary
        progress.stage("writing outputs", detail=f"{out}")
        with atomic_folder(out) as staging:
            write_json(staging / "summary.json", {"command": "warn-backtest",
                                                  "scenario_path": str(scenario),
                                                  "plan": None if plan is None
                                                  else str(plan), **figures})
            write_csv(staging / "by_week.csv", result.by_week)
            write_csv(staging / "calibration.csv", result.calibration)
    say(f"{figures['runs']} weekly runs ({replications} x {weeks} weeks, horizon "
        f"{figures['horizon_weeks']}): {figures['alerts']} alerts, "
        f"{figures['customer_alerts']} of them customer-facing")
    say(f"recall {_percent(figures['recall'])} of {figures['shortages']} shortages warned "
        f"{figures['lead_weeks']} week(s) ahead; precision {_percent(figures['precision'])} "
        f"(customer-facing {_percent(figures['customer_precision'])})")
    say(f"customer notices: {float(figures['notices_per_week']):.1f} a week, "  # type: ignore[arg-type]
        f"{float(figures['notices_per_customer_per_quarter']):.2f} per customer per "  # type: ignore[arg-type]
        f"quarter ({figures['sites']} sites)")
    say(f"wrote {out}")
    return 0
