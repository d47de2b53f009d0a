"""Marginal-analysis greedy: feasibility, bound validity, the S-curve trap, budget rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from solver_instances import brute_force, s_shaped_problem

from solvers import ChoiceProblem, SolveStatus, check_solution, greedy_allocation, solve
from solvers.registry import BACKEND_MODULES
from solvers.solution import Solution

MILP_BACKENDS = list(BACKEND_MODULES)


def _coverage_problem(budget: float | None = None) -> ChoiceProblem:
    """Greedy takes group 0 (ratio 0.9) then still needs group 1: cost 2.2; optimum 1.2."""
    coefficients = [[0.0, 0.9, 0.0, 1.0]]
    lower, upper = [1.0], [np.inf]
    cost = [0.0, 1.0, 0.0, 1.2]
    if budget is not None:
        coefficients.append(cost)
        lower.append(-np.inf)
        upper.append(budget)
    return ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1]),
        cost=np.array(cost),
        coefficients=np.array(coefficients),
        row_lower=np.array(lower),
        row_upper=np.array(upper),
        row_names=("coverage", "budget")[: len(lower)],
    )


def _milp(problem: ChoiceProblem, backend: str) -> Solution:
    from solvers import available_backends

    if backend not in available_backends():
        pytest.skip(f"backend {backend!r} not installed")
    return solve(problem, backend, mip_rel_gap=0.0)


@pytest.mark.parametrize("backend", MILP_BACKENDS)
def test_greedy_strictly_worse_than_every_milp_backend(backend: str) -> None:
    problem = _coverage_problem()
    greedy = greedy_allocation(problem, hull=True)
    assert greedy.status is SolveStatus.FEASIBLE
    assert greedy.objective == pytest.approx(2.2)
    exact = _milp(problem, backend)
    assert exact.status is SolveStatus.OPTIMAL
    assert exact.objective == pytest.approx(1.2)
    assert greedy.lower_bound <= exact.objective + 1e-9
    warm = solve(problem, backend, warm_start=greedy.chosen, mip_rel_gap=0.0)
    assert warm.objective == pytest.approx(1.2)


@pytest.mark.parametrize("backend", MILP_BACKENDS)
def test_budget_row_breaks_greedy_but_not_milp(backend: str) -> None:
    problem = _coverage_problem(budget=2.0)
    greedy = greedy_allocation(problem)
    assert greedy.status is SolveStatus.NO_SOLUTION_FOUND
    assert "budget" in greedy.message
    assert np.all(greedy.chosen == -1)
    exact = _milp(problem, backend)
    assert exact.objective == pytest.approx(1.2)


def test_hull_escapes_the_s_curve_trap_of_the_naive_greedy() -> None:
    # Option 1 adds little per unit of cost; the S-curve pays off only at option 2.
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0, 0, 1, 1]),
        cost=np.array([0.0, 1.0, 2.0, 0.0, 1.5]),
        coefficients=np.array([[0.0, 0.1, 1.0, 0.0, 0.6]]),
        row_lower=np.array([1.0]),
        row_upper=np.array([np.inf]),
    )
    naive = greedy_allocation(problem, hull=False)
    hull = greedy_allocation(problem, hull=True)
    optimum, _ = brute_force(problem)
    assert hull.objective == pytest.approx(optimum) == pytest.approx(2.0)
    assert naive.objective > hull.objective  # naive takes group 1 first (0.4 > 0.1)


@pytest.mark.parametrize("hull", [True, False])
@pytest.mark.parametrize("n_rows", [1, 3])
def test_greedy_feasible_and_bounded_on_s_shaped_instances(hull: bool, n_rows: int) -> None:
    problem = s_shaped_problem(300, 8, n_rows, seed=n_rows, target_fraction=0.95)
    greedy = greedy_allocation(problem, hull=hull)
    assert greedy.status is SolveStatus.FEASIBLE, greedy.message
    assert check_solution(problem, greedy.chosen) == []
    exact = solve(problem, mip_rel_gap=1e-6)
    assert greedy.objective >= exact.lower_bound - 1e-6
    assert greedy.lower_bound <= exact.objective * (1 + 1e-9)
    if hull:
        assert greedy.objective <= exact.objective * 1.01
    if n_rows == 1:
        assert math.isfinite(greedy.lower_bound)


def test_greedy_with_dual_weights_and_unreachable_row() -> None:
    problem = s_shaped_problem(50, 5, 2, seed=3, target_fraction=0.9)
    weighted = greedy_allocation(problem, row_weights=np.array([1.0, 2.0]))
    assert weighted.status is SolveStatus.FEASIBLE
    impossible = s_shaped_problem(50, 5, 2, seed=3, target_fraction=1.01)
    stuck = greedy_allocation(impossible)
    assert stuck.status is SolveStatus.NO_SOLUTION_FOUND
    assert "service" in stuck.message
