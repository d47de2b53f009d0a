"""``spareplan validate`` and ``spareplan plan``.

The planning machinery (numba kernels, the solvers, the simulation) is imported inside
the commands, so that ``spareplan validate`` and ``--help`` never load it.
"""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import solvers
from spareplan.cli.common import (
    EXIT_OK,
    EXIT_SLA,
    ClusterOption,
    SchedulerOption,
    check_simulation_size,
    say,
    start_command,
)
from spareplan.cli.progress import command_progress
from spareplan.errors import InfeasibleError, ParameterError, PlanningError, SolverFailure

if TYPE_CHECKING:
    from spareplan.scenario.model import Scenario

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario folder (with scenario.toml) or "
                                             "the TOML file.")]


def validate_command(scenario: ScenarioArg) -> int:
    """Check a scenario: every problem is listed with file, row or field, rule and value."""
    from spareplan.scenario.load import load_scenario

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
    model: Annotated[str | None, typer.Option(
        "--model", help="What the optimizer plans with: simulation (every stock vector's "
        "service simulated; the default of --goal cost) or analytic (METRIC-type "
        "formulas, with a proven bound of that model; the model of --goal service).")]
    = None,
    json_summary: Annotated[bool, typer.Option(
        "--json", help="Print summary.json on stdout when done (for batch jobs; the "
        "console lines stay on stderr).")] = False,
    goal: Annotated[str, typer.Option(
        "--goal", help="cost: the least yearly cost that meets every SLA (default). "
        "service: the best service the inventory budget buys (needs --budget or "
        "inventory_budget in the scenario; SLA targets then judge the plan, they do not "
        "bind it).")] = "cost",
    cluster: ClusterOption = None,
    scheduler: SchedulerOption = None,
) -> int:
    """Plan the least-cost stock that meets every SLA (or, with --goal service, the best
    service within the budget); write recommendations.csv, service.csv and summary.json.
    Exit 0 when every SLA is met, 1 when not, 2 bad input."""
    from spareplan.planning.model import GOALS, SERVICE
    from spareplan.planning.plan import SERVICE_MODELS, plan
    from spareplan.reports.plan_outputs import write_plan
    from spareplan.scenario.load import load_scenario

    start_command(out=out, scenario=scenario, seed=seed, time_limit=time_limit)
    check_simulation_size(replications, years)
    if budget is not None and not budget > 0:
        raise ParameterError("--budget", "must be > 0 (currency; inf: no budget)", budget)
    if model is not None and model not in SERVICE_MODELS:
        raise ParameterError("--model", "must be simulation or analytic", model)
    if goal not in GOALS:
        raise ParameterError("--goal", f"must be one of {', '.join(GOALS)}", goal)
    if goal == SERVICE and model == "simulation":
        raise ParameterError("--model", "--goal service optimizes the analytic model (the "
                             "verification simulates its plan); use --model analytic",
                             model)
    from spareplan.cluster.session import cluster_client, parse_cluster_options

    spec = parse_cluster_options(cluster, scheduler)
    with command_progress("plan") as progress:
        progress.stage("scenario", detail=f"loading and checking {scenario}")
        loaded = load_scenario(scenario)
        say(f"planning {loaded.name!r}: {len(loaded.tables['parts'])} parts, "
            f"{len(loaded.tables['locations'])} locations, {len(loaded.tables['sites'])} "
            "sites")
        failure: PlanningError | None = None
        try:
            with cluster_client(spec) as client:
                result = plan(loaded, seed=seed, time_limit=time_limit, solver=solver,
                              verify=verify, replications=replications, years=years,
                              budget=budget, service_model=model, goal=goal,
                              progress=progress, client=client)
        except PlanningError as error:  # no plan: summary.json alone says why
            failure = error
            progress.stage("writing outputs", detail="summary.json with the reason")
            folder = _write_failure(out, loaded, error, seed=seed, goal=goal)
        else:
            progress.stage("writing outputs", detail=f"{out}")
            folder = write_plan(result, out, scenario=loaded)
    if failure is not None:
        say(f"summary.json (status {_failure_status(failure)}) written to "
            f"{folder.resolve()}")
        if json_summary:
            _print_summary(folder)
        raise failure
    summary = result.summary
    for line in _account_lines(summary):
        say(line)
    for row in result.service.itertuples():
        simulated = getattr(row, "simulated", None)
        measured = ("" if simulated is None or simulated != simulated else
                    f", simulated {simulated:.4f} [{row.ci_low:.4f}, {row.ci_high:.4f}]")
        verdict = getattr(row, "verdict", "met" if row.meets_target else "not met")
        say(f"  {row.sla_row:<40} target {row.target:.4f}  planned {row.planned:.4f}"
            f"{measured}  {verdict.upper() if verdict == 'not met' else verdict}")
    for line in _verification_lines(summary):
        say(line)
    say(f"outputs written to {folder.resolve()}")
    if json_summary:
        _print_summary(folder)
    return EXIT_OK if result.meets_every_sla else EXIT_SLA


def _failure_status(error: PlanningError) -> str:
    """``summary.json``'s status of a run without a plan."""
    if isinstance(error, InfeasibleError):
        return "infeasible"
    return "solver_failure" if isinstance(error, SolverFailure) else "failed"


