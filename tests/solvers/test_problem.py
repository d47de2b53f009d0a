"""Validation of ChoiceProblem: every rule raises InvalidProblemError naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from solvers import ChoiceProblem, InvalidProblemError, SolverError


def _arguments(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "group_of_option": np.array([0, 0, 1, 1]),
        "cost": np.array([0.0, 1.0, 0.0, 2.0]),
        "coefficients": np.array([[0.0, 1.0, 0.0, 1.0]]),
        "row_lower": np.array([1.0]),
        "row_upper": np.array([np.inf]),
    }
    arguments.update(overrides)
    return arguments


def test_valid_problem_is_converted() -> None:
    problem = ChoiceProblem(**_arguments(group_of_option=[0, 0, 1, 1]))
    assert problem.group_of_option.dtype == np.int64
    assert sp.issparse(problem.coefficients)
    assert (problem.n_groups, problem.n_options, problem.n_rows) == (2, 4, 1)
    assert problem.n_facilities == 0
    assert problem.row_label(0) == "row 0"


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        ({"cost": np.array([0.0, np.nan, 0.0, 2.0])}, "cost"),
        ({"cost": np.array([0.0, 1.0, 0.0])}, "cost"),
        ({"row_lower": np.array([2.0]), "row_upper": np.array([1.0])}, "row_lower"),
        ({"row_lower": np.array([np.nan])}, "row_lower"),
        ({"row_lower": np.array([np.inf])}, "row_lower"),
        ({"row_upper": np.array([1.0, 2.0])}, "row_upper"),
        ({"group_of_option": np.array([0, 0, 2, 2])}, "group_of_option"),
        ({"n_groups": 3}, "group_of_option"),
        ({"n_groups": 1}, "n_groups"),
        ({"group_of_option": np.array([0, 0, -1, 1])}, "group_of_option"),
        ({"group_of_option": np.array([0.5, 0, 1, 1])}, "group_of_option"),
        ({"coefficients": np.ones((1, 3))}, "coefficients"),
        ({"coefficients": np.array([[0.0, np.inf, 0.0, 1.0]])}, "coefficients"),
        ({"row_names": ("a", "b")}, "row_names"),
        ({"facility_cost": np.array([1.0])}, "facility_cost"),
        (
            {"facility_cost": np.array([1.0]), "option_facilities": np.ones((2, 4))},
            "option_facilities",
        ),
        (
            {"facility_cost": np.array([1.0]), "option_facilities": np.full((1, 4), 2.0)},
            "option_facilities",
        ),
    ],
)
def test_invalid_problem_names_parameter(overrides: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidProblemError, match=parameter) as caught:
        ChoiceProblem(**_arguments(**overrides))
    assert isinstance(caught.value, SolverError)


def test_with_options_appends_without_mutating() -> None:
    problem = ChoiceProblem(**_arguments())
    bigger = problem.with_options([1], [0.5], np.array([[1.0]]))
    assert bigger.n_options == 5 and problem.n_options == 4
    assert bigger.group_of_option[-1] == 1
    assert bigger.coefficients[0, 4] == 1.0
