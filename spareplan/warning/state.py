"""Alert history in an embedded SQLite database (``spareplan warn --state FILE``).

Tables (schema version 2, in ``meta``; a version-1 history is upgraded in place by the
first run that writes it):

- ``runs``: one row per recorded run — ``run_key`` (hash of every input), ``as_of``,
  ``scenario``, ``recorded_at``.
- ``alerts``: one row per alert episode of a (part, location): its current ``level``, the
  highest level reached, the run that opened it and the run that closed it (``NULL`` while
  open; a partial unique index allows one open alert per part and location), the customer
  sites told and not yet given the all clear (``notified_sites``) and when they were last
  told (``last_notice``), the ``owner`` of its level, the run the level started
  (``level_run``) and the ``follow_up_date``.
- ``events``: per run and alert the ``status`` (new, ongoing, escalated, de_escalated,
  resolved), level, previous level, first date at risk, probability, sites concerned, and
  whether the sites were told in that run (``notified``).
- ``acknowledgements``: who answered an alert (``by_role``, a role or a site id), on which
  date, at which level episode (``level_run``), with a note
  (:func:`acknowledge`, ``spareplan warn-ack``).

Guarantees:

- **Idempotent.** When the latest recorded run has the same ``run_key``, nothing is written
  and the statuses recorded for that run are returned (a replay).
- **Transactions.** Each run is one ``BEGIN IMMEDIATE`` transaction (the write lock is taken
  first, so two runs at once are serialized, the second waiting up to ``busy_timeout``).
  A crash before ``COMMIT`` leaves the database as it was: SQLite rolls back the journal.
  :func:`history` keeps the transaction open while the caller decides the levels (an
  open alert stays open down to ``all_clear_probability``) and writes its outputs, so
  that a run's outputs and its history are committed together (a crash in between leaves
  the previous history, and the next run repeats this one).
- **Checked first.** :func:`check_state` reads an existing file (read-only) and rejects one
  that is not a spareplan state database — other tables, or the right tables with other
  columns — before any transaction is opened.
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

__all__ = ["SCHEMA_VERSION", "History", "StateUpdate", "acknowledge", "check_state",
           "history", "read_acks", "read_history", "record_run"]

SCHEMA_VERSION = "2"
BUSY_TIMEOUT_SECONDS = 60.0

_TABLES_V1 = {
    "meta": ("key", "value"),
    "runs": ("run_id", "run_key", "as_of", "scenario", "recorded_at"),
    "alerts": ("alert_id", "part", "location", "level", "max_level", "opened_run",
               "closed_run", "notified_sites"),
    "events": ("run_id", "alert_id", "status", "level", "previous_level", "first_date_short",
               "shortfall", "sites"),
}
_ADDED_V2 = {
    "alerts": ("owner", "level_run", "follow_up_date", "last_notice"),
    "events": ("p_short", "notified"),
}
_ACKS = ("ack_id", "alert_id", "by_role", "acknowledged_on", "level_run", "note",
         "recorded_at")

_SCHEMA_V1 = """
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
)
"""
_UPGRADE_V2 = """
ALTER TABLE alerts ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN level_run INTEGER REFERENCES runs(run_id);
ALTER TABLE alerts ADD COLUMN follow_up_date TEXT;
ALTER TABLE alerts ADD COLUMN last_notice TEXT;
ALTER TABLE events ADD COLUMN p_short REAL;
ALTER TABLE events ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS acknowledgements (
    ack_id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts(alert_id),
    by_role TEXT NOT NULL,
    acknowledged_on TEXT NOT NULL,
    level_run INTEGER,
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
)
"""

STATUS_COLUMNS = ["part", "location", "alert_id", "status", "previous_level",
                  "follow_up_date", "acknowledged_by", "awaiting", "notify"]
CLEARED_COLUMNS = ["part", "location", "alert_id", "previous_level", "notified_sites",
                   "cleared"]


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
        :data:`STATUS_COLUMNS` for the alerts of this run: ``follow_up_date`` of the level
        (kept from the run the level started), ``acknowledged_by`` (who answered at this
        level), ``awaiting`` (the owner and the sites told that have not answered) and
        ``notify`` (the sites hear about it in this run: new or changed customer-facing
        alert, new sites, or an update due after ``update_interval_weeks``).
    cleared : pandas.DataFrame
        :data:`CLEARED_COLUMNS`: the alerts whose customers get an all clear in this run —
        ``cleared`` is ``resolved`` (closed) or ``de_escalated`` (back to internal risk).
    """

    run_id: int
    replayed: bool
    statuses: pd.DataFrame
    cleared: pd.DataFrame


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _problem(path: Path, rule: str, value: object) -> InputError:
    return InputError(str(Problem(str(path), "--state", rule, value)))


