"""Benchmark of the early warning (issue 15): alerts judged against outcomes, and speed.

Measures, in one run on this machine:

1. ``spareplan warn``'s backtest on the demo with its plan (13-week horizon): recall of the
   shortages warned at least ``notice_lead_weeks`` ahead, precision of the alerts, customer
   notices per week and per customer per quarter, calibration of the probabilities — at
   the scenario's ``[early_warning]`` settings (the defaults);
2. with ``--sweep``, the same at other thresholds (the tuning of the defaults);
3. the same backtest with the base stock at today's inventory position (no plan);
4. the wall and CPU time of one ``warn`` projection on the demo and, with ``--large``, on a
   generated 3,000-part scenario;
5. the projection against 1,000 sample paths from the demo's state with its plan (mean
   and largest difference of P(short) over every judged part, location and week).

The peer is the early warning before issue 15 (measured at its main, quoted in the
issue): deterministic projection, every customer notified every week.

Usage (the demo's plan is made once and cached in ``--out`` unless ``--plan`` is given)::

    .venv/bin/python benchmarks/warn_backtest.py [--plan recommendations.csv] [--weeks 26]
        [--replications 4] [--sweep] [--large] [--out benchmarks/out/warn]

Figures are printed as markdown tables and written to ``--out``/figures.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

import spareplan
from spareplan.scenario import load_scenario
from spareplan.warning.backtest import backtest

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo"
HORIZON = 13
SWEEP = [
    {"internal_risk_probability": p, "all_clear_probability": p / 10}
    for p in (0.02, 0.03, 0.04, 0.07, 0.1, 0.2)
] + [{"internal_risk_probability": 0.05, "all_clear_probability": c}
     for c in (0.0125, 0.05)] + [
    {"customer_notice_probability": p, "customer_notice_weeks": w}
    for p in (0.3, 0.5, 0.7) for w in (2, 4, 6)
] + [{"update_interval_weeks": 1}, {"update_interval_weeks": 4}]


def _plan(out: Path, given: Path | None) -> tuple[pd.DataFrame, str]:
    if given is not None:
        return pd.read_csv(given, dtype={"part": str, "location": str}), str(given)
    cached = out / "demo-plan" / "recommendations.csv"
    if not cached.exists():
        print("planning the demo once (seed 0) ...", flush=True)
        result = spareplan.plan(load_scenario(DEMO), seed=0)
        cached.parent.mkdir(parents=True, exist_ok=True)
        result.recommendations.to_csv(cached, index=False)
    return pd.read_csv(cached, dtype={"part": str, "location": str}), str(cached)


def _row(label: str, figures: dict[str, object]) -> str:
    def pct(key: str) -> str:
        value = figures[key]
        return "—" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]

    return (f"| {label} | {figures['alerts']} | {figures['alerts_standing_per_week']:.0f} | "
            f"{pct('precision')} | {pct('precision_at_opening')} | {pct('precision_weekly')} | "
            f"{figures['shortages']} | "
            f"{pct('recall')} | {figures['customer_alerts']} | {pct('customer_precision')} | "
            f"{pct('recall_customer_level')} | {figures['notices_per_week']:.1f} | "
            f"{figures['notices_per_customer_per_quarter']:.2f} | "
            f"{figures['brier_score']:.4f} |")


HEADER = ("| settings | alerts | standing / week | precision | precision at opening | "
          "precision (weekly) | shortages | recall | customer alerts | customer precision | "
          "recall at customer level | notices / week | notices / customer / quarter | Brier |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def _timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _projection_speed(scenario: spareplan.Scenario, plan: pd.DataFrame | None) -> dict:
    from spareplan.warning.inputs import prepare_inputs
    from spareplan.warning.projection import project

    inputs = prepare_inputs(scenario, plan=plan, as_of=None, horizon_weeks=HORIZON)
    project(inputs.projection, p_internal=0.05, p_customer=0.5)  # compiled (cached)
    _, wall, cpu = _timed(project, inputs.projection, p_internal=0.05, p_customer=0.5)
    return {"parts": inputs.parts.n_parts, "locations": inputs.network.n_locations,
            "pairs_judged": int(inputs.evaluated.sum()), "wall_s": wall, "cpu_s": cpu}


def _against_paths(scenario: spareplan.Scenario, plan: pd.DataFrame, paths: int) -> dict:
    """P(short) of the projection against sample paths from the same state."""
    from spareplan.warning.backtest import _world
    from spareplan.warning.inputs import prepare_inputs
    from spareplan.warning.paths import sample_paths
    from spareplan.warning.projection import project

    inputs = prepare_inputs(scenario, plan=plan, as_of=None, horizon_weeks=HORIZON)
    projected = project(inputs.projection, p_internal=0.05, p_customer=0.5).p_short
    model, receipts, firm = _world(inputs, HORIZON)
    frequency = np.zeros_like(projected)
    for part in range(inputs.parts.n_parts):
        rows = np.full(paths, part)
        one = dataclasses.replace(
            model, planned_weeks=model.planned_weeks[rows], repairable=model.repairable[rows],
            repair_days=model.repair_days[rows],
            procurement_days=model.procurement_days[rows],
            condemnation=model.condemnation[rows], batch_rate_week=model.batch_rate_week[rows],
            batch_q=model.batch_q[rows])
        result = sample_paths(one, on_hand=inputs.projection.net0[rows],
                              target=inputs.projection.target[rows],
                              receipts=[receipts[part]] * paths, firm=firm[rows], snapshots=1,
                              horizon_weeks=HORIZON,
                              seeds=np.arange(paths, dtype=np.int64) + 7919 * part)
        frequency[part] = (result.net < 0).mean(axis=0)
    judged = inputs.evaluated
    difference = np.abs(projected - frequency)[judged]
    return {"paths": paths, "cells": int(difference.size),
            "mean_abs_difference": float(difference.mean()),
            "largest_difference": float(difference.max()),
            "cells_over_0.05": int((difference > 0.05).sum()),
            "mean_projected": float(projected[judged].mean()),
            "mean_frequency": float(frequency[judged].mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=None)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--sweep-weeks", type=int, default=13)
    parser.add_argument("--sweep-replications", type=int, default=2)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/warn"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario(DEMO)
    plan, plan_path = _plan(args.out, args.plan)
    figures: dict[str, object] = {"plan": plan_path, "horizon_weeks": HORIZON}
    settings = scenario.document.early_warning

    print(f"demo backtest: {args.replications} x {args.weeks} weekly runs, horizon {HORIZON}",
          flush=True)
    result, wall, cpu = _timed(backtest, scenario, plan=plan, weeks=args.weeks,
                               replications=args.replications, seed=0,
                               horizon_weeks=HORIZON)
    figures["defaults"] = {**result.summary, "wall_s": wall, "cpu_s": cpu}
    figures["calibration"] = result.calibration.to_dict(orient="records")
    lines = [HEADER, _row("defaults, with the plan", result.summary)]
    no_plan = backtest(scenario, plan=None, weeks=args.weeks, replications=args.replications,
                       seed=0, horizon_weeks=HORIZON)
    figures["without_plan"] = no_plan.summary
    lines.append(_row("defaults, base stock = today's position", no_plan.summary))
    if args.sweep:
        figures["sweep"] = []
        for change in SWEEP:
            tuned = settings.model_copy(update=change)
            swept = backtest(scenario, plan=plan, weeks=args.sweep_weeks,
                             replications=args.sweep_replications, seed=0,
                             horizon_weeks=HORIZON, settings=tuned)
            figures["sweep"].append({"change": change, **swept.summary})  # type: ignore[union-attr]
            label = ", ".join(f"{k} {v:g}" for k, v in change.items())
            lines.append(_row(label + f" ({args.sweep_replications} x {args.sweep_weeks})",
                              swept.summary))
            print(lines[-1], flush=True)
    print("\n".join(lines))
    print("\ncalibration (defaults, with the plan):")
    print("| bin | weeks | mean probability | frequency of shortage |\n|---|---|---|---|")
    for row in result.calibration.itertuples(index=False):
        mean = "—" if row.mean_probability is None else f"{row.mean_probability:.4f}"
        seen = "—" if row.shortage_frequency is None else f"{row.shortage_frequency:.4f}"
        print(f"| {row.bin} | {row.weeks} | {mean} | {seen} |")

    speed = {"demo": _projection_speed(scenario, plan)}
    if args.large:
        from spareplan.scenario.generator import generate_scenario

        folder = args.out / "generated-3000"
        if not (folder / "scenario.toml").exists():
            generate_scenario(folder, n_parts=3000, n_fsls=20, seed=1)
        speed["generated_3000"] = _projection_speed(load_scenario(folder), None)
    figures["projection_speed"] = speed
    print("\nprojection speed:", json.dumps(speed, indent=1))
    figures["against_paths"] = _against_paths(scenario, plan, 1000)
    print("projection vs 1,000 sample paths:", json.dumps(figures["against_paths"], indent=1))
    (args.out / "figures.json").write_text(json.dumps(figures, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
