"""Column generation with an exact pricer reaches the full optimum with a valid bound."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from solver_instances import brute_force, random_small_problem, s_shaped_problem

from solvers import (
    ChoiceProblem,
    PricingResult,
    SolveStatus,
    check_solution,
    column_generation,
    solve,
)


def _restricted(full: ChoiceProblem) -> ChoiceProblem:
    """Each group's cheapest option only."""
    order = np.lexsort((full.cost, full.group_of_option))
    first = order[np.r_[True, full.group_of_option[order][1:] != full.group_of_option[order][:-1]]]
    return ChoiceProblem(
        group_of_option=full.group_of_option[first],
        cost=full.cost[first],
        coefficients=full.coefficients[:, first],
        row_lower=full.row_lower,
        row_upper=full.row_upper,
        n_groups=full.n_groups,
        facility_cost=full.facility_cost,
        option_facilities=None
        if full.option_facilities is None
        else full.option_facilities[:, first],
    )


def _exact_pricer(full: ChoiceProblem, *, exact: bool = True):
    """Enumerate every option of every group; return each group's best column."""

    def price(row_duals: np.ndarray) -> PricingResult:
        reduced = full.cost - full.coefficients.T @ row_duals
        order = np.lexsort((reduced, full.group_of_option))
        first = order[
            np.r_[True, full.group_of_option[order][1:] != full.group_of_option[order][:-1]]
        ]
        minimum = np.full(full.n_groups, np.inf)
        np.minimum.at(minimum, full.group_of_option, reduced)
        return PricingResult(
            group_of_option=full.group_of_option[first],
            cost=full.cost[first],
            coefficients=sp.csc_array(full.coefficients[:, first]),
            min_reduced_cost=minimum if exact else None,
            option_facilities=None
            if full.option_facilities is None
            else full.option_facilities[:, first],
        )

    return price


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_pricer_reaches_brute_force_optimum(seed: int) -> None:
    full = random_small_problem(np.random.default_rng(seed), 4, 4, 2)
    optimum, _ = brute_force(full)
    result = column_generation(_restricted(full), _exact_pricer(full), mip_rel_gap=0.0)
    solution = result.solution
    assert result.bound_scope == "all_columns"
    assert solution.status.has_solution, solution.message
    assert check_solution(result.problem, solution.chosen) == []
    assert solution.lower_bound <= optimum + 1e-7
    assert max(result.lagrangian_bounds) <= optimum + 1e-7
    assert result.n_columns == result.problem.n_options >= full.n_groups
    # Column generation solves the MILP over generated columns only: a heuristic for the
    # full problem; on these instances it reaches the optimum or reports a gap to the bound.
    assert solution.objective >= optimum - 1e-9
    if solution.status is SolveStatus.OPTIMAL:
        assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)


def test_exact_pricer_on_s_shaped_instance_matches_full_milp() -> None:
    full = s_shaped_problem(200, 8, 2, seed=4, target_fraction=0.95)
    reference = solve(full, mip_rel_gap=1e-7)
    result = column_generation(_restricted(full), _exact_pricer(full), mip_rel_gap=1e-4)
    assert result.converged
    bound = result.solution.lower_bound
    assert bound <= reference.objective * (1 + 1e-9)
    assert bound >= reference.lower_bound * (1 - 1e-3)  # LP bound close to MILP bound
    assert result.solution.objective <= reference.objective * 1.01
    # Lagrangian bound at the final duals equals the converged LP value
    assert result.lagrangian_bounds[-1] == pytest.approx(result.lp_values[-1], rel=1e-6)


def test_inexact_pricer_flags_generated_columns_scope() -> None:
    full = random_small_problem(np.random.default_rng(5), 4, 4, 2)
    result = column_generation(_restricted(full), _exact_pricer(full, exact=False))
    assert result.bound_scope == "generated_columns"
    assert all(b == -np.inf for b in result.lagrangian_bounds)
    assert result.solution.status is not SolveStatus.OPTIMAL


def test_facility_problem_with_exact_pricer() -> None:
    full = random_small_problem(np.random.default_rng(3), 4, 3, 2, with_facilities=True)
    optimum, _ = brute_force(full)
    result = column_generation(_restricted(full), _exact_pricer(full), mip_rel_gap=0.0)
    assert result.solution.status.has_solution
    assert result.solution.lower_bound <= optimum + 1e-7
    assert result.solution.objective >= optimum - 1e-9
