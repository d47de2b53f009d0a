"""Alert history: idempotence, two runs at once, a crash mid-run."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pandas as pd
import pytest
from warning_helpers import digest, set_as_of

from spareplan.scenario import load_scenario
from spareplan.warning import read_history, warn
from spareplan.warning import state as state_module


def _counts(state: Path) -> tuple[int, int, int]:
    with sqlite3.connect(state) as connection:
        return tuple(connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("runs", "alerts", "events"))  # type: ignore[return-value]


def _consistent(state: Path) -> None:
    """At most one open alert per pair; every event belongs to a run and an alert."""
    with sqlite3.connect(state) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        duplicates = connection.execute(
            "SELECT part, location, COUNT(*) FROM alerts WHERE closed_run IS NULL "
            "GROUP BY part, location HAVING COUNT(*) > 1").fetchall()
        assert duplicates == []
        orphans = connection.execute(
            "SELECT COUNT(*) FROM events WHERE run_id NOT IN (SELECT run_id FROM runs) "
            "OR alert_id NOT IN (SELECT alert_id FROM alerts)").fetchone()[0]
        assert orphans == 0


def test_same_inputs_twice_no_duplicates(scenario_dir: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    scenario = load_scenario(scenario_dir)
    first = warn(scenario, state=state)
    counts = _counts(state)
    second = warn(load_scenario(scenario_dir), state=state)
    assert _counts(state) == counts == (1, 2, 2)
    assert second.replayed and not first.replayed
    pd.testing.assert_frame_equal(first.alerts, second.alerts)
    assert set(second.alerts["status"]) == {"new"}
    assert first.notices == second.notices


def test_same_inputs_after_other_run_is_a_new_run(scenario_dir: Path, tmp_path: Path) -> None:
    """Idempotence is against the latest run: A, B, A records three runs, statuses follow."""
    state = tmp_path / "state.db"
    warn(load_scenario(scenario_dir), state=state)
    set_as_of(scenario_dir, "2025-03-24")
    warn(load_scenario(scenario_dir), state=state)
    set_as_of(scenario_dir, "2025-03-03")
    back = warn(load_scenario(scenario_dir), state=state)
    pump = back.alerts[back.alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["status"]) == ("internal_risk", "ongoing")
    assert _counts(state)[0] == 3
    _consistent(state)


def _run_in_process(scenario_dir: str, state: str, as_of: str) -> None:
    import datetime as dt

    from spareplan.scenario import load_scenario as load
    from spareplan.warning import warn as run

    run(load(scenario_dir), state=Path(state), as_of=dt.date.fromisoformat(as_of))


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_two_runs_at_once(scenario_dir: Path, tmp_path: Path, kind: str) -> None:
    state = tmp_path / "state.db"
    days = ("2025-03-03", "2025-03-24")
    jobs = [(str(scenario_dir), str(state), day) for day in days]
    if kind == "threads":
        jobs = jobs * 2
        errors: list[BaseException] = []

        def target(*args: str) -> None:
            try:
                _run_in_process(*args)
            except BaseException as error:  # collected and re-raised in the test
                errors.append(error)

        threads = [threading.Thread(target=target, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    else:
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=_run_in_process, args=job) for job in jobs]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        assert [p.exitcode for p in processes] == [0] * len(processes)
    _consistent(state)
    history = read_history(state)
    runs = history.groupby("run_id")["as_of"].first()
    # Consecutive runs with the same inputs are replays, so 2 to 4 runs are recorded.
    assert 2 <= len(runs) <= 4
    assert (runs.shift() != runs).all()
    pump = history[history["part"] == "P-PUMP"]
    assert pump["status"].iloc[0] == "new"
    assert set(pump["status"].iloc[1:]) <= {"ongoing", "escalated"}


def test_exception_mid_run_rolls_back(scenario_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state.db"
    warn(load_scenario(scenario_dir), state=state)
    before = digest(state)

    def broken(*args: object) -> str:
        raise RuntimeError("power cut")

    monkeypatch.setattr(state_module, "_follow_up", broken)
    set_as_of(scenario_dir, "2025-03-24")
    with pytest.raises(RuntimeError, match="power cut"):
        warn(load_scenario(scenario_dir), state=state)
    assert digest(state) == before
    monkeypatch.undo()
    after = warn(load_scenario(scenario_dir), state=state)
    assert _counts(state)[0] == 2
    assert set(after.alerts["status"]) <= {"ongoing", "escalated"}
    _consistent(state)


def test_process_killed_mid_transaction(scenario_dir: Path, tmp_path: Path) -> None:
    """A process dies (os._exit) inside the write transaction: the next run sees no trace."""
    state = tmp_path / "state.db"
    warn(load_scenario(scenario_dir), state=state)
    counts = _counts(state)
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from spareplan.scenario import load_scenario
        from spareplan.warning import state, warn
        def die(*args):
            os._exit(9)
        state._follow_up = die
        import datetime as dt
        warn(load_scenario({str(scenario_dir)!r}), state=Path({str(state)!r}),
             as_of=dt.date(2025, 3, 24))
    """)
    completed = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert completed.returncode == 9
    assert _counts(state) == counts
    _consistent(state)
    set_as_of(scenario_dir, "2025-03-24")
    warn(load_scenario(scenario_dir), state=state)
    assert _counts(state)[0] == counts[0] + 1


