"""One vocabulary for the columns of every result: the Python frames and the files.

A column has the same name, unit and meaning wherever it appears: in
``PlanResult.service`` and ``service.csv``, in ``SimulationResult.rows`` and
``verification.csv``, in ``PlanResult.recommendations`` and ``recommendations.csv``, in
``PlanResult.explain(part)`` and ``explanations.csv``, in the simulation's per-part and
per-location frames and in the KPI files of the report. The frames the API returns are the
files' tables (same columns, same order), so what a notebook reads is what a batch job
parses.

:data:`COLUMNS` gives every name its unit and meaning; the ordered lists
(:data:`SERVICE_COLUMNS`, :data:`VERIFICATION_COLUMNS`, :data:`RECOMMENDATION_COLUMNS`,
:data:`EXPLANATION_COLUMNS`) are what the writers and the frame builders use, so a
rename happens here or nowhere. ``X_se`` is the standard error of ``X``, in ``X``'s unit.
Units follow the scenario format: ``_hours``, ``_days``, ``_per_year`` in the name; money
is in the scenario's currency; a *share* is a number from 0 to 1 (fill rate within the
window, availability; 0.001 = 0.1 percentage point).

:func:`markdown_table` is the table of ``docs/api.md`` (a test checks that the page holds
it).

Examples
--------
>>> unit_of("window_hours"), unit_of("ci_low_se")
('hours', 'share')
>>> SERVICE_COLUMNS[:6]
('sla_row', 'kind', 'sla_class', 'sites', 'target', 'planned')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["COLUMNS", "EXPLANATION_COLUMNS", "RECOMMENDATION_COLUMNS", "SERVICE_COLUMNS",
           "TABLES", "VERIFICATION_COLUMNS", "Column", "markdown_table", "ordered",
           "unit_of"]


@dataclass(frozen=True)
class Column:
    """A column: its unit (``""`` for ids, text and flags) and its meaning."""

    unit: str
    meaning: str


SHARE = "share"
CURRENCY_PER_YEAR = "currency per year"

#: Every column of a result frame or output file, by name.
COLUMNS: dict[str, Column] = {
    # ids and text
    "part": Column("", "Part id (parts.csv)."),
    "location": Column("", "Location id (locations.csv); in explanations.csv empty for a "
                           "part stocked nowhere with no candidate location."),
    "site": Column("", "Customer site id (sites.csv)."),
    "parent": Column("", "Location that replenishes this one (empty for a central "
                         "warehouse)."),
    "sla_row": Column("", "SLA row name: `class/site/kind` (scope site) or `class/kind` "
                          "(scope class); in explanations.csv the row the unit serves most."),
    "kind": Column("", "service, verification: the row's commitment, `fill_rate_within` or "
                       "`uptime`; explanations: `stocked` or `zero stock`; kpis_locations: "
                       "`central`, `dc` or `fsl`."),
    "sla_class": Column("", "SLA class of the row (scenario.toml [sla_classes])."),
    "sites": Column("", "Sites the row covers, joined with `;`."),
    "rows": Column("", "Up to three SLA rows the unit serves, each with the service it adds "
                       "in percentage points."),
    "explanation": Column("", "Why the unit is stocked (or the part is not), in one "
                              "sentence."),
    "verdict": Column("", "`met` (simulated value at or above target), `not met` or `no "
                          "demand`."),
    # SLA rows
    "target": Column(SHARE, "Target of the row: fill rate within the window, or "
                            "availability (a what-if target when one was given)."),
    "window_hours": Column("hours", "Time window W of a fill-rate row (empty for uptime)."),
    "repair_hours": Column("hours", "On-site repair time per failure of an uptime row "
                                    "(empty for fill rate)."),
    "planned": Column(SHARE, "Value the optimizer's model promised for the row (empty "
                             "for a row without demand)."),
    "planned_meets_target": Column("", "True when `planned` reaches the target (the "
                                       "plan's own promise; after verification)."),
    "simulated": Column(SHARE, "Value measured by the independent simulation, mean over "
                               "replications."),
    "std_error": Column(SHARE, "Standard error of `simulated` over replications."),
    "ci_low": Column(SHARE, "Lower end of the 95 % confidence interval of `simulated` "
                            "(Student t, clipped to [0, 1])."),
    "ci_high": Column(SHARE, "Upper end of that interval."),
    "half_width": Column(SHARE, "Half-width of the 95 % confidence interval."),
    "half_width_share": Column("fraction of 1 − target", "half_width / (1 − target): above "
                                                         "0.25 the check is too small to "
                                                         "judge the row."),
    "meets_target": Column("", "True when the row is met: by `simulated` after "
                               "verification, else by `planned`."),
    "demand_per_year": Column("units per year", "service: requests of the row's sites per "
                                                "year; locations: units demanded at the "
                                                "location per year."),
    "replications": Column("count", "Independent replications of the simulation."),
    # stock and money
    "stock": Column("units", "Recommended stock (base stock level); in explanations.csv "
                             "the units at the location whose last one is explained."),
    "current_stock": Column("units", "Stock today: on hand + on order (current_stock.csv)."),
    "delta": Column("units", "stock − current_stock (negative: surplus today)."),
    "unit_cost": Column("currency per unit", "Cost of one unit (parts.csv)."),
    "yearly_holding_cost": Column(CURRENCY_PER_YEAR, "Holding cost of the stock: stock × "
                                                     "unit_cost × holding rate."),
    "investment": Column("currency", "Capital tied up in the stock: stock × unit_cost."),
    "repairable": Column("", "True for a repairable part."),
    # explanations
    "marginal_service": Column(SHARE, "Service the last unit adds to `sla_row`."),
    "value_per_year": Column(CURRENCY_PER_YEAR, "Value of the last unit at the rows' shadow "
                                                "prices."),
    "cost_per_year": Column(CURRENCY_PER_YEAR, "Yearly cost of the last unit net of the "
                                               "emergency and lateral shipments it saves."),
    "holding_cost_per_year": Column(CURRENCY_PER_YEAR, "Holding cost of the last unit "
                                                       "alone (unit_cost × holding rate)."),
    # simulated figures per part, site and location
    "requests_per_year": Column("requests per year", "Part requests per year (simulated)."),
    "fill_rate_primary": Column(SHARE, "Share of requests filled from stock at the primary "
                                       "location on arrival."),
    "fill_rate_within_window": Column(SHARE, "Share of requests filled within the site's "
                                             "SLA window."),
    "mean_wait_hours": Column("hours", "Mean time from request to part on site."),
    "downtime_hours_per_year": Column("machine-hours per year", "Downtime from these "
                                      "requests: repair plus the wait for the part."),
    "emergency_per_year": Column("shipments per year", "Emergency shipments."),
    "lateral_per_year": Column("shipments per year", "Lateral shipments between "
                                                     "locations."),
    "expected_backorders": Column("units", "Time-average units backordered (EBO)."),
    "average_on_hand": Column("units", "Time-average units on hand."),
    "stock_turns": Column("per year", "Units demanded per year / average on hand."),
    "repair_pipeline_units": Column("units", "Units in repair on average (Little's law)."),
    "condemnations_per_year": Column("units per year", "Returned units scrapped and "
                                                       "bought again."),
}

#: ``PlanResult.service`` and ``service.csv``: one line per SLA row, in this order (the
#: file's order since its first version; ``planned_meets_target`` came last). An
#: unverified plan has the columns it knows (no ``simulated`` … ``verdict``,
#: ``planned_meets_target``).
SERVICE_COLUMNS: tuple[str, ...] = (
    "sla_row", "kind", "sla_class", "sites", "target", "planned", "simulated", "std_error",
    "ci_low", "ci_high", "half_width", "half_width_share", "verdict", "meets_target",
    "window_hours", "repair_hours", "demand_per_year", "planned_meets_target")

#: ``SimulationResult.rows`` and ``verification.csv`` (``spareplan simulate``).
VERIFICATION_COLUMNS: tuple[str, ...] = (
    "sla_row", "kind", "target", "simulated", "std_error", "ci_low", "ci_high",
    "meets_target", "sla_class", "sites", "replications")

#: ``PlanResult.recommendations`` and ``recommendations.csv``.
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "part", "location", "stock", "current_stock", "delta", "unit_cost",
    "yearly_holding_cost")

#: ``explanations.csv`` and ``PlanResult.explain(part)``.
EXPLANATION_COLUMNS: tuple[str, ...] = (
    "part", "location", "stock", "kind", "sla_row", "rows", "marginal_service",
    "value_per_year", "cost_per_year", "holding_cost_per_year", "explanation")

#: Where each ordered list is used (for the docs' table).
TABLES: dict[str, tuple[str, ...]] = {
    "service": SERVICE_COLUMNS,
    "verification": VERIFICATION_COLUMNS,
    "recommendations": RECOMMENDATION_COLUMNS,
    "explanations": EXPLANATION_COLUMNS,
}


def unit_of(name: str) -> str:
    """The unit of column ``name`` (``X_se`` has the unit of ``X``).

    Raises
    ------
    KeyError
        For a name outside the vocabulary.
    """
    base = name.removesuffix("_se") if name not in COLUMNS else name
    return COLUMNS[base].unit


def ordered(columns: Iterable[object], order: tuple[str, ...]) -> list[str]:
    """The names of ``columns`` that ``order`` lists, in its order (the others dropped)."""
    present = {str(c) for c in columns}
    return [name for name in order if name in present]


def markdown_table() -> str:
    """The table of every column, its unit, meaning and tables (``docs/api.md``)."""
    where: dict[str, list[str]] = {}
    for table, names in TABLES.items():
        for name in names:
            where.setdefault(name, []).append(table)
    lines = ["| column | unit | in | meaning |", "|---|---|---|---|"]
    for name, column in COLUMNS.items():
        tables = ", ".join(where.get(name, [])) or "simulation frames, KPIs"
        lines.append(f"| `{name}` | {column.unit or '—'} | {tables} | {column.meaning} |")
    return "\n".join(lines)
