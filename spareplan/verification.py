"""Re-measure a plan by independent simulation and put the figures beside the planned ones."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spareplan.scenario.model import Scenario
from spareplan.simulation.verify import SimulationResult, simulate_plan


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
