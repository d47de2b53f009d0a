"""Table specifications of the scenario format and a vectorized validator.

Each CSV table of a scenario has a :class:`TableSpec`: its columns with type, unit,
range and allowed values, and its key. :func:`parse_table` reads a file's bytes (through
:mod:`spareplan.scenario.csv_reader`), :func:`validate_cells` checks every
rule column by column (vectorized, so 100k rows cost milliseconds) and reports every
broken rule as a :class:`~spareplan.errors.Problem` naming file, row, column, rule and
value. Row numbers are the file's line numbers (the header is line 1).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from spareplan.errors import Problem
from spareplan.scenario.csv_reader import decode_utf8, read_csv_text
from spareplan.scenario.document import MAX_CURRENCY, MAX_HOURS, Shown, shown_value

ColumnKind = Literal["id", "text", "float", "int", "choice", "date", "period"]

#: At most this many problems are listed per column and rule; the rest are counted.
MAX_PROBLEMS_PER_RULE = 10
#: Largest count (stock, machines, quantities): exact in float64 and int32.
MAX_COUNT = 1e9
#: Longest duration in days (100 years).
MAX_DAYS = 36_525.0
#: Largest rate or ratio (failures per machine-year, parts per failure, variance-to-mean).
MAX_RATE = 1e6
#: Bound of any number column without its own maximum.
MAX_NUMBER = 1e15
#: Dates of every date and period column lie in this range (a year like 2300 is a typo).
FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")
#: Characters refused in ids: controls, zero-width and direction marks, BOM, separators.
INVISIBLE = r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
_INVISIBLE = re.compile(INVISIBLE)
#: A decimal comma in a number cell (read in semicolon- and tab-separated files).
DECIMAL_COMMA = re.compile(r"^([+-]?\d*),(\d+)$")


@dataclass(frozen=True)
class Column:
    """One column of a scenario table.

    ``required`` columns must be in the header; ``nullable`` columns may have empty
    cells. ``minimum``/``maximum`` bound numeric values (``exclusive_minimum`` makes
    the lower bound strict). ``unit`` is documentation: the unit is in the name too.
    """

    name: str
    kind: ColumnKind
    description: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    default: object = None


@dataclass(frozen=True)
class TableSpec:
    """A scenario table: its name in ``[tables]``, its columns and its unique key."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    allow_empty: bool = False

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _id(name: str, description: str, **kw: object) -> Column:
    return Column(name, "id", description, **kw)  # type: ignore[arg-type]


LOCATIONS = TableSpec(
    "locations",
    "The stocking locations, a tree: central warehouses (roots), regional DCs, FSLs.",
    (
        _id("location", "Unique location id."),
        Column("kind", "choice", "Echelon of the location.", choices=("central", "dc", "fsl")),
        _id("parent", "Location that replenishes this one; empty for a central warehouse.",
            nullable=True),
        Column("lead_time_days", "float", "Mean replenishment lead time from the parent.",
               unit="days", nullable=True, minimum=0.0, maximum=MAX_DAYS),
        Column("lead_time_cv", "float", "Coefficient of variation of the lead time "
               "(0 = deterministic).", required=False, nullable=True, minimum=0.0, maximum=100.0,
               default=0.0),
        Column("holding_rate_per_year", "float", "Override of the holding-cost rate.",
               unit="fraction of unit cost per year", required=False, nullable=True,
               minimum=0.0, maximum=10.0),
        Column("capacity_units", "float", "Most units of all parts the location can hold.",
               unit="units", required=False, nullable=True, minimum=0.0, maximum=MAX_COUNT),
        Column("capacity_volume_liters", "float", "Most volume of all parts the location can "
               "hold: sum over parts of volume_liters x stock (every part that can be stocked "
               "needs a volume_liters then).", unit="liters", required=False, nullable=True,
               minimum=0.0, maximum=MAX_COUNT),
        Column("fixed_cost_per_year", "float", "Yearly cost of keeping the location open.",
               unit="currency per year", required=False, nullable=True, minimum=0.0,
               maximum=MAX_CURRENCY),
        Column("name", "text", "Display name.", required=False, nullable=True),
    ),
    key=("location",),
)