def _expected(version: str | None) -> dict[str, tuple[str, ...]]:
    tables = {name: tuple(columns) for name, columns in _TABLES_V1.items()}
    if version == SCHEMA_VERSION:
        for name, columns in _ADDED_V2.items():
            tables[name] = tables[name] + columns
        tables["acknowledgements"] = _ACKS
    return tables


def check_state(path: Path) -> None:
    """Reject a ``--state`` path that cannot hold the alert history (read-only checks).

    A missing file is fine when its folder exists (it is created by the first run). An
    existing file must be empty or a SQLite database whose tables and columns are the
    spareplan alert history of schema version 1 or :data:`SCHEMA_VERSION`.

    Raises
    ------
    InputError
        Naming the file, the rule and what was found (e.g. the columns of a table that
        has the right name but belongs to something else).
    """
    path = Path(path)
    if not path.exists():
        if not path.parent.is_dir():
            raise _problem(path, "folder must exist", str(path.parent))
        return
    if not path.is_file():
        raise _problem(path, "must be a file", "a folder")
    if path.stat().st_size == 0:
        return
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=BUSY_TIMEOUT_SECONDS)) as connection:
            names = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {name: tuple(row[1] for row in connection.execute(
                f'PRAGMA table_info("{name}")')) for name in names}
            version = None
            if "meta" in names and {"key", "value"} <= set(columns["meta"]):
                found = connection.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = found[0] if found else None
    except sqlite3.DatabaseError as error:
        raise _problem(path, "must be a SQLite database", str(error)) from None
    names.discard("sqlite_sequence")
    if not names:
        return
    rule = f"must be a spareplan alert history (schema 1 or {SCHEMA_VERSION})"
    if version not in ("1", SCHEMA_VERSION):
        raise _problem(path, rule, f"tables {sorted(names)}, schema version {version!r}")
    expected = _expected(version)
    if not set(expected) <= names:
        raise _problem(path, rule, f"tables {sorted(names)}; missing "
                                   f"{sorted(set(expected) - names)}")
    for name, wanted in expected.items():
        if not set(wanted) <= set(columns[name]):
            raise _problem(path, f"{rule}: table {name} must have columns "
                                 f"{', '.join(wanted)}", list(columns[name]))


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
    for statement in _SCHEMA_V1.split(";"):
        if statement.strip():
            connection.execute(statement)
    found = connection.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if found is None or found[0] == "1":
        for statement in _UPGRADE_V2.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT OR REPLACE INTO meta (key, value) "
                           "VALUES ('schema_version', ?)", (SCHEMA_VERSION,))


def _split(text: object) -> list[str]:
    return [s for s in str(text).split(";") if s] if isinstance(text, str) else []


def _merge_sites(told: str, sites: str) -> str:
    merged = set(_split(told)) | set(_split(sites))
    return ";".join(sorted(merged))


def _answers(connection: sqlite3.Connection) -> dict[tuple[int, int], list[str]]:
    """(alert_id, level_run) -> roles and sites that acknowledged, in order."""
    out: dict[tuple[int, int], list[str]] = {}
    for alert_id, level_run, by in connection.execute(
            "SELECT alert_id, level_run, by_role FROM acknowledgements ORDER BY ack_id"):
        names = out.setdefault((int(alert_id), int(level_run or 0)), [])
        if by not in names:
            names.append(by)
    return out


