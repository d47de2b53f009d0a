"""Alert history in an embedded SQLite database (``spareplan warn --state FILE``).

Tables (schema version 1, in ``meta``):

- ``runs``: one row per recorded run — ``run_key`` (hash of every input), ``as_of``,
  ``scenario``, ``recorded_at``.
- ``alerts``: one row per alert episode of a (part, location): its current ``level``, the
  highest level reached, the run that opened it and the run that closed it (``NULL`` while
  open; a partial unique index allows one open alert per part and location), and the
  customer sites told so far (``notified_sites``).
- ``events``: per run and alert the ``status`` (new, ongoing, escalated, resolved), level,
  previous level, first short date, shortfall and the sites concerned.

Guarantees:

- **Idempotent.** When the latest recorded run has the same ``run_key``, nothing is written
  and the statuses recorded for that run are returned (a replay).
- **Transactions.** Each run is one ``BEGIN IMMEDIATE`` transaction (the write lock is taken
  first, so two runs at once are serialized, the second waiting up to ``busy_timeout``).
  A crash before ``COMMIT`` leaves the database as it was: SQLite rolls back the journal.
- **Checked first.** :func:`check_state` reads an existing file (read-only) and rejects one
  that is not a spareplan state database before any transaction is opened.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from spareplan.errors import InputError, Problem
from spareplan.warning.alerts import AlertLevel, AlertStatus

__all__ = ["SCHEMA_VERSION", "StateUpdate", "check_state", "read_history", "record_run"]

SCHEMA_VERSION = "1"
BUSY_TIMEOUT_SECONDS = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_key TEXT NOT NULL,
    as_of TEXT NOT NULL,
    scenario TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id INTEGER PRIMARY KEY AUTOINCREMENT,
    part TEXT NOT NULL,
    location TEXT NOT NULL,
    level TEXT NOT NULL,
    max_level TEXT NOT NULL,
    opened_run INTEGER NOT NULL REFERENCES runs(run_id),
    closed_run INTEGER REFERENCES runs(run_id),
    notified_sites TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_alert_per_pair
    ON alerts(part, location) WHERE closed_run IS NULL;
CREATE TABLE IF NOT EXISTS events (
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    alert_id INTEGER NOT NULL REFERENCES alerts(alert_id),
    status TEXT NOT NULL,
    level TEXT NOT NULL,
    previous_level TEXT,
    first_date_short TEXT,
    shortfall REAL,
    sites TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, alert_id)
);
"""
_TABLES = {"meta", "runs", "alerts", "events"}


@dataclass(frozen=True)
class StateUpdate:
    """What the alert history says about one run.

    Attributes
    ----------
    run_id : int
        The recorded run (the earlier one on a replay).
    replayed : bool
        True when the same inputs were the latest run: nothing was written.
    statuses : pandas.DataFrame
        ``part, location, status, previous_level`` for the alerts of this run.
    resolved : pandas.DataFrame
        ``part, location, previous_level, notified_sites`` of the alerts this run closed.
    """

    run_id: int
    replayed: bool
    statuses: pd.DataFrame
    resolved: pd.DataFrame


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def check_state(path: Path) -> None:
    """Reject a ``--state`` path that cannot hold the alert history (read-only checks).

    A missing file is fine when its folder exists (it is created by the first run). An
    existing file must be empty or a SQLite database whose tables are the spareplan
    alert history of schema version :data:`SCHEMA_VERSION`.

    Raises
    ------
    InputError
        Naming the file, the rule and what was found.
    """
    path = Path(path)
    source = str(path)
    if not path.exists():
        if not path.parent.is_dir():
            raise InputError(str(Problem(source, "--state", "folder must exist",
                                         str(path.parent))))
        return
    if not path.is_file():
        raise InputError(str(Problem(source, "--state", "must be a file", "a folder")))
    if path.stat().st_size == 0:
        return
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_SECONDS)) as connection:
            names = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "meta" in names:
                found = connection.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = found[0] if found else None
    except sqlite3.DatabaseError as error:
        raise InputError(str(Problem(source, "--state", "must be a SQLite database",
                                     str(error)))) from None
    names.discard("sqlite_sequence")
    if names and (not _TABLES <= names or version != SCHEMA_VERSION):
        raise InputError(str(Problem(
            source, "--state", f"must be a spareplan alert history (schema {SCHEMA_VERSION})",
            f"tables {sorted(names)}, schema version {version!r}")))


