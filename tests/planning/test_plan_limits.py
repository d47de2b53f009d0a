"""plan() under a time limit and on an infeasible scenario; the greedy baselines."""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

import solvers
import solvers.budget
from spareplan import InfeasibleError, load_scenario, plan
from spareplan.scenario.generator import generate_scenario

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


def test_a_time_limit_that_stops_column_generation_still_gives_a_checked_plan(
        tmp_path, monkeypatch):
    """The budget's clock is replaced by a deterministic one (every reading advances it
    by 0.25 s), so the stages stop at the same points on any machine, however loaded: no
    assertion here depends on wall-clock speed."""
    folder = generate_scenario(tmp_path / "gen", n_parts=300, n_fsls=20, seed=3)
    scenario = load_scenario(folder)
    free = plan(scenario, verify=False, service_model="analytic")
    assert free.summary["method"] == "column_generation"
    ticks = itertools.count()
    monkeypatch.setattr(solvers.budget, "_now", lambda: 0.25 * next(ticks))
    limited = plan(scenario, time_limit=8.0, verify=False, service_model="analytic")
    assert limited.summary["status"] in {"feasible", "optimal"}
    assert limited.meets_every_sla
    assert limited.summary["iterations"] < free.summary["iterations"]
    gap = limited.summary["gap"]
    assert gap is None or gap >= 0.0  # no bound when not every part could be priced
    assert limited.summary["objective"] >= free.summary["lower_bound"] - 1e-6


def test_unreachable_fill_rate_names_the_sla_and_its_best_value(tmp_path):
    folder = tmp_path / "tight"
    shutil.copytree(TINY, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text()
    text = text.replace("fill_rate_within = { target = 0.80, window_hours = 4.0 }",
                        "fill_rate_within = { target = 0.999, window_hours = 1.0 }")
    toml.write_text(text)
    with pytest.raises(InfeasibleError) as caught:
        plan(load_scenario(folder))
    message = str(caught.value)
    assert "gold" in message and "0.999" in message and "best reachable" in message
    diagnosis = caught.value.diagnosis
    assert diagnosis and all(d["best_reachable"] < 0.999 for d in diagnosis)


def test_greedy_strictly_worse_than_the_optimum_milp_finds_it():
    """Knapsack-like budget: greedy takes the best ratio first (B), then must add A;
    the optimum is A alone (cost 10 against 14)."""
    problem = solvers.ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1, 2, 2]),
        cost=np.array([0.0, 10.0, 0.0, 4.0, 0.0, 7.0]),
        coefficients=np.array([[0.0, 1.0, 0.0, 0.5, 0.0, 0.5]]),
        row_lower=np.array([1.0]), row_upper=np.array([math.inf]))
    greedy = solvers.greedy_allocation(problem)
    assert greedy.objective == pytest.approx(14.0)
    for backend in solvers.available_backends():
        exact = solvers.solve(problem, backend)
        assert exact.status is solvers.SolveStatus.OPTIMAL
        assert exact.objective == pytest.approx(10.0)