def _follow_up(owner: str, told: str, answered: list[str], follow_up_date: str | None,
               as_of: dt.date) -> str | None:
    """Who has not answered: the owner (overdue after the follow-up date) and sites told."""
    waiting = []
    if owner and owner not in answered:
        overdue = follow_up_date is not None and as_of.isoformat() > follow_up_date
        waiting.append(f"{owner} (overdue since {follow_up_date})" if overdue else owner)
    waiting += [s for s in _split(told) if s not in answered]
    return "; ".join(waiting) or None


def _replay(connection: sqlite3.Connection, run_id: int, as_of: dt.date) -> StateUpdate:
    answers = _answers(connection)
    rows = connection.execute(
        "SELECT a.part, a.location, a.alert_id, e.status, e.previous_level, e.sites, "
        "e.level, e.notified, a.owner, a.follow_up_date, a.level_run FROM events e "
        "JOIN alerts a USING (alert_id) WHERE e.run_id = ? ORDER BY a.part, a.location",
        (run_id,)).fetchall()
    statuses, cleared = [], []
    for (part, location, alert_id, status, previous, sites, level, notified, owner,
         follow_up_date, level_run) in rows:
        if status == AlertStatus.RESOLVED.value or (
                status == AlertStatus.DE_ESCALATED.value
                and not AlertLevel(level).customer_facing and sites):
            cleared.append((part, location, alert_id, previous, sites,
                            AlertStatus.RESOLVED.value if status == AlertStatus.RESOLVED.value
                            else AlertStatus.DE_ESCALATED.value))
        if status != AlertStatus.RESOLVED.value:
            answered = answers.get((int(alert_id), int(level_run or 0)), [])
            told = sites if AlertLevel(level).customer_facing else ""
            statuses.append((part, location, alert_id, status, previous, follow_up_date,
                             ";".join(answered) or None,
                             _follow_up(owner, told, answered, follow_up_date, as_of),
                             bool(notified)))
    return StateUpdate(run_id=run_id, replayed=True,
                       statuses=pd.DataFrame(statuses, columns=STATUS_COLUMNS),
                       cleared=pd.DataFrame(cleared, columns=CLEARED_COLUMNS))


