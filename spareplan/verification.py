"""Re-measure a plan by independent simulation and put the figures beside the planned ones."""

from __future__ import annotations

import pandas as pd

from spareplan.scenario.model import Scenario
from spareplan.simulation.verify import SimulationResult, simulate_plan


def verify_plan(scenario: Scenario, recommendations: pd.DataFrame, service: pd.DataFrame, *,
                seed: int, replications: int, years: float
                ) -> tuple[pd.DataFrame, SimulationResult]:
    """Simulate ``recommendations`` and merge the measured rows into ``service``.

    The returned service frame gains ``simulated``, ``std_error``, ``ci_low``, ``ci_high``
    (95% confidence interval over replications), ``planned_meets_target`` (the analytic
    promise) and ``meets_target`` now taken from the simulation's point estimate.
    """
    simulation = simulate_plan(scenario, recommendations[["part", "location", "stock"]],
                               replications=replications, years=years, seed=seed,
                               source="recommendations")
    measured = simulation.rows[["sla_row", "value", "std_error", "ci_low", "ci_high",
                                "meets_target"]].rename(
        columns={"value": "simulated", "meets_target": "simulated_meets_target"})
    merged = service.rename(columns={"meets_target": "planned_meets_target"}).merge(
        measured, on="sla_row", how="left")
    merged["meets_target"] = merged["simulated_meets_target"].fillna(True).astype(bool)
    return merged.drop(columns=["simulated_meets_target"]), simulation
