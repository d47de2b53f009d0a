"""Projected available balance: the textbook example, forecast demand, week buckets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from warning_helpers import write

from spareplan.scenario import load_scenario
from spareplan.warning import projected_available_balance, warn
from spareplan.warning.pab import week_of

KEY = {"part": ["P"], "location": ["L"]}


def test_textbook_example_single_week() -> None:
    """On hand 14, orders 15, planned receipts 50: PAB = 14 - 15 + 50 = 49."""
    pab = projected_available_balance(
        pd.DataFrame({**KEY, "on_hand": [14]}),
        pd.DataFrame({**KEY, "week": [1], "quantity": [15.0]}),
        pd.DataFrame({**KEY, "week": [1], "quantity": [50.0]}),
        pd.DataFrame({**KEY, "safety_stock": [0.0]}),
        as_of=dt.date(2025, 1, 6), horizon_weeks=1)
    row = pab.iloc[0]
    assert (row["opening"], row["demand"], row["receipts"], row["pab"]) == (14, 15, 50, 49)
    assert not row["short"]


def test_recursion_over_weeks_and_flags() -> None:
    pab = projected_available_balance(
        pd.DataFrame({**KEY, "on_hand": [5]}),
        pd.DataFrame({"part": ["P"] * 3, "location": ["L"] * 3, "week": [1, 2, 2],
                      "quantity": [2.0, 3.0, 1.0]}),
        pd.DataFrame({**KEY, "week": [3], "quantity": [4.0]}),
        pd.DataFrame({**KEY, "safety_stock": [2.0]}),
        as_of=dt.date(2025, 1, 6), horizon_weeks=4)
    np.testing.assert_allclose(pab["pab"], [3, -1, 3, 3])
    np.testing.assert_allclose(pab["opening"], [5, 3, -1, 3])
    assert pab["below_safety"].tolist() == [False, True, False, False]
    assert pab["short"].tolist() == [False, True, False, False]
    assert pab["week_start"].tolist() == [dt.date(2025, 1, 6), dt.date(2025, 1, 13),
                                          dt.date(2025, 1, 20), dt.date(2025, 1, 27)]


def test_week_buckets_overdue_in_week_one() -> None:
    dates = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-06", "2025-01-12",
                                      "2025-01-13"]))
    assert week_of(dates, dt.date(2025, 1, 6)).tolist() == [1, 1, 1, 2]


def test_textbook_example_through_a_scenario(scenario_dir: Path) -> None:
    """The same example from scenario tables: customer orders and scheduled receipts."""
    write(scenario_dir, "current_stock.csv", """
        part,location,on_hand
        P-PUMP,F1,14
    """)
    write(scenario_dir, "customer_orders.csv", """
        part,location,due_date,quantity,site,reference
        P-PUMP,F1,2025-03-04,15,S1,SO-1
    """)
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-03-05,50,purchase,PO-1
    """)
    result = warn(load_scenario(scenario_dir), horizon_weeks=2)
    pump = result.pab[(result.pab["part"] == "P-PUMP") & (result.pab["location"] == "F1")]
    assert pump["pab"].tolist() == [49.0, 49.0]
    assert pump["opening"].iloc[0] == 14
    assert "P-PUMP" not in set(result.alerts["part"])


def test_firm_orders_only_give_the_deterministic_pab(scenario_dir: Path) -> None:
    """The pump has no random demand: the projection's balance is the textbook PAB."""
    write(scenario_dir, "customer_orders.csv", """
        part,location,due_date,quantity,site,reference
        P-PUMP,F1,2025-03-04,15,S1,SO-1
        P-PUMP,F1,2025-03-12,4,S1,SO-2
    """)
    write(scenario_dir, "current_stock.csv", """
        part,location,on_hand
        P-PUMP,F1,14
    """)
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-03-05,50,purchase,PO-1
    """)
    result = warn(load_scenario(scenario_dir), horizon_weeks=3)
    pump = result.pab[(result.pab["part"] == "P-PUMP") & (result.pab["location"] == "F1")]
    classic = projected_available_balance(
        pd.DataFrame({**KEY, "on_hand": [14]}),
        pd.DataFrame({"part": ["P", "P"], "location": ["L", "L"], "week": [1, 2],
                      "quantity": [15.0, 4.0]}),
        pd.DataFrame({**KEY, "week": [1], "quantity": [50.0]}),
        pd.DataFrame({**KEY, "safety_stock": [0.0]}),
        as_of=dt.date(2025, 3, 3), horizon_weeks=3)
    np.testing.assert_allclose(pump["pab"], classic["pab"])  # 49, 45, 45
    np.testing.assert_allclose(pump["p_short"], 0.0)


def test_random_demand_where_no_orders(scenario_dir: Path) -> None:
    """P-FUSE: 52 a year at S3 (primary F2) is 52 x 7 / 365 a week of Poisson demand at F2."""
    result = warn(load_scenario(scenario_dir))
    fuse = result.pab[(result.pab["part"] == "P-FUSE") & (result.pab["location"] == "F2")]
    np.testing.assert_allclose(fuse["demand"], 52 * 7 / 365)
    # F2 holds 3 and waits 1 week (5 days) plus the supplier's 2 weeks (14 days; CW holds
    # none): weeks 1-3 see 1, 2, 3 weeks of demand against the 3 units
    mu = 52 * 7 / 365
    expected = [1 - sum(np.exp(-mu * t) * (mu * t) ** k / np.prod(range(1, k + 1))
                        for k in range(4)) for t in (1, 2, 3)]
    np.testing.assert_allclose(fuse["p_short"].iloc[:3], expected, rtol=1e-9)
    f1 = result.pab[(result.pab["part"] == "P-FUSE") & (result.pab["location"] == "F1")]
    np.testing.assert_allclose(f1["demand"], 0.0)


def test_plan_sets_base_stock_and_inputs_untouched(scenario_dir: Path) -> None:
    scenario = load_scenario(scenario_dir)
    plan = pd.DataFrame({"part": ["P-SEAL", "P-FUSE"], "location": ["CW", "F2"],
                         "stock": [25, 6]})
    before = plan.copy()
    result = warn(scenario, plan=plan)
    pd.testing.assert_frame_equal(plan, before)
    assert result.target_source == "plan"
    fuse = result.pab[(result.pab["part"] == "P-FUSE") & (result.pab["location"] == "F2")]
    assert set(fuse["target"]) == {6}
    # F2 orders 3 now to reach 6; they arrive after the supplier's two weeks + one week
    assert fuse["replenishment"].iloc[2] == pytest.approx(3.0)
    again = warn(scenario, plan=plan)
    pd.testing.assert_frame_equal(result.alerts, again.alerts)
    assert result.alerts is not again.alerts
