"""The batch interface (issue 14, item 4): lazy imports, exit code 64 for usage errors,
help that renders, progress on stderr and nothing but ``--json`` on stdout, and
``summary.json`` for a run that fails in the solver.

Import *time* is measured in ``benchmarks/import_time.py``, never asserted here; these
tests check which modules get imported, which is deterministic.
"""

from __future__ import annotations

import importlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spareplan.cli.app import app
from spareplan.cli.common import EXIT_INPUT, EXIT_USAGE
from spareplan.cli.progress import HEARTBEAT_SECONDS, ConsoleProgress, LineProgress
from spareplan.errors import SolverFailure
from spareplan.progress import ChunkCounter, forward_logs

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"
#: What a command that plans nothing must not load (numba's compiler, the MILP solvers,
#: the plots, scipy).
HEAVY = ("numba", "highspy", "pulp", "matplotlib", "scipy")
COMMANDS = ("validate", "plan", "report", "simulate", "frontier", "warn", "warn-ack",
            "warn-backtest", "backtest")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after ``code`` runs in a fresh interpreter."""
    probe = (f"import sys\n{code}\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_app_module_imports_no_numerical_package() -> None:
    loaded = _loaded_after("import spareplan.cli.app")
    assert not loaded & {*HEAVY, "numpy", "pandas", "pydantic"}


def test_validate_loads_neither_numba_nor_a_solver() -> None:
    loaded = _loaded_after(
        "from spareplan.cli.app import app\n"
        f"code = app(['--quiet', 'validate', {str(TINY)!r}], standalone_mode=False)\n"
        "assert code == 0, code")
    assert "pandas" in loaded  # the scenario's tables are read with pandas
    assert not loaded & set(HEAVY)


def test_the_commands_annotations_are_objects_not_strings() -> None:
    """typer evaluates string annotations (``from __future__ import annotations``) of
    every command twice at every start; the command modules keep them as objects."""
    callbacks = [info.callback for info in app.registered_commands]
    callbacks.append(app.registered_callback.callback)
    for callback in callbacks:
        function = getattr(callback, "__wrapped__", callback)
        strings = [name for name, value in function.__annotations__.items()
                   if isinstance(value, str)]
        assert not strings, (function.__module__, function.__name__, strings)


def test_validate_loads_only_the_scenario_code() -> None:
    """``validate`` pays for the loader and the output contract, nothing of planning,
    simulation or reports (whose modules import pandas, numpy and scipy at the top)."""
    probe = ("import sys\nfrom spareplan.cli.app import app\n"
             f"app(['--quiet', 'validate', {str(TINY)!r}], standalone_mode=False)\n"
             "print(' '.join(sorted(m for m in sys.modules if m.startswith('spareplan.'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    loaded = set(done.stdout.split())
    assert "spareplan.scenario.load" in loaded
    allowed = ("spareplan.scenario", "spareplan.cli", "spareplan.reports.atomic",
               "spareplan.reports")
    kinds = {name.split(".")[1] for name in loaded if not name.startswith(allowed)}
    assert kinds <= {"_numba", "display", "errors", "progress", "versions"}, kinds


def test_the_output_contract_and_the_version_need_no_pandas() -> None:
    """Every command (``validate`` too) imports the output contract and the version;
    pandas is imported where a table is written, and ``importlib.metadata`` where the
    versions are."""
    loaded = _loaded_after("import spareplan.reports.atomic, spareplan.versions, "
                           "spareplan.cli.common")
    assert not loaded & {"pandas", "numpy", "pydantic"}
    code = ("import spareplan.versions\n"
            "assert 'importlib.metadata' not in sys.modules\n"
            "assert spareplan.versions.package_versions()['spareplan']")
    _loaded_after(code)


def test_the_package_api_is_imported_on_first_use() -> None:
    loaded = _loaded_after(
        "import spareplan\n"
        "assert set(spareplan.__all__) <= set(dir(spareplan))\n"
        "assert 'numba' not in sys.modules\n"
        "from spareplan import plan, PlanResult, simulate\n"
        "assert spareplan.plan is plan and callable(plan) and callable(simulate)\n"
        "try:\n"
        "    spareplan.no_such_name\n"
        "except AttributeError as error:\n"
        "    assert 'no_such_name' in str(error)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')")
    assert "numba" in loaded  # planning does need it, once asked for


def test_the_numba_cache_folder_is_chosen_before_numba_is_imported(tmp_path: Path) -> None:
    """spareplan/_numba.py sets NUMBA_CACHE_DIR without importing numba; a kernel module
    imported later (here through the lazy API) compiles into that folder."""
    loaded = _loaded_after(
        "import os, spareplan\n"
        "assert 'numba' not in sys.modules\n"
        "folder = os.environ['NUMBA_CACHE_DIR']\n"
        "from numba.core import config\n"
        "assert config.CACHE_DIR == folder, (config.CACHE_DIR, folder)")
    assert "numba" in loaded


def test_a_function_named_like_its_submodule_stays_the_function() -> None:
    _loaded_after(
        "import solvers\n"
        "assert 'numba' not in sys.modules and 'scipy' not in sys.modules\n"
        "from solvers.column_generation import ColumnGenerationSettings\n"
        "assert callable(solvers.column_generation), solvers.column_generation\n"
        "assert solvers.column_generation.__module__ == 'solvers.column_generation'")


@pytest.mark.parametrize("arguments", [
    ["plan", str(TINY), "--bogus"],                 # unknown option
    ["validate"],                                   # missing argument
    ["plan", str(TINY)],                            # missing required option --out
    ["no-such-command"],                            # unknown command
    ["--no-such-global", "validate", str(TINY)],    # unknown option of the group
    ["plan", str(TINY), "--out", "x", "--seed", "abc"],  # not of the option's type
    ["validate", str(TINY), "extra"],               # an argument too many
], ids=["option", "argument", "required-option", "command", "group-option", "type",
        "extra"])
def test_usage_errors_exit_64(arguments: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == EXIT_USAGE == 64, result.output
    assert "Usage:" in result.stderr and result.stdout == ""
    assert not (tmp_path / "x").exists()


def test_spareplan_alone_prints_the_help_on_stderr_and_exits_64() -> None:
    """A job that ran ``spareplan`` with nothing did no work: not exit 0, and nothing on
    stdout (which carries only --json); ``--help``, asked for, is stdout and 0."""
    done = _run([])
    assert done.returncode == EXIT_USAGE == 64, done.stderr
    assert done.stdout == ""
    assert "Usage: python -m spareplan" in done.stderr and "validate" in done.stderr
    asked = _run(["--help"])
    assert asked.returncode == 0 and asked.stderr == ""
    assert "Usage: python -m spareplan" in asked.stdout
    assert "alone prints this help on stderr and exits 64" in " ".join(asked.stdout.split())


def test_angle_brackets_in_a_description_stay_visible() -> None:
    assert "DIR/<variant>/" in _help("sweep")


def test_a_bad_value_the_program_checks_stays_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "p"),
                                      "--goal", "servic"])
    assert result.exit_code == EXIT_INPUT == 2, result.output


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_help_documents_the_usage_exit_code() -> None:
    text = " ".join(_help().split())
    assert "64 a usage error" in text and "2 bad input" in text


def test_square_brackets_in_option_help_stay_visible() -> None:
    assert "overrides [costs] inventory_budget" in " ".join(_help("plan").split())
    assert "[early_warning] as_of" in " ".join(_help("warn").split())


@pytest.mark.parametrize("command", COMMANDS)
def test_docstring_markup_does_not_show_in_help(command: str) -> None:
    text = _help(command)
    for markup in ("``", ":func:", ":class:", ":mod:", "-------", "Returns", "Raises"):
        assert markup not in text, f"{command} --help shows {markup!r}"
    assert len(text.split()) > 10


def _run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spareplan", *arguments], capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_plan_shows_one_line_per_stage_on_stderr_and_nothing_on_stdout(
        tmp_path: Path) -> None:
    """A subprocess: HiGHS prints from C, which only a real stdout would catch."""
    done = _run(["plan", str(TINY), "--out", str(tmp_path / "plan"), "--replications", "2",
                 "--years", "1"])
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    stages = [line.split("plan: ", 1)[1].split(":")[0] for line in done.stderr.splitlines()
              if line.startswith("[") and " s] plan: " in line
              and " s] plan:  " not in line]  # not a stage's heartbeat or count
    assert stages == ["scenario", "analytic models", "reachability", "optimization",
                      "verification", "writing outputs"]
    assert "outputs written to" in done.stderr


def test_json_prints_only_the_summary_and_quiet_nothing_else(tmp_path: Path) -> None:
    done = _run(["--quiet", "plan", str(TINY), "--out", str(tmp_path / "plan"), "--json",
                 "--replications", "2", "--years", "1"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(
        (tmp_path / "plan" / "summary.json").read_text())
    assert done.stderr == ""


@pytest.mark.parametrize("command", ["validate", "simulate", "warn"])
def test_other_commands_print_nothing_on_stdout(command: str, tmp_path: Path) -> None:
    arguments = [command, str(TINY)] + ([] if command == "validate" else
                                        ["--out", str(tmp_path / "out")])
    if command == "simulate":
        arguments += ["--replications", "2", "--years", "1"]
    done = _run(arguments)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip()  # an account of what it did


def _history_file(path: Path) -> Path:
    """A small monthly demand history: 4 parts x 24 months, intermittent."""
    rows = ["part,period,quantity"]
    for part in range(4):
        for month in range(24):
            quantity = (part * 7 + month * 3) % 5
            rows.append(f"P{part},{2024 + month // 12}-{month % 12 + 1:02d},"
                        f"{quantity if quantity < 3 else 0}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _stages(stderr: str, command: str) -> list[str]:
    marker = f" s] {command}: "
    return [line.split(marker, 1)[1].split(":")[0] for line in stderr.splitlines()
            if line.startswith("[") and marker in line and f"{marker} " not in line]


def test_backtest_warn_backtest_and_report_show_their_stages(tmp_path: Path) -> None:
    """The same display as plan, simulate and warn: stage lines on stderr (a pipe: one line
    per stage), the account after them, stdout empty; nothing at all under --quiet."""
    plan = tmp_path / "plan"
    assert _run(["--quiet", "plan", str(TINY), "--out", str(plan), "--replications", "2",
                 "--years", "1", "--model", "analytic"]).returncode == 0
    history = _history_file(tmp_path / "history.csv")
    cases = {
        "backtest": ([str(history), "--out", str(tmp_path / "bt"), "--origins", "3",
                      "--folds", "0"], ["history", "backtest", "selection",
                                        "writing outputs"]),
        "warn-backtest": ([str(TINY), "--out", str(tmp_path / "wb"), "--weeks", "2",
                           "--replications", "1"], ["scenario", "weekly runs",
                                                    "writing outputs"]),
        "report": ([str(plan)], ["plan folder", "report", "writing outputs"]),
    }
    for command, (arguments, stages) in cases.items():
        done = _run([command, *arguments])
        assert done.returncode == 0, done.stderr
        assert done.stdout == "", command
        assert _stages(done.stderr, command) == stages, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert not last.startswith("["), last  # the account comes after the stages
        quiet = _run(["--quiet", command, *arguments])
        assert quiet.returncode == 0, quiet.stderr
        assert quiet.stdout == "" and quiet.stderr == "", command


def test_a_solver_failure_leaves_summary_json_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planning = importlib.import_module("spareplan.planning.plan")  # the module, not plan()

    def no_plan(*args: object, **kwargs: object) -> None:
        raise SolverFailure("the solver found no plan: status time limit, no solution")

    monkeypatch.setattr(planning, "plan", no_plan)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", str(TINY), "--out", str(out), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert json.loads(result.stdout) == summary
    assert summary["status"] == "solver_failure" and not summary["meets_every_sla"]
    assert "no solution" in summary["reason"] and summary["diagnosis"] is None
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "summary.json"]
    assert "error: the solver found no plan" in result.stderr


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_lines_one_per_stage_notes_at_most_every_heartbeat(tmp_path: Path) -> None:
    clock = _Clock()
    log = tmp_path / "log"
    with log.open("w") as stream:
        lines = LineProgress("plan", stream=stream, clock=clock)
        lines.stage("optimization", detail="column generation")
        clock.now = 1.0
        lines.note("iteration 1")  # too soon after the stage line: not shown
        clock.now = HEARTBEAT_SECONDS + 1.0
        lines.note("iteration 2")
        lines.tick()  # a line was just printed: nothing
        clock.now += HEARTBEAT_SECONDS
        lines.tick()  # silent for HEARTBEAT_SECONDS: one line with the latest note
        lines.stage("frontier", total=4)
        clock.now += 10.0
        lines.advance(1, detail="level 0.5")
    assert log.read_text().splitlines() == [
        "[      0.0 s] plan: optimization: column generation",
        "[     31.0 s] plan:   optimization: iteration 2",
        "[     61.0 s] plan:   optimization: still running (61 s), last: iteration 2",
        "[     61.0 s] plan: frontier",
        "[     71.0 s] plan:   frontier 1/4, about 30 s left: level 0.5",
    ]


def test_a_bare_count_is_a_line_at_most_every_heartbeat(tmp_path: Path) -> None:
    """The verification's chunks: a count without a detail is printed like a note (not
    more often than the heartbeat), and the heartbeat shows the latest count."""
    clock = _Clock()
    log = tmp_path / "log"
    with log.open("w") as stream:
        lines = LineProgress("plan", stream=stream, clock=clock)
        lines.stage("verification", total=2000, detail="20 x 5 years")
        clock.now = 5.0
        lines.advance(256)  # too soon after the stage line: kept for the heartbeat
        clock.now = HEARTBEAT_SECONDS + 1.0
        lines.tick()
        clock.now += 9.0
        lines.advance(512)  # a line 9 s ago: not yet
        clock.now += HEARTBEAT_SECONDS
        lines.advance(1024)
    assert log.read_text().splitlines() == [
        "[      0.0 s] plan: verification: 20 x 5 years",
        "[     31.0 s] plan:   verification: still running (31 s), last: 256/2,000 done",
        "[     70.0 s] plan:   verification 1,024/2,000, about 67 s left",
    ]


def test_a_finished_count_is_not_repeated_by_the_heartbeat(tmp_path: Path) -> None:
    """Issue 14: once a count reaches its total, the next work of the stage is not counted
    (the feed's stock vectors are simulated, then the MILP runs): the finished count is a
    line at once, and the heartbeat then shows the stage and its elapsed time, not the
    count again with "about 0 s left". The feed's counter reaches the display as the
    library does it: an INFO record of its logger, a note through forward_logs."""
    clock = _Clock()
    log = tmp_path / "log"
    with log.open("w") as stream:
        lines = LineProgress("plan", stream=stream, clock=clock)
        feed = logging.getLogger("spareplan.planning.feed")
        with forward_logs(lines):
            lines.stage("optimization", detail="column generation fed by simulation")
            counter = ChunkCounter(lambda text: feed.info("%s", text),
                                   "feed: stock vectors simulated {count}", clock=clock)
            clock.now = HEARTBEAT_SECONDS + 1.0
            counter(1024, 3537)
            clock.now += 5.0
            counter(2048, 3537)  # 5 s after a line: kept for the heartbeat
            clock.now += 10.0
            counter(3537, 3537)  # the count is over: a line at once
            for _ in range(3):  # the MILP runs: nothing counted
                clock.now += HEARTBEAT_SECONDS
                lines.tick()
            lines.note("column generation 2: master 10, bound 9")
            clock.now += HEARTBEAT_SECONDS
            lines.tick()
            lines.stage("verification", total=2000, detail="20 x 5 years")
            clock.now += 2.0
            lines.advance(1000)  # too soon after the stage line: kept for the heartbeat
            clock.now += 2.0
            lines.advance(2000)  # the stage's count is over: a line at once
            clock.now += HEARTBEAT_SECONDS
            lines.tick()
    assert log.read_text().splitlines() == [
        "[      0.0 s] plan: optimization: column generation fed by simulation",
        "[     31.0 s] plan:   optimization: feed: stock vectors simulated 1,024/3,537, "
        "about 76 s left",
        "[     46.0 s] plan:   optimization: feed: stock vectors simulated 3,537/3,537 done",
        "[     76.0 s] plan:   optimization: still running (76 s)",
        "[    106.0 s] plan:   optimization: still running (106 s)",
        "[    136.0 s] plan:   optimization: still running (136 s)",
        "[    166.0 s] plan:   optimization: still running (166 s), last: column generation "
        "2: master 10, bound 9",
        "[    166.0 s] plan: verification: 20 x 5 years",
        "[    170.0 s] plan:   verification 2,000/2,000 done",
        "[    200.0 s] plan:   verification: still running (34 s)",
    ]
    assert "s left" not in "".join(log.read_text().splitlines()[2:])


def test_the_live_display_shows_each_stage(tmp_path: Path) -> None:
    log = tmp_path / "screen"
    with log.open("w") as stream:
        display = ConsoleProgress("plan", stream=stream)
        display.stage("optimization", detail="[costs] stays")
        display.note("column generation 1: master 10, bound 9")
        display.stage("frontier", total=2)
        display.advance(1, detail="level 1")
        display.close()
    screen = log.read_text()
    assert "optimization" in screen and "[costs] stays" in screen and "frontier" in screen


def test_solver_log_records_become_notes_and_levels_come_back() -> None:
    notes: list[str] = []

    class Notes:
        def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
            del name, total, detail

        def advance(self, done: int, *, detail: str = "") -> None:
            del done, detail

        def note(self, detail: str) -> None:
            notes.append(detail)

    logger = logging.getLogger("solvers.column_generation")
    before = logging.getLogger("solvers").level
    with forward_logs(Notes()):
        logger.info("column generation %d: gap %.3g", 3, 0.0281)
        logger.debug("not a note")
    logger.info("after the block: not a note")
    assert notes == ["column generation 3: gap 0.0281"]
    assert logging.getLogger("solvers").level == before
