"""check_solution, row_reach and row scaling."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import ChoiceProblem, check_solution, row_reach, unreachable_rows
from solvers.scaling import row_scale, scale_rows


def _problem() -> ChoiceProblem:
    return ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1]),
        cost=np.array([0.0, 1.0, 0.0, 2.0]),
        coefficients=np.array([[0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]),
        row_lower=np.array([1.0, -np.inf]),
        row_upper=np.array([np.inf, 2.0]),
        row_names=("coverage", "count"),
        facility_cost=np.array([5.0]),
        option_facilities=np.array([[0.0, 0.0, 0.0, 1.0]]),
    )


def test_check_accepts_valid_and_names_each_violation() -> None:
    problem = _problem()
    assert check_solution(problem, np.array([1, 2])) == []
    assert check_solution(problem, np.array([1, 2]), objective=1.0) == []
    assert any("objective" in m for m in check_solution(problem, [1, 2], objective=2.0))
    assert any("coverage" in m for m in check_solution(problem, np.array([0, 2])))
    assert any("group 1" in m for m in check_solution(problem, np.array([1, 1])))
    assert any("group 0" in m for m in check_solution(problem, np.array([-1, 2])))
    closed = check_solution(problem, np.array([0, 3]), np.array([False]))
    assert any("facility 0" in m for m in closed)
    assert check_solution(problem, np.array([0, 3]), np.array([True])) == []


def test_check_uses_relative_tolerance_on_scaled_rows() -> None:
    tiny = 1e-5
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0]),
        cost=np.array([0.0, 1.0]),
        coefficients=np.array([[0.0, tiny]]),
        row_lower=np.array([tiny * (1 + 1e-7)]),
        row_upper=np.array([np.inf]),
    )
    assert check_solution(problem, np.array([1])) == []  # 1e-7 relative: within tolerance
    stricter = ChoiceProblem(
        group_of_option=np.array([0, 0]),
        cost=np.array([0.0, 1.0]),
        coefficients=np.array([[0.0, tiny]]),
        row_lower=np.array([tiny * (1 + 1e-4)]),
        row_upper=np.array([np.inf]),
    )
    assert check_solution(stricter, np.array([1])) != []  # an absolute 1e-6 test would pass


def test_row_reach_sums_group_extremes_including_implicit_zeros() -> None:
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0, 1, 1, 2]),
        cost=np.zeros(5),
        coefficients=sp.csc_array(
            np.array([[0.2, 0.5, -1.0, 0.0, 0.3], [0.0, -2.0, 0.0, 1.0, 0.0]])
        ),
        row_lower=np.array([0.95, -np.inf]),
        row_upper=np.array([np.inf, -3.0]),
    )
    highest, lowest = row_reach(problem)
    np.testing.assert_allclose(highest, [0.5 + 0.0 + 0.3, 0.0 + 1.0 + 0.0])
    np.testing.assert_allclose(lowest, [0.2 - 1.0 + 0.3, -2.0 + 0.0 + 0.0])
    messages = unreachable_rows(problem)
    assert messages == [
        "row 0 can reach at most 0.8 < 0.95",
        "row 1 can go down to -2 at least > -3",
    ]


def test_scaling_divides_rows_by_their_largest_coefficient() -> None:
    problem = ChoiceProblem(
        group_of_option=np.array([0, 0]),
        cost=np.zeros(2),
        coefficients=np.array([[1e-5, -4e-5], [0.0, 0.0]]),
        row_lower=np.array([2e-5, -np.inf]),
        row_upper=np.array([np.inf, 1.0]),
    )
    np.testing.assert_allclose(row_scale(problem.coefficients), [4e-5, 1.0])
    scaled = scale_rows(problem)
    np.testing.assert_allclose(scaled.matrix.toarray(), [[0.25, -1.0], [0.0, 0.0]])
    np.testing.assert_allclose(scaled.lower, [0.5, -np.inf])
