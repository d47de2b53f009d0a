r"""The restricted master LP of column generation, solved with HiGHS.

The LP relaxation of the multiple-choice problem over a restricted set of columns, with a
big-M artificial column on every bounded row so that it is always feasible; its row duals
:math:`\pi` and convexity duals :math:`\mu_g` drive the pricing (Dantzig & Wolfe 1960;
van Houtum & Kranenburg 2015, ch. 5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.formulation import build_matrix_form
from solvers.highs_backend import make_highs, pass_form
from solvers.problem import ChoiceProblem

__all__ = ["MasterLP", "solve_master_lp"]


@dataclass(frozen=True, eq=False)
class MasterLP:
    """LP relaxation of a restricted master (:func:`solve_master_lp`).

    Attributes
    ----------
    value : float
        LP value (artificial penalties included while ``artificial_in_use``).
    row_duals : array of float, shape (n_rows,)
        Duals :math:`\\pi` of the unscaled problem rows.
    group_duals : array of float, shape (n_groups,)
        Duals :math:`\\mu_g` of the convexity rows.
    option_values : array of float, shape (n_options,)
        Primal values :math:`x_o` (at most ``n_rows`` groups are fractional at a vertex).
    artificial_in_use : bool
        True when an artificial column is positive: the restricted master is infeasible.
    """

    value: float
    row_duals: npt.NDArray[np.float64]
    group_duals: npt.NDArray[np.float64]
    option_values: npt.NDArray[np.float64]
    artificial_in_use: bool


def solve_master_lp(problem: ChoiceProblem, penalty: float | None = None) -> MasterLP:
    """Solve the LP relaxation of ``problem`` with a big-M artificial column on every row.

    The penalty defaults to ``1e3`` times the largest option cost (at least 1e6), raised
    by the caller when artificials stay in use.
    """
    if penalty is None:
        penalty = max(1e6, 1e3 * float(np.abs(problem.cost).max()))
    return _solve_master_lp(problem, penalty)


def _solve_master_lp(problem: ChoiceProblem, penalty: float) -> MasterLP:
    """LP relaxation of the restricted master with artificial columns on every bounded row
    (facility linking rows, if any, are part of the LP but their duals are not read)."""
    form = build_matrix_form(problem)
    offset = form.problem_row_offset
    has_lower = np.isfinite(form.scaled.lower)
    has_upper = np.isfinite(form.scaled.upper)
    rows = np.r_[np.flatnonzero(has_lower), np.flatnonzero(has_upper)] + offset
    signs = np.r_[np.ones(int(has_lower.sum())), -np.ones(int(has_upper.sum()))]
    n_artificial = rows.shape[0]
    artificial = sp.csc_array(
        (signs, (rows, np.arange(n_artificial))), shape=(form.matrix.shape[0], n_artificial)
    )
    extended = replace(
        form,
        col_cost=np.r_[form.col_cost, np.full(n_artificial, penalty)],
        col_lower=np.r_[form.col_lower, np.zeros(n_artificial)],
        col_upper=np.r_[form.col_upper, np.full(n_artificial, np.inf)],
        matrix=sp.hstack([form.matrix, artificial], format="csc"),
    )
    highs = make_highs(time_limit=None, mip_rel_gap=0.0, threads=None, verbose=False)
    pass_form(highs, extended, integer=False)
    highs.run()
    solution = highs.getSolution()
    duals = np.asarray(solution.row_dual, dtype=np.float64)
    values = np.asarray(solution.col_value, dtype=np.float64)
    scaled_duals = duals[offset : offset + form.n_rows]
    return MasterLP(
        value=float(highs.getInfo().objective_function_value),
        row_duals=scaled_duals / form.scaled.scale,
        group_duals=duals[: form.n_groups],
        artificial_in_use=bool(np.any(values[form.n_cols :] > 1e-9)),
        option_values=values[: form.n_options].copy(),
    )
