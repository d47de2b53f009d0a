"""Benchmark of the Dask cluster path (issue 17): one machine vs a LocalCluster, one run.

Measures, on one generated scenario and in one run (so that the ratios share the
machine's load):

1. ``spareplan.simulate`` of the scenario's current stock (20 x 5 years) in this process
   (numba threads) and on a LocalCluster of ``--workers`` worker processes (1 Dask thread
   each, ``cores // workers`` numba threads each), the outputs compared byte for byte;
2. ``spareplan.plan`` (simulation feed and verification) the same two ways, its files
   compared (the summary without its runtime fields);
3. memory: the peak resident set of every worker and of this process;
4. per-part costs (core-seconds per part-location of the simulation, per simulated column
   of the feed, of a pricing pass per part) and, from them, on paper, what 20 million
   part-locations need: workers, memory, time per column-generation iteration.

The cluster's start (worker processes, imports, numba kernels loaded from the cache) is
timed apart and warmed up before the timed runs.

Usage::

    .venv/bin/python benchmarks/cluster_benchmark.py [--parts 300] [--fsls 10] [--workers 2]
        [--no-plan] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import spareplan
from spareplan.cluster import ClusterSpec, cluster_client
from spareplan.planning.feed import FeedSettings, simulate_columns
from spareplan.planning.model import PlanningModel
from spareplan.planning.pricing import StockVectorSource
from spareplan.reports.plan_outputs import write_plan
from spareplan.scenario.generator import generate_scenario
from spareplan.simulation import current_stock_matrix

#: The target of the projection: the largest networks of DESIGN.md section 7.
TARGET_PART_LOCATIONS = 20_000_000


def _peak_rss_mb() -> float:
    """Peak resident set of the calling process (MB; Linux reports KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def _timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def _simulation_bytes(result: spareplan.SimulationResult) -> bytes:
    return b"".join([result.rows.to_csv(index=False).encode(),
                     result.parts.to_csv(index=False).encode(),
                     result.locations.to_csv(index=False).encode(),
                     json.dumps(result.summary, sort_keys=True, default=str).encode()])


def _plan_bytes(result: spareplan.PlanResult, out: Path) -> bytes:
    folder = write_plan(result, out, plots=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for field in ("runtime_seconds", "stage_seconds"):
        summary.pop(field, None)
    return b"".join([(folder / "recommendations.csv").read_bytes(),
                     (folder / "service.csv").read_bytes(),
                     json.dumps(summary, sort_keys=True).encode()])


def _per_part_costs(scenario: spareplan.Scenario, client: Any,
                    rows: list[tuple[str, str]]) -> tuple[float, float]:
    """Core-seconds per part-location of one feed column (40 x 5 years, every part at
    its current stock) and of one exact pricing of every part (analytic model), in this
    process; the feed's columns also on the cluster."""
    model = PlanningModel.build(scenario)
    n_parts, n_locations = model.n_parts, model.network.n_locations
    cores = os.cpu_count() or 1
    every = np.arange(n_parts, dtype=np.int64)
    stock = current_stock_matrix(scenario, model.network, model.parts)
    settings = FeedSettings()
    _, t_alone = _timed(simulate_columns, model, every, stock, seed=0, settings=settings)
    _, t_cluster = _timed(simulate_columns, model, every, stock, seed=0, settings=settings,
                          client=client)
    column = t_alone * cores / (n_parts * n_locations)
    rows.append((f"feed: one column per part ({n_parts} columns, 40 x 5 years)",
                 f"one process {t_alone:.2f} s, cluster {t_cluster:.2f} s "
                 f"({t_alone / t_cluster:.2f}x); {1e3 * column:.3f} core-ms per "
                 "part-location"))
    source = StockVectorSource(model)
    duals = np.zeros(len(model.problem_row_names))
    duals[:len(model.rows)] = 100.0  # a moderate price of service (currency per unit)
    source.price(every, duals)  # compile / load
    _, t_price = _timed(source.price, every, duals)
    price = t_price * cores / (n_parts * n_locations)
    rows.append(("pricing: exact tree DP of every part (one process)",
                 f"{t_price:.3f} s; {1e3 * price:.4f} core-ms per part-location (at a "
                 "uniform dual price of 100 per unit of every SLA row)"))
    return column, price


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=300)
    parser.add_argument("--fsls", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-plan", action="store_true", help="simulation only")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="spareplan-cluster-bench-"))
    folder = generate_scenario(work / "scenario", n_parts=args.parts, n_fsls=args.fsls,
                               seed=args.seed, profile="demo")
    scenario = spareplan.load_scenario(folder)
    network, parts = spareplan.compile_network(scenario)
    part_locations = parts.n_parts * network.n_locations
    rows: list[tuple[str, str]] = [
        ("scenario", f"generated, {parts.n_parts} parts x {network.n_locations} locations "
                     f"({args.fsls} FSLs) = {part_locations:,} part-locations, "
                     f"{network.n_sites} sites; demo profile, seed {args.seed}"),
        ("machine", f"{cores} cores, load average {os.getloadavg()[0]:.1f} at the start"),
    ]
    # warm this process's kernels first (the cluster's are warmed below)
    spareplan.simulate(scenario, replications=2, years=0.5, seed=99)
    started = time.perf_counter()
    with cluster_client(ClusterSpec(local_workers=args.workers)) as client:
        assert client is not None
        spareplan.simulate(scenario, replications=2, years=0.5, seed=99, client=client)
        rows.append((f"LocalCluster({args.workers}) start + warm-up",
                     f"{time.perf_counter() - started:.1f} s (processes, imports, numba "
                     "kernels from the cache)"))
        alone, t_alone = _timed(spareplan.simulate, scenario, replications=20, years=5.0,
                                seed=0)
        clustered, t_cluster = _timed(spareplan.simulate, scenario, replications=20,
                                      years=5.0, seed=0, client=client)
        same = _simulation_bytes(alone) == _simulation_bytes(clustered)
        rows.append(("simulate 20 x 5 years: one process (numba threads)", f"{t_alone:.2f} s"))
        rows.append((f"simulate 20 x 5 years: LocalCluster({args.workers})",
                     f"{t_cluster:.2f} s ({t_alone / t_cluster:.2f}x the one-process "
                     f"speed); outputs byte-identical: {same}"))
        sim_core_seconds = t_alone * cores / part_locations
        rows.append(("simulation cost per part-location (20 x 5 years)",
                     f"{1e3 * sim_core_seconds:.3f} core-ms (one process, {cores} cores)"))
        column_core_seconds, price_core_seconds = _per_part_costs(scenario, client, rows)
        plan_figures: dict[str, float] = {}
        if not args.no_plan:
            plan_alone, p_alone = _timed(spareplan.plan, scenario, seed=0)
            plan_cluster, p_cluster = _timed(spareplan.plan, scenario, seed=0, client=client)
            same_plan = (_plan_bytes(plan_alone, work / "alone")
                         == _plan_bytes(plan_cluster, work / "cluster"))
            summary = plan_alone.summary
            stages = summary["stage_seconds"] or {}
            feed = summary["simulation_feed"] or {}
            columns = int(feed.get("simulated_columns", 0))
            rows.append(("plan (feed + verification): one process",
                         f"{p_alone:.1f} s; stages {json.dumps(stages)}"))
            rows.append((f"plan: LocalCluster({args.workers})",
                         f"{p_cluster:.1f} s ({p_alone / p_cluster:.2f}x); files "
                         f"byte-identical: {same_plan}"))
            plan_figures = {"columns": columns, "plan_seconds": p_alone}
        worker_peaks = client.run(_peak_rss_mb)
    rows.append(("peak memory per worker", ", ".join(f"{v:.0f} MB" for v in
                                                    worker_peaks.values())))
    rows.append(("peak memory of this process (client; also ran the one-process runs)",
                 f"{_peak_rss_mb():.0f} MB"))
    scale = TARGET_PART_LOCATIONS / part_locations
    worker_mb = max(worker_peaks.values())
    rows.append(("20 M part-locations: verification simulation (20 x 5 years)",
                 f"{sim_core_seconds * TARGET_PART_LOCATIONS / 3600:.1f} core-hours: "
                 f"{sim_core_seconds * TARGET_PART_LOCATIONS / 64 / 60:.0f} min on 64 cores"))
    per_iteration = (column_core_seconds + price_core_seconds) * TARGET_PART_LOCATIONS
    rows.append(("20 M part-locations: one column-generation iteration (a new column "
                 "simulated and a pricing per part)",
                 f"{per_iteration / 3600:.1f} core-hours: {per_iteration / 60 / 60:,.0f} "
                 f"worker cores for 1 min per iteration, {per_iteration / 600 / 60:,.0f} "
                 "for 10 min; the master LP on the client over ~P columns per iteration "
                 "is not projected (its cost grows faster than linearly)"))
    if plan_figures:
        rows.append(("20 M part-locations: a whole plan, scaled by part-locations from "
                     "this one", f"{plan_figures['plan_seconds'] * cores * scale / 3600:,.0f}"
                     f" core-hours ({plan_figures['columns']:,} columns simulated here)"))
    rows.append(("20 M part-locations: memory",
                 f"{worker_mb:.0f} MB per worker measured here for {part_locations:,} "
                 f"part-locations; the client holds the column pool and the master LP"))
    text = "| measure | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
