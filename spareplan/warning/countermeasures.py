"""Countermeasures for a projected shortage: transfer, emergency lane, expedite, new buy.

For a part at risk at location :math:`l` from week :math:`t^*`, needing :math:`q` units
(the units that bring :math:`P(\\text{short})` back to a threshold,
:meth:`~spareplan.warning.projection.Projection.units_needed`):

- **transfer** (lateral, from a location that is not an ancestor of :math:`l`) and
  **emergency lane** (from an ancestor): a donor :math:`d` gives what it can spare
  without its own :math:`P(\\text{short})` rising above the internal-risk threshold in
  any week from dispatch on (:meth:`~spareplan.warning.projection.Projection.units_spare`),
  dispatched in week :math:`w = t^* - \\lfloor \\tau_{d,l} / 7 \\rfloor \\ge 1` so that it
  arrives in time. The parent can also send by the emergency lane the replenishment it
  would ship to :math:`l` anyway, the units expected to arrive in the :math:`k_l` weeks
  after :math:`t^*` (at most what it holds now): they leave it in the same week either
  way. The transit :math:`\\tau_{d,l}` (days) is the fastest response from
  :math:`d` to a site that :math:`l` serves (reach table), else the lead times along the
  tree. Cost: ``lateral_shipment_cost`` or ``emergency_shipment_cost`` per unit. Donor
  units promised to one alert are not offered again (the most urgent alert asks first).
- **expedite**: a named scheduled receipt of the part at :math:`l` or at one of its
  ancestors, due after :math:`t^*`: pulled in to :math:`\\max(t^*, c + 1)` (``c`` =
  ``confirm_weeks``, the supplier's least reaction time), plus the lead times down the
  tree from an ancestor. Its cost is the supplier's expedite fee (unknown: empty).
- **new order**: a new buy at the central warehouse, arriving after the procurement lead
  time and the lead times down to :math:`l` (not before week :math:`c + 1`). Cost: unit
  cost per unit.

A set of countermeasures *covers* a need of :math:`q` units by week :math:`t` when the
units arriving by :math:`t` add up to :math:`q`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["COUNTERMEASURE_COLUMNS", "CounterFinder", "Countermeasure", "countermeasures_frame",
           "covers"]

COUNTERMEASURE_COLUMNS = ["part", "location", "kind", "source", "quantity", "arrival_week",
                          "arrival_date", "cost", "in_network", "detail"]
IN_NETWORK_KINDS = ("transfer", "emergency")


def _duration(days: float) -> str:
    return f"{days * 24:.0f} h" if days < 2 else f"{days:.1f} days"


@dataclass(frozen=True)
class Countermeasure:
    """One way to cover (part of) a shortfall."""

    part: str
    location: str
    kind: str  # transfer | emergency | expedite | new_order
    source: str
    quantity: int
    arrival_week: int
    cost: float | None
    detail: str

    @property
    def in_network(self) -> bool:
        return self.kind in IN_NETWORK_KINDS


def covers(items: list[Countermeasure], units: int, week: int) -> bool:
    """Whether ``items`` bring ``units`` units by ``week``."""
    return units <= 0 or sum(c.quantity for c in items if c.arrival_week <= week) >= units


@dataclass(frozen=True)
class SupplyNetwork:
    """The network and parts the countermeasures search, built once per scenario (the one
    owner of these fields: the alert context and every run's finder hold it).

    Attributes
    ----------
    part_ids, location_ids : tuple[str, ...]
        Labels of the arrays.
    parent : numpy.ndarray
        int64 ``(L,)``.
    lead_days : numpy.ndarray
        float64 ``(L,)`` mean lead time from the parent.
    path_weeks : numpy.ndarray
        int64 ``(P, L)``: weeks from the central warehouse down to the location.
    transit_days : numpy.ndarray
        float64 ``(L, L)``: donor to target (reach, else along the tree; inf: none).
    procurement_days, unit_cost : numpy.ndarray
        float64 ``(P,)``.
    supplier : tuple[str | None, ...]
        Per part.
    lateral_cost, emergency_cost : float
        Per unit shipped.
    """

    part_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    parent: np.ndarray
    lead_days: np.ndarray
    path_weeks: np.ndarray
    transit_days: np.ndarray
    procurement_days: np.ndarray = field(repr=False)
    unit_cost: np.ndarray = field(repr=False)
    supplier: tuple[str | None, ...] = field(repr=False)
    lateral_cost: float = 0.0
    emergency_cost: float = 0.0


@dataclass
class CounterFinder:
    """Finds countermeasures for one run; keeps the donor units already promised.

    Attributes
    ----------
    network : SupplyNetwork
        The network and parts searched.
    spare : numpy.ndarray
        int64 ``(P, L, H)``: units a location can give in week t (see the module).
    arrivals : numpy.ndarray
        float64 ``(P, L, H)``: replenishment expected to arrive from the parent per week.
    on_hand : numpy.ndarray
        int64 ``(P, L)``: net inventory now.
    lead_weeks : numpy.ndarray
        int64 ``(P, L)``: weeks from an order to its arrival.
    receipts : pandas.DataFrame
        ``part, location, week, quantity, kind, reference``.
    confirm_weeks : int
        No expedite or new buy arrives before week ``confirm_weeks + 1``.
    """

    network: SupplyNetwork
    spare: np.ndarray = field(repr=False)
    arrivals: np.ndarray = field(repr=False)
    on_hand: np.ndarray = field(repr=False)
    lead_weeks: np.ndarray = field(repr=False)
    receipts: pd.DataFrame = field(repr=False)
    confirm_weeks: int = 1
    promised: dict[tuple[int, int], int] = field(default_factory=dict)
    _receipts_by_pair: dict[tuple[str, str], list[tuple[int, int, str, str]]] = field(
        default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        grouped: dict[tuple[str, str], list[tuple[int, int, str, str]]] = {}
        for row in self.receipts.itertuples(index=False):
            reference = row.reference if isinstance(row.reference, str) else "(no reference)"
            kind = row.kind if isinstance(row.kind, str) else "purchase"
            grouped.setdefault((row.part, row.location), []).append(
                (int(row.week), math.floor(float(row.quantity) + 1e-9), kind, reference))
        for items in grouped.values():
            items.sort()
        self._receipts_by_pair = grouped

    def ancestors(self, location: int) -> list[int]:
        """Parent, grandparent, ... of ``location`` (positions)."""
        chain, node = [], int(self.network.parent[location])
        while node >= 0:
            chain.append(node)
            node = int(self.network.parent[node])
        return chain

    def _network(self, part: int, location: int, week: int, units: int
                 ) -> list[Countermeasure]:
        net = self.network
        ancestors = set(self.ancestors(location))
        horizon = self.spare.shape[2]
        candidates = []
        for donor in range(len(net.location_ids)):
            days = net.transit_days[donor, location]
            if donor == location or not math.isfinite(days):
                continue
            dispatch = week - int(days // 7)
            if dispatch < 1 or dispatch > horizon:
                continue
            available = int(self.spare[part, donor, dispatch - 1:].min())
            if donor == net.parent[location]:  # its replenishment, sent faster
                k = int(self.lead_weeks[part, location])
                coming = float(self.arrivals[part, location, week:week + k].sum())
                available = min(available + math.floor(coming + 1e-9),
                                max(0, int(self.on_hand[part, donor])))
            available -= self.promised.get((part, donor), 0)
            if available > 0:
                candidates.append((days, donor, available, dispatch))
        found, remaining = [], units
        for days, donor, available, dispatch in sorted(candidates):
            if remaining <= 0:
                break
            quantity = min(available, remaining)
            emergency = donor in ancestors
            self.promised[(part, donor)] = self.promised.get((part, donor), 0) + quantity
            remaining -= quantity
            cost = quantity * (net.emergency_cost if emergency else net.lateral_cost)
            verb = "emergency shipment" if emergency else "lateral transfer"
            found.append(Countermeasure(
                net.part_ids[part], net.location_ids[location],
                "emergency" if emergency else "transfer", net.location_ids[donor], quantity,
                dispatch + int(days // 7), cost,
                f"{verb} of {quantity} from {net.location_ids[donor]} (spare above what it "
                f"needs itself), dispatch in week {dispatch}, transit {_duration(days)}"))
        return found

    def _supplier(self, part: int, location: int, week: int, units: int
                  ) -> list[Countermeasure]:
        net = self.network
        found, remaining = [], units
        earliest = self.confirm_weeks + 1
        name = net.part_ids[part]
        for holder in [location, *self.ancestors(location)]:
            down = int(net.path_weeks[part, location] - net.path_weeks[part, holder])
            for due, quantity, kind, reference in self._receipts_by_pair.get(
                    (name, net.location_ids[holder]), []):
                if remaining <= 0:
                    break
                arrival_here = due + down
                if arrival_here <= week:
                    continue  # already arrives in time: part of the projection
                pulled = max(week - down, earliest)
                arrival = pulled + down
                where = ("" if holder == location
                         else f" at {net.location_ids[holder]}, then on to "
                              f"{net.location_ids[location]}")
                found.append(Countermeasure(
                    name, net.location_ids[location], "expedite", reference, quantity,
                    arrival, None,
                    f"expedite {kind} receipt {reference} ({quantity} units due in week "
                    f"{due}{where}) by {due - pulled} week(s)"))
                remaining -= quantity
        if remaining > 0:
            lead = float(net.procurement_days[part])
            if math.isfinite(lead):
                arrival = max(earliest, math.ceil(lead / 7 - 1e-9)) \
                    + int(net.path_weeks[part, location])
                supplier = net.supplier[part] or "(no supplier on file)"
                found.append(Countermeasure(
                    name, net.location_ids[location], "new_order", supplier, remaining,
                    arrival, remaining * float(net.unit_cost[part]),
                    f"new order of {remaining} from {supplier} (procurement lead time "
                    f"{lead:g} days, arrives in week {arrival})"))
        return found

    def find(self, part: int, location: int, week: int, units: int) -> list[Countermeasure]:
        """Countermeasures for ``units`` units at ``location`` by ``week`` (1-based).

        Inside the network first (promising the donors' units), then the supplier; the
        list may not cover the need (see :func:`covers`).
        """
        if units <= 0:
            return []
        found = self._network(part, location, week, units)
        remaining = units - sum(c.quantity for c in found)
        if remaining > 0:
            found += self._supplier(part, location, week, remaining)
        return found

    def release(self, items: list[Countermeasure]) -> None:
        """Give back the donor units promised to ``items`` (a search that was not used)."""
        index = {loc: i for i, loc in enumerate(self.network.location_ids)}
        part_index = {p: i for i, p in enumerate(self.network.part_ids)}
        for item in items:
            if item.in_network:
                key = (part_index[item.part], index[item.source])
                self.promised[key] = self.promised.get(key, 0) - item.quantity


def transit_matrix(parent: np.ndarray, lead_days: np.ndarray, location_ids: tuple[str, ...],
                   served_sites: dict[str, list[str]],
                   reach_hours: dict[tuple[str, str], float]) -> np.ndarray:
    """Days from each donor to each target: reach to the target's sites, else the tree."""
    n = len(location_ids)
    ancestors = []
    for loc in range(n):
        chain, node = [loc], int(parent[loc])
        while node >= 0:
            chain.append(node)
            node = int(parent[node])
        ancestors.append(chain)
    out = np.full((n, n), np.inf)
    for donor in range(n):
        for target in range(n):
            if donor == target:
                continue
            direct = [reach_hours[(location_ids[donor], s)]
                      for s in served_sites.get(location_ids[target], [])
                      if (location_ids[donor], s) in reach_hours]
            if direct:
                out[donor, target] = min(direct) / 24.0
                continue
            up, down = ancestors[donor], ancestors[target]
            common = next((node for node in up if node in down), None)
            if common is None:
                continue
            days = sum(lead_days[node] for node in up[:up.index(common)])
            out[donor, target] = days + sum(lead_days[node] for node in down[:down.index(common)])
    return out


def countermeasures_frame(items: list[Countermeasure], as_of: object = None) -> pd.DataFrame:
    """Countermeasures as a DataFrame with :data:`COUNTERMEASURE_COLUMNS`."""
    import datetime as dt

    def date(week: int) -> str | None:
        if not isinstance(as_of, dt.date):
            return None
        return (as_of + dt.timedelta(days=7 * (week - 1))).isoformat()

    return pd.DataFrame(
        [(c.part, c.location, c.kind, c.source, c.quantity, c.arrival_week,
          date(c.arrival_week), c.cost, c.in_network, c.detail) for c in items],
        columns=COUNTERMEASURE_COLUMNS)