@contextmanager
def _write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(_connect(path)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _ensure_schema(connection: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                       (SCHEMA_VERSION,))


def _replay(connection: sqlite3.Connection, run_id: int) -> StateUpdate:
    rows = connection.execute(
        "SELECT a.part, a.location, e.status, e.previous_level, e.sites FROM events e "
        "JOIN alerts a USING (alert_id) WHERE e.run_id = ? ORDER BY a.part, a.location",
        (run_id,)).fetchall()
    resolved_status = AlertStatus.RESOLVED.value
    statuses = pd.DataFrame([r[:4] for r in rows if r[2] != resolved_status],
                            columns=["part", "location", "status", "previous_level"])
    resolved = pd.DataFrame([(r[0], r[1], r[3], r[4]) for r in rows if r[2] == resolved_status],
                            columns=["part", "location", "previous_level", "notified_sites"])
    return StateUpdate(run_id=run_id, replayed=True, statuses=statuses, resolved=resolved)


def _merge_sites(told: str, sites: str) -> str:
    merged = {s for s in told.split(";") if s} | {s for s in sites.split(";") if s}
    return ";".join(sorted(merged))


def record_run(path: Path, *, run_key: str, scenario: str, as_of: dt.date,
               alerts: pd.DataFrame) -> StateUpdate:
    """Record one run's alerts in the history and classify them against it.

    Parameters
    ----------
    path : pathlib.Path
        The SQLite file (created on the first run). Check it with :func:`check_state` first.
    run_key : str
        Hash of every input of the run; the same key as the latest run makes this a replay.
    scenario : str
        Scenario name, for the record.
    as_of : datetime.date
        The run's reference date.
    alerts : pandas.DataFrame
        Columns ``part, location, level, first_date_short, shortfall, sites`` (levels other
        than ``all_clear``).

    Returns
    -------
    StateUpdate
        New / ongoing / escalated per alert, and the alerts resolved by this run.
    """
    with _write_transaction(Path(path)) as connection:
        _ensure_schema(connection)
        latest = connection.execute(
            "SELECT run_id, run_key FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        if latest is not None and latest[1] == run_key:
            return _replay(connection, int(latest[0]))
        cursor = connection.execute(
            "INSERT INTO runs (run_key, as_of, scenario, recorded_at) VALUES (?, ?, ?, ?)",
            (run_key, as_of.isoformat(), scenario,
             dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
        run_id = int(cursor.lastrowid or 0)
        open_alerts = {
            (part, location): (alert_id, level, max_level, told)
            for alert_id, part, location, level, max_level, told in connection.execute(
                "SELECT alert_id, part, location, level, max_level, notified_sites "
                "FROM alerts WHERE closed_run IS NULL")}
        statuses = []
        for row in alerts.itertuples(index=False):
            level = AlertLevel(row.level)
            sites = row.sites if isinstance(row.sites, str) else ""
            told_now = sites if level.customer_facing else ""
            shortfall = float(row.shortfall)
            first_short = row.first_date_short if isinstance(row.first_date_short, str) else None
            key = (row.part, row.location)
            if key in open_alerts:
                alert_id, previous, max_level, told = open_alerts.pop(key)
                status = (AlertStatus.ESCALATED if level.rank > AlertLevel(previous).rank
                          else AlertStatus.ONGOING)
                new_max = max(AlertLevel(max_level), level, key=lambda lv: lv.rank)
                connection.execute(
                    "UPDATE alerts SET level = ?, max_level = ?, notified_sites = ? "
                    "WHERE alert_id = ?",
                    (level.value, new_max.value, _merge_sites(told, told_now), alert_id))
            else:
                previous, status = None, AlertStatus.NEW
                alert_id = int(connection.execute(
                    "INSERT INTO alerts (part, location, level, max_level, opened_run, "
                    "notified_sites) VALUES (?, ?, ?, ?, ?, ?)",
                    (row.part, row.location, level.value, level.value, run_id,
                     told_now)).lastrowid or 0)
            connection.execute(
                "INSERT INTO events (run_id, alert_id, status, level, previous_level, "
                "first_date_short, shortfall, sites) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, alert_id, status.value, level.value, previous, first_short,
                 shortfall, sites))
            statuses.append((row.part, row.location, status.value, previous))
        resolved = []
        for (part, location), (alert_id, previous, _max, told) in sorted(open_alerts.items()):
            connection.execute("UPDATE alerts SET level = ?, closed_run = ? WHERE alert_id = ?",
                               (AlertLevel.ALL_CLEAR.value, run_id, alert_id))
            connection.execute(
                "INSERT INTO events (run_id, alert_id, status, level, previous_level, "
                "first_date_short, shortfall, sites) VALUES (?, ?, ?, ?, ?, NULL, 0, ?)",
                (run_id, alert_id, AlertStatus.RESOLVED.value, AlertLevel.ALL_CLEAR.value,
                 previous, told))
            resolved.append((part, location, previous, told))
        return StateUpdate(
            run_id=run_id, replayed=False,
            statuses=pd.DataFrame(statuses, columns=["part", "location", "status",
                                                     "previous_level"]),
            resolved=pd.DataFrame(resolved, columns=["part", "location", "previous_level",
                                                     "notified_sites"]))


def read_history(path: Path) -> pd.DataFrame:
    """Every event of the alert history, oldest first (read-only).

    Returns
    -------
    pandas.DataFrame
        ``run_id, as_of, part, location, status, level, previous_level, first_date_short,
        shortfall, sites``.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        return pd.read_sql_query(
            "SELECT e.run_id, r.as_of, a.part, a.location, e.status, e.level, "
            "e.previous_level, e.first_date_short, e.shortfall, e.sites FROM events e "
            "JOIN alerts a USING (alert_id) JOIN runs r USING (run_id) "
            "ORDER BY e.run_id, a.part, a.location", connection)