PARTS = TableSpec(
    "parts",
    "The spare parts planned.",
    (
        _id("part", "Unique part number."),
        Column("unit_cost", "float", "Cost of one unit.", unit="currency", minimum=0.0,
               maximum=MAX_CURRENCY,
               exclusive_minimum=True),
        Column("kind", "choice", "Consumable (scrapped after use) or repairable (returned "
               "to repair).", choices=("consumable", "repairable")),
        Column("procurement_lead_time_days", "float", "Lead time of a new buy to a central "
               "warehouse.", unit="days", minimum=0.0, maximum=MAX_DAYS),
        Column("repair_turnaround_days", "float", "Time from failure to a repaired unit back "
               "at the central warehouse (repairables).", unit="days", required=False,
               nullable=True, minimum=0.0, maximum=MAX_DAYS),
        Column("condemnation_fraction", "float", "Fraction of returned units scrapped and "
               "replaced by procurement (repairables).", unit="fraction", required=False,
               nullable=True, minimum=0.0, maximum=1.0),
        _id("supplier", "Supplier id (see the suppliers table).", required=False, nullable=True),
        Column("criticality", "choice", "How critical the part is for the machine.",
               required=False, nullable=True, choices=("low", "medium", "high", "critical"),
               default="medium"),
        Column("min_stock", "int", "Least stock at every location that stocks it.",
               unit="units", required=False, nullable=True, minimum=0.0, maximum=MAX_COUNT,
               default=0),
        Column("max_stock", "int", "Most stock at any one location.", unit="units",
               required=False, nullable=True, minimum=0.0, maximum=MAX_COUNT),
        Column("volume_liters", "float", "Volume of one unit (required when a location has "
               "a capacity_volume_liters, unless max_stock is 0).", unit="liters",
               required=False, nullable=True, minimum=0.0, maximum=MAX_COUNT),
        Column("weight_kg", "float", "Weight of one unit.", unit="kg", required=False,
               nullable=True, minimum=0.0, maximum=MAX_COUNT),
        _id("replaced_by", "Part that supersedes this one.", required=False, nullable=True),
        Column("description", "text", "Description.", required=False, nullable=True),
    ),
    key=("part",),
)

SITES = TableSpec(
    "sites",
    "Customer sites with their SLA class and primary stocking location.",
    (
        _id("site", "Unique site id."),
        _id("sla_class", "SLA class of the site (a key of [sla_classes])."),
        _id("primary_location", "Location that serves the site first (usually an FSL)."),
        Column("name", "text", "Customer / site name.", required=False, nullable=True),
    ),
    key=("site",),
)

REACH = TableSpec(
    "reach",
    "Response time from each location that can serve a site (primary, lateral, emergency).",
    (
        _id("site", "Customer site."),
        _id("location", "Location that can serve the site."),
        Column("response_hours", "float", "Time from request to part on site.", unit="hours",
               minimum=0.0, maximum=MAX_HOURS),
    ),
    key=("site", "location"),
)

INSTALLED_BASE = TableSpec(
    "installed_base",
    "Machines installed per site and machine type.",
    (
        _id("site", "Customer site."),
        _id("machine_type", "Machine type."),
        Column("machines", "int", "Number of machines.", unit="machines", minimum=0.0,
               maximum=MAX_COUNT),
    ),
    key=("site", "machine_type"),
)

FAILURE_RATES = TableSpec(
    "failure_rates",
    "Part failures per machine-year by machine type (installed-base demand).",
    (
        _id("machine_type", "Machine type."),
        _id("part", "Part that fails."),
        Column("failures_per_machine_year", "float", "Failures needing this part.",
               unit="failures per machine per year", minimum=0.0, maximum=MAX_RATE),
        Column("parts_per_failure", "float", "Units of the part used per failure.",
               unit="units", required=False, nullable=True, minimum=0.0, maximum=MAX_RATE,
               exclusive_minimum=True, default=1.0),
        Column("units_per_machine", "int", "Units of the part installed in one machine of "
               "the type (Z_i of the availability product form).", unit="units",
               required=False, nullable=True, minimum=1.0, maximum=MAX_COUNT, default=1),
    ),
    key=("machine_type", "part"),
)

DEMAND = TableSpec(
    "demand",
    "Demand rate per part and site (overrides the installed-base rate of that pair).",
    (
        _id("part", "Part."),
        _id("site", "Customer site."),
        Column("rate_per_year", "float", "Mean demand.", unit="units per year", minimum=0.0,
               maximum=MAX_COUNT),
        Column("variance_to_mean", "float", "Dispersion of demand over a period (1 = Poisson).",
               required=False, nullable=True, minimum=1.0, maximum=MAX_RATE, default=1.0),
    ),
    key=("part", "site"),
)

