"""``spareplan compare A B``: two plans (or two scenarios planned the same way) side by
side, in the terminal and, with ``--out``, as CSV files and compare.html.

Heavy modules (pandas, the planner, matplotlib) are imported inside the command so that
the command line stays quick to start.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import solvers
from spareplan.cli.common import EXIT_OK, check_simulation_size, say, start_command
from spareplan.errors import ParameterError

if TYPE_CHECKING:
    from spareplan.reports.compare import PlanComparison

#: Subfolders of ``--out`` holding the two plans when A and B are scenarios.
PLAN_FOLDERS = ("plan_a", "plan_b")


def _is_plan_folder(path: Path) -> bool:
    from spareplan.reports.atomic import MARKER

    return path.is_dir() and (path / MARKER).exists()


def _is_scenario(path: Path) -> bool:
    from spareplan.scenario.load import resolve_scenario_path

    return not _is_plan_folder(path) and resolve_scenario_path(path).is_file()


def compare_command(
    a: Annotated[Path, typer.Argument(help="Plan A: a plan folder written by spareplan plan, "
                                      "or a scenario (folder or TOML file).")],
    b: Annotated[Path, typer.Argument(help="Plan B (compared against A: B - A), of the same "
                                      "kind as A.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder (replaced atomically): compare_summary.csv, "
        "compare_service.csv, stock_changes.csv, compare.html (and, for two scenarios, "
        "their plan folders plan_a/ and plan_b/). Without it: the terminal only.")] = None,
    seed: Annotated[int, typer.Option(help="Scenarios only: seed of both plans.")] = 0,
    time_limit: Annotated[float | None, typer.Option(help="Scenarios only: seconds per "
                                                     "plan.")] = None,
    solver: Annotated[str, typer.Option(help="Scenarios only: optimization backend.")]
    = solvers.DEFAULT_BACKEND,
    verify: Annotated[bool, typer.Option(help="Scenarios only: re-measure both plans by "
                                         "simulation.")] = True,
    replications: Annotated[int, typer.Option(help="Scenarios only: replications of the "
                                              "verification.")] = 20,
    years: Annotated[float, typer.Option(help="Scenarios only: simulated years per "
                                         "replication.")] = 5.0,
    model: Annotated[str | None, typer.Option(
        "--model", help="Scenarios only: simulation or analytic (as spareplan plan).")]
    = None,
) -> int:
    """Compare plan B against plan A: yearly cost, investment, holding and shipping cost,
    bound and gap, service per SLA row (with confidence intervals when verified) and the
    stock changes per part and location. A and B are two plan folders, or two scenarios
    planned here the same way (same options and seed; needs --out, where both plans are
    written). Exit 0 compared, 1 a scenario's targets are out of reach, 2 bad input
    (nothing written)."""
    from spareplan.reports.compare import compare_plans
    from spareplan.reports.plan_folder import read_plan_files, read_plan_folder

    scenarios = _is_scenario(a), _is_scenario(b)
    inputs = [a, b] if not any(scenarios) else []
    start_command(out=out, scenario=a if scenarios[0] else None, inputs=inputs, seed=seed,
                  time_limit=time_limit)
    if scenarios[0] != scenarios[1]:
        raise ParameterError("A and B", "must both be plan folders or both be scenarios",
                             f"{'scenario' if scenarios[0] else 'plan folder'} {str(a)!r}, "
                             f"{'scenario' if scenarios[1] else 'plan folder'} {str(b)!r}")
    if not any(scenarios):
        first, second = read_plan_folder(a), read_plan_folder(b)
        comparison = compare_plans(first, second)
        _print_comparison(comparison, (str(a), str(b)))
        if out is not None:
            _write(out, comparison, (str(a), str(b)))
        return EXIT_OK
    if out is None:
        raise ParameterError("--out", "is needed to compare two scenarios (both plans are "
                             "written in it, as plan_a/ and plan_b/)", None)
    check_simulation_size(replications, years)
    from spareplan.planning.plan import SERVICE_MODELS, plan
    from spareplan.reports.atomic import atomic_folder, check_output_folder, command_scope
    from spareplan.reports.plan_outputs import write_plan
    from spareplan.scenario.load import load_scenario, resolve_scenario_path

    if model is not None and model not in SERVICE_MODELS:
        raise ParameterError("--model", "must be simulation or analytic", model)
    check_output_folder(out, inputs=[("the scenario folder of B",
                                      resolve_scenario_path(b).parent)])
    loaded = [load_scenario(a), load_scenario(b)]
    results = []
    for label, scenario in zip("AB", loaded, strict=True):
        say(f"planning {label}: {scenario.name!r}")
        results.append(plan(scenario, seed=seed, time_limit=time_limit, solver=solver,
                            verify=verify, replications=replications, years=years,
                            service_model=model))
    names = (str(a), str(b))
    with atomic_folder(out) as staging:
        with command_scope("plan"):
            for folder, result, scenario in zip(PLAN_FOLDERS, results, loaded, strict=True):
                write_plan(result, staging / folder, scenario=scenario)
        comparison = compare_plans(*(read_plan_files(staging / f) for f in PLAN_FOLDERS))
        _write_files(staging, comparison, names)
    _print_comparison(comparison, names)
    say(f"outputs written to {Path(out).resolve()} (the plans in {PLAN_FOLDERS[0]}/ and "
        f"{PLAN_FOLDERS[1]}/)")
    return EXIT_OK


def _print_comparison(comparison: "PlanComparison", names: tuple[str, str]) -> None:
    """The short comparison on stdout (a rich table; plain text when not a terminal)."""
    import sys

    from rich.console import Console
    from rich.table import Table

    # a pipe or a log file gets the width of a wide terminal, not rich's default 80
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    rows = comparison.summary.set_index("plan")
    a, b, d = rows.loc["A"], rows.loc["B"], rows.loc["B - A"]
    currency = comparison.currency
    table = Table(title=f"A = {names[0]}   B = {names[1]}", title_justify="left")
    for header in ("", "A", "B", "B - A"):
        table.add_column(header, justify="left" if not header else "right")

    def money(value: Any) -> str:
        return "–" if value != value else f"{value:,.2f}"

    def signed(value: Any, digits: int = 2) -> str:
        return "–" if value != value else f"{value:+,.{digits}f}"

    table.add_row("scenario", str(a["scenario"]), str(b["scenario"]), "")
    table.add_row("status", str(a["status"]), str(b["status"]), "")
    table.add_row("meets every SLA", "yes" if a["meets_every_sla"] else "NO",
                  "yes" if b["meets_every_sla"] else "NO", "")
    unit = f" ({currency})" if currency else ""
    for label, column in ((f"yearly cost{unit}", "yearly_cost"),
                          (f"investment{unit}", "investment"),
                          (f"holding cost / year{unit}", "holding_cost"),
                          (f"emergency + lateral / year{unit}", "shipping_cost"),
                          (f"lower bound{unit}", "lower_bound")):
        table.add_row(label, money(a[column]), money(b[column]), signed(d[column]))
    gap_a, gap_b = a["gap"], b["gap"]
    table.add_row("gap", "–" if gap_a != gap_a else f"{100 * gap_a:.3f}%",
                  "–" if gap_b != gap_b else f"{100 * gap_b:.3f}%", "")
    table.add_row("SLA rows below target", f"{a['rows_below_target']:.0f}",
                  f"{b['rows_below_target']:.0f}", signed(d["rows_below_target"], 0))
    table.add_row("stocked units", f"{a['stock_units']:,.0f}", f"{b['stock_units']:,.0f}",
                  signed(d["stock_units"], 0))
    console.print(table)

    service = Table(title="Service per SLA row (simulated with 95% CI where verified, "
                    "else planned)", title_justify="left")
    frame = comparison.service
    same = bool((frame["target_a"].fillna(frame["target_b"])
                 == frame["target_b"].fillna(frame["target_a"])).all())
    targets = ("target",) if same else ("target A", "target B")
    service.add_column("SLA row", overflow="fold")
    for header in (*targets, "A", "B", "B - A"):
        service.add_column(header, justify="right", no_wrap=True)
    for r in frame.to_dict("records"):
        target = ([_share(r["target_b"] if r["target_b"] == r["target_b"]
                          else r["target_a"])] if same
                  else [_share(r["target_a"]), _share(r["target_b"])])
        service.add_row(r["sla_row"] + ("" if r["present"] == "both" else
                                        f" ({r['present']})"),
                        *target, _side(r, "a"), _side(r, "b"),
                        "–" if r["difference"] != r["difference"] else
                        f"{round(100 * r['difference'], 2) + 0.0:+.2f} pt")
    console.print(service)
    if (frame["measure"] == "planned").any():
        console.print("B - A: of the planned values on the rows where a plan was not "
                      "verified")
    changes = comparison.stock_changes
    up, down = changes[changes["change"] > 0], changes[changes["change"] < 0]
    console.print(
        f"stock changes: {len(changes):,} part-location lines ({len(up):,} up by "
        f"{int(up['change'].sum()):,} units, {len(down):,} down by "
        f"{int(-down['change'].sum()):,} units), value of the changes "
        f"{changes['change_value'].sum():+,.2f}{' ' + currency if currency else ''}")
    for note in comparison.notes:
        console.print(f"note: {note}")


def _share(value: float) -> str:
    return "–" if value != value else f"{100 * value:.2f}%"


def _side(row: dict[str, Any], side: str) -> str:
    simulated = row[f"simulated_{side}"]
    if simulated == simulated:
        half = (row[f"ci_high_{side}"] - row[f"ci_low_{side}"]) / 2
        text = _share(simulated) + ("" if half != half else f" ±{100 * half:.2f}")
    else:
        text = _share(row[f"planned_{side}"])
    verdict = row[f"verdict_{side}"]
    return text + (" NOT MET" if verdict == "not met" else "")


def _write_files(folder: Path, comparison: "PlanComparison", names: tuple[str, str]) -> None:
    from spareplan.reports.atomic import write_csv
    from spareplan.reports.compare import CHANGE_AMOUNTS, SUMMARY_AMOUNTS, exact_amounts
    from spareplan.reports.compare_html import render_compare

    write_csv(folder / "compare_summary.csv",
              exact_amounts(comparison.summary, SUMMARY_AMOUNTS))
    write_csv(folder / "compare_service.csv", comparison.service)
    write_csv(folder / "stock_changes.csv",
              exact_amounts(comparison.stock_changes, CHANGE_AMOUNTS))
    (folder / "compare.html").write_text(render_compare(comparison, names),
                                         encoding="utf-8")


def _write(out: Path, comparison: "PlanComparison", names: tuple[str, str]) -> None:
    from spareplan.reports.atomic import atomic_folder

    with atomic_folder(out) as staging:
        _write_files(staging, comparison, names)
    say(f"outputs written to {Path(out).resolve()}")
