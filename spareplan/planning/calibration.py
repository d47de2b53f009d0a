"""Calibration by simulation: the plan re-measured, rows the simulation refutes re-planned.

The optimizer plans with the analytic model; :func:`verify_plan` re-measures the plan by
independent simulation and puts the figures beside the planned ones. :func:`calibrate`
then raises the internal target of every row that the simulation measured below target
and below the analytic promise and plans again (first by the measured difference, then by
the secant through the last two rounds), at most ``rounds`` times, and keeps the cheapest
round that the simulation does not show below any target at 95 % confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import solvers
from spareplan.planning.diagnosis import checked, status_word
from spareplan.planning.frames import recommendations_frame, service_frame
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import Optimization, optimize
from spareplan.planning.summary import fixed_cost
from spareplan.scenario.model import Scenario
from spareplan.simulation.verify import SimulationResult, simulate_plan

__all__ = ["Calibration", "Round", "calibrate", "verify_plan"]


@dataclass(frozen=True)
class Round:
    """One planning round: the model it optimized, its plan, tables and verification."""

    model: PlanningModel
    optimization: Optimization
    recommendations: pd.DataFrame
    service: pd.DataFrame
    verification: SimulationResult | None

    @property
    def cost(self) -> float:
        """Yearly cost of the plan: its columns plus the fixed costs of open locations."""
        return (float(sum(c.cost for c in self.optimization.chosen))
                + fixed_cost(self.model, self.optimization))


@dataclass(frozen=True)
class Calibration:
    """The chosen round, every round's record (``summary["calibration"]``) and why the
    calibration stopped early, if it did."""

    chosen: Round
    records: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None


def verify_plan(scenario: Scenario, recommendations: pd.DataFrame, service: pd.DataFrame, *,
                seed: int, replications: int, years: float
                ) -> tuple[pd.DataFrame, SimulationResult]:
    """Simulate ``recommendations`` and merge the measured rows into ``service``.

    The returned service frame gains ``simulated``, ``std_error``, ``ci_low``, ``ci_high``
    (95% confidence interval over replications), ``planned_meets_target`` (the analytic
    promise) and a ``verdict`` from the simulation: ``"met"`` (the whole interval is at or
    above target), ``"not refuted"`` (the target lies inside the interval) or ``"not met"``
    (the whole interval is below target). ``meets_target`` is False only for "not met":
    the simulation then shows, at 95% confidence, that the plan misses the SLA.
    """
    simulation = simulate_plan(scenario, recommendations[["part", "location", "stock"]],
                               replications=replications, years=years, seed=seed,
                               source="recommendations")
    measured = simulation.rows[["sla_row", "value", "std_error", "ci_low", "ci_high",
                                "meets_target"]].rename(
        columns={"value": "simulated", "meets_target": "simulated_meets_target"})
    merged = service.rename(columns={"meets_target": "planned_meets_target"}).merge(
        measured, on="sla_row", how="left")
    target = merged["target"]
    verdict = np.where(merged["ci_low"] >= target - 1e-12, "met",
                       np.where(merged["ci_high"] >= target - 1e-12, "not refuted", "not met"))
    merged["verdict"] = np.where(merged["simulated"].isna(), "no demand", verdict)
    merged["meets_target"] = merged["verdict"] != "not met"
    return merged.drop(columns=["simulated_meets_target"]), simulation


def _measured(model: PlanningModel, service: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """planned, simulated, upper 95% bound and target of the active rows, in row order."""
    rows = service.set_index("sla_row").loc[list(model.row_names)]
    return (rows["planned"].to_numpy(dtype=float), rows["simulated"].to_numpy(dtype=float),
            rows["ci_high"].to_numpy(dtype=float), rows["target"].to_numpy(dtype=float))


def _next_offsets(history: list[tuple[np.ndarray, np.ndarray]], planned: np.ndarray,
                  targets: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Target offsets for the next round of simulation calibration, per row.

    ``history`` holds (offsets, simulated) of every round so far. First round: a row the
    simulation measured below target and below the analytic promise asks for the
    difference more. Later rounds: the secant through the last two rounds' (offset,
    simulated) aims at simulated = target (the analytic bias shrinks as stock grows, so
    the first correction overshoots). Offsets stay within [0, cap].
    """
    offsets, simulated = history[-1]
    measured = np.isfinite(simulated)
    if len(history) == 1:
        short = measured & (simulated < targets) & (planned > simulated)
        step = np.where(short, planned - simulated, 0.0)
        return np.clip(offsets + step, 0.0, cap)
    previous_offsets, previous_simulated = history[-2]
    slope_known = measured & (np.abs(simulated - previous_simulated) > 1e-9) & (
        np.abs(offsets - previous_offsets) > 1e-12)
    secant = offsets + (targets - simulated) * (offsets - previous_offsets) / np.where(
        slope_known, simulated - previous_simulated, 1.0)
    short = measured & (simulated < targets) & (planned > simulated)
    fallback = np.where(short, offsets + planned - simulated, offsets)
    return np.clip(np.where(slope_known, secant, fallback), 0.0, cap)


