"""A receipt one week late: internal risk -> customer notice -> confirmed shortage -> all clear.

The pump P-PUMP at F1: 2 on hand, customer order SO-7 of 5 due 2025-04-09 (site S1),
purchase order PO-100 of 10 for F1. No other location holds pumps and a new buy takes 90
days, so only the supplier can cover. Each run is recorded in one SQLite state file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
from warning_helpers import set_as_of, write

from spareplan.scenario import load_scenario
from spareplan.warning import read_history, warn

ON_TIME = """
    part,location,due_date,quantity,kind,reference
    P-PUMP,F1,2025-04-08,10,purchase,PO-100
"""
ONE_WEEK_LATE = """
    part,location,due_date,quantity,kind,reference
    P-PUMP,F1,2025-04-16,10,purchase,PO-100
"""


def _pump(history: pd.DataFrame, run_id: int) -> pd.Series:
    rows = history[(history["run_id"] == run_id) & (history["part"] == "P-PUMP")]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_late_receipt_escalates_then_clears(scenario_dir: Path, tmp_path: Path, cli) -> None:
    state = tmp_path / "alerts.sqlite"
    out = tmp_path / "out"

    def run(as_of: str) -> pd.DataFrame:
        result = cli(scenario_dir, "--out", out, "--state", state, "--as-of", as_of)
        assert result.exit_code == 0, result.output
        return pd.read_csv(out / "alerts.csv")

    # Run 0: the receipt is due the day before the order needs it: no alert for the pump.
    write(scenario_dir, "scheduled_receipts.csv", ON_TIME)
    alerts = run("2025-03-03")
    assert "P-PUMP" not in set(alerts["part"])

    # Run 1: the supplier reports a week's delay; the order is 6 weeks out -> internal risk,
    # countermeasure: expedite PO-100 by one week; contact at escalation step 1.
    write(scenario_dir, "scheduled_receipts.csv", ONE_WEEK_LATE)
    alerts = run("2025-03-03")
    pump = alerts[alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["status"]) == ("internal_risk", "new")
    assert pump["first_week_short"] == 6 and pump["first_date_short"] == "2025-04-07"
    assert pump["short_units"] == 3
    assert "expedite purchase receipt PO-100" in pump["countermeasures"]
    assert "by 1 week" in pump["countermeasures"]
    assert pump["supplier_contact"] == "spare-parts@acme.example"
    assert pump["escalation_step"] == "step 1 of 3: Account manager"
    assert pump["sites"] == "S1;S2" and pump["sla_classes"] == "gold;silver"
    assert not (out / "notices" / "S1.md").exists()

    # Run 2: three weeks out, within customer_notice_weeks = 4 -> customer notice.
    alerts = run("2025-03-24")
    pump = alerts[alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "customer_notice", "escalated", "internal_risk")
    assert pump["escalation_step"] == "step 2 of 3: Head of service"
    notice = (out / "notices" / "S1.md").read_text()
    assert "Possible shortage: P-PUMP" in notice and "2025-04-07" in notice
    assert "expedite purchase receipt PO-100" in notice
    assert (out / "notices" / "S2.md").exists()
    assert not (out / "notices" / "S3.md").exists()  # F2's customers are not affected

    # Run 3: the order is due this week; nothing can arrive in time -> confirmed shortage.
    alerts = run("2025-04-07")
    pump = alerts[alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "confirmed_shortage", "escalated", "customer_notice")
    assert pump["first_week_short"] == 1 and pump["first_date_short"] == "2025-04-07"
    assert pump["customer_short_date"] == "2025-04-07"  # the exact week customers are short
    assert pump["escalation_step"] == "step 3 of 3: Managing director"
    assert "Confirmed shortage: P-PUMP" in (out / "notices" / "S1.md").read_text()

    # Run 4: PO-100 is booked in (expedited after all): 12 on hand, no open receipt.
    write(scenario_dir, "current_stock.csv", """
        part,location,on_hand,on_order
        P-PUMP,F1,12,0
        P-FUSE,F1,10,0
        P-FUSE,F2,3,0
        P-VALVE,CW,4,0
        P-SEAL,CW,20,0
    """)
    write(scenario_dir, "scheduled_receipts.csv",
          "part,location,due_date,quantity,kind,reference")
    alerts = run("2025-04-07")
    pump = alerts[alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "all_clear", "resolved", "confirmed_shortage")
    clear = (out / "notices" / "S1.md").read_text()
    assert "All clear: P-PUMP" in clear and "Confirmed shortage" not in clear
    summary = json.loads((out / "summary.json").read_text())
    assert summary["alerts"]["all_clear"] == 1 and summary["statuses"]["resolved"] == 1

    # The history, read straight from SQLite.
    history = read_history(state)
    assert sorted(history["run_id"].unique()) == [1, 2, 3, 4, 5]
    assert "P-PUMP" not in set(history.loc[history["run_id"] == 1, "part"])
    steps = [(_pump(history, r)["status"], _pump(history, r)["level"]) for r in (2, 3, 4, 5)]
    assert steps == [("new", "internal_risk"), ("escalated", "customer_notice"),
                     ("escalated", "confirmed_shortage"), ("resolved", "all_clear")]
    with sqlite3.connect(state) as connection:
        pump_alerts = connection.execute(
            "SELECT level, max_level, opened_run, closed_run, notified_sites FROM alerts "
            "WHERE part = 'P-PUMP'").fetchall()
    assert pump_alerts == [("all_clear", "confirmed_shortage", 2, 5, "S1;S2")]


def test_python_api_same_story_without_cli(scenario_dir: Path, tmp_path: Path) -> None:
    """The API advances ``as_of`` through ``[early_warning] as_of`` just the same."""
    state = tmp_path / "state.db"
    levels = []
    for as_of in ("2025-03-03", "2025-03-24", "2025-04-07"):
        set_as_of(scenario_dir, as_of)
        result = warn(load_scenario(scenario_dir), state=state)
        pump = result.alerts[result.alerts["part"] == "P-PUMP"].iloc[0]
        levels.append((pump["level"], pump["status"]))
    assert levels == [("internal_risk", "new"), ("customer_notice", "escalated"),
                      ("confirmed_shortage", "escalated")]
    assert sorted(result.notices) == ["S1", "S2"]


def test_network_transfer_keeps_it_internal(scenario_dir: Path) -> None:
    """F2 runs out of fuses in week 4; F1 holds 10 with no demand: a lateral transfer."""
    result = warn(load_scenario(scenario_dir))
    fuse = result.alerts[result.alerts["part"] == "P-FUSE"].iloc[0]
    assert (fuse["location"], fuse["level"], fuse["first_week_short"]) == ("F2", "internal_risk",
                                                                          4)
    measures = result.countermeasures[result.countermeasures["part"] == "P-FUSE"]
    assert measures[["kind", "source", "quantity"]].values.tolist() == [["transfer", "F1", 9.0]]
    assert "S3" not in result.notices


def test_emergency_lane_from_central(scenario_dir: Path) -> None:
    """Pumps at the central warehouse cover F1 by an emergency shipment: internal risk."""
    write(scenario_dir, "current_stock.csv", """
        part,location,on_hand
        P-PUMP,F1,2
        P-PUMP,CW,5
    """)
    set_as_of(scenario_dir, "2025-04-07")
    result = warn(load_scenario(scenario_dir))
    pump = result.alerts[result.alerts["part"] == "P-PUMP"].iloc[0]
    assert pump["level"] == "internal_risk"
    measures = result.countermeasures[result.countermeasures["part"] == "P-PUMP"]
    assert measures[["kind", "source", "quantity"]].values.tolist() == [["emergency", "CW", 3.0]]


def test_no_receipt_at_all_is_confirmed_early(scenario_dir: Path) -> None:
    """Nothing to expedite and a new buy takes 90 days: confirmed even 6 weeks out."""
    write(scenario_dir, "scheduled_receipts.csv",
          "part,location,due_date,quantity,kind,reference")
    result = warn(load_scenario(scenario_dir))
    pump = result.alerts[result.alerts["part"] == "P-PUMP"].iloc[0]
    assert (pump["level"], pump["first_week_short"]) == ("confirmed_shortage", 6)
    assert "no receipt, transfer or new buy arrives in time" in pump["reason"]
