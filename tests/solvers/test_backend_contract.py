"""One contract suite run over every MILP backend (skipped where the solver is missing)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from solver_instances import brute_force, random_small_problem, s_shaped_problem

from solvers import (
    BackendUnavailableError,
    ChoiceProblem,
    InvalidProblemError,
    Solution,
    SolveStatus,
    available_backends,
    check_solution,
    row_reach,
    solve,
)
from solvers.registry import BACKEND_MODULES

BACKENDS = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            name not in available_backends(), reason=f"backend {name!r} not installed"
        ),
    )
    for name in BACKEND_MODULES
]


def _assert_consistent(problem: ChoiceProblem, solution: Solution) -> None:
    """A returned solution is checked, its gap matches its bound."""
    assert solution.status.has_solution, solution.message
    assert check_solution(problem, solution.chosen, solution.facility_open) == []
    assert solution.objective >= solution.lower_bound - 1e-6 * max(1.0, abs(solution.objective))
    if math.isfinite(solution.lower_bound):
        expected = (solution.objective - solution.lower_bound) / max(abs(solution.objective), 1e-9)
        assert solution.gap == pytest.approx(max(expected, 0.0), abs=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_instance_matches_brute_force(backend: str, seed: int) -> None:
    problem = random_small_problem(np.random.default_rng(seed), 4, 4, 2)
    optimum, _ = brute_force(problem)
    solution = solve(problem, backend, mip_rel_gap=0.0)
    assert solution.status is SolveStatus.OPTIMAL
    _assert_consistent(problem, solution)
    assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)
    assert solution.backend == backend
    assert solution.to_dict()["status"] == "optimal"


@pytest.mark.parametrize("backend", BACKENDS)
def test_facility_instance_opens_only_what_pays(backend: str) -> None:
    # Group 0: option 0 (cost 10, no facility) or option 1 (cost 1, needs facility 0, cost 3).
    # Group 1: option 2 (cost 10, no facility) or option 3 (cost 1, needs facility 0).
    # Group 2: option 4 (cost 2, no facility) or option 5 (cost 0, needs facility 1, cost 5).
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1, 2, 2]),
        cost=np.array([10.0, 1.0, 10.0, 1.0, 2.0, 0.0]),
        coefficients=np.zeros((0, 6)),
        row_lower=np.zeros(0),
        row_upper=np.zeros(0),
        facility_cost=np.array([3.0, 5.0]),
        option_facilities=np.array([[0, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=float),
    )
    solution = solve(problem, backend)
    assert solution.status is SolveStatus.OPTIMAL
    _assert_consistent(problem, solution)
    np.testing.assert_array_equal(solution.chosen, [1, 3, 4])
    np.testing.assert_array_equal(solution.facility_open, [True, False])
    assert solution.objective == pytest.approx(1.0 + 1.0 + 2.0 + 3.0)
    assert brute_force(problem)[0] == pytest.approx(solution.objective)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", [3, 4])
def test_random_facility_instance_matches_brute_force(backend: str, seed: int) -> None:
    problem = random_small_problem(np.random.default_rng(seed), 4, 3, 2, with_facilities=True)
    optimum, _ = brute_force(problem)
    solution = solve(problem, backend, mip_rel_gap=0.0)
    _assert_consistent(problem, solution)
    assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_instance_reports_infeasible_and_row_reach_names_row(backend: str) -> None:
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1]),
        cost=np.array([0.0, 1.0, 0.0, 1.0]),
        coefficients=np.array([[0.1, 0.45, 0.2, 0.48], [1.0, 1.0, 1.0, 1.0]]),
        row_lower=np.array([0.95, -np.inf]),
        row_upper=np.array([np.inf, 5.0]),
        row_names=("fill rate", "count"),
    )
    solution = solve(problem, backend)
    assert solution.status is SolveStatus.INFEASIBLE
    assert np.all(solution.chosen == -1)
    assert math.isnan(solution.objective)
    assert "fill rate can reach at most 0.93 < 0.95" in solution.message
    highest, _ = row_reach(problem)
    assert highest[0] == pytest.approx(0.93)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tiny_coefficients_are_scaled_and_checked(backend: str) -> None:
    problem = s_shaped_problem(60, 6, 2, seed=5, target_fraction=0.95, coefficient_scale=1e-5)
    solution = solve(problem, backend, mip_rel_gap=1e-6)
    _assert_consistent(problem, solution)
    reference = solve(
        s_shaped_problem(60, 6, 2, seed=5, target_fraction=0.95), "highs", mip_rel_gap=1e-6
    )
    assert solution.objective == pytest.approx(reference.objective, rel=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_time_limited_solve_is_never_a_violated_solution(backend: str) -> None:
    problem = s_shaped_problem(3000, 10, 3, seed=11, target_fraction=0.97)
    solution = solve(problem, backend, time_limit=1.0, mip_rel_gap=1e-9)
    assert solution.status in (
        SolveStatus.OPTIMAL,
        SolveStatus.FEASIBLE,
        SolveStatus.NO_SOLUTION_FOUND,
    ), solution.message
    if solution.status.has_solution:
        _assert_consistent(problem, solution)
    if solution.status is SolveStatus.OPTIMAL:
        assert solution.gap <= 1e-9 * (1 + 1e-6) + 1e-12


@pytest.mark.parametrize("backend", BACKENDS)
def test_warm_start_is_accepted_and_validated(backend: str) -> None:
    problem = random_small_problem(np.random.default_rng(7), 4, 4, 2)
    optimum, best = brute_force(problem)
    solution = solve(problem, backend, warm_start=best, mip_rel_gap=0.0)
    assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)
    with pytest.raises(InvalidProblemError, match="warm_start"):
        solve(problem, backend, warm_start=np.zeros(4, dtype=np.int64) - 1)


def test_unknown_backend_raises() -> None:
    problem = random_small_problem(np.random.default_rng(0), 2, 2, 1)
    with pytest.raises(BackendUnavailableError, match="backend"):
        solve(problem, "gurobi")


def test_invalid_solve_parameters_raise() -> None:
    problem = random_small_problem(np.random.default_rng(0), 2, 2, 1)
    with pytest.raises(InvalidProblemError, match="time_limit"):
        solve(problem, time_limit=-1.0)
    with pytest.raises(InvalidProblemError, match="mip_rel_gap"):
        solve(problem, mip_rel_gap=2.0)
