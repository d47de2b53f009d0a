"""``spareplan frontier``: yearly cost against service from both sides, every point a plan."""

import math
from pathlib import Path
from typing import Annotated

import typer

import solvers
from spareplan.cli.common import EXIT_OK, say, start_command
from spareplan.cli.progress import command_progress
from spareplan.errors import ParameterError


def frontier_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (with scenario.toml) or "
                                             "the TOML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced "
                                      "atomically).")],
    points: Annotated[int, typer.Option(help="Distinct plans per side: service levels from "
                                        "no extra stock to the scenario's targets, budgets "
                                        "up to what the targets cost.")] = 6,
    side: Annotated[str, typer.Option(help="both, target (least cost per service level) "
                                      "or budget (best service per budget).")] = "both",
    solver: Annotated[str, typer.Option(help="Optimization backend: highs, pulp-highs, "
                                        "pulp-cbc.")] = solvers.DEFAULT_BACKEND,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per point.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of every point's feed and verification.")]
    = 0,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model of the target side: simulation (default, as spareplan plan) "
        "or analytic (faster). The budget side plans with the analytic model.")] = None,
    verify: Annotated[bool, typer.Option(help="Re-measure every point by simulation.")]
    = True,
) -> int:
    """Trace yearly cost against service: least cost per service level and best service
    per budget, every point a full plan; write frontier.csv, frontier_skipped.csv (levels
    or budgets without a plan) and frontier.png. Exit 0 ok,
    1 targets out of reach, 2 bad input."""
    from spareplan.planning.frontier import SIDES, frontier
    from spareplan.planning.plan import SERVICE_MODELS
    from spareplan.reports.atomic import atomic_folder, write_csv
    from spareplan.scenario.load import load_scenario

    start_command(out=out, scenario=scenario, seed=seed, time_limit=time_limit)
    if points < 2:
        raise ParameterError("--points", "must be >= 2", points)
    if side not in SIDES:
        raise ParameterError("--side", f"must be one of {', '.join(SIDES)}", side)
    if model is not None and model not in SERVICE_MODELS:
        raise ParameterError("--model", "must be simulation or analytic", model)
    with command_progress("frontier") as progress:
        progress.stage("scenario", detail=f"loading and checking {scenario}")
        loaded = load_scenario(scenario)
        say(f"frontier of {loaded.name!r}: {points} plans per side ({side})")
        # the count and its ETA are of the plans asked; a target-side sweep may plan up
        # to LEVELS_PER_POINT times as many levels to find them
        planned = [0]

        def point_planned(line: str) -> None:
            planned[0] += 1
            progress.advance(planned[0], detail=line)

        progress.stage("plans", total=points * (2 if side == "both" else 1),
                       detail="every point a full plan")
        result = frontier(loaded, points=points, side=side, solver=solver,
                          time_limit=time_limit, seed=seed, service_model=model,
                          verify=verify, progress=point_planned)
        progress.stage("writing outputs", detail=f"{out}")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        with atomic_folder(out) as staging:
            write_csv(staging / "frontier.csv", result.to_frame())
            write_csv(staging / "frontier_skipped.csv", result.skipped)
            axes = result.plot()
            figure = axes[0].figure
            figure.savefig(staging / "frontier.png", dpi=120, bbox_inches="tight",
                           metadata={"Software": None})
            plt.close(figure)
    currency = result.currency
    for row in result.points.itertuples():
        where = (f"level {row.level:.4f}" if row.side == "target"
                 else f"budget {row.budget:,.0f} {currency}")
        simulated = ("" if math.isnan(row.simulated_fill_rate) and
                     math.isnan(row.simulated_availability) else
                     f", simulated {row.simulated_fill_rate:.4f} / "
                     f"{row.simulated_availability:.4f}")
        say(f"  {row.side:<6} {where:<24} yearly cost {row.yearly_cost:,.0f} {currency}, "
            f"investment {row.investment:,.0f}, fill {row.fill_rate:.4f} / availability "
            f"{row.availability:.4f}{simulated}"
            + (" (dominated)" if row.dominated else ""))
    for row in result.skipped.itertuples():
        where = (f"level {row.level:.4f}" if row.side == "target"
                 else f"budget {row.budget:,.0f} {currency}")
        say(f"  {row.side:<6} {where:<24} no plan: {row.reason}")
    say(f"outputs written to {Path(out).resolve()}")
    return EXIT_OK
