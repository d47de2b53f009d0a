"""``spareplan sweep SCENARIO --out DIR``: one scenario planned over a parameter grid
and/or scenario variants; every variant a full plan folder in ``DIR/<variant>/``, and
``DIR/sweep.csv``, ``DIR/sweep.png``, ``DIR/sweep.html``.

Heavy modules (pandas, the planner, matplotlib) are imported inside the command so that
the command line stays quick to start.
"""

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import solvers
from spareplan.cli.common import (
    EXIT_OK,
    EXIT_SLA,
    check_simulation_size,
    quiet_scope,
    say,
    start_command,
)
from spareplan.errors import ParameterError

if TYPE_CHECKING:
    from spareplan.planning.sweep import SweepResult

#: The command-line option of each grid parameter.
OPTIONS = {"targets": "--targets", "uptime_targets": "--uptime-targets",
           "lead_time_factor": "--lead-time-factor", "budget": "--budget"}
#: What a variant's folder name may hold.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+\-]*")
_FILES = ("sweep.csv", "sweep.png", "sweep.html")


def _numbers(option: str, text: str | None) -> list[float] | None:
    """A comma-separated list of numbers (``None`` when the option is not given)."""
    if text is None:
        return None
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise ParameterError(option, "must hold at least one value (a comma-separated "
                             "list)", text)
    values = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise ParameterError(option, "must be a comma-separated list of numbers",
                                 item) from None
        if not math.isfinite(value):
            raise ParameterError(option, "must hold finite numbers", item)
        values.append(value)
    return values


def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="The base scenario (folder with "
                                             "scenario.toml, or the TOML file).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced "
                                      "atomically).")],
    targets: Annotated[str | None, typer.Option(
        "--targets", help="Targets of every fill-rate SLA row, comma-separated, each "
        "above 0 and below 1 (e.g. 0.90,0.95,0.98).")] = None,
    uptime_targets: Annotated[str | None, typer.Option(
        "--uptime-targets", help="Targets of every uptime SLA row, comma-separated "
        "(e.g. 0.995,0.998).")] = None,
    lead_time_factor: Annotated[str | None, typer.Option(
        "--lead-time-factor", help="Factors > 0 on every replenishment lead time "
        "(locations' lead_time_days, parts' procurement_lead_time_days), e.g. 0.5,1,2.")]
    = None,
    budget: Annotated[str | None, typer.Option(
        "--budget", help="Inventory budgets > 0 (currency), each planned for the best "
        "service it buys (as plan --goal service), e.g. 100000,200000.")] = None,
    variant: Annotated[list[Path] | None, typer.Option(
        "--variant", help="Another scenario planned beside the base one (repeat the "
        "option for more); its folder name names it.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of every variant's plan.")] = 0,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per variant.")] = None,
    solver: Annotated[str, typer.Option(help="Optimization backend: highs, pulp-highs, "
                                        "pulp-cbc.")] = solvers.DEFAULT_BACKEND,
    verify: Annotated[bool, typer.Option(help="Re-measure every plan by simulation.")]
    = True,
    replications: Annotated[int, typer.Option(help="Replications of each verification.")]
    = 20,
    years: Annotated[float, typer.Option(help="Simulated years per replication.")] = 5.0,
    model: Annotated[str | None, typer.Option(
        "--model", help="simulation (default) or analytic, as spareplan plan (budget "
        "variants plan with the analytic model).")] = None,
) -> int:
    """Plan a scenario over a grid of targets, lead-time factors and budgets (every
    combination) and/or beside scenario variants, every variant the same way; write one
    plan folder per variant (DIR/<variant>/; summary.json alone when its targets are out
    of reach), sweep.csv (one row per variant), sweep.png and sweep.html. Exit 0 when
    every variant meets every SLA, 1 when one does not or has no plan, 2 bad input
    (nothing written)."""
    variants = list(variant or [])
    start_command(out=out, scenario=scenario, inputs=variants, seed=seed,
                  time_limit=time_limit)
    given = {"targets": targets, "uptime_targets": uptime_targets,
             "lead_time_factor": lead_time_factor, "budget": budget}
    grid = {name: values for name, option in OPTIONS.items()
            if (values := _numbers(option, given[name])) is not None}
    if not grid and not variants:
        raise ParameterError("sweep", "needs at least one of --targets, --uptime-targets, "
                             "--lead-time-factor, --budget or --variant", "none given")
    check_simulation_size(replications, years)
    from spareplan.planning.plan import SERVICE_MODELS
    if model is not None and model not in SERVICE_MODELS:
        raise ParameterError("--model", "must be simulation or analytic", model)
    if solver not in solvers.available_backends():
        raise ParameterError("--solver", f"must be one of "
                             f"{', '.join(solvers.available_backends())}", solver)
    from spareplan.planning.sweep import plan_variants, sweep_variants
    from spareplan.scenario.load import load_scenario

    base = load_scenario(scenario)
    others = {}
    base_name = _folder_name(scenario, "SCENARIO")
    for path in variants:
        name = _folder_name(path, "--variant")
        if name in others or name == base_name:
            raise ParameterError("--variant", "must name scenarios of distinct folder names "
                                 f"(the base scenario is {base_name!r})", str(path))
        others[name] = load_scenario(path)
    try:
        chosen = sweep_variants(base, grid, variants=others or None,
                                name=base_name if others else None)
    except ParameterError as error:
        raise ParameterError(OPTIONS.get(error.name, error.name), error.rule,
                             error.value) from None
    for item in chosen:
        if item.name in _FILES:
            raise ParameterError("--variant", "must not be named like a file of the sweep",
                                 item.name)
    say(f"sweep of {base.name!r}: {len(chosen)} variant(s)")
    result = plan_variants(chosen, scenario=base.name, currency=base.document.currency,
                           progress=lambda line: say(f"  planned {line}"), seed=seed,
                           time_limit=time_limit, solver=solver, verify=verify,
                           replications=replications, years=years, service_model=model)
    _write(out, result, seed=seed)
    for row in result.table.itertuples():
        if row.reason:
            say(f"  {row.variant:<40} {row.status:<10} no plan: {row.reason}")
            continue
        say(f"  {row.variant:<40} {row.status:<10} yearly cost {row.yearly_cost:,.2f} "
            f"{result.currency}, investment {row.investment:,.0f}, worst margin "
            f"{100 * row.worst_margin:+.2f} pt ({row.worst_sla_row}): "
            + ("meets every SLA" if row.meets_every_sla else
               f"MISSES {row.rows_below_target} SLA row(s)"))
    say(f"outputs written to {Path(out).resolve()}")
    return EXIT_OK if result.meets_every_sla else EXIT_SLA


