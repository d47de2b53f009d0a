"""SLA rows: the commitments a plan must meet, one row per site or per SLA class.

Each SLA class of the scenario holds a time-window fill rate and/or an uptime
commitment. With ``scope = "site"`` every site of the class gets its own row; with
``scope = "class"`` the class's sites are pooled into one row.

- Fill rate within W hours: sum over parts and the row's sites of
  lambda_ps x P(request filled within W) >= target x sum lambda_ps.
- Uptime: availability = 1 - downtime / (machines x 8760 h) >= target, where the
  downtime per year is sum over parts and sites of lambda_ps x (repair_hours + expected
  wait for the part in hours). Every request is counted as one machine failure (a
  conservative reading when a failure uses several units).
- Availability (Sherbrooke's product form): prod over parts i of (1 - EBO_i /
  (N Z_i))^Z_i >= target, with N the row's machines, Z_i the units of part i per machine
  and EBO_i the part's expected backorders over the row's sites
  (:mod:`spareplan.evaluation.availability`). No repair time: the supply availability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from spareplan.network import Network
from spareplan.scenario.document import ScenarioDocument

FILL_RATE, UPTIME, AVAILABILITY = "fill_rate_within", "uptime", "availability"
#: Every kind of SLA row, in the order a class's rows are made.
KINDS = (FILL_RATE, UPTIME, AVAILABILITY)


@dataclass(frozen=True)
class SlaRow:
    """One SLA row.

    Attributes
    ----------
    name : str
        ``"<class>/<site>/<kind>"`` (scope site) or ``"<class>/<kind>"`` (scope class).
    kind : str
        ``"fill_rate_within"``, ``"uptime"`` or ``"availability"``.
    sla_class : str
    sites : numpy.ndarray
        Site indices (into ``Network.site_ids``) the row covers.
    target : float
        Fill-rate target or availability target.
    window_hours : float
        The time window W (fill-rate rows; ``nan`` for uptime rows).
    repair_hours : float
        On-site repair time per failure (uptime rows; ``nan`` for the other kinds).
    penalty : float
        Contract penalty (currency) per request not filled within the window (fill-rate
        rows) or per machine-hour of downtime (uptime rows); 0 without one (always 0 for
        availability rows).
    """

    name: str
    kind: str
    sla_class: str
    sites: np.ndarray
    target: float
    window_hours: float
    repair_hours: float
    penalty: float = 0.0


def sla_rows(document: ScenarioDocument, network: Network) -> list[SlaRow]:
    """Every SLA row of the scenario, in class order then site order."""
    rows: list[SlaRow] = []
    for class_index, (class_name, sla) in enumerate(document.sla_classes.items()):
        members = np.flatnonzero(network.site_class == class_index)
        if len(members) == 0:
            continue
        groups = ([(network.site_ids[s], np.array([s])) for s in members]
                  if sla.scope == "site" else [("", members)])
        for label, sites in groups:
            prefix = f"{class_name}/{label}/" if label else f"{class_name}/"
            if sla.fill_rate_within is not None:
                rows.append(SlaRow(prefix + FILL_RATE, FILL_RATE, class_name, sites,
                                   sla.fill_rate_within.target,
                                   sla.fill_rate_within.window_hours, float("nan"),
                                   sla.fill_rate_within.penalty_per_miss))
            if sla.uptime is not None:
                rows.append(SlaRow(prefix + UPTIME, UPTIME, class_name, sites,
                                   sla.uptime.target, float("nan"), sla.uptime.repair_hours,
                                   sla.uptime.penalty_per_downtime_hour))
            if sla.availability is not None:
                rows.append(SlaRow(prefix + AVAILABILITY, AVAILABILITY, class_name, sites,
                                   sla.availability.target, float("nan"), float("nan")))
    return rows


def rows_frame(rows: list[SlaRow], network: Network) -> pd.DataFrame:
    """The SLA rows as a DataFrame (one line each; sites joined with ';')."""
    return pd.DataFrame({
        "sla_row": [r.name for r in rows],
        "kind": [r.kind for r in rows],
        "sla_class": [r.sla_class for r in rows],
        "sites": [";".join(network.site_ids[s] for s in r.sites) for r in rows],
        "target": [r.target for r in rows],
        "window_hours": [r.window_hours for r in rows],
        "repair_hours": [r.repair_hours for r in rows],
    })
