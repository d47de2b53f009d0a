"""Countermeasures for a projected shortage: transfer, emergency lane, expedite, new buy.

For a part short at location :math:`l` from week :math:`t^*` on, needing :math:`q` units:

- **transfer** (lateral, from a location that is not an ancestor of :math:`l`) and
  **emergency** (down an emergency lane from an ancestor): a donor :math:`d` can give the
  units it holds above its own safety stock in every week from dispatch on,
  :math:`\\min_{t \\ge w} (PAB_{d,t} - SS_d)^+`, dispatched in week
  :math:`w = t^* - \\lfloor \\tau_{d,l} / 7 \\rfloor \\ge 1` so that it arrives in time.
  The transit :math:`\\tau_{d,l}` (days) is the fastest response from :math:`d` to a site
  that :math:`l` serves (reach table), else the lead times along the tree path.
  Donor surplus is allocated greedily: units promised to one alert are not offered again.
- **expedite**: a scheduled receipt of the part at :math:`l` due after :math:`t^*`
  (within the horizon or beyond) — pulling it in by its delay in weeks would cover.
- **new order**: a new buy from the supplier, when the part's procurement lead time
  arrives by :math:`t^*`.

Transfers and emergency lanes are inside the network; expedite and new orders need the
supplier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spareplan.scenario.model import Scenario

__all__ = ["COUNTERMEASURE_COLUMNS", "CounterFinder", "Countermeasure", "countermeasures_frame"]

COUNTERMEASURE_COLUMNS = ["part", "location", "kind", "source", "quantity", "arrival_week",
                          "in_network", "detail"]
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
    quantity: float
    arrival_week: int
    detail: str

    @property
    def in_network(self) -> bool:
        return self.kind in IN_NETWORK_KINDS


@dataclass
class CounterFinder:
    """Finds countermeasures for one run; keeps the donor surplus already promised.

    Build it with :meth:`from_inputs`; :meth:`network` and :meth:`supplier` are called once
    per alert, in order of urgency.
    """

    parent: dict[str, str | None]
    lead_days: dict[str, float]
    served_sites: dict[str, list[str]]
    reach_hours: dict[tuple[str, str], float]
    balance: dict[tuple[str, str], np.ndarray]  # PAB_t - SS per (part, location)
    receipts: pd.DataFrame
    procurement_days: dict[str, float]
    supplier_of: dict[str, str | None]
    promised: dict[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def from_inputs(cls, scenario: Scenario, pab: pd.DataFrame, receipts: pd.DataFrame,
                    served_sites: dict[str, list[str]]) -> CounterFinder:
        locations = scenario.locations
        parent = {loc: (None if pd.isna(par) else par)
                  for loc, par in zip(locations["location"], locations["parent"], strict=True)}
        lead = {loc: (0.0 if pd.isna(days) else float(days))
                for loc, days in zip(locations["location"], locations["lead_time_days"],
                                     strict=True)}
        reach = scenario.reach
        reach_hours = {(loc, site): float(hours) for site, loc, hours
                       in zip(reach["site"], reach["location"], reach["response_hours"],
                              strict=True)}
        margin = (pab["pab"] - pab["safety_stock"]).to_numpy(dtype=np.float64)
        horizon = int(pab["week"].max()) if len(pab) else 0
        balance: dict[tuple[str, str], np.ndarray] = {}
        if horizon:
            keys = pab[["part", "location"]].iloc[::horizon]
            for row, (part, loc) in enumerate(zip(keys["part"], keys["location"],
                                                  strict=True)):
                balance[(part, loc)] = margin[row * horizon:(row + 1) * horizon]
        parts = scenario.parts
        return cls(parent=parent, lead_days=lead, served_sites=served_sites,
                   reach_hours=reach_hours, balance=balance, receipts=receipts,
                   procurement_days=dict(zip(parts["part"],
                                             parts["procurement_lead_time_days"].astype(float),
                                             strict=True)),
                   supplier_of={p: (None if pd.isna(s) else s) for p, s in
                                zip(parts["part"], parts["supplier"], strict=True)})

    def _ancestors(self, location: str) -> list[str]:
        chain, node = [], self.parent.get(location)
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parent.get(node)
        return chain

    def transit_days(self, donor: str, target: str) -> float:
        """Days from ``donor`` to the sites ``target`` serves (reach), else along the tree."""
        direct = [self.reach_hours[(donor, s)] for s in self.served_sites.get(target, [])
                  if (donor, s) in self.reach_hours]
        if direct:
            return min(direct) / 24.0
        up = [donor, *self._ancestors(donor)]
        down = [target, *self._ancestors(target)]
        common = next((node for node in up if node in down), None)
        if common is None:
            return math.inf
        days = sum(self.lead_days[n] for n in up[:up.index(common)])
        return days + sum(self.lead_days[n] for n in down[:down.index(common)])

    def network(self, part: str, location: str, need_week: int, needed: float
                ) -> list[Countermeasure]:
        """Transfers and emergency shipments arriving by ``need_week``, up to ``needed``."""
        found: list[Countermeasure] = []
        ancestors = set(self._ancestors(location))
        candidates = []
        for (donor_part, donor), margin in self.balance.items():
            if donor_part != part or donor == location:
                continue
            days = self.transit_days(donor, location)
            if not math.isfinite(days):
                continue
            dispatch = need_week - int(days // 7)
            if dispatch < 1:
                continue
            available = float(np.min(margin[dispatch - 1:])) - self.promised.get((part, donor),
                                                                                 0.0)
            available = math.floor(available + 1e-9)
            if available > 0:
                candidates.append((days, donor, available, dispatch))
        remaining = needed
        for days, donor, available, dispatch in sorted(candidates):
            if remaining <= 0:
                break
            quantity = float(min(available, math.ceil(remaining - 1e-9)))
            kind = "emergency" if donor in ancestors else "transfer"
            self.promised[(part, donor)] = self.promised.get((part, donor), 0.0) + quantity
            remaining -= quantity
            arrival = dispatch + int(days // 7)
            verb = "emergency shipment" if kind == "emergency" else "lateral transfer"
            found.append(Countermeasure(
                part, location, kind, donor, quantity, arrival,
                f"{verb} of {quantity:g} from {donor} (surplus above its safety stock), "
                f"dispatch in week {dispatch}, transit {_duration(days)}"))
        return found

    def supplier(self, part: str, location: str, need_week: int, needed: float
                 ) -> list[Countermeasure]:
        """Receipts to expedite and a new buy that could arrive by ``need_week``."""
        found: list[Countermeasure] = []
        late = self.receipts[(self.receipts["part"] == part)
                             & (self.receipts["location"] == location)
                             & (self.receipts["week"] > need_week)].sort_values("due_date")
        remaining = needed
        for row in late.itertuples(index=False):
            if remaining <= 0:
                break
            reference = row.reference if isinstance(row.reference, str) else "(no reference)"
            weeks = int(row.week) - need_week
            found.append(Countermeasure(
                part, location, "expedite", reference, float(row.quantity), need_week,
                f"expedite {row.kind} receipt {reference} ({row.quantity:g} units due "
                f"{pd.Timestamp(row.due_date).date().isoformat()}) by {weeks} week(s)"))
            remaining -= float(row.quantity)
        lead = self.procurement_days.get(part, math.inf)
        arrival = 1 + int(lead // 7) if math.isfinite(lead) else None
        if arrival is not None and arrival <= need_week:
            supplier = self.supplier_of.get(part) or "(no supplier on file)"
            found.append(Countermeasure(
                part, location, "new_order", supplier, float(math.ceil(needed - 1e-9)),
                arrival, f"new order of {math.ceil(needed - 1e-9)} from {supplier} "
                         f"(procurement lead time {lead:g} days, arrives week {arrival})"))
        return found


def countermeasures_frame(items: list[Countermeasure]) -> pd.DataFrame:
    """Countermeasures as a DataFrame with :data:`COUNTERMEASURE_COLUMNS`."""
    return pd.DataFrame(
        [(c.part, c.location, c.kind, c.source, c.quantity, c.arrival_week, c.in_network,
          c.detail) for c in items], columns=COUNTERMEASURE_COLUMNS)