def _write_failure(out: Path, scenario: "Scenario", error: PlanningError, *, seed: int,
                   goal: str) -> Path:
    """A run without a plan still leaves its account for a batch job: ``summary.json``
    alone in ``--out``, with the status (``infeasible``: no plan meets an SLA or capacity
    row; ``solver_failure``: the solver found no plan, e.g. within the time limit, or
    returned one that breaks its rows), the reason and, when infeasible, the diagnosis
    (each row, what it asks and what can be reached)."""
    from spareplan.reports.atomic import atomic_folder, write_json
    from spareplan.versions import package_versions

    summary = {"scenario": scenario.name, "status": _failure_status(error), "goal": goal,
               "seed": seed, "reason": str(error),
               "diagnosis": getattr(error, "diagnosis", None),
               "input_hash": scenario.input_hash, "versions": package_versions(),
               "meets_every_sla": False}
    with atomic_folder(out) as staging:
        write_json(staging / "summary.json", summary)
    return Path(out)


def _print_summary(folder: Path) -> None:
    """``--json``: the summary.json just written, on stdout."""
    sys.stdout.write((folder / "summary.json").read_text(encoding="utf-8"))
    sys.stdout.flush()


def _account_lines(summary: Mapping[str, Any]) -> list[str]:
    """Cost, the model optimized and the bound of the model it bounds."""
    lines = [f"status {summary['status']}: yearly cost {summary['objective']:,.2f}"
             + (f" (of which expected contract penalties {summary['penalty_cost']:,.2f}"
                + ("" if summary["simulated_penalty_cost"] is None else
                   f"; simulated {summary['simulated_penalty_cost']:,.2f}") + ")"
                if summary.get("penalty_cost") else "")]
    goal = summary.get("service_goal")
    if goal is not None:
        bound = goal["weighted_service_bound"]
        lines.append(
            f"goal: the best service within the budget: weighted service "
            f"{goal['weighted_service']:.6f} (planned, analytic model)"
            + ("" if bound is None else f"; no plan within the budget reaches more than "
               f"{bound:.6f} in that model"))
        return lines
    feed = summary["simulation_feed"]
    if feed is not None:
        analytic = summary["analytic_bound"]
        premium = summary["premium_over_analytic_bound"]
        skipped = feed.get("curse_rounds_skipped_for_time", 0)
        lines.append(
            f"model: the simulated system ({feed['replications']} x {feed['years']:g} years "
            f"per stock vector, {feed.get('near_replications', feed['replications'])} near "
            f"the plan; {feed['simulated_columns']:,} stock vectors simulated; margins of "
            f"{feed['z']:g} standard error(s) plus the optimizer's curse measured on an "
            f"independent stream"
            + (f", {skipped} of its {feed['curse_rounds']} round(s) skipped for the time "
               f"limit" if skipped else "") + ")" + (
                f"; lower bound {summary['lower_bound']:,.2f} of that model (every stock "
                f"vector simulated), gap {100 * (summary['gap'] or 0.0):.3f}%"
                if summary["bound_model"] else "; no bound is claimed for it"))
        if analytic is not None and premium is not None:
            lines.append(f"the analytic model's lower bound is {analytic:,.2f}; this plan "
                         f"costs {100 * premium:.1f}% more (what the simulated service asks "
                         f"beyond the formulas)")
        elif analytic is not None:
            lines.append(f"the analytic model's lower bound is {analytic:,.2f}: its column "
                         f"generation did not converge"
                         + (" within the time limit; the plan may cost much more than "
                            "needed (allow more time)" if summary["time_limit"] else ""))
        return lines
    gap = summary["gap"]
    if summary.get("service_model_note"):
        lines.append(f"the analytic model planned instead of the simulation feed: "
                     f"{summary['service_model_note']}")
    if summary["lower_bound"] is None:
        lines.append("model: analytic; no bound (pricing was not exact for every part)")
    else:
        lines.append(f"model: analytic; lower bound {summary['lower_bound']:,.2f} of that "
                     f"model, gap {'n/a' if gap is None else f'{100 * gap:.3f}%'}")
    return lines


def _verification_lines(summary: Mapping[str, Any]) -> list[str]:
    """What the verification found, and whether it was sharp enough to tell."""
    from spareplan.planning.verification import SHARP_SHARE

    check = summary["verification"]
    if check is None:
        return ["not verified (--no-verify): the planned values are the model's"]
    if not check["done"]:
        return [f"NOT VERIFIED: {check['note']}"]
    lines = [f"verification ({check['replications']} x {check['years']:g} years, "
             f"independent random numbers): {check['rows_below_target']} SLA row(s) below "
             f"target"]
    blunt = check["rows_not_sharp"]
    if blunt:
        lines.append(f"the check is too small to judge {len(blunt)} row(s) (95% half-width "
                     f"above {SHARP_SHARE:.0%} of 1 - target: {', '.join(blunt[:5])}"
                     f"{', ...' if len(blunt) > 5 else ''}); raise --replications or "
                     f"--years")
    return lines
