"""``spareplan frontier``: yearly cost against service, MILP and greedy curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import solvers
from spareplan.cli.common import EXIT_OK, say, start_command
from spareplan.errors import ParameterError
from spareplan.planning.frontier import frontier
from spareplan.reports.atomic import atomic_folder, write_csv
from spareplan.scenario.load import load_scenario


def frontier_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (with scenario.toml) or "
                                             "the TOML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced "
                                      "atomically).")],
    points: Annotated[int, typer.Option(help="Service levels from no extra stock (0) to "
                                        "the scenario's targets (1).")] = 8,
    solver: Annotated[str, typer.Option(help="Optimization backend: highs, pulp-highs, "
                                        "pulp-cbc.")] = solvers.DEFAULT_BACKEND,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per point.")] = None,
    seed: Annotated[int, typer.Option(help="Seed recorded with the result.")] = 0,
) -> int:
    """Trace yearly cost against service (SLA level sweep); write frontier.csv and
    frontier.png. Exit 0 ok, 1 targets out of reach, 2 bad input."""
    start_command(out=out, scenario=scenario, seed=seed, time_limit=time_limit)
    if points < 2:
        raise ParameterError("--points", "must be >= 2", points)
    loaded = load_scenario(scenario)
    say(f"frontier of {loaded.name!r}: {points} service levels")
    result = frontier(loaded, points=points, solver=solver, time_limit=time_limit, seed=seed)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with atomic_folder(out) as staging:
        write_csv(staging / "frontier.csv", result.to_frame())
        ax = result.plot()
        ax.figure.savefig(staging / "frontier.png", dpi=120, bbox_inches="tight")
        plt.close(ax.figure)
    for row in result.points.itertuples():
        say(f"  level {row.level:.3f}: fill rate {row.fill_rate:.4f}, MILP {row.milp_cost:,.0f} "
            f"(gap {100 * row.gap:.2f}%), greedy hull {row.greedy_hull_cost or float('nan'):,.0f}")
    say(f"outputs written to {Path(out).resolve()}")
    return EXIT_OK
