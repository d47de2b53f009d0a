"""``spareplan simulate``: verify a stock plan (or the current stock) by simulation.

A plain function annotated for typer; the application registers it as a command and
maps :class:`spareplan.errors.InputError` to exit code 2.
"""

import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spareplan.cli.common import (
    ClusterOption,
    SchedulerOption,
    check_simulation_size,
    say,
    start_command,
)
from spareplan.cli.progress import command_progress
from spareplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["simulate_command"]


def _read_plan(path: Path) -> "pd.DataFrame":
    """The plan file as a frame; a stock above :data:`MAX_COUNT` is refused here, before
    any array is sized by it (the other rules are those of ``plan_stock_matrix``)."""
    import numpy as np
    import pandas as pd

    from spareplan.scenario.files import MAX_PLAN_BYTES, FileRefused, read_regular_file
    from spareplan.scenario.tables import MAX_COUNT

    try:
        data = read_regular_file(path, MAX_PLAN_BYTES)
    except FileRefused as refused:
        raise InputError(f"{path}: plan file (--plan): {refused.rule} "
                         f"(received {refused.value!r})") from None
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype={"part": str, "location": str},
                            encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            ValueError) as exc:
        raise InputError(f"{path}: plan file (--plan): must be a CSV table with columns "
                         f"part, location, stock ({str(exc).strip()[:200]})") from None
    if not isinstance(frame.index, pd.RangeIndex):
        raise InputError(f"{path.name}: row 1: must have as many fields as the header "
                         f"({len(frame.columns)}: {', '.join(map(str, frame.columns))}); "
                         "every row has more (a trailing comma?)")
    if "stock" in frame.columns:
        stock = pd.to_numeric(frame["stock"], errors="coerce").to_numpy(dtype=float)
        huge = np.flatnonzero(np.isfinite(stock) & (np.abs(stock) > MAX_COUNT))
        if len(huge):
            row = int(huge[0]) + 1
            raise InputError(f"{path.name}: row {row}, column stock: must be an integer "
                             f"from 0 to {MAX_COUNT:.0f} (received "
                             f"{frame['stock'].iloc[row - 1]!r})")
    return frame


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
    cluster: ClusterOption = None,
    scheduler: SchedulerOption = None,
) -> int:
    """Simulate a plan and write every SLA row with its 95 % confidence interval.

    Writes ``verification.csv`` (sla_row, kind, target, simulated, std_error, ci_low,
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
    from spareplan.reports.atomic import atomic_folder, write_csv, write_json
    from spareplan.scenario.load import load_scenario
    from spareplan.simulation.verify import simulate_plan

    start_command(out=out, scenario=scenario, inputs=[plan], seed=seed)
    check_simulation_size(replications, years)
    from spareplan.cluster.session import cluster_client, parse_cluster_options

    spec = parse_cluster_options(cluster, scheduler)
    with command_progress("simulate") as progress, cluster_client(spec) as client:
        progress.stage("scenario", detail=f"loading and checking {scenario}")
        loaded = load_scenario(scenario)
        frame = None if plan is None else _read_plan(Path(plan))
        parts = len(loaded.tables["parts"])
        progress.stage("simulation", total=parts, detail=(
            f"{replications} x {years:g} years of "
            f"{'the plan' if plan is not None else 'the current stock'}, {parts:,} parts"))
        result = simulate_plan(loaded, frame, replications=replications, years=years,
                               seed=seed, demand=demand, client=client, source=Path(plan).name
                               if plan is not None else "current_stock",
                               on_chunk=lambda done, _: progress.advance(done))
        progress.stage("writing outputs", detail=f"{out}")
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
    below = int((~table["meets_target"].astype(bool)).sum()) if len(table) else 0
    say(f"simulated {replications} x {years:g} years: {len(table) - below} of {len(table)} "
        f"SLA row(s) meet their target (point estimate; 95% CIs in verification.csv)")
    say(f"outputs written to {Path(out).resolve()}")
    return 0 if result.all_met else 1
