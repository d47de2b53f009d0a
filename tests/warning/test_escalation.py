"""Internal risk -> customer notice -> fall back (all clear to the customers) -> resolved.

The pump P-PUMP at F1 (sites S1 gold, S2 silver), base stock 1 by the plan, random demand
of 26 a year at S1 (0.4986 a week, Poisson). The central warehouse holds no pumps and a
new buy takes 90 days, so F1 is not resupplied within the horizon: the probability that
F1 is short at the end of week t is P(Poisson(0.4986 t) > on hand + receipts) — each level
below follows from that closed form. Every run is recorded in one SQLite state file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from warning_helpers import pump_story, write

from spareplan.scenario import load_scenario
from spareplan.warning import read_history, warn

MU = 26 * 7 / 365


def _poisson_sf(k: int, mean: float) -> float:
    """P(Poisson(mean) > k)."""
    return 1 - sum(math.exp(-mean) * mean ** i / math.factorial(i) for i in range(k + 1))


@pytest.fixture
def story(scenario_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    pump_story(scenario_dir)
    plan = tmp_path / "recommendations.csv"
    plan.write_text("part,location,stock\nP-PUMP,F1,1\n")
    return scenario_dir, plan


def _stock(folder: Path, pumps: int) -> None:
    write(folder, "current_stock.csv", f"""
        part,location,on_hand,on_order
        P-PUMP,F1,{pumps},0
        P-FUSE,F1,10,0
    """)


def test_escalation_fall_back_and_all_clear(story, tmp_path: Path, cli) -> None:
    scenario_dir, plan = story
    state, out = tmp_path / "alerts.sqlite", tmp_path / "out"

    def run(as_of: str) -> tuple[pd.Series, list[str]]:
        result = cli(scenario_dir, "--out", out, "--state", state, "--plan", plan,
                     "--as-of", as_of)
        assert result.exit_code == 0, result.output
        alerts = pd.read_csv(out / "alerts.csv")
        pump = alerts[(alerts["part"] == "P-PUMP") & (alerts["location"] == "F1")]
        assert len(pump) == 1
        notices = sorted(p.stem for p in (out / "notices").glob("*.md"))
        return pump.iloc[0], notices

    # A: 2 on hand. Short by week 4 with P(Poisson(4 mu) > 2) = 0.32 < 0.5, but over the
    # 12 weeks P = 0.94: internal risk for the inventory planner, nobody outside is told.
    _stock(scenario_dir, 2)
    pump, notices = run("2025-03-03")
    assert (pump["level"], pump["status"]) == ("internal_risk", "new")
    assert pump["p_short"] == pytest.approx(round(_poisson_sf(2, 12 * MU), 4))
    assert pump["owner"] == "inventory planner" and pump["follow_up_date"] == "2025-03-10"
    assert pump["sites"] == "S1;S2" and notices == []
    assert "no countermeasure covers it yet" in pump["reason"]

    # B: one pump used. P(short by week 4) = P(Poisson(4 mu) > 1) = 0.59 >= 0.5 and nothing
    # can bring a pump in by then: the customers of F1 are told.
    _stock(scenario_dir, 1)
    pump, notices = run("2025-03-10")
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "customer_notice", "escalated", "internal_risk")
    assert pump["customer_week"] == 4 and pump["customer_date"] == "2025-03-31"
    assert pump["owner"] == "service manager" and pump["follow_up_date"] == "2025-03-12"
    assert notices == ["S1", "S2"]
    notice = (out / "notices" / "S1.md").read_text()
    assert "Possible shortage: P-PUMP (Vacuum pump)" in notice
    assert "FSL North (F1) from the week of 2025-03-31 (week 4)" in notice
    assert "more likely than not (about 60 %)" in notice
    assert "Next update:** by 2025-03-24" in notice
    assert "Date: 2025-03-10 · SLA class: gold" in notice

    # C: a purchase order of 3 pumps for F1 due 2025-03-24 (week 2). By week 4 only
    # P(Poisson(4 mu) > 4) = 0.05 < 0.5, over 12 weeks still 0.71: back to internal risk,
    # and the customers told in B hear that it is over.
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-03-24,3,purchase,PO-200
    """)
    pump, notices = run("2025-03-17")
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "internal_risk", "de_escalated", "customer_notice")
    assert pump["owner"] == "inventory planner"
    assert notices == ["S1", "S2"]
    clear = (out / "notices" / "S2.md").read_text()
    assert "All clear: P-PUMP (Vacuum pump)" in clear and "Possible shortage" not in clear
    assert "customer notice of P-PUMP (Vacuum pump) at FSL North (F1)" in clear

    # D: the order is raised to 30 pumps: P(short) < all_clear_probability everywhere, the
    # alert is resolved; the customers already had their all clear, nobody hears twice.
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-03-24,30,purchase,PO-200
    """)
    pump, notices = run("2025-03-24")
    assert (pump["level"], pump["status"], pump["previous_level"]) == (
        "all_clear", "resolved", "internal_risk")
    assert notices == []
    summary = json.loads((out / "summary.json").read_text())
    assert summary["alerts"]["all_clear"] == 1 and summary["statuses"]["resolved"] == 1

    history = read_history(state)
    pump_events = history[history["part"] == "P-PUMP"]
    assert pump_events["status"].tolist() == ["new", "escalated", "de_escalated", "resolved"]
    assert pump_events["notified"].tolist() == [0, 1, 0, 0]
    assert pump_events["alert_id"].nunique() == 1


def test_hysteresis_keeps_the_alert_open(story, tmp_path: Path) -> None:
    """An alert opened at P >= 5 % stays open while P >= 0.5 % (no flapping all clears)."""
    scenario_dir, plan = story
    plan_frame = pd.read_csv(plan)
    state = tmp_path / "s.db"
    _stock(scenario_dir, 2)
    warn(load_scenario(scenario_dir), plan=plan_frame, state=state)
    # 5 pumps: over 12 weeks P(Poisson(12 mu) > 5) = 0.55 -> still at risk; 9 pumps: 0.08;
    # 11 pumps: 0.016 -- below the 5 % that opens an alert, above the 0.5 % that closes it
    for pumps, expected in ((9, "ongoing"), (11, "ongoing"), (14, "resolved")):
        _stock(scenario_dir, pumps)
        result = warn(load_scenario(scenario_dir), plan=plan_frame, state=state)
        pump = result.alerts[result.alerts["part"] == "P-PUMP"].iloc[0]
        assert pump["status"] == expected, (pumps, pump["reason"])
    # a fresh history does not open an alert at 11 pumps
    fresh = warn(load_scenario(scenario_dir), plan=plan_frame)
    assert "P-PUMP" not in set(fresh.alerts["part"])


def test_updates_every_two_weeks_and_on_change(story, tmp_path: Path) -> None:
    scenario_dir, plan = story
    plan_frame = pd.read_csv(plan)
    state = tmp_path / "s.db"
    _stock(scenario_dir, 1)
    sent = []
    for as_of in ("2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24"):
        import datetime as dt

        result = warn(load_scenario(scenario_dir), plan=plan_frame, state=state,
                      as_of=dt.date.fromisoformat(as_of))
        sent.append(sorted(result.notices))
    # new, not due, update due (2 weeks after the first), not due
    assert sent == [["S1", "S2"], [], ["S1", "S2"], []]


def test_expedite_keeps_a_firm_shortage_internal_then_confirmed(scenario_dir: Path) -> None:
    """The fixture's order SO-7 (5 pumps, 2025-04-09) against 2 on hand and PO-100 of 10
    due one week later: expediting PO-100 covers it (internal risk) until it is too late."""
    import datetime as dt

    early = warn(load_scenario(scenario_dir), as_of=dt.date(2025, 3, 3))
    pump = early.alerts[early.alerts["part"] == "P-PUMP"].iloc[0]
    assert pump["level"] == "internal_risk"
    assert pump["first_week_at_risk"] == 6 and pump["p_short"] == 1.0
    assert "expedite purchase receipt PO-100" in pump["countermeasures"]
    assert "exceed what is on hand and arrives by then by 3 unit(s)" in pump["reason"]
    late = warn(load_scenario(scenario_dir), as_of=dt.date(2025, 4, 7))
    pump = late.alerts[late.alerts["part"] == "P-PUMP"].iloc[0]
    assert pump["level"] == "confirmed_shortage" and pump["customer_week"] == 1
    assert sorted(late.notices) == ["S1", "S2"]
    assert "Confirmed shortage: P-PUMP" in late.notices["S1"]
    assert "certain: the orders already placed exceed the supply; about 3 unit(s) short" \
        in late.notices["S1"]


def test_emergency_lane_from_central(scenario_dir: Path) -> None:
    """Pumps at the central warehouse reach F1 by the emergency lane (24 h): internal risk."""
    import datetime as dt

    write(scenario_dir, "current_stock.csv", """
        part,location,on_hand
        P-PUMP,F1,2
        P-PUMP,CW,5
    """)
    result = warn(load_scenario(scenario_dir), as_of=dt.date(2025, 4, 7))
    pump = result.alerts[result.alerts["part"] == "P-PUMP"].iloc[0]
    assert pump["level"] == "internal_risk"
    measures = result.countermeasures
    lane = measures[(measures["part"] == "P-PUMP") & (measures["kind"] == "emergency")]
    assert lane["source"].tolist() == ["CW"] and lane["quantity"].tolist() == [3]
    assert lane["cost"].tolist() == [900.0]  # 3 x emergency_shipment_cost 300
    assert lane["arrival_date"].tolist() == ["2025-04-07"]


def test_network_transfer_keeps_it_internal(scenario_dir: Path) -> None:
    """P-FUSE at F2 (3 on hand, 1 a week) while F1 holds 10 it does not need."""
    result = warn(load_scenario(scenario_dir))
    fuse = result.alerts[result.alerts["part"] == "P-FUSE"].iloc[0]
    assert (fuse["location"], fuse["level"]) == ("F2", "internal_risk")
    assert "lateral transfer of" in fuse["countermeasures"] and "from F1" in fuse["countermeasures"]
    assert bool(fuse["covered"])
