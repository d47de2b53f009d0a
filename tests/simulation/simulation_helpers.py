"""Hand-built networks for the simulation tests (arrays, no scenario files)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spareplan.network import BACKORDER, Network, PartArrays


def make_network(parent: Sequence[int], lead_time_days: Sequence[float],
                 site_primary: Sequence[int], response_hours: np.ndarray | None = None, *,
                 lead_time_cv: Sequence[float] | None = None, rule: int = BACKORDER,
                 emergency_response_hours: float = 24.0,
                 machines: Sequence[float] | None = None) -> Network:
    """A network from arrays; response 0 h at the primary location unless given."""
    n_locations, n_sites = len(parent), len(site_primary)
    if response_hours is None:
        response_hours = np.full((n_sites, n_locations), np.inf)
        response_hours[np.arange(n_sites), np.asarray(site_primary)] = 0.0
    depth = np.zeros(n_locations, dtype=np.int64)
    for loc in range(n_locations):
        if parent[loc] >= 0:
            depth[loc] = depth[parent[loc]] + 1
    return Network(
        location_ids=tuple(f"L{i}" for i in range(n_locations)),
        location_kind=np.minimum(depth, 2), parent=np.asarray(parent, dtype=np.int64),
        depth=depth, lead_time_days=np.asarray(lead_time_days, dtype=float),
        lead_time_cv=np.asarray(lead_time_cv if lead_time_cv is not None
                                else np.zeros(n_locations), dtype=float),
        holding_rate_per_year=np.full(n_locations, 0.25),
        capacity_units=np.full(n_locations, np.inf), fixed_cost_per_year=np.zeros(n_locations),
        site_ids=tuple(f"S{i}" for i in range(n_sites)),
        site_primary=np.asarray(site_primary, dtype=np.int64),
        site_class=np.zeros(n_sites, dtype=np.int64), sla_class_names=("gold",),
        response_hours=np.asarray(response_hours, dtype=float),
        machines=np.asarray(machines if machines is not None else np.ones(n_sites), dtype=float),
        stockout_rule=rule, emergency_response_hours=emergency_response_hours,
        emergency_shipment_cost=300.0, lateral_shipment_cost=100.0)


def make_parts(demand_rate: np.ndarray, *, procurement_days: float | Sequence[float] = 30.0,
               repairable: bool | Sequence[bool] = False,
               repair_days: float | Sequence[float] = 0.0,
               condemnation: float | Sequence[float] = 1.0,
               variance_to_mean: np.ndarray | None = None) -> PartArrays:
    """Parts from a demand matrix ``(P, N)`` per year; scalars broadcast over parts."""
    rate = np.atleast_2d(np.asarray(demand_rate, dtype=float))
    n_parts = rate.shape[0]

    def full(value: object, dtype: type = float) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (n_parts,)).copy()

    return PartArrays(
        part_ids=tuple(f"P{i}" for i in range(n_parts)), unit_cost=full(100.0),
        repairable=full(repairable, bool), procurement_lead_time_days=full(procurement_days),
        repair_turnaround_days=full(repair_days), condemnation_fraction=full(condemnation),
        min_stock=full(0, np.int64), max_stock=full(10, np.int64),
        volume_liters=full(0.0), demand_rate=rate,
        variance_to_mean=(np.ones_like(rate) if variance_to_mean is None
                          else np.asarray(variance_to_mean, dtype=float)))
