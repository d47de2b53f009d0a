"""Owners, follow-up dates and acknowledgements (``spareplan warn-ack``) in the history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner
from warning_helpers import pump_story, write

from spareplan.cli.app import app
from spareplan.warning import read_acks

RUNNER = CliRunner()


def spareplan(*args: object):
    return RUNNER.invoke(app, [str(a) for a in args])


@pytest.fixture
def story(scenario_dir: Path, tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """The pump of the escalation story at 1 on hand: a customer notice for S1 and S2."""
    pump_story(scenario_dir, 1)
    plan = tmp_path / "plan.csv"
    plan.write_text("part,location,stock\nP-PUMP,F1,1\nP-FUSE,F2,3\nP-FUSE,F1,10\n")
    return scenario_dir, plan, tmp_path / "alerts.sqlite", tmp_path / "out"


def _run(story, as_of: str):
    scenario_dir, plan, state, out = story
    result = spareplan("warn", scenario_dir, "--out", out, "--state", state, "--plan", plan,
                       "--as-of", as_of)
    assert result.exit_code == 0, result.output
    alerts = pd.read_csv(out / "alerts.csv").set_index("part")
    return alerts, result.output


def test_ack_follow_up_and_who_has_not_answered(story) -> None:
    alerts, _ = _run(story, "2025-03-10")
    pump, fuse = alerts.loc["P-PUMP"], alerts.loc["P-FUSE"]
    assert (pump["level"], pump["owner"], pump["follow_up_date"]) == (
        "customer_notice", "service manager", "2025-03-12")
    assert pump["awaiting"] == "service manager; S1; S2"
    assert (fuse["level"], fuse["owner"], fuse["follow_up_date"]) == (
        "internal_risk", "inventory planner", "2025-03-17")

    state = story[2]
    for who in ("service manager", "S1"):
        result = spareplan("warn-ack", int(pump["alert_id"]), "--by", who, "--state", state,
                           "--on", "2025-03-11", "--note", "expedite asked")
        assert result.exit_code == 0, result.output
        assert f"acknowledged by {who} on 2025-03-11" in result.output
    acks = read_acks(state)
    assert acks[["alert_id", "part", "by_role", "acknowledged_on", "note"]].values.tolist() == [
        [int(pump["alert_id"]), "P-PUMP", "service manager", "2025-03-11", "expedite asked"],
        [int(pump["alert_id"]), "P-PUMP", "S1", "2025-03-11", "expedite asked"]]

    # a week later: the pump is still a customer notice (ongoing), the fuse's planner has
    # not answered and its follow-up date (2025-03-17) has passed
    alerts, console = _run(story, "2025-03-18")
    pump, fuse = alerts.loc["P-PUMP"], alerts.loc["P-FUSE"]
    assert (pump["status"], pump["follow_up_date"]) == ("ongoing", "2025-03-12")
    assert pump["acknowledged_by"] == "service manager;S1" and pump["awaiting"] == "S2"
    assert fuse["awaiting"] == "inventory planner (overdue since 2025-03-17)"
    assert "not answered after the follow-up date: 1 alert(s) (inventory planner: 1)" in console
    with sqlite3.connect(state) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_escalation_needs_a_new_answer(story) -> None:
    """An answer holds for the level it was given at: the confirmed shortage's owner is new."""
    alerts, _ = _run(story, "2025-03-10")
    alert_id = int(alerts.loc["P-PUMP", "alert_id"])
    assert spareplan("warn-ack", alert_id, "--by", "service manager", "--state", story[2],
                     "--on", "2025-03-10").exit_code == 0
    scenario_dir = story[0]
    write(scenario_dir, "customer_orders.csv", """
        part,location,due_date,quantity,site,reference
        P-PUMP,F1,2025-03-18,3,S1,SO-9
    """)
    alerts, _ = _run(story, "2025-03-17")
    pump = alerts.loc["P-PUMP"]
    assert (pump["level"], pump["status"], pump["owner"]) == (
        "confirmed_shortage", "escalated", "head of service")
    assert pd.isna(pump["acknowledged_by"])
    assert pump["awaiting"].startswith("head of service")


@pytest.mark.parametrize(("args", "expected"), [
    (["999", "--by", "planner"], "must be an alert id of the history (received 999)"),
    (["1", "--by", "  "], "parameter --by: must name a role or a site"),
    (["1", "--by", "planner", "--on", "yesterday"], "parameter --on: must be a date"),
])
def test_bad_ack_exit_2(story, args: list[str], expected: str) -> None:
    _run(story, "2025-03-10")
    result = spareplan("warn-ack", *args, "--state", story[2])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output


def test_ack_needs_a_history(tmp_path: Path) -> None:
    missing = spareplan("warn-ack", "1", "--by", "planner", "--state", tmp_path / "none.db")
    assert missing.exit_code == 2 and "must be an existing alert history" in missing.output
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE alerts (x)")
    foreign = spareplan("warn-ack", "1", "--by", "planner", "--state", other)
    assert foreign.exit_code == 2 and "must be a spareplan alert history" in foreign.output


def test_ack_of_a_resolved_alert_is_refused(story) -> None:
    alerts, _ = _run(story, "2025-03-10")
    alert_id = int(alerts.loc["P-PUMP", "alert_id"])
    write(story[0], "current_stock.csv", """
        part,location,on_hand,on_order
        P-PUMP,F1,40,0
        P-FUSE,F1,10,0
        P-FUSE,F2,3,0
    """)
    alerts, _ = _run(story, "2025-03-17")
    assert alerts.loc["P-PUMP", "status"] == "resolved"
    result = spareplan("warn-ack", alert_id, "--by", "planner", "--state", story[2])
    assert result.exit_code == 2 and "must be an open alert" in result.output
