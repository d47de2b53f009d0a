"""A node limit is a deterministic work limit (a time limit is not)."""

from __future__ import annotations

import numpy as np
import pytest

from solvers import ChoiceProblem, InvalidProblemError, SolveStatus, check_solution, solve


def _instance(groups: int = 400, options: int = 8, seed: int = 5) -> ChoiceProblem:
    rng = np.random.default_rng(seed)
    level = np.tile(np.arange(options), groups)
    cost = level * rng.uniform(1.0, 50.0, size=groups).repeat(options)
    service = 1.0 - np.exp(-0.6 * level * rng.uniform(0.3, 2.0, size=groups).repeat(options))
    rows = np.vstack([service * rng.uniform(0.5, 1.5, size=groups * options)
                      for _ in range(3)]) / groups
    return ChoiceProblem(group_of_option=np.repeat(np.arange(groups), options), cost=cost,
                         coefficients=rows, row_lower=np.full(3, 0.8),
                         row_upper=np.full(3, np.inf))


def test_node_limit_gives_the_same_answer_twice() -> None:
    problem = _instance()
    first = solve(problem, "highs", node_limit=1, mip_rel_gap=0.0)
    second = solve(problem, "highs", node_limit=1, mip_rel_gap=0.0)
    assert first.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert np.array_equal(first.chosen, second.chosen)
    assert first.objective == second.objective
    assert first.lower_bound <= first.objective + 1e-6
    assert not check_solution(problem, first.chosen)


def test_node_limit_is_refused_for_backends_without_it() -> None:
    with pytest.raises(InvalidProblemError, match="node_limit"):
        solve(_instance(groups=5), "pulp-cbc", node_limit=10)
