"""Read a plan folder back (what ``spareplan report DIR`` rebuilds the report from).

:func:`read_plan_folder` checks every file it uses before the report is rendered: the
folder is one that ``spareplan plan`` wrote (its marker), ``summary.json`` is a JSON object
with the fields the report reads and of the right type, and ``recommendations.csv`` and
``service.csv`` hold their columns with valid values. A broken rule raises
:class:`PlanFolderError` naming the file, the field (or row and column), the rule and the
value received. The files written by ``spareplan plan`` for the report
(``explanations.csv``, ``kpis_parts.csv``, ``kpis_locations.csv``, ``plan_context.json``)
are optional: a folder of an older plan gets a report without those sections.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spareplan.errors import InputError, Problem
from spareplan.reports.atomic import MARKER

__all__ = ["PlanFiles", "PlanFolderError", "read_plan_files", "read_plan_folder"]

#: Largest file read (bytes): a plan folder's files are far smaller.
MAX_FILE_BYTES = 1 << 30

_SUMMARY_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # name: (types, may be null)
    "scenario": (str, False), "status": (str, False), "objective": ((int, float), False),
    "lower_bound": ((int, float), True), "gap": ((int, float), True),
    "service_model": (str, False), "bound_model": (str, True),
    "analytic_bound": ((int, float), True),
    "premium_over_analytic_bound": ((int, float), True),
    "verification": (dict, True), "meets_every_sla": (bool, False),
    "inventory_value": ((int, float), False), "holding_cost": ((int, float), False),
    "shipping_cost": ((int, float), False), "seed": (int, False),
    "input_hash": (str, False),
}
_RECOMMENDATION_COLUMNS = {"part": "text", "location": "text", "stock": "count",
                           "current_stock": "count", "delta": "integer",
                           "unit_cost": "amount", "yearly_holding_cost": "amount"}
_SERVICE_COLUMNS = {"sla_row": "text", "kind": "text", "target": "share",
                    "planned": "share_or_empty", "meets_target": "bool"}
_SERVICE_OPTIONAL = {"simulated": "share_or_empty", "ci_low": "share_or_empty",
                     "ci_high": "share_or_empty", "std_error": "amount_or_empty",
                     "verdict": "text", "sla_class": "text", "window_hours": "amount_or_empty",
                     "demand_per_year": "amount_or_empty"}
_EXPLANATION_COLUMNS = {"part": "text", "location": "text", "stock": "count", "kind": "text",
                        "sla_row": "text", "explanation": "text",
                        "value_per_year": "amount_or_empty",
                        "cost_per_year": "real"}


class PlanFolderError(InputError):
    """A plan folder cannot be read: names the file, the field, the rule and the value."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(f"plan folder: {problem}")


@dataclass(frozen=True)
class PlanFiles:
    """The files of a plan folder, checked.

    Attributes
    ----------
    folder : pathlib.Path
    summary : dict
        summary.json.
    recommendations, service : pandas.DataFrame
    explanations, part_kpis, location_kpis : pandas.DataFrame or None
        explanations.csv, kpis_parts.csv, kpis_locations.csv when present.
    context : dict
        plan_context.json (currency, network totals), ``{}`` when absent.
    """

    folder: Path
    summary: dict[str, Any]
    recommendations: pd.DataFrame
    service: pd.DataFrame
    explanations: pd.DataFrame | None
    part_kpis: pd.DataFrame | None
    location_kpis: pd.DataFrame | None
    context: dict[str, Any]

    @property
    def currency(self) -> str:
        value = self.context.get("currency")
        return value if isinstance(value, str) else ""


def _fail(source: str, location: str, rule: str, value: object = None) -> PlanFolderError:
    return PlanFolderError(Problem(source, location, rule, value))


def _text(path: Path) -> str:
    name = path.name
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise _fail(name, "", "is missing: the folder is not a plan written by "
                    "`spareplan plan`", str(path.parent)) from None
    except OSError as error:
        raise _fail(name, "", f"cannot be read ({error.strerror})", str(path)) from None
    if path.is_symlink() or not path.is_file():
        raise _fail(name, "", "must be a regular file (not a folder or a link)", str(path))
    if info.st_size > MAX_FILE_BYTES:
        raise _fail(name, "", f"must be at most {MAX_FILE_BYTES} bytes", info.st_size)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise _fail(name, f"byte {error.start}", "must be UTF-8 text", None) from None
    except OSError as error:
        raise _fail(name, "", f"cannot be read ({error.strerror})", str(path)) from None


