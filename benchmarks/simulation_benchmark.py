"""Benchmark of the numba multi-echelon simulation (issue 3).

Measures, in one run on this machine:

1. compile time of the first call (fresh numba cache) apart from warm calls;
2. throughput of the full multi-echelon model (demand units/s, events/s and
   part-location-days/s) on the demo scenario, with 1 and 2 threads, and optionally on a
   generated 10,000-part x 50-location scenario (``--large``: 20 replications x 5 years);
3. the same model on a subset of parts in SimPy and in pure Python/NumPy (the kernel's
   own code with ``NUMBA_DISABLE_JIT=1``, in a subprocess), as throughput ratios;
4. the raw speed of drawing the random numbers every demand event needs (an exponential
   and a uniform) in numba on the same threads: the practical limit.

5. with ``--jobs K``: :func:`spareplan.simulation.simulate_jobs` on K random jobs (the
   optimizer's simulation feed), time and the size of its compact result.

Usage::

    .venv/bin/python benchmarks/simulation_benchmark.py [--large] [--jobs K] [--kernel-only]
        [--markdown FILE]

Numbers are printed as a markdown table (and written to ``--markdown`` if given).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

if "--pure-python-worker" not in sys.argv and "NUMBA_CACHE_DIR" not in os.environ:
    # a fresh cache so that the first call really compiles
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="spareplan-numba-")

import numba
import numpy as np

from spareplan._numba import njit_parallel
from spareplan.codes import BACKORDER, DAYS_PER_YEAR
from spareplan.network import compile_network
from spareplan.scenario import load_scenario
from spareplan.simulation import (
    current_stock_matrix,
    part_seeds,
    simulate_jobs,
    simulate_network,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo"


def _load(path: Path, rule: int | None = None):  # type: ignore[no-untyped-def]
    scenario = load_scenario(path)
    network, parts = compile_network(scenario)
    if rule is not None:
        network = dataclasses.replace(network, stockout_rule=rule)
    return network, parts, current_stock_matrix(scenario, network, parts)


def _run(network, parts, stock, replications: int, years: float, warmup: float = 1.0,
         seed: int = 0, repeats: int = 1) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Best of ``repeats`` runs: wall and process CPU seconds, throughput on both clocks."""
    seconds = cpu_seconds = float("inf")
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = simulate_network(network, parts, stock, replications=replications,
                                  years=years, warmup_years=warmup, seed=seed,
                                  keep_parts=False)
        seconds = min(seconds, time.perf_counter() - start)
        cpu_seconds = min(cpu_seconds, time.process_time() - cpu)
    units = float(result.part_field("demand_units").sum())
    events = float(result.part_field("events").sum())
    pld = parts.n_parts * network.n_locations * (years + warmup) * DAYS_PER_YEAR * replications
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "demand_units": units,
            "events": events, "units_per_s": units / seconds,
            "units_per_cpu_s": units / cpu_seconds, "events_per_s": events / seconds,
            "part_location_days_per_s": pld / seconds}


@njit_parallel
def _draw_limit(n_parts: int, draws_per_part: int, seeds: np.ndarray, out: np.ndarray) -> None:
    for p in numba.prange(n_parts):
        np.random.seed(seeds[p])  # noqa: NPY002
        total = 0.0
        for _ in range(draws_per_part):
            total += np.random.exponential(1.0) + np.random.random()  # noqa: NPY002
        out[p] = total


