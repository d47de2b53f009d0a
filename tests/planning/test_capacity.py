"""Capacity rows (issue 4 item 1): sum over parts of the stock at a location <= its
``capacity_units``.

The tiny scenario's unconstrained optimum holds 4 units at F1 (1 pump, 3 fuse kits); with
``capacity_units = 2`` at F1 the plan must hold at most 2 there and equal the brute force
over all 4,096 stock-vector pairs restricted to those that fit. Both optimizer paths are
checked: enumeration, and column generation whose exact pricing sees the capacity dual as
a price per unit stocked at F1.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pricing_helpers import assert_pricing_is_exact

import solvers
from spareplan import load_scenario
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import optimize

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
CAPACITY_F1 = 2


@pytest.fixture(scope="module")
def capacity_model(tmp_path_factory: pytest.TempPathFactory) -> PlanningModel:
    folder = tmp_path_factory.mktemp("tiny_capacity") / "tiny"
    shutil.copytree(TINY, folder)
    locations = pd.read_csv(folder / "locations.csv")
    locations["capacity_units"] = [np.nan, CAPACITY_F1, np.nan]
    assert list(locations["location"]) == ["CW", "F1", "F2"]
    locations.to_csv(folder / "locations.csv", index=False)
    return PlanningModel.build(load_scenario(folder))


def _meets(model: PlanningModel, columns: list) -> bool:
    activity = np.sum([c.coefficients for c in columns], axis=0)
    tol = 1e-9
    return bool(np.all(activity >= model.row_lower - tol)
                and np.all(activity <= model.row_upper + tol))


def _units_at_f1(columns: list) -> int:
    return int(sum(int(c.stock[1]) for c in columns))


@pytest.fixture(scope="module")
def brute_force(capacity_model: PlanningModel) -> tuple[float, float]:
    """(optimum under the capacity, optimum without it)."""
    model = capacity_model
    levels = list(itertools.product(range(4), repeat=3))
    columns = [[model.column(p, np.array(s, dtype=np.int64)) for s in levels]
               for p in range(2)]
    best, best_free = np.inf, np.inf
    for a in columns[0]:
        for b in columns[1]:
            cost = a.cost + b.cost
            if cost >= best and cost >= best_free:
                continue
            if not _meets(model, [a, b]):
                continue
            best_free = min(best_free, cost)
            if _units_at_f1([a, b]) <= CAPACITY_F1:
                best = min(best, cost)
    assert np.isfinite(best)
    return best, best_free


def test_capacity_rows_follow_the_sla_rows(capacity_model):
    model = capacity_model
    assert model.capacity_names == ("capacity_units[F1]",)
    assert len(model.problem_row_names) == len(model.row_names) + 1
    assert model.problem_row_upper[-1] == 1.0
    assert np.array_equal(model.capacity_unit_prices(np.array([4.0])),
                          [[0.0, 2.0, 0.0]] * model.n_parts)


def test_capacity_binds_on_tiny(brute_force):
    constrained, free = brute_force
    assert constrained > free * (1 + 1e-6)  # the capacity changes the optimum


@pytest.mark.parametrize("path", ["enumeration", "column_generation"])
def test_plan_respects_capacity_and_equals_brute_force(capacity_model, brute_force, path,
                                                       monkeypatch):
    optimum, _ = brute_force
    if path == "column_generation":
        monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
        monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)
    result = optimize(capacity_model)
    assert result.method == path
    chosen = result.chosen
    assert _units_at_f1(chosen) <= CAPACITY_F1
    assert _meets(capacity_model, chosen)
    cost = sum(c.cost for c in chosen)
    assert result.solution.lower_bound <= optimum * (1 + 1e-9)
    if result.solution.status is solvers.SolveStatus.OPTIMAL:
        assert cost == pytest.approx(optimum, rel=1e-4)
    else:
        assert result.solution.status is solvers.SolveStatus.FEASIBLE
        assert cost >= optimum * (1 - 1e-9)
    if path == "enumeration":
        assert cost == pytest.approx(optimum, rel=1e-9)


def test_pricing_with_unit_prices_is_the_exact_minimum(capacity_model):
    """The DP with a per-location unit price returns the minimum over all 64 vectors, and
    the single-part pricer agrees with the batch one."""
    model = capacity_model
    rng = np.random.default_rng(2)
    for _ in range(4):
        duals = np.where(model.is_fill_row, 1.0, -1.0) * rng.uniform(0, 2e5, len(model.rows))
        price = rng.uniform(0, 400, model.network.n_locations)
        stock = assert_pricing_is_exact(
            model, duals, np.broadcast_to(price, (model.n_parts, price.shape[0])))
        for p in range(model.n_parts):
            w, v = model.site_weights(duals, p)
            single, exact = model.service.price(p, w, v, unit_price=price)
            assert exact and np.array_equal(single, stock[p])
