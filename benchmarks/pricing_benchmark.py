"""Pricing benchmark: one full exact pricing of every part at realistic row duals.

The duals are the master LP's after ``--iterations`` analytic column-generation
iterations (LP only, no time limit) on a generated scenario; the timed step is
:meth:`spareplan.planning.pricing.StockVectorSource.price` over every part at those duals
(the tree dynamic program of :func:`spareplan.evaluation.metric.price_parts_exact`), run
``--repeat`` times, wall and process CPU, with the threads numba was given
(``NUMBA_NUM_THREADS``). A digest of the minimizers lets two commits be compared: the
same digest means the same columns. Usage::

    .venv/bin/python benchmarks/pricing_benchmark.py --parts 2000 --fsls 20 --seed 1
    NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/pricing_benchmark.py --parts 10000 \
        --fsls 47 --seed 0

Run it at two commits (``git stash`` / ``git checkout``) for a before/after ratio; the
scenario and the duals are the same at both when the master LPs are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", type=int, default=2000)
    parser.add_argument("--fsls", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="demo")
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import numpy as np

    import solvers
    from spareplan import load_scenario
    from spareplan.planning.model import PlanningModel
    from spareplan.planning.pricing import StockVectorSource
    from spareplan.scenario.generator import generate_scenario

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_scenario(Path(tmp) / "gen", n_parts=args.parts, n_fsls=args.fsls,
                                   seed=args.seed, profile=args.profile)
        model = PlanningModel.build(load_scenario(folder))
    source = StockVectorSource(model)
    cg = solvers.column_generation(
        source, model.problem_row_lower, model.problem_row_upper,
        row_names=model.problem_row_names,
        settings=solvers.ColumnGenerationSettings(max_iterations=args.iterations,
                                                  lp_only=True))
    duals = np.maximum(np.asarray(cg.lp.row_duals), 0.0) * cg.pool.sign  # as _price does
    parts = np.arange(model.n_parts, dtype=np.int64)
    source.price(parts[:10], duals)  # compiled before timing
    walls, cpus = [], []
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        priced = source.price(parts, duals)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(json.dumps({
        "parts": args.parts, "fsls": args.fsls, "seed": args.seed,
        "locations": int(model.network.n_locations), "sites": int(model.network.n_sites),
        "iterations_before": cg.iterations, "master_lp": float(cg.lp.value),
        "threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
        "wall_s": [round(w, 3) for w in walls], "cpu_s": [round(c, 3) for c in cpus],
        "minimizers_sha1": hashlib.sha1(np.ascontiguousarray(priced.payloads)
                                        .tobytes()).hexdigest()[:16],
        "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