def test_run_waits_for_a_held_write_lock(scenario_dir: Path, tmp_path: Path) -> None:
    """Another writer holds the lock: the run waits (busy timeout) and then succeeds."""
    state = tmp_path / "state.db"
    warn(load_scenario(scenario_dir), state=state)
    blocker = sqlite3.connect(state, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    done = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            _run_in_process(str(scenario_dir), str(state), "2025-03-24")
        except BaseException as error:  # re-raised below
            errors.append(error)
        done.set()

    thread = threading.Thread(target=target)
    thread.start()
    assert not done.wait(1.0)  # blocked behind the lock
    blocker.execute("COMMIT")
    blocker.close()
    thread.join(60)
    assert errors == [] and done.is_set()
    assert _counts(state)[0] == 2
    _consistent(state)


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL,
    as_of TEXT NOT NULL, scenario TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE alerts (alert_id INTEGER PRIMARY KEY AUTOINCREMENT, part TEXT NOT NULL,
    location TEXT NOT NULL, level TEXT NOT NULL, max_level TEXT NOT NULL,
    opened_run INTEGER NOT NULL REFERENCES runs(run_id),
    closed_run INTEGER REFERENCES runs(run_id), notified_sites TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX one_open_alert_per_pair ON alerts(part, location)
    WHERE closed_run IS NULL;
CREATE TABLE events (run_id INTEGER NOT NULL REFERENCES runs(run_id),
    alert_id INTEGER NOT NULL REFERENCES alerts(alert_id), status TEXT NOT NULL,
    level TEXT NOT NULL, previous_level TEXT, first_date_short TEXT, shortfall REAL,
    sites TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, alert_id));
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO runs VALUES (1, 'old', '2025-02-24', 'warning_fixture', '2025-02-24T08:00:00');
INSERT INTO alerts VALUES (1, 'P-FUSE', 'F2', 'internal_risk', 'internal_risk', 1, NULL, '');
INSERT INTO events VALUES (1, 1, 'new', 'internal_risk', NULL, '2025-03-10', 2.0, 'S3');
"""


def test_schema_1_history_is_upgraded_in_place(scenario_dir: Path, tmp_path: Path) -> None:
    state = tmp_path / "v1.sqlite"
    with sqlite3.connect(state) as connection:
        connection.executescript(V1_SCHEMA)
    result = warn(load_scenario(scenario_dir), state=state)
    fuse = result.alerts[result.alerts["part"] == "P-FUSE"].iloc[0]
    assert (fuse["status"], fuse["alert_id"]) == ("ongoing", 1)  # the v1 alert continues
    with sqlite3.connect(state) as connection:
        assert connection.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                  ).fetchone()[0] == "2"
    _consistent(state)


@pytest.mark.parametrize("sql", [
    # the right table names, foreign columns (issue 10: a traceback before)
    "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '2');"
    "CREATE TABLE runs (x INTEGER); CREATE TABLE alerts (y TEXT); CREATE TABLE events (z);"
    "CREATE TABLE acknowledgements (w);",
    "CREATE TABLE meta (k TEXT, v TEXT); CREATE TABLE runs (x); CREATE TABLE alerts (y);"
    "CREATE TABLE events (z);",
    "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('schema_version', '7');"
    "CREATE TABLE runs (x);",
])
def test_foreign_database_is_refused_exit_2(scenario_dir: Path, tmp_path: Path, cli,
                                           sql: str) -> None:
    state = tmp_path / "foreign.sqlite"
    with sqlite3.connect(state) as connection:
        connection.executescript(sql)
    before = digest(state)
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", state)
    assert result.exit_code == 2, result.output
    assert "must be a spareplan alert history" in result.output
    assert str(state) in result.output and "Traceback" not in result.output
    assert digest(state) == before
    assert not (tmp_path / "out").exists()
