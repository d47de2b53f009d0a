"""The monolithic MILP peer (``benchmarks/monolithic_milp.py``) is exact.

Its optimum must equal the optimum over every column that ``optimize`` enumerates
(each part <= ``ENUMERATION_LIMIT`` stock vectors), and any stock plan written into its
binaries must have the cost and SLA-row activities of the plan's columns
(:meth:`PlanningModel.column`). Checked on ``scenarios/tiny`` (with and without a
capacity row and a fixed location cost) and on a generated three-level scenario
(central -> 2 DCs -> 4 FSLs, ``emergency`` rule, 12 and 20 parts, stock search bound
lowered to 2 so every part has <= 3^7 = 2,187 stock vectors; SLA rows bind there).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from spareplan import load_scenario
from spareplan.errors import ParameterError
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import ENUMERATION_LIMIT, optimize
from spareplan.scenario.generator import MAX_STOCK_PER_LOCATION, generate_scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"
GAP = 1e-10  # both MILPs solved to (near) proven optimality


def _load_benchmark() -> ModuleType:
    path = ROOT / "benchmarks" / "monolithic_milp.py"
    spec = importlib.util.spec_from_file_location("monolithic_milp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache locates kernels by module
    spec.loader.exec_module(module)
    return module


monolithic = _load_benchmark()


def _tiny(folder: Path, capacity_f1: float = np.nan, fixed_cost_f1: float = np.nan,
          budget: float | None = None) -> PlanningModel:
    shutil.copytree(TINY, folder)
    if budget is not None:  # an inventory budget row spanning every location
        toml = folder / "scenario.toml"
        text = toml.read_text(encoding="utf-8")
        assert "[costs]\n" in text
        toml.write_text(text.replace("[costs]\n", f"[costs]\ninventory_budget = {budget}\n"),
                        encoding="utf-8")
    locations = pd.read_csv(folder / "locations.csv")
    assert list(locations["location"]) == ["CW", "F1", "F2"]
    locations["capacity_units"] = [np.nan, capacity_f1, np.nan]
    locations["fixed_cost_per_year"] = [np.nan, fixed_cost_f1, np.nan]
    locations.to_csv(folder / "locations.csv", index=False)
    return PlanningModel.build(load_scenario(folder))


def _generated(folder: Path, n_parts: int, seed: int) -> PlanningModel:
    path = generate_scenario(folder, n_parts=n_parts, n_fsls=4, n_dcs=2, seed=seed)
    toml = path / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    old = f"max_stock_per_location = {MAX_STOCK_PER_LOCATION}"
    assert old in text
    toml.write_text(text.replace(old, "max_stock_per_location = 2"), encoding="utf-8")
    return PlanningModel.build(load_scenario(path))


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanningModel]:
    root = tmp_path_factory.mktemp("monolithic")
    return {
        "tiny": PlanningModel.build(load_scenario(TINY)),
        "tiny_capacity": _tiny(root / "capacity", capacity_f1=2.0),
        "tiny_fixed_cost": _tiny(root / "fixed", fixed_cost_f1=300.0),
        # capacity at F1 plus a binding budget (3,800 binds on tiny, see
        # test_volume_and_budget.py): two rows, one of them over every location
        "tiny_budget": _tiny(root / "budget", capacity_f1=3.0, budget=3800.0),
        "generated": _generated(root / "generated", n_parts=12, seed=3),
        "generated_20": _generated(root / "generated_20", n_parts=20, seed=0),
    }


def _plan_activity(model: PlanningModel, stock: np.ndarray) -> tuple[float, np.ndarray]:
    columns = [model.column(p, stock[p]) for p in range(model.n_parts)]
    return (float(sum(c.cost for c in columns)),
            np.sum([c.coefficients for c in columns], axis=0))


@pytest.mark.parametrize("name", ["tiny", "tiny_capacity", "tiny_fixed_cost", "tiny_budget",
                                  "generated", "generated_20"])
def test_optimum_equals_enumeration(models, name):
    model = models[name]
    if name.startswith("generated"):
        assert model.network.depth.max() == 2  # central -> DC -> FSL
        assert model.network.stockout_rule == 1  # emergency, as generated
    enumeration = optimize(model, mip_rel_gap=GAP)
    assert enumeration.method == "enumeration"
    assert enumeration.solution.status.name == "OPTIMAL"
    result = monolithic.solve_monolithic(model, time_limit=60.0, mip_rel_gap=GAP)
    assert result["status"] == "optimal"
    assert result["check_ok"] == 1.0
    expected = enumeration.solution.objective
    assert result["objective"] == pytest.approx(expected, rel=1e-6)
    assert result["check_cost"] == pytest.approx(expected, rel=1e-6)
    assert result["gap"] <= 1e-6

    # The decoded plan: its columns' cost and SLA activities are the MILP's.
    milp, _ = monolithic.build_monolithic(model)
    values = milp.encode(result["stock"])
    cost, activity = _plan_activity(model, result["stock"])
    if model.n_facilities:
        opened = (result["stock"][:, model.facility_location] > 0).any(axis=0)
        cost += float(model.facility_cost[opened].sum())
    assert milp.cost @ values == pytest.approx(cost, rel=1e-9)
    assert milp.cost @ values == pytest.approx(result["objective"], rel=1e-6)
    n_sla = milp.n_sla_rows
    np.testing.assert_allclose((milp.matrix @ values)[:n_sla], activity, rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["tiny", "tiny_capacity", "tiny_budget", "generated"])
def test_every_stock_plan_keeps_its_column_cost_and_rows(models, name):
    """Random plans within the bounds: cost and SLA coefficients decompose per node
    exactly, and the plan's binaries satisfy the convexity and linking rows."""
    model = models[name]
    milp, decode = monolithic.build_monolithic(model)
    lo, hi = model.service.bounds_many(np.arange(model.n_parts))
    rng = np.random.default_rng(7)
    for _ in range(5):
        stock = rng.integers(lo, hi + 1)
        values = milp.encode(stock)
        assert np.array_equal(decode(values), stock)
        cost, activity = _plan_activity(model, stock)
        assert milp.cost @ values == pytest.approx(cost, rel=1e-9)
        rows = milp.matrix @ values
        np.testing.assert_allclose(rows[:milp.n_sla_rows], activity, rtol=1e-9, atol=1e-12)
        structural = slice(milp.n_rows - milp.n_convexity_rows - milp.n_linking_rows, None)
        np.testing.assert_allclose(rows[structural], milp.row_lower[structural], atol=1e-12)
        if model.n_capacity_rows:
            load = model.capacity_coefficients(np.arange(model.n_parts), stock).sum(axis=0)
            capacity = slice(milp.n_sla_rows, milp.n_sla_rows + milp.n_capacity_rows)
            np.testing.assert_allclose(rows[capacity], load, rtol=1e-12)


def test_size_matches_the_conditional_count(models):
    """Tiny: per part, 4 levels at CW and 4 x 4 (CW level, own level) at each FSL."""
    milp, _ = monolithic.build_monolithic(models["tiny"])
    lo, hi = models["tiny"].service.bounds_many(np.arange(2))
    assert np.all(hi - lo + 1 == 4)
    assert milp.n_binaries == 2 * (4 + 2 * 16)
    assert milp.n_convexity_rows == 2
    assert milp.n_linking_rows == 2 * 2 * 4
    assert ENUMERATION_LIMIT >= 4**3


def test_lateral_rule_is_refused(tmp_path):
    path = generate_scenario(tmp_path / "lateral", n_parts=2, n_fsls=2, n_dcs=0, seed=0,
                             stockout_rule="lateral")
    with pytest.raises(ParameterError, match="stockout_rule"):
        monolithic.build_monolithic(PlanningModel.build(load_scenario(path)))
