"""Shortage alerts in three levels (plus all clear) from the projected available balance.

A (part, location) is *at risk* when :math:`PAB_t < SS` in some week of the horizon, and
*short* from the first week :math:`t^*` with :math:`PAB_t < 0`. The level:

========================  ===============================================================
``internal_risk``         below safety stock but never below zero (customers are still
                          served); or short, and transfers / emergency lanes inside the
                          network cover it in time; or short, only the supplier can cover
                          it (expedite a receipt, new buy) and :math:`t^*` is later than
                          ``customer_notice_weeks``.
``customer_notice``       short, not coverable inside the network, the supplier could still
                          cover it, and :math:`t^*` is within ``customer_notice_weeks``: the
                          affected customers get a notice with the countermeasure offered.
``confirmed_shortage``    short, not coverable inside the network, and no receipt can arrive
                          in time: nothing to expedite and no new buy fits, or :math:`t^*` is
                          within ``confirm_weeks``. The notice gives the exact week.
``all_clear``             an alert of an earlier run (``--state``) that no longer holds.
========================  ===============================================================

Each alert names the customer sites served from the location (its subtree's primary
sites, and the sites of the orders) with their SLA classes, the supplier contact and the
escalation step for its level.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum

import numpy as np
import pandas as pd

from spareplan.scenario.model import Scenario
from spareplan.warning.countermeasures import CounterFinder, Countermeasure
from spareplan.warning.pab import week_start

__all__ = ["ALERT_COLUMNS", "AlertLevel", "AlertStatus", "assess", "served_sites"]


class AlertLevel(StrEnum):
    """Alert levels, in increasing order of severity (``all_clear`` ends an alert)."""

    ALL_CLEAR = "all_clear"
    INTERNAL_RISK = "internal_risk"
    CUSTOMER_NOTICE = "customer_notice"
    CONFIRMED_SHORTAGE = "confirmed_shortage"

    @property
    def rank(self) -> int:
        """0 all clear, 1 internal risk, 2 customer notice, 3 confirmed shortage."""
        return list(AlertLevel).index(self)

    @property
    def customer_facing(self) -> bool:
        """Whether customers are told (customer notice, confirmed shortage)."""
        return self.rank >= 2


class AlertStatus(StrEnum):
    """How an alert compares with the alert history (``--state``)."""

    NEW = "new"
    ONGOING = "ongoing"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


ALERT_COLUMNS = ["part", "location", "level", "status", "previous_level",
                 "first_week_at_risk", "first_date_at_risk", "first_week_short",
                 "first_date_short", "customer_short_week", "customer_short_date",
                 "shortfall", "short_units", "safety_stock", "sites",
                 "sla_classes", "countermeasures", "supplier", "supplier_contact",
                 "escalation_step", "reason"]


def served_sites(scenario: Scenario) -> dict[str, list[str]]:
    """Sites served from each location: the sites whose primary location is in its subtree."""
    locations = scenario.locations
    parent = dict(zip(locations["location"], locations["parent"], strict=True))
    served: dict[str, list[str]] = {loc: [] for loc in locations["location"]}
    sites = scenario.sites
    for site, primary in zip(sites["site"], sites["primary_location"], strict=True):
        node, seen = primary, set()
        while isinstance(node, str) and node not in seen:
            seen.add(node)
            served.setdefault(node, []).append(site)
            node = parent.get(node)
    return {loc: sorted(set(items)) for loc, items in served.items()}


def _supplier_contacts(scenario: Scenario) -> dict[str, tuple[str, str, list[str]]]:
    """part -> (supplier, contact, escalation steps)."""
    parts = scenario.parts
    suppliers = scenario.table("suppliers")
    by_id: dict[str, tuple[str, list[str]]] = {}
    if suppliers is not None:
        for row in suppliers.itertuples(index=False):
            contact = row.contact if isinstance(row.contact, str) else ""
            steps = ([s.strip() for s in row.escalation.split(";") if s.strip()]
                     if isinstance(row.escalation, str) else [])
            by_id[row.supplier] = (contact, steps)
    out: dict[str, tuple[str, str, list[str]]] = {}
    for part, supplier in zip(parts["part"], parts["supplier"], strict=True):
        if isinstance(supplier, str):
            contact, steps = by_id.get(supplier, ("", []))
            out[part] = (supplier, contact, steps)
    return out


def escalation_step(level: AlertLevel, steps: list[str]) -> str:
    """The escalation step for ``level``: step ``rank`` of the path, capped at its last."""
    if not steps:
        return "no escalation path on file"
    index = min(level.rank, len(steps)) - 1
    return f"step {index + 1} of {len(steps)}: {steps[index]}"


def _describe(items: list[Countermeasure]) -> str:
    return "; ".join(c.detail for c in items)


def assess(scenario: Scenario, pab: pd.DataFrame, receipts: pd.DataFrame,
           demand: pd.DataFrame, *, as_of: dt.date,
           customer_notice_weeks: int, confirm_weeks: int
           ) -> tuple[pd.DataFrame, list[Countermeasure]]:
    """Alerts (status ``new``, no history yet) and their countermeasures.

    Parameters
    ----------
    scenario : Scenario
        For the tree, the sites, the reach and the suppliers.
    pab : pandas.DataFrame
        From :func:`spareplan.warning.pab.projected_available_balance`.
    receipts, demand : pandas.DataFrame
        From :class:`spareplan.warning.inputs.WarnInputs`.
    as_of : datetime.date
        First day of week 1.
    customer_notice_weeks, confirm_weeks : int
        Thresholds of the levels (see the module docstring).

    Returns
    -------
    (pandas.DataFrame, list[Countermeasure])
        Alerts with :data:`ALERT_COLUMNS` sorted by part and location, and every
        countermeasure listed on them.
    """
    served = served_sites(scenario)
    finder = CounterFinder.from_inputs(scenario, pab, receipts, served)
    contacts = _supplier_contacts(scenario)
    class_of = dict(zip(scenario.sites["site"], scenario.sites["sla_class"], strict=True))
    ordered_sites: dict[tuple[str, str], set[str]] = {}
    orders = demand[(demand["source"] == "orders") & demand["site"].notna()]
    for part, loc, site in zip(orders["part"], orders["location"], orders["site"], strict=True):
        ordered_sites.setdefault((part, loc), set()).add(site)

    horizon = int(pab["week"].max()) if len(pab) else 0
    at_risk = pab[pab["below_safety"] | pab["short"]]
    candidates = []
    for (part, loc), rows in at_risk.groupby(["part", "location"], sort=True):
        full = pab[(pab["part"] == part) & (pab["location"] == loc)]
        balance = full["pab"].to_numpy(dtype=np.float64)
        safety = float(full["safety_stock"].iloc[0])
        first_risk = int(rows["week"].min())
        short_weeks = rows.loc[rows["short"], "week"]
        first_short = int(short_weeks.min()) if len(short_weeks) else None
        shortfall = float(np.max(safety - balance))
        short_units = float(max(0.0, -np.min(balance)))
        candidates.append((first_short or horizon + 1, first_risk, part, loc, safety,
                           first_short, shortfall, short_units, balance))

    records, listed = [], []
    # The most urgent alerts get the donor surplus first.
    for (_, first_risk, part, loc, safety, first_short, shortfall,
         short_units, balance) in sorted(candidates, key=lambda c: c[:4]):
        customer_week = None
        if first_short is None:
            measures = finder.network(part, loc, first_risk, shortfall)
            remaining = shortfall - sum(c.quantity for c in measures)
            if remaining > 1e-9:
                measures += finder.supplier(part, loc, first_risk, remaining)
            level = AlertLevel.INTERNAL_RISK
            reason = (f"projected balance falls below the safety stock {safety:g} in week "
                      f"{first_risk} but stays at or above zero: customers are still served")
        else:
            measures = finder.network(part, loc, first_short, short_units)
            remaining = short_units - sum(c.quantity for c in measures)
            if remaining <= 1e-9:
                level = AlertLevel.INTERNAL_RISK
                reason = (f"short {short_units:g} from week {first_short}; covered inside the "
                          "network by the transfers listed")
            else:
                # Transfers lift every week from their arrival: customers are short from
                # the first week the balance is below minus what the transfers bring.
                inside = short_units - remaining
                hit = int(np.flatnonzero(-balance > inside + 1e-9)[0]) + 1
                outside = finder.supplier(part, loc, hit, remaining)
                measures += outside
                supplier_cover = (any(c.kind == "new_order" for c in outside)
                                  or sum(c.quantity for c in outside if c.kind == "expedite")
                                  >= remaining - 1e-9)
                if not supplier_cover or hit <= confirm_weeks:
                    level = AlertLevel.CONFIRMED_SHORTAGE
                    why = ("no receipt, transfer or new buy arrives in time" if not
                           supplier_cover else f"week {hit} is within the "
                           f"{confirm_weeks} week(s) in which no receipt can be brought in")
                    reason = f"short {short_units:g} from week {hit}: {why}"
                elif hit <= customer_notice_weeks:
                    level = AlertLevel.CUSTOMER_NOTICE
                    reason = (f"short {short_units:g} from week {hit}, within "
                              f"{customer_notice_weeks} weeks; not coverable inside the "
                              "network, only the supplier can avoid it")
                else:
                    level = AlertLevel.INTERNAL_RISK
                    reason = (f"short {short_units:g} from week {hit}; the supplier "
                              "can still avoid it (countermeasures listed)")
                if level.customer_facing:
                    customer_week = hit
        sites = sorted(set(served.get(loc, [])) | ordered_sites.get((part, loc), set()))
        classes = sorted({class_of[s] for s in sites if s in class_of})
        supplier, contact, steps = contacts.get(part, ("", "", []))
        records.append({
            "part": part, "location": loc, "level": level.value,
            "status": AlertStatus.NEW.value, "previous_level": None,
            "first_week_at_risk": first_risk,
            "first_date_at_risk": week_start(first_risk, as_of).isoformat(),  # type: ignore[union-attr]
            "first_week_short": first_short,
            "first_date_short": (week_start(first_short, as_of).isoformat()  # type: ignore[union-attr]
                                 if first_short else None),
            "customer_short_week": customer_week,
            "customer_short_date": (week_start(customer_week, as_of).isoformat()  # type: ignore[union-attr]
                                    if customer_week else None),
            "shortfall": math.ceil(shortfall - 1e-9), "short_units": math.ceil(short_units - 1e-9),
            "safety_stock": safety, "sites": ";".join(sites), "sla_classes": ";".join(classes),
            "countermeasures": _describe(measures), "supplier": supplier or None,
            "supplier_contact": contact or None,
            "escalation_step": escalation_step(level, steps) if supplier else None,
            "reason": reason,
        })
        listed += measures
    frame = pd.DataFrame(records, columns=ALERT_COLUMNS)
    for column in ("first_week_short", "customer_short_week"):
        frame[column] = frame[column].astype("Int64")
    return frame.sort_values(["part", "location"], ignore_index=True), listed
