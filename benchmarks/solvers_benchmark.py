"""Benchmark of the solvers/ package on synthetic multiple-choice instances.

Instances: ``groups`` groups (parts) with ``options`` options each (stock levels 0..k-1),
``rows`` coverage rows; group g contributes ``w_rg * P(Poisson(m_g) < k)`` to row r at level k
(S-shaped, like a fill rate), costs are ``unit_cost_g * k``, and each row must reach 95 % of
its maximum. Each method runs in a fresh process (spawn) so that its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, instance included) is its own.

Usage::

    python benchmarks/solvers_benchmark.py --groups 1000 10000 --options 10 --rows 3 --seed 0

Methods: ``highs`` (direct highspy), ``highs+warm`` (same, warm-started by the hull greedy),
``pulp-highs``, ``pulp-cbc`` (PuLP reference model), ``greedy`` (naive marginal analysis),
``greedy-hull``. Costs are reported as a ratio to the best MILP objective of the same size.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.stats import poisson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MILP_METHODS = ("highs", "highs+warm", "pulp-highs", "pulp-cbc")
GREEDY_METHODS = ("greedy", "greedy-hull")


def make_instance(n_groups: int, n_options: int, n_rows: int, seed: int) -> Any:
    """S-shaped (fill-rate-like) multiple-choice instance; see the module docstring."""
    from solvers import ChoiceProblem

    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.2, 4.0, n_groups)
    unit_cost = rng.uniform(1.0, 20.0, n_groups)
    levels = np.arange(n_options)
    fill = poisson.cdf(levels[None, :] - 1, mean[:, None])
    weights = rng.uniform(0.0, 1.0, (n_rows, n_groups))
    weights[:, rng.random(n_groups) < 0.3 / n_rows] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    coefficients = (weights[:, :, None] * fill[None, :, :]).reshape(n_rows, -1)
    reach = coefficients.reshape(n_rows, n_groups, n_options).max(axis=2).sum(axis=1)
    return ChoiceProblem(
        group_of_option=np.repeat(np.arange(n_groups), n_options),
        cost=(unit_cost[:, None] * levels[None, :]).reshape(-1),
        coefficients=sp.csc_array(coefficients),
        row_lower=0.95 * reach,
        row_upper=np.full(n_rows, np.inf),
    )


def run_one(
    method: str, n_groups: int, n_options: int, n_rows: int, seed: int, time_limit: float
) -> dict[str, Any]:
    """Build and solve one instance with one method; runs in its own process."""
    from solvers import available_backends, greedy_allocation, solve

    problem = make_instance(n_groups, n_options, n_rows, seed)
    started = time.perf_counter()
    if method in GREEDY_METHODS:
        solution = greedy_allocation(problem, hull=method == "greedy-hull")
    else:
        backend = method.removesuffix("+warm")
        if backend not in available_backends():
            return {"method": method, "status": "unavailable"}
        warm = None
        if method.endswith("+warm"):
            warm = greedy_allocation(problem, hull=True).chosen
        solution = solve(problem, backend, time_limit=time_limit, mip_rel_gap=1e-4, warm_start=warm)
    seconds = time.perf_counter() - started
    return {
        "method": method,
        "status": solution.status.value,
        "objective": solution.objective,
        "lower_bound": solution.lower_bound,
        "gap": solution.gap,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--options", type=int, default=10)
    parser.add_argument("--rows", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--time-limit", type=float, default=120.0, help="per-run solver time limit in seconds"
    )
    parser.add_argument("--methods", nargs="+", default=[*MILP_METHODS, *GREEDY_METHODS])
    args = parser.parse_args(argv)

    context = mp.get_context("spawn")
    print("| groups | method | status | build+solve s | cost / best MILP | gap | peak RSS MB |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for n_groups in args.groups:
        rows = []
        for method in args.methods:
            with context.Pool(1, maxtasksperchild=1) as pool:
                rows.append(
                    pool.apply(
                        run_one,
                        (method, n_groups, args.options, args.rows, args.seed, args.time_limit),
                    )
                )
        best = min(
            (
                r["objective"]
                for r in rows
                if r["status"] in ("optimal", "feasible") and r["method"] in MILP_METHODS
            ),
            default=float("nan"),
        )
        for r in rows:
            if r["status"] == "unavailable":
                print(f"| {n_groups} | {r['method']} | unavailable | | | | |")
                continue
            ratio = r["objective"] / best
            print(
                f"| {n_groups} | {r['method']} | {r['status']} | {r['seconds']:.2f} | "
                f"{ratio:.5f} | {r['gap']:.2e} | {r['peak_rss_mb']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
