"""The cost-service frontier (issue 13): distinct plans, monotone on both sides, and each
point the plan ``plan`` returns at the same level or budget.

On ``tiny`` with the analytic model (exact there: every part is enumerated), so that the
frontier's monotonicity is a property of optimal plans, not of the feed's noise.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from spareplan import ParameterError, load_scenario, plan
from spareplan.cli.app import app
from spareplan.planning.frontier import frontier

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
OPTIONS = {"service_model": "analytic", "verify": False}


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def traced(tiny):
    return frontier(tiny, points=4, **OPTIONS)


def _stock(result) -> dict:
    frame = result.recommendations
    held = frame[frame["stock"] > 0]
    return dict(zip(zip(held["part"], held["location"], strict=True), held["stock"],
                    strict=True))


def test_points_are_distinct_plans_monotone_on_each_side(traced) -> None:
    frame = traced.to_frame()
    target = frame[frame["side"] == "target"].sort_values("level")
    budget = frame[frame["side"] == "budget"].sort_values("budget")
    assert len(target) >= 3 and len(budget) >= 3
    # least cost rises with the level, and buys no less service
    assert np.all(np.diff(target["yearly_cost"]) > 0)
    assert np.all(np.diff(target["weighted_service"]) >= -1e-12)
    # best service rises with the budget, within it
    assert np.all(np.diff(budget["weighted_service"]) > 0)
    assert np.all(budget["investment"] <= budget["budget"] + 1e-6)
    assert not frame["dominated"].any()
    # distinct plans: no two points with the same cost and service on a side
    for side in (target, budget):
        assert not side.duplicated(["yearly_cost", "investment"]).any()
    assert set(frame["status"]) == {"optimal"}


def test_the_top_level_is_what_plan_returns(tiny, traced) -> None:
    frame = traced.to_frame()
    top = frame[(frame["side"] == "target") & (frame["level"] == 1.0)]
    assert len(top) == 1
    planned = plan(tiny, **OPTIONS)
    assert float(top["yearly_cost"].iloc[0]) == pytest.approx(planned.summary["objective"])


def test_points_agree_with_plan_at_the_same_level_and_budget(tiny, traced) -> None:
    frame = traced.to_frame()
    budget_point = frame[frame["side"] == "budget"].iloc[1]
    alone = plan(tiny, budget=float(budget_point["budget"]), goal="service", verify=False)
    investment = float((alone.recommendations["stock"]
                        * alone.recommendations["unit_cost"]).sum())
    assert investment == pytest.approx(budget_point["investment"])
    assert alone.summary["service_goal"]["weighted_service"] == pytest.approx(
        budget_point["weighted_service"], abs=1e-9)
    # a target-side point: plan at its level's targets
    level = frame[frame["side"] == "target"].iloc[0]
    again = frontier(tiny, levels=[float(level["level"])], side="target", **OPTIONS)
    assert float(again.points["yearly_cost"].iloc[0]) == pytest.approx(level["yearly_cost"])


def test_plan_with_what_if_targets_shows_them(tiny) -> None:
    result = plan(tiny, targets={"silver/uptime": 0.99}, **OPTIONS)
    row = result.service.set_index("sla_row").loc["silver/uptime"]
    assert row["target"] == 0.99
    with pytest.raises(ParameterError, match="names no SLA row"):
        plan(tiny, targets={"bronze/uptime": 0.9}, **OPTIONS)
    with pytest.raises(ParameterError, match=r"targets\[silver/uptime\]"):
        plan(tiny, targets={"silver/uptime": 1.0}, **OPTIONS)


def test_budget_below_the_minimum_stock_is_skipped_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "tiny-min-stock"
    shutil.copytree(TINY, folder)
    parts = pd.read_csv(folder / "parts.csv")
    parts["min_stock"] = 1
    parts.to_csv(folder / "parts.csv", index=False)
    result = frontier(load_scenario(folder), side="budget", budgets=[100.0, 4000.0],
                      **OPTIONS)
    assert list(result.points["budget"]) == [4000.0]
    assert list(result.skipped["budget"]) == [100.0]
    assert "inventory_budget" in result.skipped["reason"].iloc[0]


@pytest.mark.parametrize("points", [1, 0])
def test_frontier_rejects_too_few_points(tiny, points):
    with pytest.raises(ParameterError, match="points"):
        frontier(tiny, points=points)


def test_frontier_rejects_levels_outside_unit_interval(tiny):
    with pytest.raises(ParameterError, match="levels"):
        frontier(tiny, levels=[0.5, 1.5])


def test_cli_writes_the_frontier_with_currency(tmp_path: Path) -> None:
    out = tmp_path / "frontier"
    result = CliRunner().invoke(app, ["frontier", str(TINY), "--out", str(out), "--points",
                                      "3", "--model", "analytic", "--no-verify"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "frontier.csv")
    assert set(frame["side"]) == {"target", "budget"}
    assert (out / "frontier.png").stat().st_size > 10_000
    assert "EUR" in result.output
    assert not any(math.isnan(v) for v in frame["weighted_service"])
