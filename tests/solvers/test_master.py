"""RestrictedMaster (persistent master LP) against the from-scratch master LP.

Adding columns to a live HiGHS model must give the same LP value as building the LP over
all columns at once (the LP optimum is unique even where the vertex is not), and valid
duals: every column below its upper bound 1 has reduced cost c - pi a - mu >= 0 at the
optimum (LP duality; a column at x = 1 may have a negative one, the dual of its bound).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from solver_instances import s_shaped_problem

from solvers import ChoiceProblem, InvalidProblemError, RestrictedMaster, solve_master_lp


def _subset(problem: ChoiceProblem, options: np.ndarray) -> ChoiceProblem:
    return ChoiceProblem(
        group_of_option=problem.group_of_option[options], cost=problem.cost[options],
        coefficients=sp.csc_array(problem.coefficients)[:, options],
        row_lower=problem.row_lower, row_upper=problem.row_upper,
        n_groups=problem.n_groups)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_master_equals_the_master_built_from_scratch(seed):
    problem = s_shaped_problem(60, 8, 3, seed)
    rng = np.random.default_rng(seed)
    groups = problem.group_of_option
    # Start from each group's cheapest and costliest option, add the rest in three batches.
    first = np.r_[np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]),
                  np.flatnonzero(np.r_[groups[1:] != groups[:-1], True])]
    rest = rng.permutation(np.setdiff1d(np.arange(problem.n_options), first))
    master = RestrictedMaster(_subset(problem, first))
    added = first
    for batch in np.array_split(rest, 3):
        index = master.add_options(groups[batch], problem.cost[batch],
                                   sp.csc_array(problem.coefficients)[:, batch])
        assert np.array_equal(index, np.arange(added.shape[0], added.shape[0] + batch.shape[0]))
        added = np.r_[added, batch]
        live = master.solve()
        fresh = solve_master_lp(_subset(problem, added), master.penalty)
        assert live.value == pytest.approx(fresh.value, rel=1e-9, abs=1e-9)
        assert live.option_values.shape == (added.shape[0],)
        if not live.artificial_in_use:
            coefficients = sp.csc_array(problem.coefficients)[:, added]
            reduced = (problem.cost[added] - coefficients.T @ live.row_duals
                       - live.group_duals[groups[added]])
            below = live.option_values < 1.0 - 1e-9
            assert reduced[below].min() >= -1e-6 * max(1.0, np.abs(problem.cost).max())
            cost = float(problem.cost[added] @ live.option_values)
            assert cost == pytest.approx(live.value, rel=1e-9)


def test_penalty_can_be_raised_and_bad_columns_are_rejected():
    problem = ChoiceProblem(np.array([0, 0]), np.array([0.0, 2.0]),
                            np.array([[0.0, 0.4]]), np.array([0.5]), np.array([np.inf]))
    master = RestrictedMaster(problem, penalty=1.0)
    low = master.solve()
    assert low.artificial_in_use  # 0.4 < 0.5: the artificial must carry the rest
    master.set_penalty(1e6)
    assert master.solve().value > low.value
    with pytest.raises(InvalidProblemError):
        master.add_options(np.array([3]), np.array([1.0]), np.array([[1.0]]))
    with pytest.raises(InvalidProblemError):
        master.add_options(np.array([0]), np.array([1.0, 2.0]), np.array([[1.0]]))
