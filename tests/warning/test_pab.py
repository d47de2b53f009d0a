"""Projected available balance: the textbook example, forecast demand, week buckets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
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


def test_forecast_where_no_orders(scenario_dir: Path) -> None:
    """P-FUSE has no customer orders: 52 a year at S3 (primary F2) is 1 a week at F2."""
    result = warn(load_scenario(scenario_dir))
    fuse = result.pab[(result.pab["part"] == "P-FUSE") & (result.pab["location"] == "F2")]
    np.testing.assert_allclose(fuse["demand"], 1.0)
    np.testing.assert_allclose(fuse["pab"], 3.0 - np.arange(1, 13))
    f1 = result.pab[(result.pab["part"] == "P-FUSE") & (result.pab["location"] == "F1")]
    np.testing.assert_allclose(f1["demand"], 0.0)


def test_plan_sets_safety_stock_and_inputs_untouched(scenario_dir: Path) -> None:
    scenario = load_scenario(scenario_dir)
    plan = pd.DataFrame({"part": ["P-SEAL"], "location": ["CW"], "stock": [25]})
    before = plan.copy()
    result = warn(scenario, plan=plan)
    pd.testing.assert_frame_equal(plan, before)
    seal = result.alerts[result.alerts["part"] == "P-SEAL"].iloc[0]
    assert seal["level"] == "internal_risk"
    assert seal["first_week_at_risk"] == 1 and pd.isna(seal["first_week_short"])
    assert seal["shortfall"] == 5
    assert result.safety_source == "plan"
    again = warn(scenario, plan=plan)
    pd.testing.assert_frame_equal(result.alerts, again.alerts)
    assert result.alerts is not again.alerts
