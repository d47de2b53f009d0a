"""``spareplan warn``: early warning and the supplier-continuity register.

A plain function annotated for typer; the application registers it as a command and maps
:class:`spareplan.errors.InputError` to exit code 2.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from spareplan.cli.common import start_command
from spareplan.errors import InputError, ParameterError
from spareplan.reports.atomic import atomic_folder, write_csv, write_json
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
    ``notices/<site>.md`` and ``summary.json`` into ``out``, atomically: a staging folder
    beside ``out`` replaces it only when complete
    (:func:`spareplan.reports.atomic.atomic_folder`), so an interrupted run leaves the
    previous output whole. Every input (scenario, plan, parameters, state file) is checked
    before the alert history is written.

    Returns
    -------
    int
        0 when the run worked, whatever the alerts. Bad input raises
        :class:`spareplan.errors.InputError` (exit 2).
    """
    start_command(out=out, scenario=scenario, inputs=[plan, state])
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

    with atomic_folder(out) as staging:
        write_csv(staging / "alerts.csv", result.alerts)
        write_csv(staging / "register_findings.csv", result.register_findings)
        write_csv(staging / "pab.csv", result.pab)
        write_csv(staging / "countermeasures.csv", result.countermeasures)
        (staging / "notices").mkdir()
        for site, text in result.notices.items():
            (staging / "notices" / f"{_file_name(site)}.md").write_text(text, encoding="utf-8")
        write_json(staging / "summary.json", summary)
    return 0