def _record(connection: sqlite3.Connection, *, run_key: str, scenario: str, as_of: dt.date,
            alerts: pd.DataFrame, update_interval_weeks: int) -> StateUpdate:
    latest = connection.execute(
        "SELECT run_id, run_key FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
    if latest is not None and latest[1] == run_key:
        return _replay(connection, int(latest[0]), as_of)
    cursor = connection.execute(
        "INSERT INTO runs (run_key, as_of, scenario, recorded_at) VALUES (?, ?, ?, ?)",
        (run_key, as_of.isoformat(), scenario,
         dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
    run_id = int(cursor.lastrowid or 0)
    answers = _answers(connection)
    open_alerts = {
        (row[1], row[2]): row for row in connection.execute(
            "SELECT alert_id, part, location, level, max_level, notified_sites, last_notice, "
            "owner, follow_up_date, level_run FROM alerts WHERE closed_run IS NULL")}
    update_due = (as_of - dt.timedelta(weeks=update_interval_weeks)).isoformat()
    statuses, cleared = [], []
    for row in alerts.itertuples(index=False):
        level = AlertLevel(row.level)
        sites = row.sites if isinstance(row.sites, str) else ""
        key = (row.part, row.location)
        facing = level.customer_facing
        if key in open_alerts:
            (alert_id, _, _, previous, max_level, told, last_notice, owner, follow_up_date,
             level_run) = open_alerts.pop(key)
            before = AlertLevel(previous)
            if level.rank > before.rank:
                status = AlertStatus.ESCALATED
            elif level.rank < before.rank:
                status = AlertStatus.DE_ESCALATED
            else:
                status = AlertStatus.ONGOING
            if level != before or level_run is None:  # a new level (or a v1 alert)
                owner, follow_up_date, level_run = row.owner, row.follow_up_date, run_id
            new_max = max(AlertLevel(max_level), level, key=lambda lv: lv.rank)
        else:
            previous, status, told, last_notice = None, AlertStatus.NEW, "", None
            owner, follow_up_date, new_max = row.owner, row.follow_up_date, level
            alert_id = int(connection.execute(
                "INSERT INTO alerts (part, location, level, max_level, opened_run, "
                "notified_sites, owner, level_run, follow_up_date) "
                "VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
                (row.part, row.location, level.value, level.value, run_id, owner, run_id,
                 follow_up_date)).lastrowid or 0)
            level_run = run_id
        notify = facing and (status is not AlertStatus.ONGOING
                             or not set(_split(sites)) <= set(_split(told))
                             or last_notice is None or last_notice <= update_due)
        if facing:
            told_now = _merge_sites(told, sites)
        else:
            if told:  # fell back to internal risk: the sites told hear it is over
                cleared.append((row.part, row.location, alert_id, previous, told,
                                AlertStatus.DE_ESCALATED.value))
            told_now = ""
        connection.execute(
            "UPDATE alerts SET level = ?, max_level = ?, notified_sites = ?, owner = ?, "
            "follow_up_date = ?, level_run = ?, last_notice = ? WHERE alert_id = ?",
            (level.value, new_max.value, told_now, owner, follow_up_date, level_run,
             as_of.isoformat() if notify else (last_notice if facing else None), alert_id))
        first = row.first_date_at_risk if isinstance(row.first_date_at_risk, str) else None
        connection.execute(
            "INSERT INTO events (run_id, alert_id, status, level, previous_level, "
            "first_date_short, shortfall, sites, p_short, notified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, alert_id, status.value, level.value, previous, first,
             float(row.expected_shortfall), told_now if facing else (told or ""),
             float(row.p_short), int(notify)))
        answered = answers.get((int(alert_id), int(level_run)), [])
        statuses.append((row.part, row.location, alert_id, status.value, previous,
                         follow_up_date, ";".join(answered) or None,
                         _follow_up(owner, told_now, answered, follow_up_date, as_of),
                         bool(notify)))
    for (part, location), (alert_id, _, _, previous, _max, told, *_rest) in sorted(
            open_alerts.items()):
        connection.execute("UPDATE alerts SET level = ?, closed_run = ? WHERE alert_id = ?",
                           (AlertLevel.ALL_CLEAR.value, run_id, alert_id))
        connection.execute(
            "INSERT INTO events (run_id, alert_id, status, level, previous_level, "
            "first_date_short, shortfall, sites, p_short, notified) "
            "VALUES (?, ?, ?, ?, ?, NULL, 0, ?, 0, ?)",
            (run_id, alert_id, AlertStatus.RESOLVED.value, AlertLevel.ALL_CLEAR.value,
             previous, told, int(bool(told))))
        cleared.append((part, location, alert_id, previous, told,
                        AlertStatus.RESOLVED.value))
    return StateUpdate(run_id=run_id, replayed=False,
                       statuses=pd.DataFrame(statuses, columns=STATUS_COLUMNS),
                       cleared=pd.DataFrame(sorted(cleared), columns=CLEARED_COLUMNS))


class History:
    """The alert history inside one open write transaction (see :func:`history`)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def _latest(self) -> tuple[int, str] | None:
        found = self.connection.execute(
            "SELECT run_id, run_key FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        return None if found is None else (int(found[0]), str(found[1]))

    def open_pairs(self, run_key: str) -> set[tuple[str, str]]:
        """(part, location) of the alerts open before a run with ``run_key``.

        For a replay (``run_key`` is the latest run's) the alerts open before that run.
        """
        latest = self._latest()
        if latest is not None and latest[1] == run_key:
            rows = self.connection.execute(
                "SELECT part, location FROM alerts WHERE opened_run < ? AND "
                "(closed_run IS NULL OR closed_run >= ?)", (latest[0], latest[0]))
        else:
            rows = self.connection.execute(
                "SELECT part, location FROM alerts WHERE closed_run IS NULL")
        return {(str(part), str(location)) for part, location in rows}

    def record(self, *, run_key: str, scenario: str, as_of: dt.date, alerts: pd.DataFrame,
               update_interval_weeks: int = 2) -> StateUpdate:
        """Record one run (or replay it); see :func:`record_run`."""
        return _record(self.connection, run_key=run_key, scenario=scenario, as_of=as_of,
                       alerts=alerts, update_interval_weeks=update_interval_weeks)


@contextmanager
def history(path: Path) -> Iterator[History]:
    """The alert history in a write transaction, committed when the block ends.

    Code in the block (the alert levels, then writing the outputs) runs before
    ``COMMIT``; an exception rolls everything back.
    """
    with _write_transaction(Path(path)) as connection:
        _ensure_schema(connection)
        yield History(connection)


def record_run(path: Path, *, run_key: str, scenario: str, as_of: dt.date,
               alerts: pd.DataFrame, update_interval_weeks: int = 2) -> StateUpdate:
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
        Columns ``part, location, level, first_date_at_risk, expected_shortfall, p_short,
        sites, owner, follow_up_date`` (levels other than ``all_clear``).
    update_interval_weeks : int
        Customers told of an ongoing alert hear again after this many weeks.

    Returns
    -------
    StateUpdate
    """
    with history(path) as open_history:
        return open_history.record(run_key=run_key, scenario=scenario, as_of=as_of,
                                   alerts=alerts, update_interval_weeks=update_interval_weeks)


def acknowledge(path: Path, alert_id: int, *, by: str, on: dt.date, note: str = "") -> dict:
    """Record that ``by`` (a role or a site id) answered open alert ``alert_id``.

    Raises
    ------
    InputError
        The file is not a history, or the alert does not exist or is closed.

    Returns
    -------
    dict
        The alert: ``alert_id, part, location, level, owner, follow_up_date``.
    """
    path = Path(path)
    if not path.is_file():
        raise _problem(path, "must be an existing alert history",
                       "a folder" if path.is_dir() else "no such file")
    check_state(path)
    with _write_transaction(path) as connection:
        _ensure_schema(connection)
        found = connection.execute(
            "SELECT alert_id, part, location, level, owner, follow_up_date, level_run, "
            "closed_run FROM alerts WHERE alert_id = ?", (int(alert_id),)).fetchone()
        if found is None:
            raise InputError(str(Problem(str(path), "ALERT", "must be an alert id of the "
                                                            "history", alert_id)))
        if found[7] is not None:
            raise InputError(str(Problem(str(path), "ALERT", "must be an open alert (this "
                                                            "one was resolved)", alert_id)))
        connection.execute(
            "INSERT INTO acknowledgements (alert_id, by_role, acknowledged_on, level_run, "
            "note, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (int(alert_id), by, on.isoformat(), found[6], note,
             dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
    return {"alert_id": int(found[0]), "part": found[1], "location": found[2],
            "level": found[3], "owner": found[4], "follow_up_date": found[5]}


def read_history(path: Path) -> pd.DataFrame:
    """Every event of the alert history, oldest first (read-only).

    Returns
    -------
    pandas.DataFrame
        ``run_id, as_of, alert_id, part, location, status, level, previous_level,
        first_date_short, shortfall, p_short, sites, notified``.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        return pd.read_sql_query(
            "SELECT e.run_id, r.as_of, e.alert_id, a.part, a.location, e.status, e.level, "
            "e.previous_level, e.first_date_short, e.shortfall, e.p_short, e.sites, "
            "e.notified FROM events e JOIN alerts a USING (alert_id) JOIN runs r "
            "USING (run_id) ORDER BY e.run_id, a.part, a.location", connection)


def read_acks(path: Path) -> pd.DataFrame:
    """Every acknowledgement, oldest first (read-only)."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        return pd.read_sql_query(
            "SELECT k.ack_id, k.alert_id, a.part, a.location, k.by_role, k.acknowledged_on, "
            "k.level_run, k.note FROM acknowledgements k JOIN alerts a USING (alert_id) "
            "ORDER BY k.ack_id", connection)
