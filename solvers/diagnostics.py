"""Infeasibility diagnostics: the best activity each row can reach on its own."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.problem import ChoiceProblem
from solvers.scaling import row_scale

__all__ = ["row_reach", "unreachable_rows"]


def _group_extremes(
    problem: ChoiceProblem,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per row, sum over groups of the max and of the min coefficient (zeros included)."""
    coo = sp.coo_array(problem.coefficients)
    n_groups = int(problem.n_groups or 0)
    group_size = np.bincount(problem.group_of_option, minlength=n_groups)
    highest = np.zeros(problem.n_rows, dtype=np.float64)
    lowest = np.zeros(problem.n_rows, dtype=np.float64)
    if coo.nnz == 0:
        return highest, lowest
    rows = coo.row.astype(np.int64)
    groups = problem.group_of_option[coo.col]
    key = rows * n_groups + groups
    order = np.lexsort((coo.data, key))
    key, data = key[order], coo.data[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], key.shape[0]]
    unique_key = key[starts]
    entry_min = data[starts]
    entry_max = data[ends - 1]
    has_implicit_zero = (ends - starts) < group_size[unique_key % n_groups]
    group_max = np.where(has_implicit_zero, np.maximum(entry_max, 0.0), entry_max)
    group_min = np.where(has_implicit_zero, np.minimum(entry_min, 0.0), entry_min)
    row_of_key = unique_key // n_groups
    np.add.at(highest, row_of_key, group_max)
    np.add.at(lowest, row_of_key, group_min)
    return highest, lowest


def row_reach(
    problem: ChoiceProblem,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Best activity each row can reach on its own, ignoring every other row.

    Returns
    -------
    best_lower_activity : ndarray, shape (n_rows,)
        :math:`\\sum_g \\max_{o \\in g} a_{ro}`: the highest activity, to compare with
        :math:`l_r` (a ``>=`` row with :math:`l_r` above it can never hold).
    best_upper_activity : ndarray, shape (n_rows,)
        :math:`\\sum_g \\min_{o \\in g} a_{ro}`: the lowest activity, to compare with
        :math:`u_r`.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers import ChoiceProblem
    >>> problem = ChoiceProblem(np.array([0, 0]), np.array([0.0, 1.0]),
    ...                         np.array([[0.5, 0.93]]), np.array([0.95]), np.array([np.inf]))
    >>> row_reach(problem)[0]
    array([0.93])
    """
    return _group_extremes(problem)


def unreachable_rows(problem: ChoiceProblem, tol: float = 1e-9) -> list[str]:
    """Messages for rows that no choice can satisfy, e.g. ``"row 3 can reach at most 0.93 <
    0.95"``; an empty list does not prove feasibility (rows interact)."""
    highest, lowest = _group_extremes(problem)
    scale = row_scale(problem.coefficients)
    messages: list[str] = []
    for row in range(problem.n_rows):
        slack = tol * max(scale[row], abs(problem.row_lower[row]), 1e-300)
        if problem.row_lower[row] - highest[row] > slack:
            messages.append(
                f"{problem.row_label(row)} can reach at most {highest[row]:.6g} < "
                f"{problem.row_lower[row]:.6g}"
            )
        slack = tol * max(scale[row], abs(problem.row_upper[row]), 1e-300)
        if lowest[row] - problem.row_upper[row] > slack:
            messages.append(
                f"{problem.row_label(row)} can go down to {lowest[row]:.6g} at least > "
                f"{problem.row_upper[row]:.6g}"
            )
    return messages
