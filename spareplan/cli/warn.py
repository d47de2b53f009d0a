"""``spareplan warn``: early warning and the supplier-continuity register.

A plain function annotated for typer; the application registers it as a command and maps
:class:`spareplan.errors.InputError` to exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from spareplan.errors import InputError, ParameterError
from spareplan.scenario import load_scenario
from spareplan.warning import warn
from spareplan.warning.inputs import WarnInputError, check_plan

__all__ = ["warn_command"]

OUTPUT_FILES = ("alerts.csv", "register_findings.csv", "pab.csv", "countermeasures.csv",
                "summary.json")


def _file_name(site: str) -> str:
    """A site id as a file name: path separators and other unsafe characters become ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", site).lstrip(".") or "_"


def _parse_as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ParameterError("--as-of", "must be a date YYYY-MM-DD", text) from None


def _read_plan(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: plan file not found (--plan)")
    try:
        return pd.read_csv(path, dtype={"part": str, "location": str}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None


def _replace_folder_contents(staging: Path, out: Path) -> None:
    """Move every staged file and the ``notices`` folder into ``out`` (renames only)."""
    for name in OUTPUT_FILES:
        os.replace(staging / name, out / name)
    old_notices = out / "notices"
    if old_notices.exists():
        trash = Path(tempfile.mkdtemp(prefix=".old-notices-", dir=out))
        os.replace(old_notices, trash / "notices")
        shutil.rmtree(trash, ignore_errors=True)
    os.replace(staging / "notices", old_notices)


def warn_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder or scenario.toml.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    plan: Annotated[Path | None, typer.Option("--plan", help="recommendations.csv of "
                                              "`spareplan plan`: its stock is the safety "
                                              "stock.")] = None,
    state: Annotated[Path | None, typer.Option("--state", help="SQLite alert history "
                                               "(created on first use).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="First day of week 1, "
                                              "YYYY-MM-DD (default: [early_warning] as_of, "
                                              "else today).")] = None,
    horizon_weeks: Annotated[int | None, typer.Option("--horizon-weeks", help="Weeks "
                                                      "projected (default: [early_warning] "
                                                      "horizon_weeks).")] = None,
) -> int:
    """Project balances, raise shortage alerts, check the supplier register.

    Writes ``alerts.csv``, ``register_findings.csv``, ``pab.csv``, ``countermeasures.csv``,
    ``notices/<site>.md`` and ``summary.json`` into ``out``. Everything is built in a
    temporary folder inside ``out`` and moved in with renames, so an error leaves no
    partial output. Every input (scenario, plan, parameters, state file) is checked before
    the alert history is written.

    Returns
    -------
    int
        0 when the run worked, whatever the alerts. Bad input raises
        :class:`spareplan.errors.InputError` (exit 2).
    """
    as_of_date = _parse_as_of(as_of)
    loaded = load_scenario(scenario)
    plan_frame = None
    if plan is not None:
        plan_frame = _read_plan(Path(plan))
        problems = check_plan(plan_frame, loaded, Path(plan).name)
        if problems:
            raise WarnInputError(problems)
    result = warn(loaded, plan=plan_frame, as_of=as_of_date, horizon_weeks=horizon_weeks,
                  state=None if state is None else Path(state),
                  plan_source=Path(plan).name if plan is not None else "plan")
    summary = {"command": "warn", "scenario": loaded.name, "scenario_path": str(scenario),
               "plan": None if plan is None else str(plan),
               "state": None if state is None else str(state), **result.summary()}

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".warn-", dir=out))
    try:
        result.alerts.to_csv(staging / "alerts.csv", index=False)
        result.register_findings.to_csv(staging / "register_findings.csv", index=False)
        result.pab.to_csv(staging / "pab.csv", index=False)
        result.countermeasures.to_csv(staging / "countermeasures.csv", index=False)
        (staging / "notices").mkdir()
        for site, text in result.notices.items():
            (staging / "notices" / f"{_file_name(site)}.md").write_text(text, encoding="utf-8")
        (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n",
                                              encoding="utf-8")
        _replace_folder_contents(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0
