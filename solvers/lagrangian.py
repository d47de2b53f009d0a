"""Lagrangian lower bounds for the multiple-choice problem.

Dualising the rows with multipliers :math:`\\pi` (:math:`\\pi_r \\ge 0` on a row's lower
bound, :math:`\\pi_r \\le 0` on its upper bound) leaves one independent choice per group:

.. math::

    L(\\pi) = \\sum_g \\min_{o \\in g} \\Big(c_o - \\sum_r \\pi_r a_{ro}\\Big)
              + \\sum_{r: \\pi_r > 0} \\pi_r l_r + \\sum_{r: \\pi_r < 0} \\pi_r u_r
              + \\sum_f \\min(0, F_f) \\le z^*,

valid for every such :math:`\\pi` by weak duality (facility linking is relaxed by dropping
the facility costs that are nonnegative). This is the bound of the Lagrangian relaxation /
column generation chapter of van Houtum & Kranenburg (2015); at the optimal LP duals of the
Dantzig–Wolfe master it equals the LP bound.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solvers.problem import ChoiceProblem

__all__ = ["group_minimum", "lagrangian_bound", "valid_multipliers"]


def valid_multipliers(
    problem: ChoiceProblem, multipliers: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Zero the multipliers whose sign asks for an infinite bound (e.g. ``pi_r > 0`` on a
    row without lower bound), so that :math:`L(\\pi)` stays finite and valid."""
    pi = np.asarray(multipliers, dtype=np.float64).copy()
    pi[~np.isfinite(pi)] = 0.0
    pi[(pi > 0) & ~np.isfinite(problem.row_lower)] = 0.0
    pi[(pi < 0) & ~np.isfinite(problem.row_upper)] = 0.0
    return pi


def group_minimum(
    group_of_option: npt.NDArray[np.int64], n_groups: int, values: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """:math:`\\min_{o \\in g} v_o` for every group (``+inf`` for a group without option)."""
    result = np.full(n_groups, np.inf)
    np.minimum.at(result, group_of_option, values)
    return result


def bound_constant(problem: ChoiceProblem, pi: npt.NDArray[np.float64]) -> float:
    """:math:`\\sum_{\\pi_r>0} \\pi_r l_r + \\sum_{\\pi_r<0} \\pi_r u_r + \\sum_f \\min(0, F_f)`."""
    total = float(np.sum(np.where(pi > 0, pi * np.where(pi > 0, problem.row_lower, 0.0), 0.0)))
    total += float(np.sum(np.where(pi < 0, pi * np.where(pi < 0, problem.row_upper, 0.0), 0.0)))
    if problem.facility_cost is not None:
        total += float(np.minimum(problem.facility_cost, 0.0).sum())
    return total


def lagrangian_bound(problem: ChoiceProblem, multipliers: npt.ArrayLike) -> float:
    """Lagrangian lower bound :math:`L(\\pi)` of the module docstring.

    Parameters
    ----------
    problem : ChoiceProblem
        The problem with all its options.
    multipliers : array of float, shape (n_rows,)
        Row multipliers on the unscaled rows; entries of the wrong sign for a row's finite
        bounds are set to zero (see :func:`valid_multipliers`).

    Returns
    -------
    float
        A proven lower bound on the optimal cost.
    """
    pi = valid_multipliers(problem, multipliers)
    reduced = problem.cost - np.asarray(problem.coefficients.T @ pi, dtype=np.float64)
    minima = group_minimum(problem.group_of_option, int(problem.n_groups or 0), reduced)
    return float(minima.sum()) + bound_constant(problem, pi)
