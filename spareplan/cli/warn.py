"""``spareplan warn``: shortage probabilities, alerts, notices, supplier register.

A plain function annotated for typer; the application registers it as a command and maps
:class:`spareplan.errors.InputError` to exit code 2.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spareplan.cli.common import say, start_command
from spareplan.cli.progress import command_progress
from spareplan.errors import InputError, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from spareplan.progress import Progress
    from spareplan.scenario.model import Scenario
    from spareplan.warning import WarningResult

__all__ = ["load_plan", "warn_command"]

OUTPUT_FILES = ("alerts.csv", "register_findings.csv", "pab.csv", "countermeasures.csv",
                "summary.json")


def _parse_as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ParameterError("--as-of", "must be a date YYYY-MM-DD", text) from None


def _read_plan(path: Path) -> "pd.DataFrame":
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{path}: plan file not found (--plan)")
    try:
        return pd.read_csv(path, dtype={"part": str, "location": str, "stock": str},
                           keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None


def load_plan(path: Path, scenario: "Scenario") -> "pd.DataFrame":
    """The ``--plan`` table, checked against the scenario (every problem, exit 2)."""
    from spareplan.warning.inputs import WarnInputError, check_plan

    frame = _read_plan(Path(path))
    problems = check_plan(frame, scenario, Path(path).name)
    if problems:
        raise WarnInputError(problems)
    return frame


def _check_state_outside(state: Path | None, out: Path) -> None:
    """The output folder is replaced on every run: a history inside it would be lost."""
    if state is None:
        return
    folder, file = Path(out).resolve(), Path(state).resolve()
    if file == folder or file.is_relative_to(folder):
        raise ParameterError("--state", f"must not be inside --out {out} (the output "
                             "folder is replaced on every run)", str(state))


def _publish(out: Path, summary: Mapping[str, object], progress: "Progress | None" = None
             ) -> "Callable[[WarningResult], None]":
    def write(result: "WarningResult") -> None:
        import pandas as pd

        from spareplan.reports.atomic import atomic_folder, write_csv, write_json
        from spareplan.warning.notices import notice_file_names

        if progress is not None:
            progress.stage("writing outputs", detail=f"{out}")
        names = notice_file_names(sorted(result.notices))
        with atomic_folder(out) as staging:
            write_csv(staging / "alerts.csv", result.alerts)
            write_csv(staging / "register_findings.csv", result.register_findings)
            write_csv(staging / "pab.csv", result.pab)
            write_csv(staging / "countermeasures.csv", result.countermeasures)
            notices = staging / "notices"
            notices.mkdir()
            for site, text in result.notices.items():
                (notices / names[site]).write_text(text, encoding="utf-8")
            write_csv(notices / "index.csv",
                      pd.DataFrame({"site": list(names), "file": list(names.values())},
                                   columns=["site", "file"]))
            write_json(staging / "summary.json", {**summary, **result.summary()})
    return write


def warn_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder or scenario.toml.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    plan: Annotated[Path | None, typer.Option("--plan", help="recommendations.csv of "
                                              "`spareplan plan`: its stock is the base "
                                              "stock of each part and location.")] = None,
    state: Annotated[Path | None, typer.Option("--state", help="SQLite alert history "
                                               "(created on first use; not inside "
                                               "--out).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="First day of week 1, "
                                              "YYYY-MM-DD (default: [early_warning] as_of, "
                                              "else today).")] = None,
    horizon_weeks: Annotated[int | None, typer.Option("--horizon-weeks", help="Weeks "
                                                      "projected (default: [early_warning] "
                                                      "horizon_weeks).")] = None,
) -> int:
    """Project shortage probabilities, raise alerts, draft notices, check the register.

    Writes ``alerts.csv``, ``register_findings.csv``, ``pab.csv``, ``countermeasures.csv``,
    ``notices/<site>.md`` (with ``notices/index.csv``: site id to file) and
    ``summary.json`` into ``out``, atomically: a staging folder beside ``out`` replaces it
    only when complete (:func:`spareplan.reports.atomic.atomic_folder`), and the alert
    history is committed only after that, so an interrupted run leaves the previous
    output whole and the next run repeats it. Every input (scenario, plan, parameters,
    supplier register, state file) is checked before anything is written. A summary
    (alerts per level, changes, customers to notify, follow-ups overdue) goes to stderr.

    Returns
    -------
    int
        0 when the run worked, whatever the alerts. Bad input raises
        :class:`spareplan.errors.InputError` (exit 2).
    """
    from spareplan.scenario.load import load_scenario
    from spareplan.warning import warn

    start_command(out=out, scenario=scenario, inputs=[plan, state])
    as_of_date = _parse_as_of(as_of)
    _check_state_outside(state, out)
    with command_progress("warn") as progress:
        progress.stage("scenario", detail=f"loading and checking {scenario}")
        loaded = load_scenario(scenario)
        plan_frame = None if plan is None else load_plan(Path(plan), loaded)
        summary = {"command": "warn", "scenario": loaded.name,
                   "scenario_path": str(scenario),
                   "plan": None if plan is None else str(plan),
                   "state": None if state is None else str(state)}
        progress.stage("projection", detail="shortage probabilities, alerts, notices, "
                       "supplier register")
        result = warn(loaded, plan=plan_frame, as_of=as_of_date,
                      horizon_weeks=horizon_weeks,
                      state=None if state is None else Path(state),
                      plan_source=Path(plan).name if plan is not None else "plan",
                      publish=_publish(Path(out), summary, progress))
    for line in result.console_lines():
        say(line)
    say(f"wrote {out}")
    return 0
