"""Hypothesis property: every backend's optimum equals brute force on small random instances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_instances import brute_force, random_small_problem

from solvers import SolveStatus, available_backends, check_solution, greedy_allocation, solve


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_groups=st.integers(1, 4),
    n_options=st.integers(1, 4),
    n_rows=st.integers(0, 3),
    with_facilities=st.booleans(),
)
def test_every_backend_matches_brute_force(
    seed: int, n_groups: int, n_options: int, n_rows: int, with_facilities: bool
) -> None:
    problem = random_small_problem(
        np.random.default_rng(seed), n_groups, n_options, n_rows, with_facilities=with_facilities
    )
    optimum, _ = brute_force(problem)  # feasible by construction
    for backend in available_backends():
        solution = solve(problem, backend, mip_rel_gap=0.0)
        assert solution.status is SolveStatus.OPTIMAL, (backend, solution.message)
        assert check_solution(problem, solution.chosen, solution.facility_open) == []
        assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9), backend
    greedy = greedy_allocation(problem)
    if greedy.status.has_solution:
        assert check_solution(problem, greedy.chosen) == []
        assert greedy.objective >= optimum - 1e-9
        assert greedy.lower_bound <= optimum + 1e-7
