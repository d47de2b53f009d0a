"""Load a scenario folder or TOML file: parse, validate everything, report every problem."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from spareplan.errors import Problem, ScenarioError
from spareplan.scenario.document import ScenarioDocument
from spareplan.scenario.integrity import check_integrity
from spareplan.scenario.model import Scenario
from spareplan.scenario.tables import ALL_TABLES, decode_utf8, parse_table

SCENARIO_FILE = "scenario.toml"


def resolve_scenario_path(path: str | Path) -> Path:
    """The TOML file of ``path``: the file itself, or ``scenario.toml`` inside a folder."""
    path = Path(path)
    return path / SCENARIO_FILE if path.is_dir() else path


def _pydantic_problems(error: ValidationError, source: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "document"
        rule = item["msg"]
        if item["type"] == "missing":
            rule = "is required"
        elif item["type"] == "extra_forbidden":
            rule = "is not a known field (check the spelling)"
        problems.append(Problem(source, f"field {field}", rule, item.get("input")))
    return problems


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    path : str or pathlib.Path
        A scenario folder holding ``scenario.toml``, or the TOML file itself. Table
        paths in ``[tables]`` are relative to the TOML file.

    Returns
    -------
    Scenario
        The validated scenario with typed tables.

    Raises
    ------
    ScenarioError
        With every problem found (file, row or field, rule, value received).

    Examples
    --------
    >>> scenario = load_scenario("scenarios/tiny")  # doctest: +SKIP
    >>> scenario.parts[["part", "unit_cost"]].head()  # doctest: +SKIP
    """
    toml_path = resolve_scenario_path(path)
    source = toml_path.name
    try:
        raw_bytes = toml_path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(str(toml_path), "", "scenario file must exist",
                                     str(path))]) from None
    except OSError as error:
        raise ScenarioError([Problem(str(toml_path), "", "scenario file must be readable",
                                     str(error))]) from None
    problems: list[Problem] = []
    text = decode_utf8(raw_bytes, source, problems)
    if text is None:
        raise ScenarioError(problems, str(toml_path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([Problem(source, "syntax", "must be valid TOML", str(error))],
                            str(toml_path)) from None
    try:
        document = ScenarioDocument.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_pydantic_problems(error, source), str(toml_path)) from None

    digest = hashlib.sha256(raw_bytes)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, spec in ALL_TABLES.items():
        relative = getattr(document.tables, name)
        if relative is None:
            continue
        table_path = (toml_path.parent / relative)
        files[name] = table_path.name
        try:
            table_bytes = table_path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(source, f"field tables.{name}", "file must exist",
                                    relative))
            continue
        except OSError as error:
            problems.append(Problem(source, f"field tables.{name}", "file must be readable",
                                    f"{relative}: {error}"))
            continue
        digest.update(name.encode())
        digest.update(table_bytes)
        frame = parse_table(table_bytes, spec, table_path.name, problems)
        if frame is not None:
            tables[name] = frame
    if problems:
        raise ScenarioError(problems, str(toml_path))
    problems = check_integrity(document, tables, files)
    if problems:
        raise ScenarioError(problems, str(toml_path))
    return Scenario(document=document, tables=tables, path=toml_path,
                    input_hash=digest.hexdigest())
