"""A scenario compiled into NumPy arrays: the boundary between pandas and the kernels.

:func:`compile_network` turns a validated :class:`~spareplan.scenario.Scenario` into a
:class:`Network` (the location tree, the sites and their reach, shared by all parts) and
:class:`PartArrays` (per-part parameters and the demand matrix). Everything downstream —
analytic evaluation, the numba simulation, the optimizer's columns — reads these arrays,
never the DataFrames.

Conventions
-----------
- Locations are in topological order: ``parent[l] < l`` for every non-root ``l``;
  roots (central warehouses) have ``parent == -1``. ``depth`` is 0 for roots.
- Rates are per year; lead times in days; response times in hours.
- ``response_hours[s, l]`` is ``inf`` when location ``l`` cannot serve site ``s``.
- The stock-out rule is an integer code: :data:`BACKORDER`, :data:`EMERGENCY`, :data:`LATERAL`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# the codes and constants live in spareplan.codes; re-exported here for the callers that
# read them beside the arrays they describe
from spareplan.codes import (
    BACKORDER,
    CENTRAL,
    DAYS_PER_YEAR,
    DC,
    EMERGENCY,
    FSL,
    HOURS_PER_YEAR,
    LATERAL,
    LOCATION_KINDS,
    STOCKOUT_RULES,
)
from spareplan.demand.rates import demand_rates
from spareplan.demand.supersession import effective_current_stock
from spareplan.scenario.model import Scenario

__all__ = ["BACKORDER", "CENTRAL", "DAYS_PER_YEAR", "DC", "EMERGENCY", "FSL",
           "HOURS_PER_YEAR", "LATERAL", "LOCATION_KINDS", "STOCKOUT_RULES", "Network",
           "PartArrays", "compile_network", "current_stock"]


@dataclass(frozen=True)
class Network:
    """The location tree and the sites, as arrays (shared by every part)."""

    location_ids: tuple[str, ...]
    location_kind: np.ndarray  # int64 (L,) CENTRAL / DC / FSL
    parent: np.ndarray  # int64 (L,) -1 for roots; parent[l] < l
    depth: np.ndarray  # int64 (L,)
    lead_time_days: np.ndarray  # float64 (L,) mean lead time from parent (0 for roots)
    lead_time_cv: np.ndarray  # float64 (L,) 0 = deterministic
    holding_rate_per_year: np.ndarray  # float64 (L,)
    capacity_units: np.ndarray  # float64 (L,) inf = none
    fixed_cost_per_year: np.ndarray  # float64 (L,)
    site_ids: tuple[str, ...]
    site_primary: np.ndarray  # int64 (N,)
    site_class: np.ndarray  # int64 (N,) index into sla_class_names
    sla_class_names: tuple[str, ...]
    response_hours: np.ndarray  # float64 (N, L), inf where not in reach
    machines: np.ndarray  # float64 (N,)
    stockout_rule: int
    emergency_response_hours: float
    emergency_shipment_cost: float
    lateral_shipment_cost: float
    #: float64 (L,) liters, inf = none; ``None``: no location has a volume capacity.
    capacity_volume_liters: np.ndarray | None = None

    @property
    def n_locations(self) -> int:
        return len(self.location_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    def root_of(self) -> np.ndarray:
        """Root (central warehouse) index of every location."""
        root = np.arange(self.n_locations)
        for location in range(self.n_locations):
            if self.parent[location] >= 0:
                root[location] = root[self.parent[location]]
        return root


@dataclass(frozen=True)
class PartArrays:
    """Per-part parameters and demand, as arrays (P parts)."""

    part_ids: tuple[str, ...]
    unit_cost: np.ndarray  # float64 (P,)
    repairable: np.ndarray  # bool (P,)
    procurement_lead_time_days: np.ndarray  # float64 (P,)
    repair_turnaround_days: np.ndarray  # float64 (P,) 0 for consumables
    condemnation_fraction: np.ndarray  # float64 (P,) 1 for consumables
    min_stock: np.ndarray  # int64 (P,)
    max_stock: np.ndarray  # int64 (P,) search bound per location
    volume_liters: np.ndarray  # float64 (P,) 0 where not given
    demand_rate: np.ndarray  # float64 (P, N) units per year
    variance_to_mean: np.ndarray  # float64 (P, N) >= 1

    @property
    def n_parts(self) -> int:
        return len(self.part_ids)

    def root_resupply_days(self) -> np.ndarray:
        """Mean resupply time of a central warehouse per part.

        Repairables: (1 - c) x repair turnaround + c x procurement lead time (the
        condemned fraction c is replaced by a new buy); consumables: procurement.
        """
        c = self.condemnation_fraction
        return np.where(self.repairable,
                        (1.0 - c) * self.repair_turnaround_days
                        + c * self.procurement_lead_time_days,
                        self.procurement_lead_time_days)

    def subset(self, parts: np.ndarray) -> PartArrays:
        """The arrays of the parts at integer positions ``parts``."""
        return PartArrays(
            part_ids=tuple(self.part_ids[i] for i in parts),
            unit_cost=self.unit_cost[parts], repairable=self.repairable[parts],
            procurement_lead_time_days=self.procurement_lead_time_days[parts],
            repair_turnaround_days=self.repair_turnaround_days[parts],
            condemnation_fraction=self.condemnation_fraction[parts],
            min_stock=self.min_stock[parts], max_stock=self.max_stock[parts],
            volume_liters=self.volume_liters[parts], demand_rate=self.demand_rate[parts],
            variance_to_mean=self.variance_to_mean[parts],
        )


def _topological(locations: pd.DataFrame) -> list[str]:
    parent_of = dict(zip(locations["location"], locations["parent"], strict=True))
    depth: dict[str, int] = {}

    def depth_of(location: str) -> int:
        if location not in depth:
            parent = parent_of[location]
            depth[location] = 0 if parent is None else depth_of(parent) + 1
        return depth[location]

    ids = list(locations["location"])
    return sorted(ids, key=lambda loc: (depth_of(loc), ids.index(loc)))


def _positions(values: pd.Series, ids: tuple[str, ...] | list[str]) -> np.ndarray:
    """int64 position in ``ids`` of every value (a hash lookup over the whole column; a
    per-value ``Series.map`` of a dict took seconds at 10,000 parts). Every value is in
    ``ids`` in a validated scenario; one that is not is an internal error."""
    found = pd.Index(list(ids)).get_indexer(values.to_numpy(dtype=object))
    if found.size and found.min() < 0:
        missing = values.iloc[int(np.flatnonzero(found < 0)[0])]
        raise ValueError(f"{missing!r} is not among the compiled identifiers")
    return found.astype(np.int64)


def compile_network(scenario: Scenario) -> tuple[Network, PartArrays]:
    """Compile a validated scenario into :class:`Network` and :class:`PartArrays`."""
    document = scenario.document
    locations = scenario.locations.set_index("location")
    order = _topological(scenario.locations)
    index_of = {loc: i for i, loc in enumerate(order)}
    locations = locations.loc[order]
    parent = np.array([-1 if p is None else index_of[p] for p in locations["parent"]],
                      dtype=np.int64)
    depth = np.zeros(len(order), dtype=np.int64)
    for loc in range(len(order)):
        if parent[loc] >= 0:
            depth[loc] = depth[parent[loc]] + 1
    holding = locations["holding_rate_per_year"].fillna(document.costs.holding_rate_per_year)

    sites = scenario.sites
    site_ids = tuple(sites["site"])
    class_names = tuple(document.sla_classes)
    reach = scenario.reach
    response = np.full((len(site_ids), len(order)), np.inf)
    response[_positions(reach["site"], site_ids),
             _positions(reach["location"], order)] = reach["response_hours"].to_numpy()
    machines = np.zeros(len(site_ids))
    base = scenario.table("installed_base")
    if base is not None:
        per_site = base.groupby("site")["machines"].sum()
        machines = np.array([float(per_site.get(s, 0.0)) for s in site_ids])

    network = Network(
        location_ids=tuple(order),
        location_kind=np.array([LOCATION_KINDS[k] for k in locations["kind"]], dtype=np.int64),
        parent=parent, depth=depth,
        lead_time_days=locations["lead_time_days"].fillna(0.0).to_numpy(dtype=float),
        lead_time_cv=locations["lead_time_cv"].fillna(0.0).to_numpy(dtype=float),
        holding_rate_per_year=holding.to_numpy(dtype=float),
        capacity_units=locations["capacity_units"].fillna(np.inf).to_numpy(dtype=float),
        fixed_cost_per_year=locations["fixed_cost_per_year"].fillna(0.0).to_numpy(dtype=float),
        site_ids=site_ids,
        site_primary=np.array([index_of[p] for p in sites["primary_location"]], dtype=np.int64),
        site_class=np.array([class_names.index(c) for c in sites["sla_class"]], dtype=np.int64),
        sla_class_names=class_names,
        response_hours=response, machines=machines,
        stockout_rule=STOCKOUT_RULES[document.policy.stockout_rule],
        emergency_response_hours=document.policy.emergency_response_hours,
        emergency_shipment_cost=document.costs.emergency_shipment_cost,
        lateral_shipment_cost=document.costs.lateral_shipment_cost,
        capacity_volume_liters=locations["capacity_volume_liters"].fillna(np.inf)
        .to_numpy(dtype=float),
    )

    parts = scenario.parts
    part_ids = tuple(parts["part"])
    rates = demand_rates(scenario)
    rate = np.zeros((len(part_ids), len(site_ids)))
    dispersion = np.ones((len(part_ids), len(site_ids)))
    # int64 also when there are no rates (an empty map would come out as float)
    rows = _positions(rates["part"], part_ids)
    cols = _positions(rates["site"], site_ids)
    rate[rows, cols] = rates["rate_per_year"].to_numpy(dtype=float)
    dispersion[rows, cols] = rates["variance_to_mean"].to_numpy(dtype=float)
    repairable = (parts["kind"] == "repairable").to_numpy()
    bound = document.policy.max_stock_per_location
    part_arrays = PartArrays(
        part_ids=part_ids,
        unit_cost=parts["unit_cost"].to_numpy(dtype=float),
        repairable=repairable,
        procurement_lead_time_days=parts["procurement_lead_time_days"].to_numpy(dtype=float),
        repair_turnaround_days=np.where(repairable, parts["repair_turnaround_days"]
                                        .fillna(0.0).to_numpy(dtype=float), 0.0),
        condemnation_fraction=np.where(repairable, parts["condemnation_fraction"]
                                       .fillna(1.0).to_numpy(dtype=float), 1.0),
        min_stock=parts["min_stock"].fillna(0).to_numpy(dtype=np.int64),
        max_stock=parts["max_stock"].fillna(bound).clip(upper=bound).to_numpy(dtype=np.int64),
        volume_liters=parts["volume_liters"].fillna(0.0).to_numpy(dtype=float),
        demand_rate=rate, variance_to_mean=dispersion,
    )
    return network, part_arrays


def current_stock(scenario: Scenario) -> pd.DataFrame:
    """The scenario's current stock per part and location: on hand + on order.

    The one reader of the ``current_stock`` table for planning and simulation (the plan's
    deltas and the simulation of today's stock both start from it). A superseded part's
    units count towards the newest part of its ``replaced_by`` chain (one-way
    interchangeability, :func:`spareplan.demand.supersession.effective_current_stock`).

    Returns
    -------
    pandas.DataFrame
        ``part, location, stock`` (int64 units, one row per pair; empty without the table).
    """
    stock = effective_current_stock(scenario)
    if stock.empty:
        return pd.DataFrame({"part": pd.Series(dtype=object),
                             "location": pd.Series(dtype=object),
                             "stock": pd.Series(dtype=np.int64)})
    stock["stock"] = stock["on_hand"] + stock["on_order"]
    summed = stock.groupby(["part", "location"], sort=True)["stock"].sum().reset_index()
    return summed.astype({"part": str, "location": str, "stock": np.int64})


def lateral_candidates(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Lateral sources per site (``indptr``, ``locations``), by increasing response time.

    The one owner of the lateral rule, for the analytic evaluation and the simulation: a
    candidate is a leaf location (an FSL: laterals move stock between FSLs) in the site's
    reach (finite response), neither the site's primary location nor one of its ancestors
    (those form the emergency chain). Ties in response keep location order.
    """
    has_child = np.zeros(network.n_locations, dtype=bool)
    parents = np.asarray(network.parent)
    has_child[parents[parents >= 0]] = True
    indptr = [0]
    flat: list[int] = []
    for site in range(network.n_sites):
        excluded = set()
        location = int(network.site_primary[site])
        while location >= 0:
            excluded.add(location)
            location = int(network.parent[location])
        response = network.response_hours[site]
        reach = [(response[loc], loc) for loc in range(network.n_locations)
                 if np.isfinite(response[loc]) and not has_child[loc] and loc not in excluded]
        flat.extend(loc for _, loc in sorted(reach))
        indptr.append(len(flat))
    return np.asarray(indptr, dtype=np.int64), np.asarray(flat, dtype=np.int64)

