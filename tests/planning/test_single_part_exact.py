"""A single part over a depot and five bases is solved exactly (issue 13).

Brute force evaluates every stock vector of the part (0-4 units at each of six locations:
15,625 vectors; 0-6 units: 117,649) with the planner's own analytic model and keeps

- target form: the cheapest vector whose uptime row (the bases' expected backorders over
  the fleet) meets the target, at every level where the least cost changes (the
  cost-efficient stock vectors' values: every answer the question has);
- budget form (``goal="service"``): the vector of highest availability whose capital
  (unit cost x units) fits the budget, at every budget of 1 to 24 units.

The planner must return the same cost (target form) or availability (budget form) at
every level: by enumeration when all vectors together are few, by column generation
closed by the candidates a better plan could use otherwise
(:mod:`spareplan.planning.exhaustive`), or — where the candidates are too many — with an
honest gap that brackets the brute force.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from single_part_cases import brute_force_cost, every_column, load_model, write_depot_bases

import solvers
from spareplan import load_scenario, plan
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import SERVICE, PlanningModel
from spareplan.planning.optimize import optimize

UNIT_COST = 5000.0


def _efficient_levels(cost: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Values of the cost-efficient vectors: the least cost jumps at each of them."""
    order = np.lexsort((-value, cost))
    levels, best = [], -np.inf
    for k in order:
        if value[k] > best + 1e-12:
            levels.append(value[k])
            best = value[k]
    return np.array(levels)


@pytest.fixture(scope="module")
def uptime_case(tmp_path_factory):
    folder = write_depot_bases(tmp_path_factory.mktemp("uptime") / "case", kind="uptime",
                               target=0.99)
    model = load_model(folder)
    stock, cost, activity = every_column(model)
    return model, stock, cost, activity, load_scenario(folder)


def test_target_form_equals_brute_force_at_every_level(uptime_case) -> None:
    model, _, cost, activity, _ = uptime_case
    value = model.row_value(activity)[:, 0]
    levels = _efficient_levels(cost, value)
    assert len(levels) >= 20  # from nothing to full stock (25 levels)
    for level in levels:
        at = model.with_targets(np.array([level]))
        result = optimize(at)
        assert result.solution.status is solvers.SolveStatus.OPTIMAL
        found = sum(c.cost for c in result.chosen)
        assert found == pytest.approx(brute_force_cost(at, cost, activity), rel=1e-9), level


def test_budget_form_equals_brute_force_at_every_budget(uptime_case) -> None:
    model, stock, _, activity, scenario = uptime_case
    value = model.row_value(activity)[:, 0]
    capital = stock.sum(axis=1) * UNIT_COST
    for units in range(1, 25):
        budget = units * UNIT_COST
        best = value[capital <= budget + 1e-9].max()
        at = PlanningModel.build(scenario, inventory_budget=budget).with_goal(SERVICE)
        result = optimize(at)
        assert result.solution.status is solvers.SolveStatus.OPTIMAL
        found = model.row_value(np.sum([c.coefficients for c in result.chosen], axis=0))[0]
        assert found == pytest.approx(best, abs=1e-12), units
        assert sum(int(c.stock.sum()) for c in result.chosen) * UNIT_COST <= budget + 1e-6


def test_plan_answers_the_budget_question_on_the_cli_path(tmp_path: Path) -> None:
    folder = write_depot_bases(tmp_path / "case", kind="uptime", target=0.99,
                               budget=7 * UNIT_COST)
    result = plan(load_scenario(folder), goal="service", verify=False)
    assert result.summary["goal"] == "service"
    assert result.summary["lower_bound"] is None  # no bound of the yearly cost is claimed
    account = result.summary["service_goal"]
    planned = float(result.service["planned"].iloc[0])
    assert account["weighted_service"] == pytest.approx(planned, abs=1e-9)
    assert account["weighted_service_bound"] >= planned - 1e-9
    assert int(result.recommendations["stock"].sum()) <= 7


def test_column_generation_is_closed_or_brackets_the_brute_force(tmp_path: Path) -> None:
    # 0-6 units: 117,649 vectors, more than are enumerated; column generation runs and
    # the candidates a cheaper plan could use close it where they are few enough.
    model = load_model(write_depot_bases(tmp_path / "case", kind="uptime", target=0.99,
                                         max_stock=6))
    _, cost, activity = every_column(model)
    value = model.row_value(activity)[:, 0]
    # Levels within 1e-7 of full stock differ from each other by less than the solvers'
    # row tolerance (HiGHS: 1e-7): there the LP cannot tell the vectors apart.
    levels = _efficient_levels(cost, value)
    levels = levels[levels <= value.max() - 1e-7]
    methods = []
    for level in levels:
        at = model.with_targets(np.array([level]))
        result = optimize(at)
        assert result.method != "enumeration"
        optimum = brute_force_cost(at, cost, activity)
        found = sum(c.cost for c in result.chosen)
        assert result.solution.lower_bound <= optimum * (1 + 1e-9)
        assert found >= optimum * (1 - 1e-9)
        if result.solution.status is solvers.SolveStatus.OPTIMAL:
            methods.append(result.method)
            assert found == pytest.approx(optimum, rel=1e-9)
    assert len(methods) >= 0.8 * len(levels)
    assert "column_generation+exhaustive" in methods  # a gap the listing closed


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_bases=st.integers(2, 3), max_stock=st.integers(3, 5), quantile=st.floats(0.05, 0.95),
       kind=st.sampled_from(["uptime", "fill"]), repairable=st.booleans())
def test_random_small_cases_equal_enumeration(monkeypatch, n_bases: int, max_stock: int,
                                              quantile: float, kind: str,
                                              repairable: bool) -> None:
    folder = Path(tempfile.mkdtemp()) / "case"
    model = load_model(write_depot_bases(folder, kind=kind, target=0.5, n_bases=n_bases,
                                         max_stock=max_stock, repairable=repairable))
    _, cost, activity = every_column(model)
    value = model.row_value(activity)[:, 0]
    levels = _efficient_levels(cost, value)
    level = float(levels[int(quantile * (len(levels) - 1))])
    at = model.with_targets(np.array([level]))
    optimum = brute_force_cost(at, cost, activity)
    # column generation, closed by the candidates when they are fewer than the box
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    result = optimize(at, exhaustive_limit=len(cost) - 1)
    found = sum(c.cost for c in result.chosen)
    assert result.solution.lower_bound <= optimum * (1 + 1e-9) + 1e-9
    assert found >= optimum * (1 - 1e-9) - 1e-9
    if result.solution.status is solvers.SolveStatus.OPTIMAL:
        assert found == pytest.approx(optimum, rel=1e-4)


def test_an_integral_master_lp_is_planned_not_crashed(tmp_path: Path) -> None:
    # At the value the bare minimum already gives, the master LP holds one column (no
    # stock), integral in the only group: the rounding must return it as it is (the crash
    # of `spareplan frontier scenarios/demo` at level 0; the engine's own test is
    # tests/solvers/test_column_generation.py).
    model = load_model(write_depot_bases(tmp_path / "case", kind="uptime", target=0.5,
                                         max_stock=6))
    floor = model.row_value(model.column(0, np.zeros(6, dtype=np.int64)).coefficients)
    result = optimize(model.with_targets(floor), exhaustive_limit=0)
    assert result.method == "column_generation"
    assert result.solution.status is solvers.SolveStatus.OPTIMAL
    assert int(result.chosen[0].stock.sum()) == 0
    assert result.solution.objective == pytest.approx(0.0)