CURRENT_STOCK = TableSpec(
    "current_stock",
    "Stock on hand and on order now.",
    (
        _id("part", "Part."),
        _id("location", "Location."),
        Column("on_hand", "int", "Units on hand.", unit="units", minimum=0.0, maximum=MAX_COUNT),
        Column("on_order", "int", "Units ordered, not yet received.", unit="units",
               required=False, nullable=True, minimum=0.0, maximum=MAX_COUNT, default=0),
    ),
    key=("part", "location"),
    allow_empty=True,
)

DEMAND_HISTORY = TableSpec(
    "demand_history",
    "Past demand, one row per period, part and site.",
    (
        Column("period", "period", "Period start: YYYY-MM-DD, or YYYY-MM for months."),
        _id("part", "Part."),
        _id("site", "Customer site.", required=False, nullable=True),
        Column("quantity", "float", "Units demanded.", unit="units", minimum=0.0,
               maximum=MAX_COUNT),
    ),
)

SCHEDULED_RECEIPTS = TableSpec(
    "scheduled_receipts",
    "Receipts expected: open purchase orders, repairs due back, transfers.",
    (
        _id("part", "Part."),
        _id("location", "Receiving location."),
        Column("due_date", "date", "Expected arrival (YYYY-MM-DD)."),
        Column("quantity", "float", "Units.", unit="units", minimum=0.0, maximum=MAX_COUNT,
               exclusive_minimum=True),
        Column("kind", "choice", "Source of the receipt.", required=False, nullable=True,
               choices=("purchase", "repair", "transfer"), default="purchase"),
        _id("reference", "Order or repair reference.", required=False, nullable=True),
    ),
    allow_empty=True,
)

CUSTOMER_ORDERS = TableSpec(
    "customer_orders",
    "Known customer orders (demand) by date.",
    (
        _id("part", "Part."),
        _id("location", "Location that fills the order."),
        Column("due_date", "date", "Date the part is needed (YYYY-MM-DD)."),
        Column("quantity", "float", "Units.", unit="units", minimum=0.0, maximum=MAX_COUNT,
               exclusive_minimum=True),
        _id("site", "Customer site ordering.", required=False, nullable=True),
        _id("reference", "Order reference.", required=False, nullable=True),
    ),
    allow_empty=True,
)

SUPPLIERS = TableSpec(
    "suppliers",
    "Suppliers with a role-based contact, escalation path and contract dates.",
    (
        _id("supplier", "Supplier id."),
        Column("name", "text", "Supplier name.", required=False, nullable=True),
        Column("contact", "text", "Role-based contact (shared mailbox or function).",
               nullable=True),
        Column("escalation", "text", "Escalation path, steps separated by ';'.",
               required=False, nullable=True),
        Column("contact_reviewed", "date", "Date the contact data was last reviewed.",
               required=False, nullable=True),
        Column("contract_renewal", "date", "Date the supply contract must be renewed.",
               required=False, nullable=True),
    ),
    key=("supplier",),
)

ORDER_WINDOWS = TableSpec(
    "order_windows",
    "Order windows of suppliers (yearly buy windows, early-order deadlines).",
    (
        _id("supplier", "Supplier id."),
        _id("part", "Part the window applies to (empty: every part of the supplier).",
            required=False, nullable=True),
        Column("opens", "date", "First day orders are accepted."),
        Column("closes", "date", "Last day orders are accepted."),
        Column("description", "text", "What the window is.", required=False, nullable=True),
    ),
    allow_empty=True,
)

ALL_TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        LOCATIONS, PARTS, SITES, REACH, INSTALLED_BASE, FAILURE_RATES, DEMAND, CURRENT_STOCK,
        DEMAND_HISTORY, SCHEDULED_RECEIPTS, CUSTOMER_ORDERS, SUPPLIERS, ORDER_WINDOWS,
    )
}
REQUIRED_TABLES = ("locations", "parts", "sites", "reach")


def _row_label(position: int) -> str:
    return f"row {position + 2}"


def _report(problems: list[Problem], source: str, column: str, rule: str, bad: pd.Series,
            values: pd.Series) -> None:
    """Add one problem per offending row (capped) for ``rule`` on ``column``."""
    rows = np.flatnonzero(bad.to_numpy(dtype=bool))
    for position in rows[:MAX_PROBLEMS_PER_RULE]:
        problems.append(
            Problem(source, f"{_row_label(int(position))}, column {column}", rule,
                    shown_value(values.iloc[position]))
        )
    if len(rows) > MAX_PROBLEMS_PER_RULE:
        problems.append(
            Problem(source, f"column {column}",
                    f"{rule}: {len(rows) - MAX_PROBLEMS_PER_RULE} more rows break this rule",
                    None)
        )