def _json(path: Path, texts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A JSON file of the folder (or its text in ``texts``, by file name)."""
    text = _text(path) if texts is None else texts[path.name]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(path.name, f"line {error.lineno}, column {error.colno}",
                    f"must be valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise _fail(path.name, "", "must hold a JSON object", type(data).__name__)
    return data


def _check_summary(summary: dict[str, Any]) -> None:
    for name, (types, nullable) in _SUMMARY_FIELDS.items():
        if name not in summary:
            raise _fail("summary.json", f"field {name}", "is missing")
        value = summary[name]
        if value is None and nullable:
            continue
        wanted = types if isinstance(types, tuple) else (types,)
        is_bool = isinstance(value, bool)
        if not isinstance(value, wanted) or (is_bool and bool not in wanted):
            names = {(int, float): "a number", (str,): "text", (dict,): "an object",
                     (bool,): "true or false", (int,): "an integer"}.get(wanted, "valid")
            raise _fail("summary.json", f"field {name}",
                        f"must be {names}{' or null' if nullable else ''}", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail("summary.json", f"field {name}", "must be a finite number", value)


def _csv(path: Path, texts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A CSV table of the folder (or its text in ``texts``, by file name), as text cells."""
    import io

    text = _text(path) if texts is None else texts[path.name]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise _fail(path.name, "", f"must be a CSV table with a header ({error})") from None
    return frame


def _convert(frame: pd.DataFrame, source: str, columns: dict[str, str], *,
             required: bool = True) -> pd.DataFrame:
    """Check and convert ``columns`` of a text frame by their rule."""
    out = frame.copy()
    for column, rule in columns.items():
        if column not in frame.columns:
            if required:
                raise _fail(source, f"column {column}", "is missing",
                            ", ".join(frame.columns) or "no column")
            continue
        out[column] = _converted(frame[column], source, column, rule)
    return out


def _converted(cells: pd.Series, source: str, column: str, rule: str) -> pd.Series:
    if rule == "text":
        return cells.astype(str)
    if rule == "bool":
        mapped = cells.str.strip().str.lower().map({"true": True, "false": False})
        bad = mapped.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(source, f"row {i + 2}, column {column}", "must be True or False",
                        cells.iloc[i])
        return mapped.astype(bool)
    empty_ok = rule.endswith("_or_empty")
    numbers = pd.to_numeric(cells.where(cells.str.strip() != "", "nan"), errors="coerce")
    blank = cells.str.strip() == ""
    bad = numbers.isna() & ~(blank & empty_ok) | np.isinf(numbers)
    base = rule.removesuffix("_or_empty")
    if base == "count":
        bad |= (numbers < 0) | (numbers != np.floor(numbers))
        what = "an integer >= 0"
    elif base == "integer":
        bad |= numbers != np.floor(numbers)
        what = "an integer"
    elif base == "amount":
        bad |= numbers < 0
        what = "a number >= 0"
    elif base == "share":
        bad |= (numbers < 0) | (numbers > 1)
        what = "a number from 0 to 1"
    else:
        what = "a number"
    bad &= ~(blank & empty_ok)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _fail(source, f"row {i + 2}, column {column}",
                    f"must be {what}{' or empty' if empty_ok else ''}", cells.iloc[i])
    if base in ("count", "integer"):
        return numbers.astype(np.int64)
    return numbers.astype(np.float64)


def _check_marker(folder: Path) -> None:
    path = folder / MARKER
    if not path.exists():
        raise _fail(str(folder), f"file {MARKER}", "must exist: the folder is not a plan "
                    "written by `spareplan plan`", "missing")
    marker = _json(path)
    if marker.get("written_by") != "spareplan":
        raise _fail(MARKER, "field written_by", "must be 'spareplan'", marker.get("written_by"))
    if marker.get("command") not in (None, "plan"):  # None: written by the Python API
        raise _fail(MARKER, "field command", "must be 'plan' (a folder written by "
                    "`spareplan plan`)", marker.get("command"))


def _optional_csv(folder: Path, name: str, columns: dict[str, str],
                  texts: Mapping[str, str] | None = None) -> pd.DataFrame | None:
    present = (folder / name).exists() if texts is None else name in texts
    if not present:
        return None
    frame = _csv(folder / name, texts)
    numeric = {c: "real_or_empty" for c in frame.columns if c not in columns
               and c not in ("part", "location", "kind", "parent", "rows", "repairable")}
    return _convert(_convert(frame, name, columns), name, numeric)


def read_plan_folder(folder: str | Path) -> PlanFiles:
    """Read and check the files of a plan folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder written by ``spareplan plan``.

    Raises
    ------
    PlanFolderError
        When the folder is missing, not written by ``spareplan plan``, or a file breaks a
        rule (the file, field or row and column, the rule and the value are named).
    """
    folder = Path(folder)
    if not folder.exists():
        raise _fail(str(folder), "", "must be an existing plan folder", "missing")
    if folder.is_symlink() or not folder.is_dir():
        raise _fail(str(folder), "", "must be a folder written by `spareplan plan` (not a "
                    "file or a link)", "not a folder")
    _check_marker(folder)
    return read_plan_files(folder)


def read_plan_files(folder: Path, texts: Mapping[str, str] | None = None) -> PlanFiles:
    """Read and check the files of a plan in ``folder`` (a staging folder: no marker
    needed); see :func:`read_plan_folder`.

    ``texts``: the files' texts by name instead of the folder's files (a plan in memory,
    :func:`spareplan.reports.plan_outputs.plan_files`; a name absent is a file absent),
    read by the same rules.
    """
    summary = _json(folder / "summary.json", texts)
    _check_summary(summary)
    recommendations = _convert(_csv(folder / "recommendations.csv", texts),
                               "recommendations.csv", _RECOMMENDATION_COLUMNS)
    service = _convert(_csv(folder / "service.csv", texts), "service.csv", _SERVICE_COLUMNS)
    service = _convert(service, "service.csv", _SERVICE_OPTIONAL, required=False)
    has_context = ((folder / "plan_context.json").exists() if texts is None
                   else "plan_context.json" in texts)
    context = _json(folder / "plan_context.json", texts) if has_context else {}
    parts = _optional_csv(folder, "kpis_parts.csv", {"part": "text"}, texts)
    locations = _optional_csv(folder, "kpis_locations.csv",
                              {"location": "text", "kind": "text", "parent": "text"}, texts)
    explanations = _optional_csv(folder, "explanations.csv", _EXPLANATION_COLUMNS, texts)
    return PlanFiles(folder=folder, summary=summary, recommendations=recommendations,
                     service=service, explanations=explanations, part_kpis=parts,
                     location_kpis=locations, context=context)