def _acceptable(simulated: np.ndarray, ci_high: np.ndarray, targets: np.ndarray) -> bool:
    """No measured row is shown below its target at 95% confidence (ci_high >= target)."""
    measured = np.isfinite(simulated)
    return bool(np.all(ci_high[measured] >= targets[measured] - 1e-12))


def planned_round(model: PlanningModel, optimization: Optimization, scenario: Scenario
                  ) -> Round:
    """A round's tables from its optimization (not yet verified)."""
    return Round(model, optimization,
                 recommendations_frame(model, optimization.chosen, scenario),
                 service_frame(model, optimization.chosen), None)


def verified(round_: Round, scenario: Scenario, *, seed: int, replications: int,
             years: float) -> Round:
    """The round with its service re-measured by simulation (:func:`verify_plan`)."""
    service, verification = verify_plan(scenario, round_.recommendations, round_.service,
                                        seed=seed, replications=replications, years=years)
    return Round(round_.model, round_.optimization, round_.recommendations, service,
                 verification)


def calibrate(first: Round, best: np.ndarray, scenario: Scenario, *, solver: str,
              budget: solvers.TimeBudget, mip_rel_gap: float, seed: int, replications: int,
              years: float, rounds: int) -> Calibration:
    """Calibration rounds after the verified ``first`` round (see the module docstring).

    ``best`` is every optimized row's best reachable value (offsets stay below it). A
    round whose raised targets no plan meets within the capacity rows ends the calibration
    (``Calibration.stopped``).
    """
    model = first.model
    done = [first]
    planned, simulated, ci_high, targets = _measured(model, first.service)
    cap = np.maximum(best - targets - 1e-6, 0.0)
    history = [(np.zeros(len(model.rows)), simulated)]
    stopped: str | None = None
    for _ in range(rounds):
        if _acceptable(simulated, ci_high, targets) and len(history) == 1:
            break
        offsets = _next_offsets(history, planned, targets, cap)
        if np.allclose(offsets, history[-1][0], atol=1e-6):
            break
        if budget.expired(1.0):
            break  # the time limit is the budget of all rounds together
        raised_model = model.with_target_offsets(offsets)
        raised = optimize(raised_model, backend=solver, budget=budget,
                          mip_rel_gap=mip_rel_gap)
        if not raised.solution.status.has_solution and raised_model.n_capacity_rows:
            stopped = (
                f"round {len(history)}: no plan found that meets the raised targets "
                f"within the capacity rows ({', '.join(raised_model.capacity_names)}); status "
                f"{status_word(raised.solution.status)}")
            break
        result = checked(raised_model, raised, solver, budget, mip_rel_gap)
        round_ = verified(planned_round(raised_model, result, scenario), scenario, seed=seed,
                          replications=replications, years=years)
        done.append(round_)
        planned, simulated, ci_high, targets = _measured(raised_model, round_.service)
        history.append((offsets, simulated))
    costs = [r.cost for r in done]
    fits = [_acceptable(*_measured(r.model, r.service)[1:]) for r in done]
    pick = min(range(len(done)), key=lambda k: (not fits[k], costs[k], -k))
    records = [{
        "round": k, "yearly_cost": round(costs[k], 2), "acceptable": fits[k],
        "chosen": k == pick,
        "target_offsets": {name: round(float(o), 6) for name, o in
                           zip(model.row_names, offsets, strict=True) if o > 0},
    } for k, (offsets, _simulated) in enumerate(history)]
    return Calibration(done[pick], records, stopped)
