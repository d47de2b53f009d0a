"""Alert levels from the shortage probabilities, the countermeasures and the firm orders.

For each part and location that should hold stock (base stock :math:`S_l > 0`), with
:math:`p_t = P(NI_t < 0)` from :mod:`spareplan.warning.projection`, thresholds
:math:`p_1` = ``internal_risk_probability`` and :math:`p_2` =
``customer_notice_probability``, and :math:`W` = ``customer_notice_weeks``:

========================  ===============================================================
``confirmed_shortage``    the firm customer orders alone exceed the supply (the projection
                          without random demand is short for certain from week
                          :math:`t_c`) and no countermeasure brings the missing units in by
                          :math:`t_c`.
``customer_notice``       :math:`p_t \\ge p_2` in a week :math:`t_2 \\le W` and no
                          countermeasure (transfer, emergency lane, expedite, new buy)
                          brings the units that lower it below :math:`p_2` by :math:`t_2`.
``internal_risk``         :math:`p_t \\ge p_1` in some week of the horizon (or a customer
                          or confirmed case that a countermeasure covers in time): the
                          owner acts on the countermeasures listed, customers are not told.
``all_clear``             an alert of an earlier run that no longer holds (``--state``);
                          customers told before hear it is over, also when an alert falls
                          back from a customer level to internal risk.
========================  ===============================================================

An alert names the customer sites it affects: those whose primary location it is, those
of locations below it that hold no stock of the part (they are served from it), and the
sites of its customer orders — with their SLA classes, the supplier contact and the
escalation step for its level. Only a location that serves customers from its own stock
(it is their primary location, or it has their orders) raises customer-facing levels: a
DC's shortage is mostly the replenishment of its FSLs, whose own projections carry the
delay it causes, so it is raised internally.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import pandas as pd

from spareplan.scenario.document import EarlyWarning
from spareplan.scenario.model import Scenario
from spareplan.warning.countermeasures import (
    CounterFinder,
    Countermeasure,
    SupplyNetwork,
    covers,
    transit_matrix,
)
from spareplan.warning.projection import Projection

__all__ = ["ALERT_COLUMNS", "AlertContext", "AlertLevel", "AlertStatus", "assess",
           "escalation_step", "probability_words"]


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
    DE_ESCALATED = "de_escalated"
    RESOLVED = "resolved"


ALERT_COLUMNS = ["alert_id", "part", "location", "level", "status", "previous_level",
                 "p_short", "p_short_week", "first_week_at_risk", "first_date_at_risk",
                 "customer_week", "customer_date", "customer_p_short", "expected_shortfall",
                 "units_if_short",
                 "units_needed", "on_hand", "target", "sites", "sla_classes",
                 "countermeasures", "covered", "supplier", "supplier_contact",
                 "escalation_step", "owner", "follow_up_date", "acknowledged_by",
                 "awaiting", "reason"]

_WORDS = ((0.95, "almost certain"), (0.75, "likely"), (0.5, "more likely than not"),
          (0.25, "possible"), (0.0, "unlikely but possible"))


def probability_words(p: float) -> str:
    """A probability in plain words with its rounded value.

    Examples
    --------
    >>> probability_words(0.62)
    'more likely than not (about 60 %)'
    >>> probability_words(0.97)
    'almost certain (about 95 %)'
    """
    word = next(text for bound, text in _WORDS if p >= bound)
    rounded = min(95, max(5, round(p * 20) * 5))
    return f"{word} (about {rounded} %)"


def escalation_step(level: AlertLevel, steps: list[str]) -> str:
    """The escalation step for ``level``: step ``rank`` of the path, capped at its last."""
    if not steps:
        return "no escalation path on file"
    index = min(level.rank, len(steps)) - 1
    return f"step {index + 1} of {len(steps)}: {steps[index]}"


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


@dataclass(frozen=True)
class AlertContext:
    """What the alert levels read from a scenario besides the projection (built once).

    Build it with :meth:`from_scenario`; the backtest reuses it for every weekly run.
    """

    settings: EarlyWarning
    network: SupplyNetwork
    own_sites: dict[str, list[str]] = field(repr=False)
    sla_class: dict[str, str] = field(repr=False)
    contacts: dict[str, tuple[str, str, list[str]]] = field(repr=False)

    @classmethod
    def from_scenario(cls, scenario: Scenario, network: object, parts: object,
                      lead_weeks: np.ndarray, settings: EarlyWarning | None = None
                      ) -> AlertContext:
        from spareplan.network import Network, PartArrays

        assert isinstance(network, Network) and isinstance(parts, PartArrays)
        own: dict[str, list[str]] = {loc: [] for loc in network.location_ids}
        for site, primary in zip(network.site_ids, network.site_primary, strict=True):
            own[network.location_ids[primary]].append(site)
        reach = scenario.reach
        reach_hours = {(loc, site): float(h) for site, loc, h in
                       zip(reach["site"], reach["location"], reach["response_hours"],
                           strict=True)}
        transit = transit_matrix(network.parent, network.lead_time_days,
                                 network.location_ids, own, reach_hours)
        path = np.zeros_like(lead_weeks)
        for loc in range(network.n_locations):
            up = int(network.parent[loc])
            if up >= 0:
                path[:, loc] = path[:, up] + lead_weeks[:, loc]
        listed = scenario.parts.set_index("part")["supplier"].reindex(list(parts.part_ids))
        supplier = tuple(value if isinstance(value, str) else None for value in listed)
        costs = scenario.document.costs
        supply = SupplyNetwork(
            part_ids=parts.part_ids, location_ids=network.location_ids,
            parent=network.parent, lead_days=network.lead_time_days, path_weeks=path,
            transit_days=transit, procurement_days=parts.procurement_lead_time_days,
            unit_cost=parts.unit_cost, supplier=supplier,
            lateral_cost=costs.lateral_shipment_cost,
            emergency_cost=costs.emergency_shipment_cost)
        return cls(settings=settings or scenario.document.early_warning, network=supply,
                   own_sites=own,
                   sla_class=dict(zip(scenario.sites["site"], scenario.sites["sla_class"],
                                      strict=True)),
                   contacts=_supplier_contacts(scenario))

    def with_settings(self, settings: EarlyWarning) -> AlertContext:
        """The same context with other thresholds (the backtest's tuning)."""
        from dataclasses import replace

        return replace(self, settings=settings)

    def owner(self, level: AlertLevel) -> str:
        return str(getattr(self.settings, f"{level.value}_owner"))

    def follow_up_days(self, level: AlertLevel) -> int:
        return int(getattr(self.settings, f"{level.value}_follow_up_days"))

    def affected_sites(self, part: int, location: int, target: np.ndarray) -> list[str]:
        """Sites of ``location`` and of the locations below it that hold no stock."""
        sites: list[str] = []
        stack = [location]
        while stack:
            loc = stack.pop()
            sites += self.own_sites[self.network.location_ids[loc]]
            stack += [c for c in range(len(self.network.parent))
                      if self.network.parent[c] == loc and target[part, c] <= 0]
        return sites


def _date(as_of: dt.date, week: int | None) -> str | None:
    return None if week is None else (as_of + dt.timedelta(days=7 * (week - 1))).isoformat()


def _first(flags: np.ndarray) -> int | None:
    hits = np.flatnonzero(flags)
    return int(hits[0]) + 1 if len(hits) else None


def _describe(items: list[Countermeasure]) -> str:
    return "; ".join(c.detail for c in items)


def assess(context: AlertContext, projection: Projection, firm_only: Projection,
           evaluated: np.ndarray, *, receipts: pd.DataFrame, orders: pd.DataFrame,
           as_of: dt.date, open_pairs: set[tuple[str, str]] | frozenset = frozenset()
           ) -> tuple[pd.DataFrame, list[Countermeasure]]:
    """Alerts (status ``new``, no history yet) and their countermeasures.

    Parameters
    ----------
    context : AlertContext
    projection : Projection
        With random demand (:func:`spareplan.warning.projection.project`).
    firm_only : Projection
        The same state with the firm orders as the only demand (confirmed shortages).
    evaluated : numpy.ndarray
        bool ``(P, L)``: the pairs judged (base stock > 0).
    receipts : pandas.DataFrame
        ``part, location, week, quantity, kind, reference`` (expedite candidates).
    orders : pandas.DataFrame
        ``part, location, site`` of the customer orders (their sites are affected).
    as_of : datetime.date
        First day of week 1.
    open_pairs : set of (part, location), optional
        The alerts open in the history: they stay open (internal risk) while
        :math:`P(short)` is at least ``all_clear_probability`` somewhere in the horizon.

    Returns
    -------
    (pandas.DataFrame, list[Countermeasure])
        Alerts with :data:`ALERT_COLUMNS` (``alert_id``, ``acknowledged_by``,
        ``awaiting`` empty until the history fills them), sorted by part and location,
        and every countermeasure listed on them.
    """
    settings = context.settings
    inputs = projection.inputs
    finder = CounterFinder(
        network=context.network, spare=projection.units_spare(),
        arrivals=projection.arrivals(), on_hand=projection.inputs.net0,
        lead_weeks=projection.inputs.lead_weeks, receipts=receipts,
        confirm_weeks=settings.confirm_weeks)
    need = _Needs(projection.units_needed("internal"), projection.units_needed("customer"))
    ordered: dict[tuple[str, str], set[str]] = {}
    for part, loc, site in zip(orders["part"], orders["location"], orders["site"],
                               strict=True):
        if isinstance(site, str):
            ordered.setdefault((part, loc), set()).add(site)

    records, listed = [], []
    for candidate in _candidates(context, projection, firm_only, evaluated, open_pairs):
        part, loc = candidate.part, candidate.location
        part_id, loc_id = context.network.part_ids[part], context.network.location_ids[loc]
        sites = sorted(set(context.affected_sites(part, loc, inputs.target))
                       | ordered.get((part_id, loc_id), set()))
        verdict = _judge(candidate, settings, projection, firm_only, finder, need)
        serves_customers = bool(context.own_sites[loc_id]) or (part_id, loc_id) in ordered
        if verdict.level.customer_facing and not (serves_customers and sites):
            verdict = verdict._replace(
                level=AlertLevel.INTERNAL_RISK, customer_week=None,
                reason=verdict.reason + "; no customer is served from its stock directly: "
                "the locations it replenishes carry their own alerts")
        records.append(_alert_record(context, candidate, verdict, sites, projection,
                                     firm_only, need, as_of))
        listed += verdict.measures
    frame = pd.DataFrame(records, columns=ALERT_COLUMNS)
    for column in ("alert_id", "first_week_at_risk", "customer_week"):
        frame[column] = frame[column].astype("Int64")
    return frame.sort_values(["part", "location"], ignore_index=True), listed


class _Needs(NamedTuple):
    """Units that bring P(short) to the internal and to the customer threshold
    (:meth:`Projection.units_needed`), ``(P, L, H)``."""

    internal: np.ndarray
    customer: np.ndarray


class _Candidate(NamedTuple):
    """A pair at risk; candidates sort most urgent first (then the higher peak)."""

    urgent: int
    minus_peak: float
    part: int
    location: int
    first_risk: int | None  # first week at or above the internal (or keep-open) threshold
    confirmed: int | None   # first week short for certain with the firm orders alone
    notice: int | None      # first week within the notice window at the customer threshold


class _Verdict(NamedTuple):
    """The level of one candidate, why, and the countermeasures looked up for it."""

    level: AlertLevel
    customer_week: int | None
    reason: str
    measures: list[Countermeasure]
    covered: bool


def _candidates(context: AlertContext, projection: Projection, firm_only: Projection,
                evaluated: np.ndarray, open_pairs: set[tuple[str, str]] | frozenset
                ) -> list[_Candidate]:
    """The pairs at risk, most urgent first; open alerts stay while P(short) is at least
    ``all_clear_probability``."""
    settings = context.settings
    p_internal = settings.internal_risk_probability
    p_keep = settings.all_clear_probability
    # certain even without random demand, in a week by which customer orders are due
    ordered_by = np.cumsum(projection.inputs.firm, axis=2) > 0
    certain = (firm_only.p_short >= 1.0 - 1e-9) & ordered_by
    keep = np.zeros(evaluated.shape, dtype=bool)
    part_of = {p: i for i, p in enumerate(context.network.part_ids)}
    loc_of = {loc: i for i, loc in enumerate(context.network.location_ids)}
    for part_id, loc_id in open_pairs:
        if part_id in part_of and loc_id in loc_of:
            keep[part_of[part_id], loc_of[loc_id]] = True
    at_risk = evaluated & ((projection.p_short >= p_internal).any(axis=2) | certain.any(axis=2)
                           | (keep & (projection.p_short >= p_keep).any(axis=2)))
    candidates = []
    for part, loc in zip(*np.nonzero(at_risk), strict=True):
        p = projection.p_short[part, loc]
        first_risk = _first(p >= (p_keep if keep[part, loc] else p_internal))
        confirmed = _first(certain[part, loc])
        notice = _first(p[:settings.customer_notice_weeks]
                        >= settings.customer_notice_probability)
        urgent = min(w for w in (first_risk, confirmed, notice) if w is not None)
        candidates.append(_Candidate(urgent, -float(p.max()), int(part), int(loc), first_risk,
                                     confirmed, notice))
    return sorted(candidates)


def _judge(candidate: _Candidate, settings: EarlyWarning, projection: Projection,
           firm_only: Projection, finder: CounterFinder, need: _Needs) -> _Verdict:
    """Confirmed shortage, customer notice or internal risk, by the table of the module."""
    part, loc = candidate.part, candidate.location
    p = projection.p_short[part, loc]
    confirmed, notice = candidate.confirmed, candidate.notice
    if confirmed is not None:
        units = math.ceil(min(float(firm_only.expected_short[part, loc, confirmed - 1:].max()),
                              float(projection.inputs.firm[part, loc].sum())) - 1e-9)
        measures = finder.find(part, loc, confirmed, units)
        covered = covers(measures, units, confirmed)
        shortfall = (f"the customer orders due by week {confirmed} exceed what is on hand "
                     f"and arrives by then by {units} unit(s)")
        if covered:
            return _Verdict(AlertLevel.INTERNAL_RISK, None,
                            shortfall + "; the countermeasures listed cover it in time",
                            measures, covered)
        return _Verdict(AlertLevel.CONFIRMED_SHORTAGE, confirmed,
                        shortfall + ", and nothing listed brings them in time", measures,
                        covered)
    if notice is not None:
        units = int(need.customer[part, loc, notice - 1:].max())
        measures = finder.find(part, loc, notice, units)
        covered = covers(measures, units, notice)
        if covered:
            return _Verdict(AlertLevel.INTERNAL_RISK, None,
                            f"short from week {notice} is "
                            f"{probability_words(float(p[notice - 1]))}; the countermeasures "
                            f"listed bring {units} unit(s) in time", measures, covered)
        return _Verdict(AlertLevel.CUSTOMER_NOTICE, notice,
                        f"no transfer, emergency shipment, expedite or new buy brings the "
                        f"{units} unit(s) needed by week {notice}", measures, covered)
    first_risk = candidate.first_risk
    assert first_risk is not None
    units = int(need.internal[part, loc, first_risk - 1:].max())
    measures = finder.find(part, loc, first_risk, units)
    covered = covers(measures, units, first_risk)
    worst = int(np.argmax(p)) + 1
    reason = (f"short in week {worst} is {probability_words(float(p[worst - 1]))}"
              + ("; the countermeasures listed cover it" if covered else
                 "; no countermeasure covers it yet"))
    if float(p.max()) < settings.internal_risk_probability:
        reason += (f"; kept open until the probability falls below "
                   f"{settings.all_clear_probability:.2%}")
    return _Verdict(AlertLevel.INTERNAL_RISK, None, reason, measures, covered)


def _alert_record(context: AlertContext, candidate: _Candidate, verdict: _Verdict,
                  sites: list[str], projection: Projection, firm_only: Projection,
                  need: _Needs, as_of: dt.date) -> dict[str, object]:
    """One row of :data:`ALERT_COLUMNS` (status ``new``, no history yet)."""
    part, loc = candidate.part, candidate.location
    part_id = context.network.part_ids[part]
    inputs = projection.inputs
    p = projection.p_short[part, loc]
    level, customer_week = verdict.level, verdict.customer_week
    worst = int(np.argmax(p)) + 1
    expected = float(projection.expected_short[part, loc].max())
    # the week the customers hear about (else the worst): P and the units if it happens
    week = customer_week or worst
    is_confirmed = level is AlertLevel.CONFIRMED_SHORTAGE
    chance = 1.0 if is_confirmed else float(p[week - 1])
    short = float((firm_only if is_confirmed else projection).expected_short[
        part, loc, week - 1])
    units_if_short = max(1, round(short / chance)) if chance > 0 else 0
    supplier, contact, steps = context.contacts.get(part_id, ("", "", []))
    first_week = candidate.first_risk or candidate.confirmed
    return {
        "alert_id": None, "part": part_id, "location": context.network.location_ids[loc],
        "level": level.value, "status": AlertStatus.NEW.value, "previous_level": None,
        "p_short": round(float(p.max()), 4), "p_short_week": worst,
        "first_week_at_risk": first_week, "first_date_at_risk": _date(as_of, first_week),
        "customer_week": customer_week, "customer_date": _date(as_of, customer_week),
        "customer_p_short": round(chance, 4) if customer_week else None,
        "expected_shortfall": round(expected, 3), "units_if_short": units_if_short,
        "units_needed": int(need.internal[part, loc].max()),
        "on_hand": int(inputs.net0[part, loc]), "target": int(inputs.target[part, loc]),
        "sites": ";".join(sites),
        "sla_classes": ";".join(sorted({context.sla_class[s] for s in sites
                                        if s in context.sla_class})),
        "countermeasures": _describe(verdict.measures),
        "covered": verdict.covered,
        "supplier": supplier or None, "supplier_contact": contact or None,
        "escalation_step": escalation_step(level, steps) if supplier else None,
        "owner": context.owner(level),
        "follow_up_date": (as_of + dt.timedelta(days=context.follow_up_days(level))
                           ).isoformat(),
        "acknowledged_by": None, "awaiting": None, "reason": verdict.reason,
    }
