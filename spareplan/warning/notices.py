"""Customer notices (Markdown), one per affected customer site.

A site gets a notice when an alert at a customer-facing level (``customer_notice``,
``confirmed_shortage``) lists it, or when an alert that it was told about earlier is
resolved (all clear; needs ``--state``). Internal risks are never sent to customers.
Each section says what (part, quantity, location), when (week and date), why, and the
countermeasure offered.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from spareplan.scenario.model import Scenario
from spareplan.warning.alerts import AlertLevel

__all__ = ["draft_notices"]

_TITLES = {
    AlertLevel.CUSTOMER_NOTICE: "Possible shortage",
    AlertLevel.CONFIRMED_SHORTAGE: "Confirmed shortage",
}


def _split(text: object) -> list[str]:
    return [s for s in text.split(";") if s] if isinstance(text, str) else []


def _shortage_section(alert: pd.Series, part_name: str, location_name: str) -> list[str]:
    level = AlertLevel(alert["level"])
    when = f"week {alert['customer_short_week']} (from {alert['customer_short_date']})"
    if level is AlertLevel.CONFIRMED_SHORTAGE:
        what = (f"We will be short of {alert['short_units']} unit(s) of {part_name} at "
                f"{location_name} from {when}.")
        offer = ("We will fill your requests from the first receipt after that date"
                 + (f"; in the meantime: {alert['countermeasures']}."
                    if alert["countermeasures"] else "."))
    else:
        what = (f"We may be short of {alert['short_units']} unit(s) of {part_name} at "
                f"{location_name} from {when}.")
        offer = (f"We are working to avoid it: {alert['countermeasures']}."
                 if alert["countermeasures"] else "We are looking for a source.")
    return [
        f"## {_TITLES[level]}: {part_name}",
        "",
        f"- **What:** {what}",
        f"- **When:** {when}",
        f"- **Why:** {alert['reason']}.",
        f"- **Countermeasure offered:** {offer}",
        "",
    ]


def draft_notices(scenario: Scenario, alerts: pd.DataFrame, resolved: pd.DataFrame, *,
                  as_of: dt.date) -> dict[str, str]:
    """Markdown notice per affected site.

    Parameters
    ----------
    scenario : Scenario
        For site, part and location names and SLA classes.
    alerts : pandas.DataFrame
        Current alerts (:data:`spareplan.warning.alerts.ALERT_COLUMNS`).
    resolved : pandas.DataFrame
        ``part, location, previous_level, notified_sites`` of alerts resolved in this run.
    as_of : datetime.date
        Date of the notices.

    Returns
    -------
    dict[str, str]
        Site id to Markdown text, sorted by site; sites with nothing to tell are absent.
    """
    sites = scenario.sites.set_index("site")
    parts = scenario.parts.set_index("part")
    locations = scenario.locations.set_index("location")

    def name(frame: pd.DataFrame, key: str) -> str:
        label = frame.at[key, "name"] if key in frame.index and "name" in frame else None
        return f"{label} ({key})" if isinstance(label, str) else key

    def part_name(part: str) -> str:
        label = (parts.at[part, "description"] if part in parts.index else None)
        return f"{part} ({label})" if isinstance(label, str) else part

    sections: dict[str, list[str]] = {}
    facing = alerts[alerts["level"].isin([lv.value for lv in AlertLevel if lv.customer_facing])]
    for _, alert in facing.iterrows():
        for site in _split(alert["sites"]):
            sections.setdefault(site, []).extend(
                _shortage_section(alert, part_name(alert["part"]),
                                  name(locations, alert["location"])))
    for _, item in resolved.iterrows():
        for site in _split(item["notified_sites"]):
            sections.setdefault(site, []).extend([
                f"## All clear: {part_name(item['part'])}",
                "",
                f"- The shortage of {part_name(item['part'])} at "
                f"{name(locations, item['location'])} that we told you about "
                f"({str(item['previous_level']).replace('_', ' ')}) no longer applies: "
                "your requests will be filled as usual.",
                "",
            ])
    notices = {}
    for site in sorted(sections):
        sla = sites.at[site, "sla_class"] if site in sites.index else "unknown"
        head = [f"# Service parts notice for {name(sites, site)}", "",
                f"Date: {as_of.isoformat()} · SLA class: {sla}", ""]
        notices[site] = "\n".join(head + sections[site]).rstrip() + "\n"
    return notices
