"""The simulation feed's experiments (issue 12): one plan, checked at several sizes.

Plans a scenario once with :func:`spareplan.planning.feed_plan.optimize_with_feed` (the
plan does not depend on the size of the verification), then verifies it with the
verification's random numbers at each ``--checks`` size (``replications x years``, seed
0 as ``spareplan plan``), and optionally a large "truth" check with another seed. Prints
one JSON line: cost, per check the rows below target and the least excess over target,
the margins, and the wall and CPU of the optimization alone.

Usage::

    .venv/bin/python benchmarks/feed_experiments.py scenarios/demo \
        --checks 20x5 8x3 --truth 200x5
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import signal
import time

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checks", nargs="*", default=["20x5", "8x3"])
    parser.add_argument("--truth", default=None, help="e.g. 200x5 (seed 11)")
    parser.add_argument("--truth-seed", type=int, default=11)
    parser.add_argument("--rows", help="write a per-row table (CSV) to this path")
    parser.add_argument("--feed", nargs="*", default=[],
                        help="FeedSettings overrides, e.g. z=1.5 curse_rounds=1")
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where is it?
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    import solvers
    from spareplan import load_scenario
    from spareplan.planning.diagnosis import best_reachable
    from spareplan.planning.feed import FeedSettings
    from spareplan.planning.feed_plan import optimize_with_feed
    from spareplan.planning.model import PlanningModel
    from spareplan.planning.verification import planned_round, verify_plan

    scenario = load_scenario(args.scenario)
    overrides = dict(item.split("=") for item in args.feed)
    integers = {"replications", "pricing_rounds", "curse_rounds", "near_replications",
                "near_distance"}
    feed = FeedSettings(**{k: (int(v) if k in integers else float(v))
                           for k, v in overrides.items()})
    wall, cpu = time.perf_counter(), time.process_time()
    model = PlanningModel.build(scenario)
    fed = optimize_with_feed(model, best_reachable(model), seed=args.seed,
                             settings=feed, backend=solvers.DEFAULT_BACKEND,
                             budget=solvers.TimeBudget.of(None), mip_rel_gap=1e-4)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    round_ = planned_round(model, fed.optimization, scenario)
    out: dict[str, object] = {"feed": overrides,
        "cost": round(float(sum(c.cost for c in fed.optimization.chosen)), 1),
        "optimize_wall": round(wall, 1), "optimize_cpu": round(cpu, 1),
        "simulated_columns": fed.simulated_columns,
        "round_costs": [round(c, 1) for c in fed.round_costs],
        "margin_max": float(np.max(fed.margins)), "curse_max": float(np.max(fed.curse)),
    }
    sizes = [(c, args.seed) for c in args.checks]
    if args.truth:
        sizes.append((args.truth, args.truth_seed))
    table = pd.DataFrame({"sla_row": model.row_names, "target": model.targets,
                          "margin": fed.margins, "feed_se": fed.errors.feed,
                          "check_se_ref": fed.errors.check(fed.settings.reference_years),
                          "curse": fed.curse})
    activity = np.sum([c.coefficients[:len(model.rows)] for c in fed.optimization.chosen],
                      axis=0)
    table["feed"] = model.row_value(activity)
    for size, seed in sizes:
        replications, years = size.split("x")
        service, _ = verify_plan(scenario, round_.recommendations, round_.service,
                                 seed=seed, replications=int(replications),
                                 years=float(years))
        measured = service[service["simulated"].notna()]
        by_row = measured.set_index("sla_row")
        table[size] = table["sla_row"].map(by_row["simulated"])
        table[f"{size}_se"] = table["sla_row"].map(by_row["std_error"])
        excess = measured["simulated"] - measured["target"]
        worst = measured.loc[excess.idxmin()]
        out[f"{size}@{seed}"] = {"below": int((measured["verdict"] == "not met").sum()),
                                 "least_excess": round(float(excess.min()), 6),
                                 "worst_row": str(worst["sla_row"])}
    if args.rows:
        table.to_csv(args.rows, index=False)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
