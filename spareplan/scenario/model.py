"""The validated, typed scenario that every other layer reads, and its what-if copies.

A :class:`Scenario` is built by :func:`spareplan.load_scenario` (the constructor does no
work). To change one in Python — a what-if in a notebook — use :meth:`Scenario.replace`
(or its short forms :meth:`Scenario.with_table` and :meth:`Scenario.with_document`): the
changed document and tables go through the same rules as a scenario loaded from files (a
replaced table is written as text cells and read back by the table validator, then every
cross-table rule runs), and the copy gets the input hash of what it now holds. Changing
``scenario.tables`` in place or building a copy with :func:`dataclasses.replace` skips
the rules: don't.

The what-ifs an analyst asks most have their own helpers, each a :meth:`Scenario.replace`
underneath (same rules, the path kept, a new input hash): :meth:`~Scenario.with_targets`,
:meth:`~Scenario.with_sla`, :meth:`~Scenario.with_lead_times`,
:meth:`~Scenario.with_costs`, :meth:`~Scenario.with_policy`. A bad value raises the
:class:`~spareplan.errors.ScenarioError` a bad file would, naming the field (or table, row
and column), the rule and the value:

>>> from pathlib import Path
>>> import spareplan
>>> tiny = spareplan.load_scenario(Path(spareplan.__file__).parents[1] / "scenarios" / "tiny")
>>> stricter = tiny.with_targets(gold=0.9, silver={"uptime": 0.996})
>>> stricter.document.sla_classes["silver"].uptime.target, stricter.path == tiny.path
(0.996, True)
>>> stricter.input_hash != tiny.input_hash
True
>>> tiny.with_lead_times(0.5).locations["lead_time_days"].tolist()
[nan, 1.5, 2.5]
>>> tiny.with_policy(stockout_rule="lateral").document.policy.stockout_rule
'lateral'
>>> try:
...     tiny.with_costs(holding_rate_per_year=12)
... except spareplan.ScenarioError as error:
...     problem, = error.problems
>>> problem.location, problem.rule, problem.value
('field costs.holding_rate_per_year', 'Input should be less than or equal to 10', 12)
>>> try:  # procurement 60 days x 5000: more than 100 years
...     tiny.with_lead_times(5000, repair=False)
... except spareplan.ScenarioError as error:
...     print(error.problems[0])
tables['parts']: row 2, column procurement_lead_time_days: must be <= 36525 (received '300000.0')

:func:`scenario_hash` is that input hash: SHA-256 over a canonical serialization of the
document (JSON with sorted keys, without the ``[tables]`` paths: where a file lies is not an
input) and of every table (column names, row count, then each
column's values: float64 bytes for numbers, int64 nanoseconds for dates, JSON for text).
Two scenarios with the same hash hold the same inputs, whatever the files looked like
(column order, number formatting, delimiter), so ``summary.json``'s ``input_hash``
certifies what was planned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spareplan.display import clip, html_table
from spareplan.errors import ParameterError, Problem, ScenarioError
from spareplan.scenario.document import ScenarioDocument, validate_document
from spareplan.scenario.integrity import check_integrity
from spareplan.scenario.tables import ALL_TABLES, REQUIRED_TABLES, validate_cells

__all__ = ["Scenario", "scenario_hash"]

_HASH_DOMAIN = b"spareplan scenario inputs v1\n"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the TOML document and its tables as typed DataFrames.

    Build it with :func:`spareplan.load_scenario`; the constructor does no work.
    Optional tables that the scenario does not name are ``None``.

    Attributes
    ----------
    document : ScenarioDocument
        The parsed ``scenario.toml`` (costs, policy, SLA classes, settings).
    tables : dict[str, pandas.DataFrame]
        Every table present, keyed by its name in ``[tables]``.
    path : pathlib.Path | None
        The TOML file it was loaded from (kept by what-if copies).
    input_hash : str
        :func:`scenario_hash` of the document and tables: same hash, same inputs.
    """

    document: ScenarioDocument
    tables: dict[str, pd.DataFrame] = field(repr=False)
    path: Path | None = None
    input_hash: str = ""

    @property
    def name(self) -> str:
        return self.document.name

    def table(self, name: str) -> pd.DataFrame | None:
        """A copy of table ``name``, or ``None`` when the scenario has none."""
        frame = self.tables.get(name)
        return None if frame is None else frame.copy()

    @property
    def locations(self) -> pd.DataFrame:
        return self.tables["locations"].copy()

    @property
    def parts(self) -> pd.DataFrame:
        return self.tables["parts"].copy()

    @property
    def sites(self) -> pd.DataFrame:
        return self.tables["sites"].copy()

    @property
    def reach(self) -> pd.DataFrame:
        return self.tables["reach"].copy()

    def summary(self) -> dict[str, int]:
        """Row count of every table present."""
        return {name: len(frame) for name, frame in self.tables.items()}

    def sla_row_count(self) -> int:
        """How many SLA rows the scenario holds: per class, one row per commitment and per
        site of the class (scope site) or per class with a site (scope class), as
        :func:`spareplan.sla.sla_rows` builds them."""
        members = self.tables["sites"]["sla_class"].astype(str).value_counts()
        count = 0
        for name, sla in self.document.sla_classes.items():
            sites = int(members.get(name, 0))
            per_group = ((sla.fill_rate_within is not None) + (sla.uptime is not None)
                         + (sla.availability is not None))
            count += per_group * (sites if sla.scope == "site" else min(sites, 1))
        return count

    def _lines(self) -> list[tuple[str, str]]:
        kinds = self.tables["locations"]["kind"].astype(str).value_counts()
        by_kind = ", ".join(f"{int(kinds[k])} {k}" for k in ("central", "dc", "fsl")
                            if k in kinds)
        optional = [name for name in self.tables
                    if name not in ("locations", "parts", "sites", "reach")]
        return [
            ("name", clip(self.name)),
            ("network", f"{len(self.tables['parts']):,} parts, "
                        f"{len(self.tables['locations']):,} locations ({by_kind}), "
                        f"{len(self.tables['sites']):,} sites"),
            ("SLA", f"{len(self.document.sla_classes)} class(es) "
                    f"({clip(', '.join(self.document.sla_classes), 40)}), "
                    f"{self.sla_row_count():,} SLA rows"),
            ("policy", f"stock-out rule {self.document.policy.stockout_rule}, holding rate "
                       f"{self.document.costs.holding_rate_per_year:g} per year, currency "
                       f"{clip(self.document.currency, 12)}"),
            ("tables", ", ".join(f"{name} {len(self.tables[name]):,}" for name in optional)
             or "no optional table"),
            ("path", clip(self.path, 80) if self.path is not None else "none (built in "
                                                                         "Python)"),
            ("input hash", self.input_hash[:16] + "…" if self.input_hash else "none"),
        ]

    def __repr__(self) -> str:
        lines = self._lines()
        body = [f"  {k}: {v}" for k, v in lines[1:]]
        return "\n".join([f"Scenario {lines[0][1]!r}", *body,
                          "  .parts, .locations, .sites, .reach, .table(name), .with_*()"])

    def _repr_html_(self) -> str:
        return html_table(self._lines(), title="Scenario",
                          note=".parts, .locations, .sites, .reach, .table(name), .with_*()")

    def source_names(self) -> dict[str, str]:
        """The name each table is reported under: its file name, or ``tables['x']``."""
        names = {}
        for name in self.tables:
            relative = getattr(self.document.tables, name, None)
            names[name] = Path(relative).name if relative else f"tables[{name!r}]"
        return names

    def replace(self, *, document: ScenarioDocument | Mapping[str, Any] | None = None,
                tables: Mapping[str, pd.DataFrame | None] | None = None) -> Scenario:
        """A re-validated copy with a changed document and/or tables (``self`` unchanged).

        Parameters
        ----------
        document : ScenarioDocument or mapping, optional
            A whole new document, or changes merged into the current one key by key
            (nested tables such as ``{"policy": {"stockout_rule": "lateral"}}`` are
            merged; a value replaces what it names). Validated as ``scenario.toml`` is.
        tables : mapping of name to DataFrame or None, optional
            Tables to replace (or add) by name, or to drop (``None``; not a required
            table). Each frame holds the table's columns as in its CSV file (typed or
            text); it is checked by the same rules as the file, with rows numbered as in
            a CSV file (the header is row 1, the first row of the frame row 2).

        Returns
        -------
        Scenario
            The copy, with every cross-table rule checked and a new ``input_hash``.

        Raises
        ------
        ScenarioError
            With every problem found; the problems name ``tables['parts']`` (or the file
            of an unchanged table), the row and column, the rule and the value.

        Examples
        --------
        >>> locations = scenario.locations  # doctest: +SKIP
        >>> locations.loc[locations["location"] == "F1", "lead_time_days"] = 1.0  # doctest: +SKIP
        >>> faster = scenario.replace(tables={"locations": locations})  # doctest: +SKIP
        >>> lateral = scenario.with_document(policy={"stockout_rule": "lateral"})  # doctest: +SKIP
        """
        problems: list[Problem] = []
        new_document = self.document
        if document is not None:
            data = (document.model_dump() if isinstance(document, ScenarioDocument)
                    else _merged(self.document.model_dump(), dict(document)))
            validated, found = validate_document(data, "scenario document")
            problems += found
            new_document = validated if validated is not None else self.document
        new_tables = dict(self.tables)
        names = self.source_names()
        for name, frame in (tables or {}).items():
            spec = ALL_TABLES.get(name)
            if spec is None:
                problems.append(Problem("tables", f"tables[{name!r}]", "must name a table of "
                                        f"the format ({', '.join(ALL_TABLES)})", name))
                continue
            names[name] = f"tables[{name!r}]"
            if frame is None:
                if name in REQUIRED_TABLES:
                    problems.append(Problem("tables", f"tables[{name!r}]",
                                            "a required table cannot be dropped", None))
                new_tables.pop(name, None)
                continue
            if not isinstance(frame, pd.DataFrame):
                problems.append(Problem("tables", f"tables[{name!r}]",
                                        "must be a pandas DataFrame", type(frame).__name__))
                continue
            repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
            if repeated:
                problems.append(Problem(names[name], "header", "column names must be unique",
                                        repeated))
                continue
            typed = validate_cells(_as_cells(frame), spec, names[name], problems)
            if typed is not None:
                new_tables[name] = typed
        if problems:
            raise ScenarioError(problems, self.name)
        problems = check_integrity(new_document, new_tables, names)
        if problems:
            raise ScenarioError(problems, self.name)
        return Scenario(document=new_document, tables=new_tables, path=self.path,
                        input_hash=scenario_hash(new_document, new_tables))

    def with_table(self, name: str, frame: pd.DataFrame) -> Scenario:
        """:meth:`replace` with one table: ``scenario.with_table("parts", parts)``."""
        return self.replace(tables={name: frame})

    def with_document(self, **changes: Any) -> Scenario:
        """:meth:`replace` with document changes, merged key by key:
        ``scenario.with_document(demand={"rate_quantile": 0.9})``."""
        return self.replace(document=changes)

    # -- the what-ifs an analyst asks (each one a :meth:`replace`) -----------------------

    def with_costs(self, **changes: Any) -> Scenario:
        """A copy with ``[costs]`` changed: ``holding_rate_per_year`` (fraction of unit cost
        per year), ``emergency_shipment_cost``, ``lateral_shipment_cost`` (currency per
        unit), ``inventory_budget`` (currency; ``None``: no budget).

        Examples
        --------
        >>> dearer = scenario.with_costs(holding_rate_per_year=0.3)  # doctest: +SKIP
        """
        return self.replace(document={"costs": changes})

    def with_policy(self, **changes: Any) -> Scenario:
        """A copy with ``[policy]`` changed: ``stockout_rule`` (``backorder``,
        ``emergency``, ``lateral``), ``emergency_response_hours``,
        ``max_stock_per_location``.

        Examples
        --------
        >>> lateral = scenario.with_policy(stockout_rule="lateral")  # doctest: +SKIP
        """
        return self.replace(document={"policy": changes})

    def with_sla(self, sla_class: str, **changes: Any) -> Scenario:
        """A copy with SLA class ``sla_class`` changed, key by key: ``scope``,
        ``fill_rate_within={"target": ..., "window_hours": ..., "penalty_per_miss": ...}``,
        ``uptime={"target": ..., "repair_hours": ..., "penalty_per_downtime_hour": ...}``
        (a commitment the class lacks is added; ``None`` removes one).

        Examples
        --------
        >>> tighter = scenario.with_sla("gold", fill_rate_within={"window_hours": 2.0},
        ...                             scope="class")  # doctest: +SKIP
        """
        classes = self.document.sla_classes
        if sla_class not in classes:
            raise ScenarioError([_unknown_class(sla_class, classes)], self.name)
        return self.replace(document={"sla_classes": {sla_class: changes}})

    def with_targets(self, **targets: float | Mapping[str, float]) -> Scenario:
        """A copy with new SLA targets per class: ``gold=0.97`` for a class with one
        commitment, ``silver={"fill_rate_within": 0.8, "uptime": 0.996}`` for either or
        both of a class's two (fill rate within the window, availability; shares from 0
        to 1, an uptime target below 1). For one SLA row alone, see
        ``spareplan.plan(..., targets={row: target})``.

        Raises
        ------
        ScenarioError
            An unknown class, a commitment the class does not have, a bare number for a
            class with two commitments, or a target out of its range (named by its field,
            ``sla_classes.gold.fill_rate_within.target``, with the rule and the value).

        Examples
        --------
        >>> stricter = scenario.with_targets(gold=0.97)  # doctest: +SKIP
        """
        problems: list[Problem] = []
        changes: dict[str, Any] = {}
        for name, wanted in targets.items():
            sla = self.document.sla_classes.get(name)
            if sla is None:
                problems.append(_unknown_class(name, self.document.sla_classes))
                continue
            held = [kind for kind in ("fill_rate_within", "uptime", "availability")
                    if getattr(sla, kind) is not None]
            if not isinstance(wanted, Mapping):
                if len(held) != 1:
                    problems.append(Problem(
                        "what-if", f"field sla_classes.{name}", f"the class has "
                        f"{', '.join(held[:-1])} and {held[-1]}: give the targets by commitment, "
                        f"{name}={{'{held[0]}': ..., '{held[1]}': ...}}", wanted))
                    continue
                wanted = {held[0]: wanted}
            for kind, target in wanted.items():
                if kind not in held:
                    problems.append(Problem(
                        "what-if", f"field sla_classes.{name}.{kind}",
                        f"must be a commitment of the class ({', '.join(held)}; with_sla "
                        "adds one)", kind))
                    continue
                changes.setdefault(name, {})[kind] = {"target": target}
        if problems:
            raise ScenarioError(problems, self.name)
        return self.replace(document={"sla_classes": changes})

    def with_lead_times(self, factor: float, *, replenishment: bool = True,
                        procurement: bool = True, repair: bool = True) -> Scenario:
        """A copy with lead times multiplied by ``factor`` (0.5: twice as fast).

        Parameters
        ----------
        factor : float
            Finite, >= 0.
        replenishment : bool
            ``locations.lead_time_days`` (from the parent location).
        procurement : bool
            ``parts.procurement_lead_time_days`` (a new buy to a central warehouse).
        repair : bool
            ``parts.repair_turnaround_days`` (repairables).

        Raises
        ------
        ParameterError
            ``factor`` is not a finite number >= 0, or no lead time is chosen.
        ScenarioError
            A scaled lead time breaks a rule of its table (e.g. above 36,525 days), named
            by table, row, column, rule and value.

        Examples
        --------
        >>> slower = scenario.with_lead_times(1.5, replenishment=False)  # doctest: +SKIP
        """
        if isinstance(factor, bool) or not isinstance(factor, int | float) \
                or not math.isfinite(factor) or factor < 0:
            raise ParameterError("factor", "must be a finite number >= 0", factor)
        if not (replenishment or procurement or repair):
            raise ParameterError("replenishment, procurement, repair", "at least one must "
                                 "be True", False)
        tables: dict[str, pd.DataFrame] = {}
        if replenishment:
            locations = self.locations
            locations["lead_time_days"] = locations["lead_time_days"] * float(factor)
            tables["locations"] = locations
        columns = [c for c, chosen in (("procurement_lead_time_days", procurement),
                                       ("repair_turnaround_days", repair)) if chosen]
        parts = self.parts
        columns = [c for c in columns if c in parts]
        if columns:
            parts[columns] = parts[columns] * float(factor)
            tables["parts"] = parts
        return self.replace(tables=tables)


