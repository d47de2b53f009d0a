"""kill -9, SIGTERM and Ctrl-C at chosen moments of a real ``spareplan plan`` process.

Each test starts ``python -m spareplan plan scenarios/tiny --out OUT --no-verify`` with
``SPAREPLAN_TEST_PAUSE_AT`` naming a wait point (spareplan/reports/atomic.py,
:func:`pause_point`): the process announces that it reached the point by writing a file,
then waits; the test sends the signal only then, so where the process is interrupted is
deterministic (no sleeps tuned to the machine's speed). After the signal:

* OUT holds either the previous output, unchanged, or the new one, complete (its marker
  lists every file and every listed file is there) — never a mix, never nothing for
  SIGTERM/Ctrl-C;
* SIGTERM and Ctrl-C exit with 128 + the signal number and leave no hidden staging folder;
* after kill -9, the next run repairs what was left: no hidden folder remains, and a run
  killed between the two renames of the fallback swap gets the previous output back even
  when the next run is refused for bad input (the next runs are in-process: only the runs
  that are killed need a process of their own, at about 5 s of start-up each).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import (
    REPO,
    TINY,
    WARNING,
    hidden_leftovers,
    invoke,
    previous_output,
    snapshot,
)

from spareplan.reports.atomic import MARKER

#: Generous bound for a loaded machine to reach a wait point (start-up and a tiny plan).
REACH_SECONDS = 300.0
#: Start the CLI with the fallback swap (two renames) instead of renameat2.
FALLBACK = ("import sys; from spareplan.reports import atomic; atomic._EXCHANGE = None; "
            "from spareplan.cli.app import app; sys.argv = ['spareplan', *sys.argv[1:]]; app()")


def _start(args: list[str], point: str, announce: Path, *, fallback: bool = False
           ) -> subprocess.Popen[str]:
    env = {**os.environ, "SPAREPLAN_TEST_PAUSE_AT": point,
           "SPAREPLAN_TEST_PAUSE_FILE": str(announce)}
    command = ([sys.executable, "-c", FALLBACK] if fallback
               else [sys.executable, "-m", "spareplan"])
    return subprocess.Popen([*command, *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(process: subprocess.Popen[str], announce: Path) -> None:
    deadline = time.monotonic() + REACH_SECONDS
    while not announce.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended (exit {process.returncode}) before the wait point:\n"
                        f"{err}{out}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the run did not reach the wait point")
        time.sleep(0.05)
    assert int(announce.read_text()) == process.pid


def _complete(out: Path) -> bool:
    marker = json.loads((out / MARKER).read_text())
    return (marker["command"] == "plan" and bool(marker["files"])
            and all((out / name).exists() for name in marker["files"])
            and json.loads((out / "summary.json").read_text())["status"] == "optimal")


def _plan_args(out: Path) -> list[str]:
    return ["plan", str(TINY), "--out", str(out), "--no-verify"]


def _interrupt(tmp_path: Path, point: str, signum: int, *, fallback: bool = False
               ) -> tuple[subprocess.CompletedProcess[str], dict[str, object], Path]:
    out = tmp_path / "out"
    before = previous_output(out, "plan")
    announce = tmp_path / "paused"
    process = _start(_plan_args(out), point, announce, fallback=fallback)
    _wait_for(process, announce)
    os.kill(process.pid, signum)
    stdout, stderr = process.communicate(timeout=REACH_SECONDS)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done, before, out


#: (wait point, fallback swap?, whether the new output is in place when interrupted there)
SOFT = [("output-checked", False, False), ("staging-written", False, False),
        ("swapped", False, True), ("between-renames", True, True)]


@pytest.mark.parametrize(("point", "fallback", "new"), SOFT, ids=[p for p, _, _ in SOFT])
def test_sigterm_unwinds_and_leaves_one_whole_output(tmp_path: Path, point: str,
                                                     fallback: bool, new: bool) -> None:
    done, before, out = _interrupt(tmp_path, point, signal.SIGTERM, fallback=fallback)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert "terminated by SIGTERM" in done.stderr and "Traceback" not in done.stderr
    if new:  # the swap had begun: it is finished before the signal is acted on
        assert _complete(out)
    else:
        assert snapshot(out) == before
    assert hidden_leftovers(tmp_path) == []


def test_ctrl_c_while_files_are_written(tmp_path: Path) -> None:
    done, before, out = _interrupt(tmp_path, "staging-created", signal.SIGINT)
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(out) == before
    assert hidden_leftovers(tmp_path) == []


HARD = [("staging-created", False), ("staging-written", False), ("swapped", False),
        ("between-renames", True)]


@pytest.mark.parametrize(("point", "fallback"), HARD, ids=[p for p, _ in HARD])
def test_kill_9_then_the_next_run_repairs(tmp_path: Path, point: str, fallback: bool) -> None:
    done, before, out = _interrupt(tmp_path, point, signal.SIGKILL, fallback=fallback)
    assert done.returncode == -signal.SIGKILL
    assert hidden_leftovers(tmp_path), "kill -9 should have left the staging folder"
    if point == "between-renames":
        assert not out.exists()  # the old output is only in the hidden previous copy
        # Even a run refused for bad input first puts the previous output back.
        code, message = invoke(["plan", str(tmp_path / "no-such-scenario"), "--out", str(out)])
        assert code == 2, message
        assert snapshot(out) == before
    elif point == "swapped":
        assert _complete(out)
    else:
        assert snapshot(out) == before
    code, message = invoke(_plan_args(out))  # the next run, in-process (it is not killed)
    assert code == 0, message
    assert _complete(out)
    assert hidden_leftovers(tmp_path) == []


def test_kill_9_of_warn_while_files_are_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = previous_output(out, "warn")
    announce = tmp_path / "paused"
    process = _start(["warn", str(WARNING), "--out", str(out), "--as-of", "2025-03-24"],
                     "staging-written", announce)
    _wait_for(process, announce)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=REACH_SECONDS)
    assert snapshot(out) == before
    code, message = invoke(["warn", str(WARNING), "--out", str(out), "--as-of", "2025-03-24"])
    assert code == 0, message
    assert (out / "alerts.csv").exists() and hidden_leftovers(tmp_path) == []