def draw_limit(events: int, n_parts: int = 64) -> float:
    """Demand units per second if a unit cost only an exponential and a uniform draw."""
    seeds = np.arange(n_parts, dtype=np.int64)
    out = np.empty(n_parts)
    _draw_limit(2, 10, seeds, out)  # compile
    per_part = max(events // n_parts, 200_000)
    start = time.process_time()
    _draw_limit(n_parts, per_part, seeds, out)
    return n_parts * per_part / (time.process_time() - start)


@njit_parallel
def _same_draws(parent: np.ndarray, lead_time_days: np.ndarray, lead_time_cv: np.ndarray,
                site_primary: np.ndarray, batch_rate: np.ndarray, batch_q: np.ndarray,
                repairable: np.ndarray, condemnation: np.ndarray, seeds: np.ndarray,
                end: float, out: np.ndarray) -> None:
    """Draw exactly the random numbers of the kernel under the backorder rule, nothing else.

    Per part (same seed, replications one after the other): the demand batches
    (exponential gap, uniform site, geometric size if compound), and per unit one transit
    time per hop up the tree (gamma when ``cv > 0``) and the root's repair-or-procure
    uniform.
    """
    n_parts, n_replications = out.shape
    n_sites = site_primary.size
    for p in numba.prange(n_parts):
        cumulative = np.cumsum(batch_rate[p])
        total_rate = cumulative[-1]
        np.random.seed(seeds[p])  # noqa: NPY002
        for r in range(n_replications):
            if total_rate <= 0.0:
                continue
            units_drawn = 0.0
            checksum = 0.0
            now = np.random.exponential(1.0 / total_rate)  # noqa: NPY002
            while now < end:
                draw = np.random.random() * total_rate  # noqa: NPY002
                site = min(np.searchsorted(cumulative, draw, side="right"), n_sites - 1)
                units = 1
                if batch_q[p, site] > 0.0:
                    units = np.random.geometric(1.0 - batch_q[p, site])  # noqa: NPY002
                following = now + np.random.exponential(1.0 / total_rate)  # noqa: NPY002
                for _ in range(units):
                    units_drawn += 1.0
                    location = site_primary[site]
                    while parent[location] >= 0:
                        cv = lead_time_cv[location]
                        if cv > 0.0 and lead_time_days[location] > 0.0:
                            shape = 1.0 / (cv * cv)
                            checksum += np.random.gamma(  # noqa: NPY002
                                shape, lead_time_days[location] / shape)
                        location = parent[location]
                    if repairable[p] and 0.0 < condemnation[p] < 1.0:
                        checksum += np.random.random()  # noqa: NPY002
                now = following
            out[p, r] = units_drawn + 0.0 * checksum


def same_draws_limit(network, parts, replications: int, years: float,  # type: ignore[no-untyped-def]
                     warmup: float = 1.0, seed: int = 0) -> dict[str, float]:
    """Demand units per CPU second when only the kernel's own random draws are made."""
    vtm = np.asarray(parts.variance_to_mean, dtype=float)
    batch_q = (vtm - 1.0) / (vtm + 1.0)
    batch_rate = parts.demand_rate / DAYS_PER_YEAR * (1.0 - batch_q)
    seeds = part_seeds(seed, parts.n_parts)
    out = np.zeros((parts.n_parts, replications))
    args = (network.parent.astype(np.int64), network.lead_time_days.astype(float),
            network.lead_time_cv.astype(float), network.site_primary.astype(np.int64),
            batch_rate, batch_q, parts.repairable.astype(np.bool_),
            parts.condemnation_fraction.astype(float))
    _same_draws(*args, seeds[:1], 1.0, out[:1, :1])  # compile
    start, cpu = time.perf_counter(), time.process_time()
    _same_draws(*args, seeds, (years + warmup) * DAYS_PER_YEAR, out)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    units = float(out.sum())
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "demand_units": units,
            "units_per_s": units / seconds, "units_per_cpu_s": units / cpu_seconds}


