"""``spareplan simulate``: verify a stock plan (or the current stock) by simulation.

A plain function annotated for typer; the application registers it as a command and
maps :class:`spareplan.errors.InputError` to exit code 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from spareplan.errors import InputError
from spareplan.reports.atomic import atomic_folder, write_csv, write_json
from spareplan.scenario.load import load_scenario
from spareplan.simulation.verify import simulate_plan

__all__ = ["simulate_command"]


def _read_plan(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: plan file not found")
    try:
        return pd.read_csv(path, dtype={"part": str, "location": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder or scenario.toml.")],
    plan: Annotated[Path | None, typer.Option("--plan", help="Plan CSV (recommendations.csv: "
                                              "part, location, stock); default: the "
                                              "scenario's current stock.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for "
                                      "verification.csv and summary.json.")]
    = Path("verification"),
    seed: Annotated[int, typer.Option(help="Seed of every random draw.")] = 0,
    replications: Annotated[int, typer.Option(help="Independent replications (>= 2).")] = 20,
    years: Annotated[float, typer.Option(help="Measured years per replication.")] = 5.0,
    demand: Annotated[str, typer.Option(help="'model': the demand rates (Poisson or compound "
                                        "Poisson); 'empirical': resample each part x site's "
                                        "demand_history, period by period.")] = "model",
) -> int:
    """Simulate a plan and write every SLA row with its 95 % confidence interval.

    Writes ``verification.csv`` (sla_row, kind, target, value, std_error, ci_low,
    ci_high, meets_target, …) and ``summary.json`` (settings, the rows, shipments per year,
    whether every row is met) into ``out``, atomically: a staging folder beside ``out``
    replaces it only when complete (:func:`spareplan.reports.atomic.atomic_folder`), so an
    error leaves no partial output.

    Returns
    -------
    int
        0 when every SLA row meets its target (point estimate), 1 when one does not.
        Bad input (unknown parts or locations in the plan, zero horizon, negative rates,
        ``--demand empirical`` without a ``demand_history`` with sites) raises
        :class:`spareplan.errors.InputError` (exit 2).
    """
    if not (math.isfinite(years) and years > 0):
        raise InputError(f"parameter --years: must be > 0 (received {years!r})")
    if replications < 2:
        raise InputError(f"parameter --replications: must be >= 2 (received {replications!r})")
    loaded = load_scenario(scenario)
    frame = None if plan is None else _read_plan(Path(plan))
    result = simulate_plan(loaded, frame, replications=replications, years=years, seed=seed,
                           source=Path(plan).name if plan is not None else "current_stock",
                           demand=demand)
    table = result.to_frame()
    summary = {
        "command": "simulate",
        "scenario": str(scenario),
        "scenario_hash": loaded.input_hash,
        "plan": None if plan is None else str(plan),
        **{key: value for key, value in result.summary.items()},
        "rows": [{key: value for key, value in row.items()}
                 for row in table.to_dict(orient="records")],
    }
    with atomic_folder(out) as staging:
        write_csv(staging / "verification.csv", table)
        write_json(staging / "summary.json", summary)
    return 0 if result.all_met else 1
