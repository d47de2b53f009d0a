"""Customer notices (Markdown): one per customer site that has something to hear.

A site hears from a run when one of its alerts at a customer-facing level
(``customer_notice``, ``confirmed_shortage``) is new or changed, names it for the first
time, or is due an update (``update_interval_weeks`` after the last notice), or when an
alert it was told about is over (resolved, or fallen back to internal risk: the all
clear). Its notice then lists *every* part at risk for it, each with what (part,
location), when (the week and its date), how likely (in plain words), why, what we do
(the countermeasure offered) and the date of the next update. Internal risks are never
sent to customers.

Every id, name and free text from the scenario is passed through
:func:`spareplan.reports.safe_text.neutralize` (the CSV-injection rule, also for text
pasted from a notice into a spreadsheet). :func:`notice_file_names` gives distinct file
names to distinct site ids (``S/1`` and ``S_1`` do not share ``S_1.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd

from spareplan.reports.safe_text import neutralize
from spareplan.scenario.model import Scenario
from spareplan.warning.alerts import AlertLevel, probability_words

__all__ = ["draft_notices", "notice_file_names"]

_TITLES = {
    AlertLevel.CUSTOMER_NOTICE: "Possible shortage",
    AlertLevel.CONFIRMED_SHORTAGE: "Confirmed shortage",
}
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10)), "index"}


def notice_file_names(sites: list[str]) -> dict[str, str]:
    """A distinct Markdown file name per site id (also on case-insensitive file systems).

    An id that is a plain file name (letters, digits, ``.``, ``_``, ``-``; not a device
    name of Windows) and differs from every other id also when case is ignored keeps its
    name; any other id becomes its unsafe characters replaced by ``_`` plus the first 10
    hex digits of the SHA-256 of the id.

    Examples
    --------
    >>> notice_file_names(["S_1", "S/1"])
    {'S_1': 'S_1.md', 'S/1': 'S_1-ac1175e62f.md'}
    """
    folded: dict[str, int] = {}
    for site in sites:
        folded[site.casefold()] = folded.get(site.casefold(), 0) + 1
    names: dict[str, str] = {}
    for site in sites:
        stem = site
        if (not _SAFE.match(site) or folded[site.casefold()] > 1
                or site.split(".")[0].casefold() in _RESERVED):
            slug = re.sub(r"[^A-Za-z0-9._-]", "_", site).strip("._")[:60] or "site"
            stem = f"{slug}-{hashlib.sha256(site.encode('utf-8')).hexdigest()[:10]}"
        names[site] = f"{stem}.md"
    taken = [name.casefold() for name in names.values()]
    if len(set(taken)) != len(taken):  # a literal id equal to another's hashed name
        for site in sites:
            digest = hashlib.sha256(site.encode("utf-8")).hexdigest()
            names[site] = f"site-{digest[:24]}.md"
    return names


def _split(text: object) -> list[str]:
    return [s for s in text.split(";") if s] if isinstance(text, str) else []


def _section(alert: pd.Series, part: str, location: str, next_update: str,
             as_of: dt.date) -> list[str]:
    level = AlertLevel(alert["level"])
    when = f"the week of {alert['customer_date']} (week {alert['customer_week']})"
    if level is AlertLevel.CONFIRMED_SHORTAGE:
        what = (f"we will not be able to fill every request for {part} from {location} "
                f"from {when}.")
        likely = "certain: the orders already placed exceed the supply"
    else:
        what = f"we may not be able to fill every request for {part} from {location} from {when}."
        likely = probability_words(float(alert["customer_p_short"]))
        if float(alert["p_short"]) > float(alert["customer_p_short"]) + 0.05:
            later = as_of + dt.timedelta(weeks=int(alert["p_short_week"]) - 1)
            likely += (f"; {probability_words(float(alert['p_short'])).split(' (')[0]} by the "
                       f"week of {later.isoformat()} (week {alert['p_short_week']})")
    units = int(alert["units_if_short"] or 0)
    if units > 0:
        likely += (f"; about {units} unit(s) short" if level is AlertLevel.CONFIRMED_SHORTAGE
                   else f"; if it happens, about {units} unit(s) short")
    measures = alert["countermeasures"]
    doing = (f"{neutralize(str(measures))}." if isinstance(measures, str) and measures
             else "we are looking for a source and will tell you what we find.")
    return [
        f"## {_TITLES[level]}: {part}",
        "",
        f"- **What:** {what}",
        f"- **How likely:** {likely}.",
        f"- **Why:** {neutralize(str(alert['reason']))}.",
        f"- **What we do:** {doing}",
        f"- **Next update:** by {next_update}, or earlier if anything changes.",
        "",
    ]


def draft_notices(scenario: Scenario, alerts: pd.DataFrame, cleared: pd.DataFrame, *,
                  as_of: dt.date, update_interval_weeks: int) -> dict[str, str]:
    """Markdown notice per site that hears from this run.

    Parameters
    ----------
    scenario : Scenario
        For site, part and location names and SLA classes.
    alerts : pandas.DataFrame
        Current alerts (:data:`spareplan.warning.alerts.ALERT_COLUMNS` plus ``notify``:
        the sites of that alert are to hear about it in this run).
    cleared : pandas.DataFrame
        ``part, location, previous_level, notified_sites, cleared`` of the alerts whose
        customers get the all clear.
    as_of : datetime.date
        Date of the notices.
    update_interval_weeks : int
        The next update is promised this many weeks after ``as_of``.

    Returns
    -------
    dict[str, str]
        Site id to Markdown text, sorted by site; sites with nothing to hear are absent.
    """
    sites = scenario.sites.set_index("site")
    parts = scenario.parts.set_index("part")
    locations = scenario.locations.set_index("location")
    next_update = (as_of + dt.timedelta(weeks=update_interval_weeks)).isoformat()

    def name(frame: pd.DataFrame, key: str) -> str:
        label = frame.at[key, "name"] if key in frame.index and "name" in frame else None
        text = f"{label} ({key})" if isinstance(label, str) else key
        return neutralize(text)

    def part_name(part: str) -> str:
        label = parts.at[part, "description"] if part in parts.index else None
        return neutralize(f"{part} ({label})" if isinstance(label, str) else part)

    facing = alerts[alerts["level"].isin([lv.value for lv in AlertLevel if lv.customer_facing])]
    triggered = {site for _, alert in facing.iterrows() if bool(alert.get("notify", True))
                 for site in _split(alert["sites"])}
    triggered |= {site for text in cleared["notified_sites"] for site in _split(text)}
    sections: dict[str, list[str]] = {site: [] for site in triggered}
    for _, alert in facing.iterrows():
        for site in _split(alert["sites"]):
            if site in sections:
                sections[site].extend(_section(alert, part_name(alert["part"]),
                                               name(locations, alert["location"]),
                                               next_update, as_of))
    for _, item in cleared.iterrows():
        before = str(item["previous_level"]).replace("_", " ")
        for site in _split(item["notified_sites"]):
            sections[site].extend([
                f"## All clear: {part_name(item['part'])}",
                "",
                f"- The {before} of {part_name(item['part'])} at "
                f"{name(locations, item['location'])} that we told you about no longer "
                "applies: your requests will be filled as usual.",
                "",
            ])
    notices = {}
    for site in sorted(sections):
        sla = sites.at[site, "sla_class"] if site in sites.index else "unknown"
        head = [f"# Service parts notice for {name(sites, site)}", "",
                f"Date: {as_of.isoformat()} · SLA class: {neutralize(str(sla))}", ""]
        notices[site] = "\n".join(head + sections[site]).rstrip() + "\n"
    return notices
