"""Planning benchmark: generated scenarios, time to plan, gap, columns, memory, greedy.

Each size runs in its own subprocess (peak RSS per size). Timed: scenario model build
(evaluation set-up) + :func:`spareplan.planning.optimize.optimize`; the verification
simulation is not run. In the same run: the hull and naive marginal-analysis greedy over
the optimizer's columns (at equal service), and, for ``--monolithic-sizes``, the
monolithic MILP of ``benchmarks/monolithic_milp.py`` (one binary per stock level, same
optimum) in its own subprocess. With ``--feed`` each size is planned as ``spareplan plan``
plans it (the simulated system optimized, then verified, issue 12): cost, the bound and
the model it bounds (none for the simulated model under column generation), the analytic
model's Lagrangian bound and LP value and the premium over the bound, the cost of every
curse round, rows below target in the verification, wall and CPU (all threads).
Usage::

    .venv/bin/python benchmarks/planning_benchmark.py --sizes 1000 10000 50000 --fsls 50 \
        --time-limit 110 --monolithic-sizes 20 --monolithic-time-limit 300
    .venv/bin/python benchmarks/planning_benchmark.py --feed --sizes 200 1000 --fsls 20
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(n_parts: int, n_fsls: int, time_limit: float | None, seed: int,
            baselines: bool = True) -> dict:
    import solvers
    from spareplan import load_scenario
    from spareplan.planning.model import PlanningModel
    from spareplan.planning.optimize import baseline_costs, optimize
    from spareplan.scenario.generator import generate_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_scenario(Path(tmp) / "gen", n_parts=n_parts, n_fsls=n_fsls, seed=seed)
        scenario = load_scenario(folder)
        started = time.perf_counter()
        model = PlanningModel.build(scenario)
        built = time.perf_counter()
        result = optimize(model, budget=solvers.TimeBudget.of(time_limit))
        seconds = time.perf_counter() - started
        solution = result.solution
        # The optimizer's figures first (stderr), in case the greedy baselines run long.
        print(json.dumps({"parts": n_parts, "plan_seconds": round(seconds, 2),
                          "objective": solution.objective, "gap": solution.gap,
                          "columns": result.n_columns,
                          "peak_rss_mib": round(resource.getrusage(
                              resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}),
              file=sys.stderr, flush=True)
        baseline_started = time.perf_counter()
        empty = {"greedy_hull_cost": None, "greedy_naive_cost": None,
                 "saving_vs_hull_fraction": None, "saving_vs_naive_fraction": None}
        baseline = baseline_costs(model, result) if baselines else empty
        greedy_columns = result.n_columns
        baseline_seconds = time.perf_counter() - baseline_started
    return {
        "parts": n_parts, "fsls": n_fsls, "sla_rows": len(model.rows),
        "plan_seconds": round(seconds, 2), "build_seconds": round(built - started, 2),
        "capacity_rows": model.n_capacity_rows, "status": solution.status.name.lower(),
        "objective": solution.objective, "lower_bound": solution.lower_bound,
        "gap": solution.gap, "columns": result.n_columns, "iterations": result.iterations,
        "stages": {k: round(v, 2) for k, v in result.stage_seconds.items()},
        "greedy_hull": baseline["greedy_hull_cost"],
        "greedy_naive": baseline["greedy_naive_cost"],
        "saving_vs_hull_fraction": baseline["saving_vs_hull_fraction"],
        "saving_vs_naive_fraction": baseline["saving_vs_naive_fraction"],
        "baseline_seconds": round(baseline_seconds, 2), "greedy_columns": greedy_columns,
        "message": solution.message,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_feed(n_parts: int, n_fsls: int, time_limit: float | None, seed: int) -> dict:
    """One size planned by :func:`spareplan.plan` with the simulation feed, verified."""
    from spareplan import load_scenario, plan
    from spareplan.scenario.generator import generate_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_scenario(Path(tmp) / "gen", n_parts=n_parts, n_fsls=n_fsls,
                                   seed=seed)
        scenario = load_scenario(folder)
        wall, cpu = time.perf_counter(), time.process_time()
        result = plan(scenario, seed=seed, time_limit=time_limit)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    summary = result.summary
    check = summary["verification"] or {}
    return {
        "parts": n_parts, "fsls": n_fsls, "model": summary["service_model"],
        "objective": summary["objective"], "lower_bound": summary["lower_bound"],
        "bound_model": summary["bound_model"], "analytic_bound": summary["analytic_bound"],
        "premium_over_analytic_bound": summary["premium_over_analytic_bound"],
        "rows": summary["sla_rows"], "rows_below_target": check.get("rows_below_target"),
        "analytic_lp": summary["simulation_feed"]["analytic_lp"],
        "round_costs": summary["simulation_feed"].get("round_costs"),
        "simulated_columns": summary["simulation_feed"]["simulated_columns"],
        # process_time counts every thread of the process (numba's and HiGHS's)
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--fsls", type=int, default=50)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip the greedy baselines (slow at 50,000 parts)")
    parser.add_argument("--monolithic-sizes", type=int, nargs="*", default=[],
                        help="also solve these sizes with the monolithic MILP peer")
    parser.add_argument("--monolithic-time-limit", type=float, default=300.0)
    parser.add_argument("--feed", action="store_true",
                        help="plan with the simulation feed and verify (spareplan plan)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None and args.feed:
        print(json.dumps(run_feed(args.one, args.fsls, args.time_limit, args.seed)))
        return
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.fsls, args.time_limit, args.seed,
                             not args.no_baselines)))
        return
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--fsls", str(args.fsls),
                   "--seed", str(args.seed)]
        if args.time_limit is not None:
            command += ["--time-limit", str(args.time_limit)]
        if args.no_baselines:
            command.append("--no-baselines")
        if args.feed:
            command.append("--feed")
        output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
        print(output.strip().splitlines()[-1], flush=True)
    for size in args.monolithic_sizes:
        for method in ("monolithic", "column_generation"):
            command = [sys.executable, str(Path(__file__).with_name("monolithic_milp.py")),
                       "--one", str(size), "--method", method, "--fsls", str(args.fsls),
                       "--seed", str(args.seed), "--time-limit",
                       str(args.monolithic_time_limit)]
            output = subprocess.run(command, stdout=subprocess.PIPE, text=True,
                                    check=True).stdout
            print(output.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