def _folder_name(path: Path, option: str) -> str:
    from spareplan.scenario.load import resolve_scenario_path

    toml = resolve_scenario_path(path)
    name = toml.parent.resolve().name if toml.name == "scenario.toml" else toml.stem
    if not _NAME.fullmatch(name):
        raise ParameterError(option, "must be a scenario whose folder name is letters, "
                             "digits, '.', '_', '+' or '-' (it names the variant's folder)",
                             name)
    return name


def _write(out: Path, result: "SweepResult", *, seed: int) -> None:
    """Every variant's folder, sweep.csv, sweep.png and sweep.html, atomically."""
    from spareplan.cli.plan import _write_failure
    from spareplan.planning.sweep import AMOUNTS
    from spareplan.reports.atomic import atomic_folder, command_scope, write_csv
    from spareplan.reports.compare import exact_amounts
    from spareplan.reports.plan_outputs import write_plan
    from spareplan.reports.sweep_html import render_sweep, save_sweep_png

    folders: dict[str, bool] = {}
    with atomic_folder(out) as staging:
        with command_scope("plan"), quiet_scope(True):
            for item in result.variants:
                folder = staging / item.name
                if item.name in result.plans:
                    write_plan(result.plans[item.name], folder, scenario=item.scenario)
                    folders[item.name] = True
                else:  # infeasible or failed: summary.json alone says why
                    goal = "service" if item.budget is not None else "cost"
                    _write_failure(folder, item.scenario, result.failures[item.name],
                                   seed=seed, goal=goal)
        write_csv(staging / "sweep.csv", exact_amounts(result.table, AMOUNTS))
        save_sweep_png(result, staging / "sweep.png")
        (staging / "sweep.html").write_text(render_sweep(result, folders), encoding="utf-8")
