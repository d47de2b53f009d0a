"""The plan re-measured by independent simulation, with an honest verdict per SLA row.

:func:`verify_plan` simulates the recommended stock with the verification's random
numbers (stream 0; the optimizer's feed uses another, so the plan is never judged by the
numbers that chose it) and puts the figures beside the planned ones. A row *meets* its SLA
when the simulated point estimate is at or above target; the 95 % confidence interval
(clipped to [0, 1]) and its half-width against the room ``1 - target`` say how sharp the
check is: a half-width above :data:`SHARP_SHARE` of that room means the check is too small
to tell a plan at target from one below it, and the run says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spareplan.planning.frames import recommendations_frame, service_frame
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import Optimization
from spareplan.result_columns import SERVICE_COLUMNS, ordered
from spareplan.scenario.model import Scenario
from spareplan.simulation.verify import SimulationResult, simulate_plan

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SHARP_SHARE", "PlannedRound", "planned_round", "verification_account",
           "verified", "verify_plan"]

#: A check is sharp for a row when its 95 % half-width is at most this share of 1 - target.
SHARP_SHARE = 0.25


@dataclass(frozen=True)
class PlannedRound:
    """A plan: the model it optimized, its optimization, tables and verification."""

    model: PlanningModel
    optimization: Optimization
    recommendations: pd.DataFrame
    service: pd.DataFrame
    verification: SimulationResult | None


def verify_plan(scenario: Scenario, recommendations: pd.DataFrame, service: pd.DataFrame, *,
                seed: int, replications: int, years: float, client: Client | None = None,
                on_chunk: Callable[[int, int], None] | None = None
                ) -> tuple[pd.DataFrame, SimulationResult]:
    """Simulate ``recommendations`` and merge the measured rows into ``service``.

    The returned service frame gains ``simulated``, ``std_error``, ``ci_low``, ``ci_high``
    (95 % confidence interval over replications, clipped to [0, 1]), ``half_width`` and
    ``half_width_share`` (of ``1 - target``), ``planned_meets_target`` (the plan's own
    promise), and a ``verdict`` from the simulated point estimate: ``"met"`` (at or above
    target), ``"not met"`` (below) or ``"no demand"``. ``meets_target`` is the verdict.
    The columns are in the order of ``service.csv``
    (:data:`~spareplan.result_columns.SERVICE_COLUMNS`). ``on_chunk(parts done, parts)``
    is called after each chunk of the simulation (a progress display).
    """
    simulation = simulate_plan(scenario, recommendations[["part", "location", "stock"]],
                               replications=replications, years=years, seed=seed,
                               source="recommendations", client=client,
                               on_chunk=on_chunk)
    measured = simulation.rows[["sla_row", "simulated", "std_error", "ci_low", "ci_high"]]
    merged = service.rename(columns={"meets_target": "planned_meets_target"}).merge(
        measured, on="sla_row", how="left")
    merged["ci_low"] = merged["ci_low"].clip(lower=0.0, upper=1.0)
    merged["ci_high"] = merged["ci_high"].clip(lower=0.0, upper=1.0)
    half = (merged["ci_high"] - merged["ci_low"]) / 2.0
    merged["half_width"] = half
    room = (1.0 - merged["target"]).where(merged["target"] < 1.0)
    merged["half_width_share"] = half / room
    target = merged["target"]
    verdict = np.where(merged["simulated"] >= target - 1e-12, "met", "not met")
    merged["verdict"] = np.where(merged["simulated"].isna(), "no demand", verdict)
    merged["meets_target"] = merged["verdict"] != "not met"
    return merged[ordered(merged.columns, SERVICE_COLUMNS)], simulation


def planned_round(model: PlanningModel, optimization: Optimization, scenario: Scenario
                  ) -> PlannedRound:
    """A plan's tables from its optimization (not yet verified)."""
    return PlannedRound(model, optimization,
                        recommendations_frame(model, optimization.chosen, scenario),
                        service_frame(model, optimization.chosen), None)


def verified(round_: PlannedRound, scenario: Scenario, *, seed: int, replications: int,
             years: float, client: Client | None = None,
             on_chunk: Callable[[int, int], None] | None = None) -> PlannedRound:
    """The plan with its service re-measured by simulation (:func:`verify_plan`; on the
    workers of ``client`` when given; ``on_chunk`` as there)."""
    service, verification = verify_plan(scenario, round_.recommendations, round_.service,
                                        seed=seed, replications=replications, years=years,
                                        client=client, on_chunk=on_chunk)
    return PlannedRound(round_.model, round_.optimization, round_.recommendations, service,
                        verification)



def verification_account(service: pd.DataFrame, verify: bool, replications: int,
                          years: float, note: str | None) -> dict[str, Any] | None:
    """``summary["verification"]``: its size, what it found and how sharp it was."""
    if not verify:
        return None
    if note is not None or "simulated" not in service:
        return {"replications": replications, "years": years, "stream": 0,
                "done": False, "note": note}
    measured = service[service["simulated"].notna()]
    share = measured["half_width_share"]
    return {
        "replications": replications, "years": years, "stream": 0, "done": True,
        "rows_below_target": int((measured["verdict"] == "not met").sum()),
        "largest_half_width_share": (None if share.isna().all()
                                     else round(float(share.max()), 6)),
        "rows_not_sharp": [str(r) for r in measured.loc[share > SHARP_SHARE, "sla_row"]],
    }