def simpy_throughput(network, parts, stock, years: float, warmup: float,
                     seed: int = 0) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The same model (backorder rule) in SimPy: one process per part's demand stream."""
    import simpy

    rng = np.random.default_rng(seed)
    n_locations = network.n_locations
    parent = network.parent.tolist()
    counted = {"units": 0, "events": 0}
    start, cpu = time.perf_counter(), time.process_time()
    for p in range(parts.n_parts):
        env = simpy.Environment()
        on_hand = stock[p].astype(int).tolist()
        queues: list[deque] = [deque() for _ in range(n_locations)]  # type: ignore[type-arg]
        rates = parts.demand_rate[p] / DAYS_PER_YEAR
        total = rates.sum()
        if total <= 0:
            continue
        cumulative = np.cumsum(rates)

        def arrive(location: int, env=env, on_hand=on_hand, queues=queues) -> None:  # type: ignore[no-untyped-def]
            counted["events"] += 1
            if queues[location]:
                serve(location, queues[location].popleft())
            else:
                on_hand[location] += 1

        def ship(location: int, delay: float, env=env):  # type: ignore[no-untyped-def]
            yield env.timeout(delay)
            arrive(location)

        def serve(location: int, requester: tuple, env=env) -> None:  # type: ignore[no-untyped-def,type-arg]
            if requester[0] == "child":
                env.process(ship(requester[1], requester[2]))

        def request(location: int, requester: tuple, p=p, env=env, on_hand=on_hand,  # type: ignore[no-untyped-def,type-arg]
                    queues=queues) -> None:
            while True:
                if on_hand[location] > 0:
                    on_hand[location] -= 1
                    serve(location, requester)
                else:
                    queues[location].append(requester)
                up = parent[location]
                if up < 0:
                    c = parts.condemnation_fraction[p]
                    days = (parts.procurement_lead_time_days[p]
                            if not parts.repairable[p] or rng.random() < c
                            else parts.repair_turnaround_days[p])
                    env.process(ship(location, days))
                    return
                mean, cv = network.lead_time_days[location], network.lead_time_cv[location]
                transit = mean if cv <= 0 else rng.gamma(1 / cv**2, mean * cv**2)
                requester = ("child", location, transit)
                location = up

        def demand(env=env, total=total, cumulative=cumulative):  # type: ignore[no-untyped-def]
            while True:
                yield env.timeout(rng.exponential(1.0 / total))
                site = int(np.searchsorted(cumulative, rng.random() * total, side="right"))
                site = min(site, network.n_sites - 1)
                counted["units"] += 1
                counted["events"] += 1
                request(int(network.site_primary[site]), ("customer", site, env.now))

        env.process(demand())
        env.run(until=(years + warmup) * DAYS_PER_YEAR)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "units_per_s": counted["units"] / seconds,
            "units_per_cpu_s": counted["units"] / cpu_seconds,
            "events_per_s": counted["events"] / seconds}


def pure_python_worker(n_parts: int, years: float, warmup: float) -> None:
    """Runs with NUMBA_DISABLE_JIT=1 (a subprocess): the kernel's code as plain Python."""
    network, parts, stock = _load(DEMO, BACKORDER)
    subset = np.arange(n_parts)
    result = _run(network, parts.subset(subset), stock[subset], 1 + 1, years, warmup)
    print(json.dumps(result))


def _compile_section(network, parts, stock) -> list[str]:  # type: ignore[no-untyped-def]
    """1. Compile time of the first call (fresh numba cache), then the same call warm."""
    tiny_parts = parts.subset(np.arange(2))
    start = time.perf_counter()
    simulate_network(network, tiny_parts, stock[:2], replications=2, years=0.1,
                     warmup_years=0.0, keep_parts=False)
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    simulate_network(network, tiny_parts, stock[:2], replications=2, years=0.1,
                     warmup_years=0.0, keep_parts=False)
    warm_seconds = time.perf_counter() - start
    return ["| first call (compile, fresh cache) | same call warm |", "|---|---|",
            f"| {compile_seconds:.1f} s | {warm_seconds * 1e3:.2f} ms |", ""]


