"""Load a scenario folder or TOML file: parse, validate everything, report every problem.

What is read: the TOML file, then every table it names, each only when it is a regular
file inside the scenario folder (:mod:`spareplan.scenario.files`: no absolute path, no
``..``, no symbolic link leading outside, no folder, pipe or device, at most
:data:`~spareplan.scenario.files.MAX_TABLE_BYTES`) unless ``allow_outside_tables``.

What is reported, in one :class:`~spareplan.errors.ScenarioError`: every problem of the
TOML document and — when its ``[tables]`` section is readable even though other fields
are not — every problem of the tables as well, so one run shows all that needs fixing;
cross-table rules (:mod:`spareplan.scenario.integrity`) run once the document and every
table hold. A TOML nested too deep for the parser (``a = [[[[…]]]]``) is a problem like
any other, not a crash.
"""

from __future__ import annotations

import contextlib
import contextvars
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from spareplan.errors import Problem, ScenarioError
from spareplan.scenario.csv_reader import decode_utf8
from spareplan.scenario.document import ScenarioDocument, TablePaths, validate_document
from spareplan.scenario.files import (
    MAX_TABLE_BYTES,
    MAX_TOML_BYTES,
    FileRefused,
    confined_path,
    read_regular_file,
)
from spareplan.scenario.integrity import check_integrity
from spareplan.scenario.model import Scenario, scenario_hash
from spareplan.scenario.tables import ALL_TABLES, parse_table

__all__ = ["SCENARIO_FILE", "load_scenario", "outside_tables_allowed", "resolve_scenario_path"]

SCENARIO_FILE = "scenario.toml"
_OUTSIDE_ALLOWED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "spareplan_outside_tables_allowed", default=False)


@contextlib.contextmanager
def outside_tables_allowed() -> Iterator[None]:
    """Within the block, :func:`load_scenario` reads tables outside the scenario folder by
    default (what ``spareplan --allow-outside-tables`` sets for one command)."""
    token = _OUTSIDE_ALLOWED.set(True)
    try:
        yield
    finally:
        _OUTSIDE_ALLOWED.reset(token)


def resolve_scenario_path(path: str | Path) -> Path:
    """The TOML file of ``path``: the file itself, or ``scenario.toml`` inside a folder."""
    path = Path(path)
    return path / SCENARIO_FILE if path.is_dir() else path


def _parse_toml(text: str, source: str) -> tuple[object, list[Problem]]:
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(source, "syntax", "must be valid TOML", str(error))]
    except RecursionError:
        return None, [Problem(source, "syntax", "must be valid TOML that Python can read: "
                              "arrays or tables nested too deep", "nesting deeper than "
                              "about 900 levels")]
    except (ValueError, MemoryError) as error:
        return None, [Problem(source, "syntax", "must be valid TOML",
                              f"{type(error).__name__}: {str(error)[:200]}")]


def _table_paths(data: object) -> TablePaths | None:
    """The ``[tables]`` section alone, when it is valid (to check tables anyway)."""
    if not isinstance(data, dict):
        return None
    try:
        return TablePaths.model_validate(data.get("tables"))
    except (ValidationError, RecursionError):
        return None


def _read_tables(paths: TablePaths, folder: Path, source: str, allow_outside: bool,
                 problems: list[Problem]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, spec in ALL_TABLES.items():
        relative = getattr(paths, name)
        if relative is None:
            continue
        files[name] = Path(relative).name or relative
        try:
            table_path = confined_path(folder, relative, allow_outside=allow_outside)
            data = read_regular_file(table_path, MAX_TABLE_BYTES, shown=relative)
        except FileRefused as refused:
            problems.append(Problem(source, f"field tables.{name}", refused.rule,
                                    refused.value))
            continue
        frame = parse_table(data, spec, files[name], problems)
        if frame is not None:
            tables[name] = frame
    return tables, files


def load_scenario(path: str | Path, *, allow_outside_tables: bool | None = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario folder holding ``scenario.toml``, or the TOML file itself. Table
        paths in ``[tables]`` are relative to the TOML file.
    allow_outside_tables : bool, optional
        Read tables named by an absolute path, through ``..`` or through a symbolic link
        leading out of the scenario folder. Refused by default (a scenario from someone
        else must not make spareplan read other files); ``None`` follows
        :func:`outside_tables_allowed` (the CLI's ``--allow-outside-tables``).

    Returns
    -------
    Scenario
        The validated scenario with typed tables; ``input_hash`` is
        :func:`~spareplan.scenario.model.scenario_hash` of what was read.

    Raises
    ------
    ScenarioError
        With every problem found (file, row or field, rule, value received).

    Examples
    --------
    >>> scenario = load_scenario("scenarios/tiny")  # doctest: +SKIP
    >>> scenario.parts[["part", "unit_cost"]].head()  # doctest: +SKIP
    """
    if allow_outside_tables is None:
        allow_outside_tables = _OUTSIDE_ALLOWED.get()
    toml_path = resolve_scenario_path(path)
    source = toml_path.name
    if toml_path != Path(path) and not toml_path.exists():
        listing = sorted(p.name for p in Path(path).iterdir())[:10]
        raise ScenarioError([Problem(str(toml_path), "", f"scenario file must exist (a "
                                     f"scenario folder holds {SCENARIO_FILE})", listing)])
    try:
        raw_bytes = read_regular_file(toml_path, MAX_TOML_BYTES, shown=str(path))
    except FileRefused as refused:
        rule = "scenario file must exist" if refused.rule == "file must exist" else (
            f"scenario file {refused.rule.removeprefix('file ')}")
        raise ScenarioError([Problem(str(toml_path), "", rule, refused.value)]) from None
    problems: list[Problem] = []
    text = decode_utf8(raw_bytes, source, problems)
    if text is None:
        raise ScenarioError(problems, str(toml_path))
    data, problems = _parse_toml(text, source)
    if problems:
        raise ScenarioError(problems, str(toml_path))
    document, problems = validate_document(data, source)
    paths = document.tables if document is not None else _table_paths(data)
    if paths is None:
        raise ScenarioError(problems, str(toml_path))
    tables, files = _read_tables(paths, toml_path.parent, source, allow_outside_tables,
                                 problems)
    if problems or document is None:
        raise ScenarioError(problems, str(toml_path))
    problems = check_integrity(document, tables, files)
    if problems:
        raise ScenarioError(problems, str(toml_path))
    return _scenario(document, tables, toml_path)


def _scenario(document: ScenarioDocument, tables: dict[str, pd.DataFrame],
              toml_path: Path) -> Scenario:
    return Scenario(document=document, tables=tables, path=toml_path,
                    input_hash=scenario_hash(document, tables))
