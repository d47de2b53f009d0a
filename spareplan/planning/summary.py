"""The account of a plan: :class:`PlanSummary`, written as ``summary.json``.

A typed record of what was planned, how, and how well: status, cost, bound and gap, the
model optimized and the model its bound bounds, the simulation feed and its margins, the
verification's size and sharpness, costs by kind, the
capacity rows' use, and the versions and input hash that make a run reproducible.
It reads like a mapping (``summary["status"]``) and :meth:`PlanSummary.to_dict` gives the
JSON form.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spareplan.planning.diagnosis import capacity_use, status_word
from spareplan.planning.model import (
    CAPACITY_ROW_UNIT,
    COST,
    INVENTORY_BUDGET,
    SERVICE,
    TIE_BREAK_SHORTFALL,
    PlanningModel,
)
from spareplan.planning.optimize import Optimization, baseline_costs, relative_gap
from spareplan.scenario.model import Scenario
from spareplan.versions import package_versions

if TYPE_CHECKING:  # the feed's result is read, not built, here
    from spareplan.planning.feed_plan import FeedPlan

__all__ = ["PlanSummary", "fixed_cost", "open_locations", "plan_summary"]


def open_locations(model: PlanningModel, result: Optimization) -> np.ndarray:
    """Open flag of each location with a fixed cost: open when the plan stocks it."""
    stock = (np.vstack([c.stock for c in result.chosen]) if result.chosen
             else np.zeros((0, model.network.n_locations), dtype=np.int64))
    return np.asarray((stock[:, model.facility_location] > 0).any(axis=0), dtype=bool)


def fixed_cost(model: PlanningModel, result: Optimization) -> float:
    """Yearly fixed cost of the locations with a fixed cost that the plan uses."""
    if not model.n_facilities:
        return 0.0
    return float(model.facility_cost[open_locations(model, result)].sum())


@dataclass(frozen=True)
class PlanSummary(Mapping[str, Any]):
    """What ``summary.json`` holds (see ``docs`` and the README for each field)."""

    scenario: str
    status: str
    objective: float
    lower_bound: float | None
    gap: float | None
    bound_scope: str
    method: str
    solver: str
    columns: int
    iterations: int
    seed: int
    time_limit: float | None
    input_hash: str
    versions: dict[str, str]
    sla_rows: int
    parts: int
    locations: int
    verified: bool
    replications: int | None
    simulated_years: float | None
    service_model: str
    bound_model: str | None
    analytic_bound: float | None
    premium_over_analytic_bound: float | None
    simulation_feed: dict[str, Any] | None
    verification: dict[str, Any] | None
    stage_seconds: dict[str, float]
    baseline: dict[str, float | None]
    holding_cost: float
    shipping_cost: float
    fixed_location_cost: float
    inventory_value: float
    inventory_budget: float | None
    capacity_rows: dict[str, dict[str, Any]]
    meets_every_sla: bool
    runtime_seconds: float
    locations_open: dict[str, bool] | None = field(default=None)
    goal: str = COST
    service_goal: dict[str, Any] | None = None
    penalty_cost: float = 0.0
    simulated_penalty_cost: float | None = None
    #: Why the analytic model planned although the simulation feed was asked for.
    service_model_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``locations_open`` only when the scenario has fixed costs)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        if data["locations_open"] is None:
            del data["locations_open"]
        return data

    def __getitem__(self, key: str) -> Any:
        data = self.to_dict()
        return data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def plan_summary(*, scenario: Scenario, model: PlanningModel, result: Optimization,
                 recommendations: pd.DataFrame, service: pd.DataFrame, solver: str, seed: int,
                 time_limit: float | None, verify: bool, replications: int, years: float,
                 feed: FeedPlan | None, verification: dict[str, Any] | None,
                 runtime_seconds: float, feed_skipped: str | None = None) -> PlanSummary:
    """The summary of a plan (its optimization ``result`` of ``model``; ``feed`` when the
    simulation fed the optimizer; ``feed_skipped``: why the analytic model planned instead
    of the feed asked for)."""
    solution = result.solution
    fixed = fixed_cost(model, result)
    penalties = _penalties(model, service)
    objective = float(sum(c.cost for c in result.chosen)) + fixed + penalties["planned"]
    bound = float(solution.lower_bound)
    if (feed is not None and result.method != "enumeration") or model.goal == SERVICE:
        bound = math.nan  # no bound of the yearly cost (the service goal's is on service)
    gap = relative_gap(objective, bound)
    analytic = (bound if feed is None else feed.analytic_bound)
    # the objective is the shortfall plus a tie-break of at most TIE_BREAK_SHORTFALL
    service_bound = (1.0 - float(solution.lower_bound) / model.objective_scale
                     + TIE_BREAK_SHORTFALL
                     if model.goal == SERVICE and math.isfinite(solution.lower_bound)
                     else math.nan)
    if model.goal == SERVICE and math.isfinite(service_bound) \
            and result.bound_scope == "all_columns":
        bound_model = "analytic (METRIC-type pipelines, Erlang loss): the weighted service"
    elif not math.isfinite(bound) or result.bound_scope != "all_columns":
        bound_model = None
    elif feed is None:
        bound_model = "analytic (METRIC-type pipelines, Erlang loss)"
    else:
        bound_model = (f"simulated system: the feed's sample average ({feed.settings.label()}"
                       f" per stock vector) over every stock vector, with the margins")
    used = capacity_use(model, result.chosen)
    locations_open = None
    if model.n_facilities:
        is_open = open_locations(model, result)
        locations_open = {model.network.location_ids[loc]: bool(o) for loc, o in
                          zip(model.facility_location, is_open, strict=True)}
    return PlanSummary(
        scenario=scenario.name, status=status_word(solution.status),
        objective=round(objective, 6),
        lower_bound=None if not math.isfinite(bound) else round(bound, 6),
        gap=None if not math.isfinite(gap) else gap,
        bound_scope=result.bound_scope, method=result.method, solver=solver,
        columns=result.n_columns, iterations=result.iterations, seed=seed,
        time_limit=time_limit, input_hash=scenario.input_hash, versions=package_versions(),
        sla_rows=len(model.all_rows), parts=model.n_parts,
        locations=model.network.n_locations, verified=verify,
        replications=replications if verify else None,
        simulated_years=years if verify else None,
        service_model="analytic" if feed is None else "simulation",
        bound_model=bound_model,
        analytic_bound=None if not math.isfinite(analytic) else round(analytic, 6),
        premium_over_analytic_bound=(None if not math.isfinite(analytic) or analytic <= 0
                                     else objective / analytic - 1.0),
        simulation_feed=None if feed is None else feed.account(),
        verification=verification,
        stage_seconds={k: round(v, 3) for k, v in result.stage_seconds.items()},
        baseline=(baseline_costs(model, result) if model.goal == COST else {}),
        holding_cost=round(float(recommendations["yearly_holding_cost"].sum()), 2),
        shipping_cost=round(float(sum(c.service.shipping_cost for c in result.chosen)), 2),
        fixed_location_cost=round(fixed, 2),
        inventory_value=round(float((recommendations["stock"]
                                     * recommendations["unit_cost"]).sum()), 2),
        inventory_budget=model.inventory_budget,
        capacity_rows={
            name: {"limit": float(model.capacity_limit[r]), "used": round(float(used[r]), 6),
                   "unit": (scenario.document.currency
                            if int(model.capacity_kind[r]) == INVENTORY_BUDGET
                            else CAPACITY_ROW_UNIT[int(model.capacity_kind[r])])}
            for r, name in enumerate(model.capacity_names)},
        meets_every_sla=bool(service["meets_target"].all()) and (
            verification is None or bool(verification["done"])),
        runtime_seconds=round(runtime_seconds, 3), locations_open=locations_open,
        goal=model.goal, service_goal=_service_goal_account(model, result, service_bound),
        penalty_cost=round(penalties["planned"], 2),
        simulated_penalty_cost=(None if penalties["simulated"] is None
                                else round(penalties["simulated"], 2)),
        service_model_note=feed_skipped)


def _penalties(model: PlanningModel, service: pd.DataFrame) -> dict[str, float | None]:
    """Expected contract penalties per year (cost goal): sum over rows of the miss weight
    m_r x the row's shortfall, with the planned values and, when verified, the simulated
    ones."""
    if not model.has_penalties:
        return {"planned": 0.0, "simulated": None}
    frame = service.set_index("sla_row").reindex(list(model.row_names))
    weights = model.miss_weights()
    planned = frame["planned"].to_numpy(dtype=float)
    out: dict[str, float | None] = {"planned": float(weights @ (1.0 - planned)),
                                    "simulated": None}
    if "simulated" in frame and frame["simulated"].notna().all():
        out["simulated"] = float(weights @ (1.0 - frame["simulated"].to_numpy(dtype=float)))
    return out


def _service_goal_account(model: PlanningModel, result: Optimization, bound: float
                          ) -> dict[str, Any] | None:
    """``summary["service_goal"]``: the rows' weights, the plan's weighted service (the
    model's planned values) and the bound on it (``None`` under the cost goal)."""
    if model.goal != SERVICE or model.service_weights is None:
        return None
    activity = (np.sum([c.coefficients for c in result.chosen], axis=0) if result.chosen
                else np.zeros(len(model.rows)))
    value = float(model.service_weights @ model.row_value(activity))
    return {"weights": {name: float(w) for name, w in
                        zip(model.row_names, model.service_weights, strict=True)},
            "weighted_service": round(value, 9),
            "weighted_service_bound": None if not math.isfinite(bound) else
            round(min(bound, 1.0), 9),
            "gap": None if not math.isfinite(bound) else max(bound - value, 0.0)}