def _unknown_class(name: str, classes: Mapping[str, Any]) -> Problem:
    return Problem("what-if", f"field sla_classes.{name}", "must name an SLA class of the "
                   f"scenario ({', '.join(classes)})", name)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], dict(value))
        elif hasattr(value, "model_dump"):
            out[key] = value.model_dump()
        else:
            out[key] = value
    return out


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _cell(value: Any) -> str:
    """One value as the text of a CSV cell (floats by ``repr``: they read back exactly)."""
    if _missing(value):
        return ""
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, dt.datetime):  # pandas.Timestamp too
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.strftime("%Y-%m-%d") if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A typed frame as the text cells its CSV file would hold (numbers round-trip)."""
    cells = {str(name): frame[name].astype(object).map(_cell).astype(str).to_numpy()
             for name in frame.columns}
    return pd.DataFrame(cells, index=pd.RangeIndex(len(frame)))


def _column_bytes(column: pd.Series) -> bytes:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        values = column.to_numpy(dtype="datetime64[s]").view("<i8")
        return b"d" + values.tobytes()
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        values = np.where(np.isnan(values), np.nan, values) + 0.0  # one NaN, no -0.0
        return b"f" + values.astype("<f8").tobytes()
    items = column.astype(object).where(column.notna(), None).tolist()
    return b"s" + json.dumps(items, ensure_ascii=False, default=str).encode("utf-8")


def scenario_hash(document: ScenarioDocument, tables: Mapping[str, pd.DataFrame]) -> str:
    """SHA-256 of the inputs a scenario holds (see the module docstring)."""
    digest = hashlib.sha256(_HASH_DOMAIN)
    settings = document.model_dump(mode="json", exclude={"tables"})  # paths: not inputs
    digest.update(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for name in sorted(tables):
        frame = tables[name]
        header = json.dumps([name, [str(c) for c in frame.columns], len(frame)])
        digest.update(b"\n" + header.encode("utf-8"))
        for column in frame.columns:
            digest.update(_column_bytes(frame[column]))
    return digest.hexdigest()