def _ids(text: pd.Series, empty: pd.Series, column: Column, source: str,
         problems: list[Problem]) -> pd.Series:
    """Ids in Unicode NFC; control and invisible characters are refused.

    Fast path: one join and one regular-expression search per column; the per-cell work
    runs only for columns that hold a suspect character or non-ASCII text.
    """
    joined = "".join(text.tolist())
    if _INVISIBLE.search(joined):
        hidden = ~empty & text.str.contains(INVISIBLE, regex=True)
        shown = text.where(~hidden, text[hidden].map(lambda v: Shown(ascii(v))))
        _report(problems, source, column.name, "must not contain control or invisible "
                "characters (zero-width space, byte-order mark, line break…)", hidden, shown)
    return text if joined.isascii() else text.str.normalize("NFC")


def _numbers(text: pd.Series, empty: pd.Series, column: Column, source: str,
             problems: list[Problem], decimal_comma: bool) -> pd.Series:
    candidate = text.where(~empty)
    if decimal_comma:
        candidate = candidate.str.replace(DECIMAL_COMMA, r"\1.\2", regex=True)
    numbers = pd.to_numeric(candidate, errors="coerce")
    not_number = ~empty & numbers.isna()
    kind_word = "an integer" if column.kind == "int" else "a number"
    rule = f"must be {kind_word}"
    if (not_number & text.str.contains(",", regex=False)).any():
        rule += (" (a decimal comma is read in semicolon-separated files only; no thousands "
                 "separators)" if not decimal_comma else " (no thousands separators)")
    _report(problems, source, column.name, rule, not_number, text)
    return numbers


def _convert(raw: pd.Series, column: Column, source: str, problems: list[Problem],
             decimal_comma: bool = False) -> pd.Series:
    """Convert one text column to its type, reporting cells that do not parse or break a rule."""
    text = raw.str.strip()
    empty = text == ""
    if not column.nullable:
        _report(problems, source, column.name, "must not be empty", empty, raw)
    if column.kind == "id":
        return _ids(text, empty, column, source, problems).astype(object).where(~empty, None)
    if column.kind == "text":
        return text.astype(object).where(~empty, None)
    if column.kind == "choice":
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(column.choices)
        _report(problems, source, column.name, f"must be one of {', '.join(column.choices)}",
                bad, raw)
        return lowered.astype(object).where(~empty, None)
    if column.kind in ("date", "period"):
        fmt = "%Y-%m-%d"
        parsed = pd.to_datetime(text.where(~empty), format=fmt, errors="coerce")
        if column.kind == "period":
            months = pd.to_datetime(text.where(~empty), format="%Y-%m", errors="coerce")
            parsed = parsed.fillna(months)
        bad = ~empty & parsed.isna()
        rule = ("must be a date YYYY-MM-DD" if column.kind == "date"
                else "must be a period YYYY-MM-DD or YYYY-MM")
        _report(problems, source, column.name, rule, bad, raw)
        outside = parsed.notna() & ((parsed < FIRST_DATE) | (parsed > LAST_DATE))
        _report(problems, source, column.name, f"must be from {FIRST_DATE:%Y-%m-%d} to "
                f"{LAST_DATE:%Y-%m-%d}", outside, raw)
        return parsed.where(~outside)
    numbers = _numbers(text, empty, column, source, problems, decimal_comma)
    finite = numbers.notna()
    infinite = finite & ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    _report(problems, source, column.name, "must be finite", infinite, raw)
    finite &= ~infinite
    if column.kind == "int":
        fractional = finite & (numbers % 1 != 0)
        _report(problems, source, column.name, "must be a whole number", fractional, raw)
    if column.minimum is not None:
        if column.exclusive_minimum:
            below = finite & (numbers <= column.minimum)
            rule = f"must be > {column.minimum:g}"
        else:
            below = finite & (numbers < column.minimum)
            rule = f"must be >= {column.minimum:g}"
        _report(problems, source, column.name, rule, below, raw)
    maximum = column.maximum if column.maximum is not None else MAX_NUMBER
    above = finite & (numbers > maximum)
    _report(problems, source, column.name, f"must be <= {maximum:g}", above, raw)
    return numbers.astype(float).where(finite & ~above, np.nan)


