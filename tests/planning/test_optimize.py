"""Planning optimizer against exact optima (brute force over every stock vector).

The tiny scenario (one central warehouse over two FSLs, two parts, max 3 units per
location) has 4^3 = 64 stock vectors per part, 4,096 pairs: few enough to enumerate. Each
pair's cost and SLA rows are evaluated with :meth:`PlanningModel.column`; the least-cost
pair meeting every row is the optimum both optimizer paths must reach. The depot (central)
and FSL stocks of each part are chosen jointly there: the brute force covers every
combination.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from pricing_helpers import assert_pricing_is_exact

import solvers
from spareplan import load_scenario
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import baseline_costs, optimize

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny_model() -> PlanningModel:
    return PlanningModel.build(load_scenario(TINY))


def _meets(model: PlanningModel, activity: np.ndarray) -> bool:
    tol = 1e-9
    return bool(np.all(activity >= model.row_lower - tol)
                and np.all(activity <= model.row_upper + tol))


@pytest.fixture(scope="module")
def brute_force(tiny_model: PlanningModel) -> tuple[float, list[np.ndarray]]:
    model = tiny_model
    assert model.n_parts == 2 and model.network.n_locations == 3
    levels = list(itertools.product(range(4), repeat=3))
    columns = [[model.column(p, np.array(s, dtype=np.int64)) for s in levels]
               for p in range(2)]
    best, best_stock = np.inf, []
    for a in columns[0]:
        for b in columns[1]:
            cost = a.cost + b.cost
            if cost < best and _meets(model, a.coefficients + b.coefficients):
                best, best_stock = cost, [a.stock, b.stock]
    assert np.isfinite(best)
    return best, best_stock


def test_tiny_enumeration_equals_brute_force(tiny_model, brute_force):
    optimum, _ = brute_force
    result = optimize(tiny_model)
    assert result.method == "enumeration"
    assert result.solution.status is solvers.SolveStatus.OPTIMAL
    assert sum(c.cost for c in result.chosen) == pytest.approx(optimum, rel=1e-9)
    total = np.sum([c.coefficients for c in result.chosen], axis=0)
    assert _meets(tiny_model, total)


def test_tiny_column_generation_brackets_brute_force(tiny_model, brute_force, monkeypatch):
    optimum, _ = brute_force
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    result = optimize(tiny_model, exhaustive_limit=0)
    assert result.method == "column_generation"
    solution = result.solution
    assert solution.status.has_solution
    cost = sum(c.cost for c in result.chosen)
    assert _meets(tiny_model, np.sum([c.coefficients for c in result.chosen], axis=0))
    # The Lagrangian bound is valid for all stock vectors; the plan cannot beat the optimum.
    assert solution.lower_bound <= optimum * (1 + 1e-9)
    assert cost >= optimum * (1 - 1e-9)
    if solution.status is solvers.SolveStatus.OPTIMAL:
        assert cost == pytest.approx(optimum, rel=1e-4)
    else:
        assert solution.status is solvers.SolveStatus.FEASIBLE


def test_column_generation_closed_by_the_candidates_equals_brute_force(
        tiny_model, brute_force, monkeypatch):
    # 128 stock vectors in all: a limit of 100 keeps the boxes from being enumerated, and
    # the vectors a plan cheaper than column generation's could use are fewer.
    optimum, _ = brute_force
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    result = optimize(tiny_model, exhaustive_limit=100)
    assert result.method == "column_generation+exhaustive"
    assert result.solution.status is solvers.SolveStatus.OPTIMAL
    assert result.n_columns < 128
    assert sum(c.cost for c in result.chosen) == pytest.approx(optimum, rel=1e-9)
    assert result.solution.lower_bound <= optimum * (1 + 1e-9)


def test_batch_pricing_equals_single_part_pricing(tiny_model):
    model = tiny_model
    rng = np.random.default_rng(0)
    parts = np.arange(model.n_parts)
    for _ in range(5):
        duals = np.where(model.is_fill_row, 1.0, -1.0) * rng.uniform(0, 5e4, len(model.rows))
        within = np.vstack([model.site_weights(duals, p)[0] for p in parts])
        wait = np.vstack([model.site_weights(duals, p)[1] for p in parts])
        stock, _ = model.service.price_many(parts, within, wait)
        for p in parts:
            single, exact = model.service.price(int(p), within[p], wait[p])
            assert exact
            assert np.array_equal(single, stock[p])


def test_batch_pricing_is_the_exact_minimum(tiny_model):
    """The pruned dynamic program returns the minimum over all 64 stock vectors."""
    rng = np.random.default_rng(1)
    for _ in range(4):
        duals = np.where(tiny_model.is_fill_row, 1.0, -1.0) * rng.uniform(
            0, 2e5, len(tiny_model.rows))
        assert_pricing_is_exact(tiny_model, duals)


def test_baseline_costs_not_below_the_milp(tiny_model, brute_force):
    result = optimize(tiny_model)
    baseline = baseline_costs(tiny_model, result)
    assert baseline["milp_cost"] == pytest.approx(brute_force[0], rel=1e-9)
    for name in ("hull", "naive"):
        cost = baseline[f"greedy_{name}_cost"]
        assert cost is not None
        assert cost >= baseline["milp_cost"] - 1e-6
        assert baseline[f"saving_vs_{name}"] == pytest.approx(cost - baseline["milp_cost"])
