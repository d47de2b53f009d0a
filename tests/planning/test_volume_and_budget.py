"""Volume capacity and the inventory budget (issue 4: the formulation's capacity rows by
volume per location and its optional budget row).

On the tiny scenario the unconstrained optimum holds the pump at (1, 1, 1) and the fuse
kits at (1, 3, 2) over (CW, F1, F2): 30 + 3 x 2.5 = 37.5 liters at F1 with the volumes
below, and 3,840 EUR tied up in stock (unit costs 1,200 and 40). The least capital of any
plan meeting the SLA rows is 3,720 EUR (brute force over all 4,096 stock-vector pairs).

- ``capacity_volume_liters = 36.5`` at F1 binds (the pump's 30 liters weigh more than a
  fuse kit's 2.5: a part-dependent row);
- ``inventory_budget = 3,800`` binds;
- ``inventory_budget = 3,700`` is below what the SLA rows need: ``spareplan plan`` exits 1
  naming ``inventory_budget`` and the 3,720 EUR the SLA rows need.

Both optimizer paths are checked against the brute force: enumeration, and column
generation whose exact pricing sees the rows' duals as a price per unit of each part at
each location (volume x dual at F1, unit cost x dual everywhere).
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pricing_helpers import assert_pricing_is_exact

import solvers
from spareplan import InfeasibleError, ParameterError, load_scenario, plan
from spareplan.errors import PlanningError
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import Column, PlanningModel
from spareplan.planning.optimize import optimize

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
VOLUME_LITERS = {"P-PUMP": 30.0, "P-FUSE": 2.5}
CAPACITY_VOLUME_F1 = 36.5
BINDING_BUDGET = 3800.0
LEAST_CAPITAL = 3720.0  # least unit_cost x stock of a plan meeting every SLA row
UNIT_COST = np.array([1200.0, 40.0])


def _scenario(folder: Path, *, volume_f1: float | None = None,
              budget: float | None = None) -> Path:
    shutil.copytree(TINY, folder)
    if volume_f1 is not None:
        locations = pd.read_csv(folder / "locations.csv")
        assert list(locations["location"]) == ["CW", "F1", "F2"]
        locations["capacity_volume_liters"] = [np.nan, volume_f1, np.nan]
        locations.to_csv(folder / "locations.csv", index=False)
        parts = pd.read_csv(folder / "parts.csv")
        parts["volume_liters"] = parts["part"].map(VOLUME_LITERS)
        parts.to_csv(folder / "parts.csv", index=False)
    if budget is not None:
        toml = folder / "scenario.toml"
        toml.write_text(toml.read_text().replace(
            "[costs]\n", f"[costs]\ninventory_budget = {budget}\n"))
    return folder


@pytest.fixture(scope="module")
def volume_model(tmp_path_factory: pytest.TempPathFactory) -> PlanningModel:
    folder = _scenario(tmp_path_factory.mktemp("volume") / "tiny", volume_f1=CAPACITY_VOLUME_F1)
    return PlanningModel.build(load_scenario(folder))


@pytest.fixture(scope="module")
def budget_model(tmp_path_factory: pytest.TempPathFactory) -> PlanningModel:
    folder = _scenario(tmp_path_factory.mktemp("budget") / "tiny", budget=BINDING_BUDGET)
    return PlanningModel.build(load_scenario(folder))


def _liters_at_f1(columns: list[Column]) -> float:
    volume = [VOLUME_LITERS["P-PUMP"], VOLUME_LITERS["P-FUSE"]]
    return float(sum(volume[c.part] * c.stock[1] for c in columns))


def _capital(columns: list[Column]) -> float:
    return float(sum(UNIT_COST[c.part] * c.stock.sum() for c in columns))


def _meets_sla(model: PlanningModel, columns: list[Column]) -> bool:
    activity = np.sum([c.coefficients for c in columns], axis=0)
    return bool(np.all(activity >= model.row_lower - 1e-9)
                and np.all(activity <= model.row_upper + 1e-9))


def _brute_force(model: PlanningModel, fits) -> tuple[float, float]:
    """(optimum among the plans that ``fits``, optimum without that restriction)."""
    levels = [np.array(s, dtype=np.int64) for s in itertools.product(range(4), repeat=3)]
    columns = [[model.column(p, s) for s in levels] for p in range(2)]
    best, best_free = math.inf, math.inf
    for a in columns[0]:
        for b in columns[1]:
            cost = a.cost + b.cost
            if (cost >= best and cost >= best_free) or not _meets_sla(model, [a, b]):
                continue
            best_free = min(best_free, cost)
            if fits([a, b]):
                best = min(best, cost)
    return best, best_free


@pytest.fixture(scope="module")
def volume_optimum(volume_model: PlanningModel) -> tuple[float, float]:
    return _brute_force(volume_model, lambda c: _liters_at_f1(c) <= CAPACITY_VOLUME_F1)


@pytest.fixture(scope="module")
def budget_optimum(budget_model: PlanningModel) -> tuple[float, float]:
    return _brute_force(budget_model, lambda c: _capital(c) <= BINDING_BUDGET)


def test_rows_are_named_and_weighted_per_part(tmp_path):
    folder = _scenario(tmp_path / "tiny", volume_f1=CAPACITY_VOLUME_F1, budget=5000.0)
    model = PlanningModel.build(load_scenario(folder))
    assert model.capacity_names == ("capacity_volume[F1]", "inventory_budget")
    assert model.problem_row_names[-2:] == model.capacity_names
    assert np.array_equal(model.problem_row_upper[-2:], [1.0, 1.0])
    stock = np.array([[1, 2, 3], [0, 3, 1]])
    expected = np.array([[30.0 * 2 / CAPACITY_VOLUME_F1, 1200.0 * 6 / 5000.0],
                         [2.5 * 3 / CAPACITY_VOLUME_F1, 40.0 * 4 / 5000.0]])
    assert np.allclose(model.capacity_coefficients(np.array([0, 1]), stock), expected)
    assert np.allclose(model.capacity_coefficients(1, stock[1]), expected[1])
    # Duals mu of (volume, budget): price per unit of part p at l.
    prices = model.capacity_unit_prices(np.array([2.0, 3.0]))
    budget_price = 3.0 * UNIT_COST / 5000.0
    assert np.allclose(prices, [
        [budget_price[0], budget_price[0] + 2.0 * 30.0 / CAPACITY_VOLUME_F1, budget_price[0]],
        [budget_price[1], budget_price[1] + 2.0 * 2.5 / CAPACITY_VOLUME_F1, budget_price[1]]])
    # plan(budget=...) overrides the scenario's: inf drops the row.
    assert PlanningModel.build(load_scenario(folder), inventory_budget=math.inf).capacity_names == (
        "capacity_volume[F1]",)


def test_volume_and_budget_bind_on_tiny(volume_optimum, budget_optimum):
    for constrained, free in (volume_optimum, budget_optimum):
        assert math.isfinite(constrained)
        assert constrained > free * (1 + 1e-6)  # the row changes the optimum


@pytest.mark.parametrize("path", ["enumeration", "column_generation"])
@pytest.mark.parametrize("row", ["volume", "budget"])
def test_plan_respects_the_row_and_equals_brute_force(request, monkeypatch, path, row):
    model = request.getfixturevalue(f"{row}_model")
    optimum, _ = request.getfixturevalue(f"{row}_optimum")
    if path == "column_generation":
        monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
        monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)
    result = optimize(model)
    assert result.method == path
    chosen = result.chosen
    if row == "volume":
        assert _liters_at_f1(chosen) <= CAPACITY_VOLUME_F1 + 1e-9
    else:
        assert _capital(chosen) <= BINDING_BUDGET + 1e-9
    assert _meets_sla(model, chosen)
    cost = sum(c.cost for c in chosen)
    assert result.solution.lower_bound <= optimum * (1 + 1e-9)
    # Column generation reports FEASIBLE here (its LP bound is below the integer optimum)
    # but its plan is the brute-force optimum.
    assert result.solution.status in {solvers.SolveStatus.OPTIMAL,
                                      solvers.SolveStatus.FEASIBLE}
    assert cost == pytest.approx(optimum, rel=1e-9)


def test_column_generation_finds_a_plan_when_the_budget_binds_only_in_integers(
        tmp_path, monkeypatch):
    folder = _scenario(tmp_path / "tiny", budget=3790.0)
    model = PlanningModel.build(load_scenario(folder))
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)
    result = optimize(model)
    # At a budget of 3,790 EUR the LP leaves the budget slack (the pump split 0.45/0.55);
    # the optimum within it (1,155.95 a year) holds the fuse kits at (1, 2, 1), two units
    # below the LP's (1, 3, 2): the +-1 neighbour columns do not reach it, the second
    # integer phase (neighbours of every column of the LP's parts) does.
    assert result.solution.status.has_solution
    assert "two-step neighbours" in result.solution.message
    assert _capital(result.chosen) <= 3790.0 + 1e-9
    assert _meets_sla(model, result.chosen)
    assert sum(c.cost for c in result.chosen) == pytest.approx(1155.95, abs=0.01)


def test_pricing_with_part_dependent_prices_is_the_exact_minimum(tmp_path):
    """The DP with the per-part unit prices of a volume and a budget row returns the
    minimum over all 64 stock vectors of each part."""
    folder = _scenario(tmp_path / "tiny", volume_f1=CAPACITY_VOLUME_F1, budget=5000.0)
    model = PlanningModel.build(load_scenario(folder))
    rng = np.random.default_rng(5)
    for _ in range(4):
        duals = np.where(model.is_fill_row, 1.0, -1.0) * rng.uniform(0, 2e5, len(model.rows))
        prices = model.capacity_unit_prices(rng.uniform(0, 3e3, model.n_capacity_rows))
        assert_pricing_is_exact(model, duals, prices)


def test_plan_reports_capacity_rows_in_the_summary(tmp_path):
    folder = _scenario(tmp_path / "tiny", volume_f1=CAPACITY_VOLUME_F1, budget=5000.0)
    scenario = load_scenario(folder)
    result = plan(scenario, verify=False, budget=BINDING_BUDGET, service_model="analytic")
    summary = result.summary
    assert summary["inventory_budget"] == BINDING_BUDGET
    rows = summary["capacity_rows"]
    assert list(rows) == ["capacity_volume[F1]", "inventory_budget"]
    assert rows["inventory_budget"]["limit"] == BINDING_BUDGET
    assert rows["inventory_budget"]["unit"] == "EUR"
    assert rows["inventory_budget"]["used"] == pytest.approx(summary["inventory_value"])
    assert summary["inventory_value"] <= BINDING_BUDGET
    assert rows["capacity_volume[F1]"]["unit"] == "liters"
    assert rows["capacity_volume[F1]"]["used"] <= CAPACITY_VOLUME_F1 + 1e-9
    recommendations = result.recommendations
    assert (recommendations["stock"] * recommendations["unit_cost"]).sum() == pytest.approx(
        summary["inventory_value"])
    without = plan(scenario, verify=False, budget=math.inf)
    assert without.summary["inventory_budget"] is None
    assert list(without.summary["capacity_rows"]) == ["capacity_volume[F1]"]


@pytest.mark.parametrize("budget", [0.0, -5.0, math.nan])
def test_plan_rejects_a_budget_that_is_not_positive(budget):
    with pytest.raises(ParameterError, match="budget"):
        plan(load_scenario(TINY), verify=False, budget=budget)


def test_budget_below_what_the_slas_need_is_infeasible(tmp_path):
    scenario = load_scenario(_scenario(tmp_path / "tiny"))
    with pytest.raises(InfeasibleError) as caught:
        plan(scenario, verify=False, budget=3700.0, service_model="analytic")
    message = str(caught.value)
    assert "inventory_budget" in message
    assert "budget 3,700.00 EUR" in message
    assert "need at least 3,720.00 EUR" in message
    [finding] = caught.value.diagnosis
    assert finding["row"] == "inventory_budget"
    assert finding["needed"] == pytest.approx(LEAST_CAPITAL)
    assert finding["needed_is_exact"]
    assert finding["least_cost_plan_uses"] == pytest.approx(3840.0)


def test_budget_diagnosis_on_the_column_generation_path(tmp_path, monkeypatch):
    """Over generated columns nothing is proven: exit 1 still (SolverFailure), naming the
    budget and the least capital found."""
    scenario = load_scenario(_scenario(tmp_path / "tiny"))
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)
    with pytest.raises(PlanningError) as caught:
        plan(scenario, verify=False, budget=3700.0, service_model="analytic")
    message = str(caught.value)
    assert "inventory_budget: budget 3,700.00 EUR" in message
    assert "the least found for a plan meeting the SLA rows is" in message
    assert "does not prove" in message


def test_cli_budget_below_need_exits_1_naming_the_budget(tmp_path):
    from typer.testing import CliRunner

    from spareplan.cli.app import app

    folder = _scenario(tmp_path / "tiny")
    runner = CliRunner()
    done = runner.invoke(app, ["plan", str(folder), "--out", str(tmp_path / "out"),
                               "--budget", "3700", "--model", "analytic"])
    assert done.exit_code == 1, done.output
    assert "inventory_budget" in done.output
    assert "need at least 3,720.00 EUR" in done.output
    assert "Traceback" not in done.output
    # a batch job still gets the account: summary.json alone, status infeasible
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name[0] != ".")
    assert written == ["summary.json"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["diagnosis"][0]["row"] == "inventory_budget"
    # The same budget from scenario.toml, and --budget lifting it.
    toml_budget = _scenario(tmp_path / "toml_budget", budget=3700.0)
    done = runner.invoke(app, ["plan", str(toml_budget), "--out", str(tmp_path / "out")])
    assert done.exit_code == 1, done.output
    assert "inventory_budget" in done.output
    done = runner.invoke(app, ["plan", str(toml_budget), "--out", str(tmp_path / "out"),
                               "--budget", str(BINDING_BUDGET), "--no-verify", "--model",
                               "analytic"])
    assert done.exit_code == 0, done.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["capacity_rows"]["inventory_budget"]["limit"] == BINDING_BUDGET
    assert summary["inventory_value"] <= BINDING_BUDGET
    done = runner.invoke(app, ["plan", str(folder), "--out", str(tmp_path / "bad"),
                               "--budget", "-1"])
    assert done.exit_code == 2, done.output
    assert "--budget" in done.output
