"""Service KPIs of a plan per part and per location: ``kpis_parts.csv``, ``kpis_locations.csv``.

Computed at plan time from the recommendations and the verification simulation
(:class:`~spareplan.simulation.verify.SimulationResult`), written beside the plan so that
``spareplan report`` needs no simulation. The measures follow the service-measures
literature (Sherbrooke 2004, ch. 2; van Houtum & Kranenburg 2015, ch. 1):

- fill rate at the primary location and fill within the SLA window, requests-weighted;
- expected backorders EBO (time-average units backordered) and average on hand;
- emergency and lateral shipments per year;
- stock turns = units demanded per year / average on hand;
- the repair pipeline of a repairable part by Little's law: returns per year
  lambda (1 - condemnation) x turnaround / 365 units in repair, and condemnations per year
  lambda x condemnation (replaced by procurement).

Without a verification the simulated columns are empty (``nan``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from spareplan.codes import DAYS_PER_YEAR, LOCATION_KINDS
from spareplan.network import compile_network
from spareplan.scenario.model import Scenario

__all__ = ["LOCATION_KPI_COLUMNS", "PART_KPI_COLUMNS", "plan_context", "plan_kpis"]

PART_KPI_COLUMNS = [
    "part", "unit_cost", "repairable", "stock", "current_stock", "investment",
    "yearly_holding_cost", "requests_per_year", "fill_rate_primary",
    "fill_rate_within_window", "expected_backorders", "average_on_hand", "stock_turns",
    "emergency_per_year", "lateral_per_year", "downtime_hours_per_year",
    "repair_pipeline_units", "condemnations_per_year"]
LOCATION_KPI_COLUMNS = [
    "location", "kind", "parent", "stock", "current_stock", "investment",
    "yearly_holding_cost", "requests_per_year", "fill_rate_primary",
    "fill_rate_within_window", "expected_backorders", "average_on_hand", "stock_turns",
    "emergency_per_year", "lateral_per_year"]

_KIND_NAMES = {code: name for name, code in LOCATION_KINDS.items()}


def _weighted(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    """Requests-weighted means of ``columns`` per ``by`` (nan where no request)."""
    weights = frame["requests_per_year"]
    out = pd.DataFrame(index=pd.Index(sorted(frame[by].unique()), name=by))
    total = weights.groupby(frame[by]).sum()
    for column in columns:
        weighted = (frame[column].fillna(0.0) * weights).groupby(frame[by]).sum()
        out[column] = (weighted / total.where(total > 0)).reindex(out.index)
    return out


def _sums(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(by)[columns].sum()


def plan_kpis(scenario: Scenario, recommendations: pd.DataFrame, verification: Any
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-part and per-location KPIs of a plan.

    Parameters
    ----------
    scenario : Scenario
    recommendations : pandas.DataFrame
        recommendations.csv (part, location, stock, current_stock, unit_cost,
        yearly_holding_cost).
    verification : SimulationResult or None
        The plan's verification (``None``: simulated columns are ``nan``).

    Returns
    -------
    parts, locations : pandas.DataFrame
        :data:`PART_KPI_COLUMNS` (one row per part of the scenario) and
        :data:`LOCATION_KPI_COLUMNS` (one row per location).
    """
    network, arrays = compile_network(scenario)
    recs = recommendations.assign(investment=recommendations["stock"]
                                  * recommendations["unit_cost"])
    stock_cols = ["stock", "current_stock", "investment", "yearly_holding_cost"]
    parts = pd.DataFrame({
        "part": list(arrays.part_ids), "unit_cost": arrays.unit_cost,
        "repairable": arrays.repairable.astype(bool)}).set_index("part")
    parts = parts.join(_sums(recs, "part", stock_cols)).fillna({c: 0 for c in stock_cols})
    locations = pd.DataFrame({
        "location": list(network.location_ids),
        "kind": [_KIND_NAMES.get(int(k), str(k)) for k in network.location_kind],
        "parent": ["" if p < 0 else network.location_ids[p] for p in network.parent],
    }).set_index("location")
    locations = locations.join(_sums(recs, "location", stock_cols)).fillna(
        {c: 0 for c in stock_cols})
    demand = arrays.demand_rate.sum(axis=1)
    condemned = np.where(arrays.repairable, arrays.condemnation_fraction, 1.0)
    parts["repair_pipeline_units"] = np.where(
        arrays.repairable, demand * (1.0 - condemned) * arrays.repair_turnaround_days
        / DAYS_PER_YEAR, 0.0)
    parts["condemnations_per_year"] = np.where(arrays.repairable, demand * condemned, 0.0)
    simulated = ["requests_per_year", "fill_rate_primary", "fill_rate_within_window",
                 "expected_backorders", "average_on_hand", "stock_turns",
                 "emergency_per_year", "lateral_per_year", "downtime_hours_per_year"]
    for frame in (parts, locations):
        for column in simulated:
            frame[column] = np.nan
    if verification is not None and len(verification.parts):
        sites = verification.parts
        rates = ["fill_rate_primary", "fill_rate_within_window"]
        counts = ["requests_per_year", "emergency_per_year", "lateral_per_year"]
        if "downtime_hours_per_year" in sites:
            parts["downtime_hours_per_year"] = _sums(sites, "part",
                                                     ["downtime_hours_per_year"])
        for frame, by in ((parts, "part"), (locations, "location")):
            frame[counts] = _sums(sites, by, counts).reindex(frame.index)
            frame[rates] = _weighted(sites, by, rates).reindex(frame.index)
        stocked = verification.locations
        levels = ["expected_backorders", "average_on_hand"]
        for frame, by in ((parts, "part"), (locations, "location")):
            frame[levels] = _sums(stocked, by, levels).reindex(frame.index).fillna(0.0)
        parts["stock_turns"] = _turns(parts["requests_per_year"], parts["average_on_hand"])
        location_demand = _sums(stocked, "location", ["demand_per_year"])["demand_per_year"]
        locations["stock_turns"] = _turns(location_demand.reindex(locations.index),
                                          locations["average_on_hand"])
    parts = parts.reset_index()[PART_KPI_COLUMNS]
    locations = locations.reset_index()[LOCATION_KPI_COLUMNS]
    for frame in (parts, locations):
        for column in ("stock", "current_stock"):
            frame[column] = frame[column].astype(np.int64)
    return parts, locations


def _turns(demand: pd.Series, on_hand: pd.Series) -> pd.Series:
    """Units demanded per year / average on hand (nan without stock on hand)."""
    return demand.fillna(0.0) / on_hand.where(on_hand > 1e-9)


def plan_context(scenario: Scenario, verification: Any) -> dict[str, Any]:
    """What the report needs beside the tables: currency, the network's totals of the
    verification (emergency and lateral shipments per year with standard errors), the
    scenario's shipment costs."""
    costs = scenario.document.costs
    context: dict[str, Any] = {
        "currency": scenario.document.currency,
        "emergency_shipment_cost": float(costs.emergency_shipment_cost),
        "lateral_shipment_cost": float(costs.lateral_shipment_cost),
        "network": None,
    }
    if verification is not None:
        summary = verification.summary
        context["network"] = {key: summary.get(key) for key in (
            "emergency_shipments_per_year", "emergency_shipments_per_year_se",
            "lateral_shipments_per_year", "lateral_shipments_per_year_se",
            "shipment_cost_per_year")}
    return context