def _throughput_section(cases: list) -> list[str]:  # type: ignore[type-arg]
    """2. Throughput of the full model, 1 and 2 threads (demo: best of 3)."""
    lines = ["| scenario | threads | parts x locations | reps x years | wall s | CPU s "
             "| demand units/s | demand units/CPU s | events/s | part-location-days/s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    threads = numba.get_num_threads()
    for name, net, prt, stk, reps, years in cases:
        for count in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            if name != "demo" and count == 1:
                continue
            numba.set_num_threads(count)
            figures = _run(net, prt, stk, reps, years, repeats=3 if name == "demo" else 1)
            lines.append(f"| {name} | {count} | {prt.n_parts} x {net.n_locations} | "
                         f"{reps} x {years:g} | {figures['seconds']:.2f} | "
                         f"{figures['cpu_seconds']:.2f} | "
                         f"{figures['units_per_s']:.3g} | {figures['units_per_cpu_s']:.3g} | "
                         f"{figures['events_per_s']:.3g} | "
                         f"{figures['part_location_days_per_s']:.3g} |")
    numba.set_num_threads(threads)
    return lines


def _limit_section() -> list[str]:
    """3. The random-number limit, 1 thread, CPU time: the same draws as the kernel
    (backorder rule: every unit orders up the whole tree, so the draws are exactly known)."""
    threads = numba.get_num_threads()
    bo_network, bo_parts, bo_stock = _load(DEMO, BACKORDER)
    numba.set_num_threads(1)
    kernel = _run(bo_network, bo_parts, bo_stock, 20, 50.0, repeats=3)
    same = min((same_draws_limit(bo_network, bo_parts, 20, 50.0) for _ in range(3)),
               key=lambda f: f["cpu_seconds"])
    assert same["demand_units"] == kernel["demand_units"], (same, kernel)
    pair = draw_limit(int(kernel["demand_units"]))
    numba.set_num_threads(threads)
    return ["", "random-number limit (demo, backorder rule, 20 x 50 years, 1 thread, "
            "best of 3, CPU time):", "",
            "| what is drawn | demand units/CPU s | kernel / limit |", "|---|---|---|",
            f"| kernel (full model) | {kernel['units_per_cpu_s']:.3g} | 1 |",
            f"| the kernel's own draws only (exponential + uniform per batch, geometric "
            f"if compound, gamma per hop with cv > 0, repair/procure uniform) | "
            f"{same['units_per_cpu_s']:.3g} | "
            f"1/{same['units_per_cpu_s'] / kernel['units_per_cpu_s']:.1f} |",
            f"| one exponential + one uniform per unit (the earlier, narrower limit) | "
            f"{pair:.3g} | 1/{pair / kernel['units_per_cpu_s']:.1f} |", ""]


def _peer_section(n_subset: int) -> list[str]:
    """4. Peers on a subset (backorder rule, 1 thread): SimPy and the same code unjitted."""
    threads = numba.get_num_threads()
    sub_network, sub_parts, sub_stock = _load(DEMO, BACKORDER)
    subset = np.arange(n_subset)
    sub_parts, sub_stock = sub_parts.subset(subset), sub_stock[subset]
    numba.set_num_threads(1)
    ours = _run(sub_network, sub_parts, sub_stock, 50, 10.0, 1.0, repeats=3)
    numba.set_num_threads(threads)
    peer = simpy_throughput(sub_network, sub_parts, sub_stock, 5.0 * 2 + 1.0, 0.0)
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    pure_parts = max(n_subset // 4, 2)
    output = subprocess.run([sys.executable, __file__, "--pure-python-worker",
                             str(pure_parts)], env=env, capture_output=True, text=True,
                            check=True)
    pure = json.loads(output.stdout.strip().splitlines()[-1])
    return [f"peer comparison: demo subset of {n_subset} parts, backorder rule, "
            "1 thread (numba)", "",
            "| implementation | demand units/s (wall) | demand units/CPU s | "
            "numba / it (wall) | numba / it (CPU) |", "|---|---|---|---|---|",
            f"| numba kernel | {ours['units_per_s']:.3g} | {ours['units_per_cpu_s']:.3g} "
            "| 1 | 1 |",
            f"| SimPy | {peer['units_per_s']:.3g} | {peer['units_per_cpu_s']:.3g} | "
            f"{ours['units_per_s'] / peer['units_per_s']:.0f}x | "
            f"{ours['units_per_cpu_s'] / peer['units_per_cpu_s']:.0f}x |",
            f"| pure Python/NumPy (same code, NUMBA_DISABLE_JIT, {pure_parts} parts) | "
            f"{pure['units_per_s']:.3g} | {pure['units_per_cpu_s']:.3g} | "
            f"{ours['units_per_s'] / pure['units_per_s']:.0f}x | "
            f"{ours['units_per_cpu_s'] / pure['units_per_cpu_s']:.0f}x |"]


def _jobs_section(name: str, network, parts, n_jobs: int) -> list[str]:  # type: ignore[no-untyped-def]
    """5. simulate_jobs (the optimizer's feed): ``n_jobs`` random (part, stock vector) jobs,
    20 replications x 5 years, 2 threads; time and the size of the compact result."""
    rng = np.random.default_rng(0)
    job_part = rng.integers(0, parts.n_parts, n_jobs)
    job_stock = rng.integers(0, 3, (n_jobs, network.n_locations))
    start, cpu = time.perf_counter(), time.process_time()
    jobs = simulate_jobs(network, parts, job_part, job_stock, replications=20, years=5.0,
                         seed=0, stream=1)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    stored = sum(getattr(jobs, f).nbytes for f in (
        "site", "requests", "within_window", "wait_hours", "requests_by_replication",
        "within_window_by_replication", "wait_hours_by_replication"))
    dense = n_jobs * 20 * network.n_sites * 3 * 8
    return ["", f"simulate_jobs: {n_jobs} random jobs of the {name} scenario "
            f"({parts.n_parts} parts x {network.n_locations} locations, {network.n_sites} "
            "sites), stock 0-2 per location, 20 x 5 years:", "",
            "| wall s | CPU s | job-site entries | result MiB | dense (K, R, N, 3) MiB |",
            "|---|---|---|---|---|",
            f"| {seconds:.2f} | {cpu_seconds:.2f} | {jobs.site.size} | "
            f"{stored / 2**20:.1f} | {dense / 2**20:.1f} |"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true",
                        help="also the generated 10,000-part x 50-location scenario")
    parser.add_argument("--markdown", type=Path, help="write the tables to this file")
    parser.add_argument("--subset", type=int, default=20, help="parts in the peer comparison")
    parser.add_argument("--jobs", type=int, default=0,
                        help="also simulate_jobs with this many random jobs (the large "
                             "scenario with --large, else the demo)")
    parser.add_argument("--kernel-only", action="store_true",
                        help="only the compile and throughput tables (no peers)")
    parser.add_argument("--pure-python-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pure_python_worker:
        pure_python_worker(args.pure_python_worker, 1.0, 0.0)
        return 0

    lines = [f"machine: {os.cpu_count()} cores, numba {numba.__version__}, "
             f"NUMBA threads {numba.config.NUMBA_NUM_THREADS}", ""]
    network, parts, stock = _load(DEMO)
    lines += _compile_section(network, parts, stock)
    cases = [("demo", network, parts, stock, 20, 5.0), ("demo", network, parts, stock, 20, 50.0)]
    if args.large:
        folder = Path(tempfile.mkdtemp(prefix="spareplan-bench-")) / "large"
        from spareplan.scenario.generator import generate_scenario

        generate_scenario(folder, n_parts=10_000, n_fsls=47, n_dcs=2, seed=1)
        large = _load(folder)
        cases.append(("generated 10k", *large, 20, 5.0))
    lines += _throughput_section(cases)
    if not args.kernel_only:
        lines += _limit_section()
        lines += _peer_section(args.subset)
    if args.jobs:
        name, net, prt = ("generated 10k", *cases[-1][1:3]) if args.large else ("demo",
                                                                                 network, parts)
        lines += _jobs_section(name, net, prt, args.jobs)
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB (Linux)
    lines += ["", f"peak resident memory of this benchmark process: {peak:.2f} GiB"]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
