"""kill -9 and SIGTERM at several points of ``spareplan warn`` (a real subprocess).

Each case kills the second of two runs at a point reached deterministically (a patched
function sends the signal to its own process, no timing involved) and then checks: the
output folder holds the previous output or the new one, complete; the SQLite history
passes ``PRAGMA integrity_check``; and a rerun gives exactly the files of a run that was
never interrupted.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warning_helpers import FIXTURE, write

from spareplan.cli.app import app
from spareplan.reports.atomic import MARKER as OUTPUT_MARKER

DRIVER = textwrap.dedent("""
    import contextlib, os, signal, sys, time
    point, sig = sys.argv[1], int(sys.argv[2])
    import spareplan.cli.warn as cli_warn
    import spareplan.reports.atomic as atomic  # what cli.warn writes its outputs with
    import spareplan.warning.early_warning as early
    import spareplan.warning.state as state

    def die(*args, **kwargs):
        os.kill(os.getpid(), sig)
        time.sleep(600)  # not reached: the signal ends the process first
        raise SystemExit("signal not delivered")

    def after(function, calls):
        count = [0]
        def wrapper(*args, **kwargs):
            count[0] += 1
            if count[0] == calls:
                die()
            return function(*args, **kwargs)
        return wrapper

    if point == "projection":          # computing, before the history is opened
        early.project_firm_orders = after(early.project_firm_orders, 1)
    elif point == "transaction":       # inside the history's write transaction
        state._follow_up = after(state._follow_up, 1)
    elif point == "outputs":           # two output files written into the staging folder
        atomic.write_csv = after(atomic.write_csv, 3)
    elif point == "renamed":           # new output in place, history not committed yet
        real = atomic.atomic_folder
        @contextlib.contextmanager
        def folder(out):
            with real(out) as staging:
                yield staging
            die()
        atomic.atomic_folder = folder
    elif point == "committed":         # everything done, before the console summary
        cli_warn.say = die
    from spareplan.cli.app import main
    sys.argv = ["spareplan", "warn", *sys.argv[3:]]
    main()
""")
POINTS = ["projection", "transaction", "outputs", "renamed", "committed"]


def _files(folder: Path) -> dict[str, bytes]:
    """Every visible file and the output marker (staging folders of a killed run are
    hidden, not compared)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") and part != OUTPUT_MARKER
                                       for part in p.relative_to(folder).parts)}


def _integrity(state: Path) -> None:
    with sqlite3.connect(state) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Scenario, plan and the files of the two runs done without interruption."""
    root = tmp_path_factory.mktemp("kill")
    scenario = root / "scenario"
    shutil.copytree(FIXTURE, scenario)
    write(scenario, "demand.csv", "part,site,rate_per_year\nP-PUMP,S1,26\nP-FUSE,S3,52")
    write(scenario, "customer_orders.csv", "part,location,due_date,quantity,site,reference")
    write(scenario, "scheduled_receipts.csv", "part,location,due_date,quantity,kind,reference")
    plan = root / "plan.csv"
    plan.write_text("part,location,stock\nP-PUMP,F1,1\nP-FUSE,F2,3\n")
    state, out = root / "alerts.sqlite", root / "out"

    def stock(pumps: int) -> None:
        write(scenario, "current_stock.csv",
              f"part,location,on_hand\nP-PUMP,F1,{pumps}\nP-FUSE,F2,3")

    def run(as_of: str) -> list[str]:
        stock(2 if as_of == "2025-03-03" else 1)
        return ["warn", str(scenario), "--out", str(out), "--state", str(state),
                "--plan", str(plan), "--as-of", as_of]

    runner = CliRunner()
    assert runner.invoke(app, run("2025-03-03")).exit_code == 0
    first = {"state": state.read_bytes(), "out": _files(out)}
    assert runner.invoke(app, run("2025-03-10")).exit_code == 0
    second = _files(out)
    assert any(name.endswith(".md") for name in second)  # the second run notifies S1, S2
    return {"root": root, "state": state, "out": out, "run": run, "first": first,
            "second": second, "runner": runner}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
@pytest.mark.parametrize("point", POINTS)
def test_killed_run_leaves_previous_or_new_output(world, point: str, sig: int) -> None:
    state, out = world["state"], world["out"]
    first, second = world["first"], world["second"]
    # back to the state after the first run
    state.write_bytes(first["state"])
    Path(f"{state}-journal").unlink(missing_ok=True)
    shutil.rmtree(out)
    out.mkdir()
    for name, data in first["out"].items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    args = world["run"]("2025-03-10")[1:]
    driver = world["root"] / "driver.py"
    driver.write_text(DRIVER)
    killed = subprocess.run([sys.executable, str(driver), point, str(int(sig)), *args],
                            check=False, timeout=600, capture_output=True)
    # SIGKILL ends the process; SIGTERM is handled (staging removed) and exits 128 + 15
    expected = -sig if sig == signal.SIGKILL else 128 + sig
    assert killed.returncode == expected, killed.stderr.decode()[-2000:]
    now = _files(out)
    assert now in (first["out"], second), f"mixed output after a kill at {point}"
    if point in ("projection", "transaction", "outputs"):
        assert now == first["out"]
    _integrity(state)
    rerun = world["runner"].invoke(app, ["warn", *args])
    assert rerun.exit_code == 0, rerun.output
    assert _files(out) == second
    _integrity(state)
