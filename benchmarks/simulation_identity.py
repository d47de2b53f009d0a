"""Byte-identity check of the simulation across a refactor: record, then compare.

A refactor of the kernels must keep every random draw in its place. This script runs a
fixed set of cases (the hand-built networks of ``tests/simulation``, the demo scenario under
each stock-out rule, optionally more scenario folders) and saves every raw output array;
run it once before a change with ``--record DIR`` and after it with ``--compare DIR``: it
reports every array that is not ``np.array_equal`` to the recorded one (exit 1).

Usage::

    .venv/bin/python benchmarks/simulation_identity.py --record /tmp/sim-before
    # ... change the code ...
    .venv/bin/python benchmarks/simulation_identity.py --compare /tmp/sim-before

``--scenario FOLDER`` (repeatable) adds a scenario folder (e.g. one written by
``spareplan.scenario.generator``), simulated at its current stock under each rule. The raw
arrays are the attributes ``site_totals``, ``site_parts``, ``location_parts`` and
``part_out`` of :class:`spareplan.simulation.SimulationArrays`; the frames of
:func:`spareplan.simulation.simulate_plan` (tiny, demo and the extra folders, with the
empirical demand mode where the scenario has a history) are compared as CSV text with 17
significant digits, and its summary as JSON; :func:`spareplan.simulation.stock_curve` (the
one-location curve kernel) by its frame.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "simulation"))

from simulation_helpers import make_network, make_parts  # noqa: E402

from spareplan.codes import BACKORDER, EMERGENCY, LATERAL  # noqa: E402
from spareplan.network import compile_network  # noqa: E402
from spareplan.scenario import load_scenario  # noqa: E402
from spareplan.simulation import (  # noqa: E402
    EmpiricalDemand,
    part_seeds,
    simulate_network,
    simulate_plan,
    stock_curve,
)

FIELDS = ("site_totals", "site_parts", "location_parts", "part_out")
Case = tuple[str, Callable[[], object]]


def _hand_built() -> Iterator[Case]:
    """The networks of tests/simulation (single location, two echelons, three levels)."""
    for i, (stock, rate, lead, cv) in enumerate([(0, 0.2, 10.0, 0.0), (3, 0.2, 10.0, 0.0),
                                                  (2, 0.05, 30.0, 0.5)]):
        network = make_network([-1, 0], [0.0, lead], [1], lead_time_cv=[0.0, cv])
        parts = make_parts(np.array([[rate * 365.0]]), procurement_days=1.0)
        yield (f"palm{i}", lambda n=network, p=parts, s=stock: simulate_network(
            n, p, np.array([[10_000, s]]), replications=12, years=15.0, warmup_years=0.5,
            seed=1))
    single = make_network([-1], [0.0], [0])
    yield ("window", lambda: simulate_network(
        single, make_parts(np.array([[0.3 * 365]]), procurement_days=8.0), np.array([[2]]),
        window_hours=np.array([48.0]), replications=12, years=15.0, seed=2))
    emergency = make_network([-1, 0], [0.0, 10.0], [1], rule=EMERGENCY)
    yield ("emergency", lambda: simulate_network(
        emergency, make_parts(np.array([[73.0]]), procurement_days=5.0),
        np.array([[10_000, 3]]), window_hours=np.array([1.0]), replications=12, years=15.0,
        seed=3))
    yield ("repairable", lambda: simulate_network(
        single, make_parts(np.array([[36.5]]), repairable=True, repair_days=20.0,
                           procurement_days=90.0, condemnation=0.25),
        np.array([[5]]), replications=12, years=15.0, seed=4))
    yield ("compound", lambda: simulate_network(
        single, make_parts(np.array([[36.5]]), procurement_days=20.0,
                           variance_to_mean=np.array([[3.0]])),
        np.array([[3]]), replications=12, years=15.0, seed=5))
    yield ("overflow", lambda: simulate_network(
        single, make_parts(np.array([[4.0 * 365]]), procurement_days=60.0,
                           variance_to_mean=np.array([[40.0]])),
        np.array([[0]]), replications=4, years=4.0, seed=6))
    two = make_network([-1, 0, 0], [0.0, 5.0, 5.0], [1, 2])
    yield ("two_echelon", lambda: simulate_network(
        two, make_parts(np.array([[18.25, 18.25]]), procurement_days=60.0),
        np.array([[3, 2, 2]]), replications=16, years=40.0, seed=11))
    rates = np.array([[20.0, 12.0], [3.0, 1.0], [0.5, 0.8]])
    three_parts = make_parts(rates, repairable=[True, False, True],
                             repair_days=[15.0, 0.0, 30.0], procurement_days=[60.0, 20.0, 90.0],
                             condemnation=[0.3, 1.0, 0.1],
                             variance_to_mean=np.array([[1.0, 2.5], [1.0, 1.0], [4.0, 1.0]]))
    history = EmpiricalDemand.from_series(3, 2, {(1, 1): np.array([0, 0, 2, 1, 0, 3.5])},
                                          period_days=30.0)
    three_stock = np.array([[2, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]])
    for rule in (BACKORDER, EMERGENCY, LATERAL):
        network = make_network([-1, 0, 0, 0], [0.0, 4.0, 6.0, 3.0], [1, 3],
                               response_hours=np.array([[30.0, 2.0, 6.0, np.inf],
                                                        [30.0, np.inf, 3.0, 2.0]]),
                               lead_time_cv=[0.0, 0.3, 0.0, 0.5], rule=rule)
        yield (f"three_level_rule{rule}", lambda n=network: simulate_network(
            n, three_parts, three_stock, window_hours=np.array([4.0, 8.0]), replications=3,
            years=3.0, seed=7, empirical=history, chunk_size=2))
        # per-row seeds (common random numbers): part 0 twice, part 2 once, stream 3
        job_part = np.array([0, 0, 2])
        job_stock = np.array([[2, 1, 1, 0], [0, 2, 2, 1], [1, 0, 0, 1]])
        yield (f"seeds_rule{rule}", lambda n=network, jp=job_part, js=job_stock:
               simulate_network(n, three_parts.subset(jp), js,
                                window_hours=np.array([4.0, 8.0]), replications=3, years=3.0,
                                seeds=part_seeds(7, 3, 3)[jp]))


def _scenarios(folders: list[Path]) -> Iterator[Case]:
    for folder in folders:
        scenario = load_scenario(folder)
        network, parts = compile_network(scenario)
        table = scenario.table("current_stock")
        stock = np.zeros((parts.n_parts, network.n_locations), dtype=np.int64)
        if table is not None:
            p_index = {p: i for i, p in enumerate(parts.part_ids)}
            l_index = {loc: i for i, loc in enumerate(network.location_ids)}
            on_order = table["on_order"].fillna(0) if "on_order" in table.columns else 0
            for part, location, value in zip(table["part"].astype(str),
                                             table["location"].astype(str),
                                             table["on_hand"].fillna(0) + on_order,
                                             strict=True):
                stock[p_index[part], l_index[location]] = int(value)
        window = np.where(np.arange(network.n_sites) % 2 == 0, 4.0, 24.0)
        for rule in (BACKORDER, EMERGENCY, LATERAL):
            net = dataclasses.replace(network, stockout_rule=rule)
            yield (f"{folder.name}_rule{rule}", lambda n=net, p=parts, s=stock, w=window:
                   simulate_network(n, p, s, window_hours=w, replications=4, years=3.0,
                                    seed=5, chunk_size=64))


def _plans(folders: list[Path]) -> dict[str, np.ndarray]:
    """The frames of simulate_plan (rows, parts, locations) as CSV text, and its summary."""
    out: dict[str, np.ndarray] = {}
    for folder in folders:
        for demand in ("model", "empirical"):
            scenario = load_scenario(folder)
            if demand == "empirical" and scenario.table("demand_history") is None:
                continue
            result = simulate_plan(scenario, replications=4, years=2.0, seed=3, demand=demand)
            for frame in ("rows", "parts", "locations"):
                text = getattr(result, frame).to_csv(index=False, float_format="%.17g")
                out[f"plan_{folder.name}_{demand}.{frame}"] = np.frombuffer(text.encode(),
                                                                            dtype=np.uint8)
            text = json.dumps(result.summary, sort_keys=True)
            out[f"plan_{folder.name}_{demand}.summary"] = np.frombuffer(text.encode(),
                                                                        dtype=np.uint8)
    return out


def _curves() -> dict[str, np.ndarray]:
    """The one-location curve kernel (stock_curve): every figure and standard error."""
    out: dict[str, np.ndarray] = {}
    curve = stock_curve(73.0, 10.0, max_stock=6, lead_time_cv=0.4, variance_to_mean=2.0,
                        window_hours=24.0, replications=4, years=3.0, seed=2)
    for name, values in curve.to_frame().items():
        out[f"stock_curve.{name}"] = values.to_numpy()
    return out


def run(folders: list[Path]) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = _curves()
    for name, call in [*_hand_built(), *_scenarios(folders)]:
        result = call()
        for field in FIELDS:
            value = getattr(result, field)
            if value is not None:
                arrays[f"{name}.{field}"] = np.asarray(value)
    arrays.update(_plans([ROOT / "scenarios" / "tiny", *folders]))
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path, help="write the arrays into this folder")
    group.add_argument("--compare", type=Path, help="compare with the arrays recorded here")
    parser.add_argument("--scenario", type=Path, action="append", default=[],
                        help="another scenario folder (repeatable)")
    args = parser.parse_args(argv)
    folders = [ROOT / "scenarios" / "demo", *args.scenario]
    arrays = run(folders)
    if args.record:
        args.record.mkdir(parents=True, exist_ok=True)
        np.savez(args.record / "simulation_arrays.npz", **arrays)
        print(f"recorded {len(arrays)} arrays in {args.record}")
        return 0
    recorded = np.load(args.compare / "simulation_arrays.npz")
    differ = sorted(set(recorded.files) ^ set(arrays))
    differ += [name for name in sorted(set(recorded.files) & set(arrays))
               if not np.array_equal(recorded[name], arrays[name])]
    for name in differ:
        print(f"DIFFERS: {name}")
    print(f"{len(arrays) - len(differ)} of {len(set(recorded.files) | set(arrays))} arrays "
          "identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