def _joined(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    first = frame[key[0]].astype(str)
    return first.str.cat([frame[k].astype(str) for k in key[1:]], sep=" / ") if key[1:] else first


def _key_problems(problems: list[Problem], frame: pd.DataFrame, raw: pd.DataFrame,
                  spec: TableSpec, source: str) -> None:
    """Repeated keys; ids that differ only in Unicode normalization (a repeat once
    normalized) or, for a one-column key, only in letter case are reported as a pair
    naming both rows (they look the same to a person)."""
    key = list(spec.key)
    label = ", ".join(key)
    duplicated = frame.duplicated(key, keep="first")
    if duplicated.any():
        values = _joined(frame, key)
        spelled = _joined(raw[key].apply(lambda c: c.str.strip()), key)
        first = pd.Series(np.arange(len(frame)), index=frame.index).groupby(
            [frame[k].fillna("") for k in key], sort=False).transform("min").to_numpy()
        same = spelled.to_numpy()[first] == spelled.to_numpy()
        _report(problems, source, label,
                f"({label}) must be unique; this repeats an earlier row",
                duplicated & same, values)
        look_alike = np.flatnonzero(duplicated.to_numpy() & ~same)
        for position in look_alike[:MAX_PROBLEMS_PER_RULE]:
            other = int(first[position])
            problems.append(Problem(
                source, f"{_row_label(int(position))}, column {label}",
                f"is the same id as row {other + 2} once Unicode-normalized (NFC): the two "
                "are spelled with different code points; use one spelling",
                Shown(f"{spelled.iloc[position]!a} and {spelled.iloc[other]!a}")))
    if len(key) != 1:
        return
    ids = frame[key[0]].where(~duplicated)
    folded = ids.str.casefold()
    clash = folded.notna() & folded.duplicated(keep="first")
    if not clash.any():
        return
    first_of = pd.Series(np.arange(len(frame)), index=frame.index).groupby(
        folded, sort=False).transform("min")
    for position in np.flatnonzero(clash.to_numpy())[:MAX_PROBLEMS_PER_RULE]:
        other = int(first_of.iloc[position])
        problems.append(Problem(source, f"{_row_label(int(position))}, column {label}",
                                f"differs from row {other + 2} ({ids.iloc[other]!r}) only in "
                                "letter case; ids are case-sensitive, so these would be two "
                                "different items: use one spelling", ids.iloc[position]))


def validate_cells(raw: pd.DataFrame, spec: TableSpec, source: str, problems: list[Problem],
                   *, decimal_comma: bool = False) -> pd.DataFrame | None:
    """Type and check a frame of text cells against ``spec`` (the rules of every table).

    Returns the typed DataFrame (missing optional columns filled with their default), or
    ``None`` when a required column is missing. Every problem found is appended to
    ``problems``; rows are numbered as in a CSV file (the header is row 1).
    """
    known = {c.name for c in spec.columns}
    missing = [c.name for c in spec.columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.append(Problem(source, "header", f"must have column {name!r}",
                                shown_value(list(raw.columns))))
    for name in raw.columns:
        if name not in known:
            close = difflib.get_close_matches(str(name).lower(), sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(source, "header",
                                    f"unknown column {name!r}{hint}; known columns: "
                                    f"{', '.join(sorted(known))}", shown_value(name)))
    if missing:
        return None
    if len(raw) == 0 and not spec.allow_empty:
        problems.append(Problem(source, "rows", "must have at least one data row", 0))
        return None
    typed: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.name in raw.columns:
            typed[column.name] = _convert(raw[column.name].astype(str), column, source,
                                          problems, decimal_comma)
        else:
            typed[column.name] = pd.Series([column.default] * len(raw), index=raw.index,
                                           dtype=object if column.kind in ("id", "text", "choice")
                                           else float)
        if column.default is not None:
            filled = typed[column.name].astype(object).where(typed[column.name].notna(),
                                                             column.default)
            typed[column.name] = (filled if column.kind in ("id", "text", "choice")
                                  else filled.astype(float))
    frame = pd.DataFrame(typed, index=raw.index)
    if spec.key and all(k in raw.columns for k in spec.key):
        _key_problems(problems, frame, raw, spec, source)
    return frame


def parse_table(data: bytes, spec: TableSpec, source: str, problems: list[Problem]
                ) -> pd.DataFrame | None:
    """Parse and validate CSV ``data`` against ``spec``.

    Returns the typed DataFrame (missing optional columns filled with their default),
    or ``None`` when the table is unusable (bad encoding, not CSV, missing columns).
    Every problem found is appended to ``problems``.
    """
    text = decode_utf8(data, source, problems)
    if text is None:
        return None
    table = read_csv_text(text, source, problems)
    if table is None:
        return None
    return validate_cells(table.cells, spec, source, problems,
                          decimal_comma=table.decimal_comma)
