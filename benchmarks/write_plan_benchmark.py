"""Time writing a plan's outputs (``write_plan``) stage by stage, on one plan.

Plans a scenario once with the analytic model (no verification), then writes its folder
twice: with the shadow prices the optimizer's last master LP gave (when it ended near its
bound: ``PlanResult.shadow_prices``) and without them (the explanations then solve the
plan's neighbourhood LP, as for a plan read from disk). Each write is timed as a whole
and per stage: the explanations (and inside them the moves' evaluation and the
neighbourhood LP), the KPIs, the CSV and JSON files, the PNG, the report. Wall and CPU
seconds; also ``uptime``'s load before and after.

    .venv/bin/python benchmarks/write_plan_benchmark.py /tmp/gen10k --time-limit 110
    .venv/bin/python benchmarks/write_plan_benchmark.py /tmp/gen10k --plan /tmp/p.pickle

``--plan FILE`` keeps the plan in a pickle (made when FILE is absent, read when present),
so that the writes can be timed again without planning again; the same pickle read with
another checkout first on ``PYTHONPATH`` times that checkout's ``write_plan`` on the same
plan (the stages it lacks are left out).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spareplan.reports.explain as explain
import spareplan.reports.plan_outputs as outputs
from spareplan import load_scenario
from spareplan.planning.plan import plan

STAGES = {explain: ["_evaluate", "_moves", "_neighbourhood_prices", "shadow_prices",
                    "_served_rows"],
          outputs: ["explain_plan", "plan_kpis", "write_csv", "write_json",
                    "save_service_png", "read_plan_files", "render_report", "stock_moves"]}


def _timed(seconds: dict[str, float], name: str, function: Callable[..., Any]
           ) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
    return wrapper


def _write(result: Any, scenario: Any) -> tuple[float, float, dict[str, float], str]:
    seconds: dict[str, float] = {}
    saved = {(module, name): getattr(module, name) for module, names in STAGES.items()
             for name in names if hasattr(module, name)}  # (another checkout: --root)
    for (module, name), function in saved.items():
        setattr(module, name, _timed(seconds, name, function))
    folder = Path(tempfile.mkdtemp(prefix="write_plan_bench_"))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        outputs.write_plan(result, folder / "plan", scenario=scenario)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        context = (folder / "plan" / "plan_context.json").read_text(encoding="utf-8")
    finally:
        for (module, name), function in saved.items():
            setattr(module, name, function)
        shutil.rmtree(folder, ignore_errors=True)
    source = "master_lp" if '"master_lp"' in context else "neighbourhood_lp"
    return wall, cpu, seconds, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario")
    parser.add_argument("--time-limit", type=float, default=110.0)
    parser.add_argument("--plan", type=Path, default=None)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    if args.plan is not None and args.plan.exists():
        result = pickle.loads(args.plan.read_bytes())
    else:
        started = time.perf_counter()
        result = plan(scenario, verify=False, time_limit=args.time_limit,
                      service_model="analytic")
        print(f"plan: {time.perf_counter() - started:.1f} s wall, status {result.status}, "
              f"gap {result.summary['gap']}")
        if args.plan is not None:
            args.plan.write_bytes(pickle.dumps(result))
    stocked = int((result.recommendations["stock"] > 0).sum())
    print(f"{len(result.recommendations):,} recommendation lines, {stocked:,} stocked; "
          f"master-LP prices {'given' if getattr(result, 'shadow_prices', None) else 'not given'}")
    print("load before:", os.getloadavg())
    runs = [("as planned", result)]
    if getattr(result, "shadow_prices", None) is not None:
        runs.append(("without the master's prices",
                     dataclasses.replace(result, shadow_prices=None)))
    for label, run in runs:
        wall, cpu, seconds, source = _write(run, scenario)
        print(f"\nwrite_plan {label}: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"(shadow prices: {source})")
        for name, value in sorted(seconds.items(), key=lambda item: -item[1]):
            print(f"  {name:22s} {value:7.2f} s")
    print("\nload after:", os.getloadavg())


if __name__ == "__main__":
    main()
