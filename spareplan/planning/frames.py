"""The plan's tables: recommendations per part and location, service per SLA row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spareplan.network import current_stock
from spareplan.planning.model import Column, PlanningModel
from spareplan.result_columns import RECOMMENDATION_COLUMNS, SERVICE_COLUMNS, ordered
from spareplan.scenario.model import Scenario
from spareplan.sla import rows_frame

__all__ = ["RECOMMENDATION_COLUMNS", "recommendations_frame", "service_frame"]

def recommendations_frame(model: PlanningModel, chosen: list[Column], scenario: Scenario
                          ) -> pd.DataFrame:
    """One row per part and location that the plan stocks or that holds stock today:
    ``part, location, stock, current_stock, delta, unit_cost, yearly_holding_cost``."""
    net, parts = model.network, model.parts
    stock = np.vstack([c.stock for c in chosen]) if chosen else np.zeros((0, net.n_locations))
    part_idx, loc_idx = np.nonzero(np.ones_like(stock, dtype=bool))
    frame = pd.DataFrame({
        "part": np.array(parts.part_ids, dtype=object)[part_idx],
        "location": np.array(net.location_ids, dtype=object)[loc_idx],
        "stock": stock[part_idx, loc_idx].astype(np.int64),
        "unit_cost": parts.unit_cost[part_idx],
        "holding_rate": net.holding_rate_per_year[loc_idx],
    })
    current = current_stock(scenario).rename(columns={"stock": "current_stock"})
    frame = frame.merge(current, on=["part", "location"], how="left")
    frame["current_stock"] = frame["current_stock"].fillna(0).astype(np.int64)
    frame = frame[(frame["stock"] > 0) | (frame["current_stock"] > 0)]
    frame["delta"] = frame["stock"] - frame["current_stock"]
    frame["yearly_holding_cost"] = (frame["stock"] * frame["unit_cost"]
                                    * frame["holding_rate"]).round(2)
    return frame[list(RECOMMENDATION_COLUMNS)].sort_values(["part", "location"], ignore_index=True)


def service_frame(model: PlanningModel, chosen: list[Column]) -> pd.DataFrame:
    """One row per SLA row: its definition, the planned value of ``chosen`` (``nan`` for a
    row without demand), the row's demand per year and whether the plan meets it, in the
    order of ``service.csv`` (:data:`~spareplan.result_columns.SERVICE_COLUMNS`)."""
    frame = rows_frame(model.all_rows, model.network)
    frame.loc[model.active, "target"] = model.targets  # the scenario's, or a what-if's
    planned = np.full(len(model.all_rows), np.nan)
    if chosen and len(model.rows):
        activity = np.sum([c.coefficients for c in chosen], axis=0)
        planned[model.active] = model.row_value(activity)
    frame["planned"] = planned
    frame["demand_per_year"] = model.row_demand
    frame["meets_target"] = np.where(np.isnan(planned), True, planned >= frame["target"] - 1e-9)
    return frame[ordered(frame.columns, SERVICE_COLUMNS)]
