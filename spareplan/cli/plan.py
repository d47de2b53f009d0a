"""``spareplan validate`` and ``spareplan plan``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import solvers
from spareplan.cli.common import EXIT_OK, EXIT_SLA, say, start_command
from spareplan.errors import ParameterError
from spareplan.planning.plan import plan
from spareplan.reports.plan_outputs import write_plan
from spareplan.scenario.load import load_scenario

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario folder (with scenario.toml) or "
                                             "the TOML file.")]


def validate_command(scenario: ScenarioArg) -> int:
    """Check a scenario: every problem is listed with file, row or field, rule and value."""
    loaded = load_scenario(scenario)
    counts = ", ".join(f"{n} {name}" for name, n in loaded.summary().items())
    say(f"scenario {loaded.name!r} is valid: {counts}")
    return EXIT_OK


def plan_command(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced "
                                      "atomically).")],
    seed: Annotated[int, typer.Option(help="Seed of the verification simulation.")] = 0,
    time_limit: Annotated[float | None, typer.Option(help="Seconds for the optimization; "
                                                     "the result then reports its gap.")]
    = None,
    solver: Annotated[str, typer.Option(help="Optimization backend: highs, pulp-highs, "
                                        "pulp-cbc.")] = solvers.DEFAULT_BACKEND,
    verify: Annotated[bool, typer.Option(help="Re-measure the plan by simulation.")] = True,
    replications: Annotated[int, typer.Option(help="Replications of the verification.")]
    = 20,
    years: Annotated[float, typer.Option(help="Simulated years per replication.")] = 5.0,
    budget: Annotated[float | None, typer.Option(
        help="Inventory budget: most capital tied up in stock (sum of unit_cost x stock, in "
             "the scenario's currency); overrides [costs] inventory_budget, inf for none.")]
    = None,
) -> int:
    """Plan the least-cost stock that meets every SLA; write recommendations.csv,
    service.csv and summary.json. Exit 0 when every SLA is met, 1 when not, 2 bad input."""
    start_command(out=out, scenario=scenario, seed=seed, time_limit=time_limit)
    if replications < 2:
        raise ParameterError("--replications", "must be >= 2 (for a confidence interval)",
                             replications)
    if not years > 0:
        raise ParameterError("--years", "must be > 0", years)
    if budget is not None and not budget > 0:
        raise ParameterError("--budget", "must be > 0 (currency; inf: no budget)", budget)
    loaded = load_scenario(scenario)
    say(f"planning {loaded.name!r}: {len(loaded.tables['parts'])} parts, "
        f"{len(loaded.tables['locations'])} locations, {len(loaded.tables['sites'])} sites")
    result = plan(loaded, seed=seed, time_limit=time_limit, solver=solver, verify=verify,
                  replications=replications, years=years, budget=budget)
    folder = write_plan(result, out)
    summary = result.summary
    gap = summary["gap"]
    say(f"status {summary['status']}: yearly cost {summary['objective']:,.2f}, "
        f"lower bound {summary['lower_bound']}, gap "
        f"{'n/a' if gap is None else f'{100 * gap:.3f}%'}")
    for row in result.service.itertuples():
        simulated = getattr(row, "simulated", None)
        measured = ("" if simulated is None else
                    f", simulated {simulated:.4f} [{row.ci_low:.4f}, {row.ci_high:.4f}]")
        verdict = getattr(row, "verdict", "met" if row.meets_target else "not met")
        say(f"  {row.sla_row:<40} target {row.target:.4f}  planned {row.planned:.4f}"
            f"{measured}  {verdict.upper() if verdict == 'not met' else verdict}")
    say(f"outputs written to {folder.resolve()}")
    return EXIT_OK if result.meets_every_sla else EXIT_SLA
