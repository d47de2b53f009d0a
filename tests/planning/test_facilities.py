"""FSL open/close decisions (issue 4 item 3): a location with ``fixed_cost_per_year`` F > 0
gets a binary open variable; a plan stocking any unit there pays F.

Brute force on the tiny scenario over all 4,096 stock-vector pairs: cost + F if any unit
is held at the location. The enumeration path is exact; the column-generation path adds,
after pricing, each part's exact best column with the location closed (a heuristic column
set, not priced with the linking duals), so it is checked for a valid plan and bound, and
against the brute force on these instances.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spareplan import load_scenario
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import optimize

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


def _model(folder: Path, location: int, fixed_cost: float) -> PlanningModel:
    shutil.copytree(TINY, folder)
    locations = pd.read_csv(folder / "locations.csv")
    costs = [np.nan, np.nan, np.nan]
    costs[location] = fixed_cost
    locations["fixed_cost_per_year"] = costs
    locations.to_csv(folder / "locations.csv", index=False)
    return PlanningModel.build(load_scenario(folder))


def _brute_force(model: PlanningModel, location: int, fixed_cost: float) -> tuple[float, bool]:
    """(optimum with the fixed cost, whether the location is open in it)."""
    levels = [np.array(s, dtype=np.int64) for s in itertools.product(range(4), repeat=3)]
    columns = [[model.column(p, s) for s in levels] for p in range(2)]
    best, best_open = np.inf, False
    for a in columns[0]:
        for b in columns[1]:
            activity = a.coefficients + b.coefficients
            if not (np.all(activity >= model.row_lower - 1e-9)
                    and np.all(activity <= model.row_upper + 1e-9)):
                continue
            is_open = a.stock[location] + b.stock[location] > 0
            cost = a.cost + b.cost + (fixed_cost if is_open else 0.0)
            if cost < best:
                best, best_open = cost, bool(is_open)
    return best, best_open


# (location index, fixed cost, open in the optimum): closing the central warehouse pays
# at 2,000 a year; F1 at 300 a year stays open.
CASES = [(0, 2000.0, False), (1, 300.0, True)]


@pytest.mark.parametrize(("location", "fixed_cost", "expect_open"), CASES)
@pytest.mark.parametrize("path", ["enumeration", "column_generation"])
def test_facility_decision_equals_brute_force(tmp_path, monkeypatch, location, fixed_cost,
                                              expect_open, path):
    model = _model(tmp_path / "tiny", location, fixed_cost)
    assert model.n_facilities == 1
    optimum, optimum_open = _brute_force(model, location, fixed_cost)
    assert optimum_open is expect_open
    if path == "column_generation":
        monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
        monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)
    result = optimize(model)
    assert result.method == path
    solution = result.solution
    assert solution.status.has_solution
    held = sum(int(c.stock[location]) for c in result.chosen)
    assert bool(solution.facility_open[0]) is (held > 0)
    # The objective includes the fixed cost of an open location.
    cost = sum(c.cost for c in result.chosen) + (fixed_cost if held > 0 else 0.0)
    assert solution.objective == pytest.approx(cost, rel=1e-9)
    assert solution.lower_bound <= optimum * (1 + 1e-9)
    assert cost == pytest.approx(optimum, rel=1e-6)
