"""A restricted master LP kept alive between column-generation iterations.

:func:`solvers.solve_master_lp` builds and solves the LP from scratch; at 50,000 groups
and a few hundred thousand columns that is ~25 s per iteration. :class:`RestrictedMaster`
passes the model to HiGHS once and then only appends the new columns (``addCols``), so
every re-solve starts from the previous optimal basis: adding columns keeps that basis
primal feasible and the simplex method continues from it.

Rows are scaled once, by :func:`solvers.scaling.row_scale` of the initial columns, and
every later column with the same factors (any positive factors give the same LP; the
initial columns should touch every row so that the factors are of the right order).
Problems with facility decisions are not supported (the column-generation master is
solved without them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.column_generation import MasterLP
from solvers.errors import InvalidProblemError
from solvers.formulation import build_matrix_form
from solvers.highs_backend import make_highs, pass_form
from solvers.problem import ChoiceProblem

__all__ = ["RestrictedMaster"]


class RestrictedMaster:
    """LP relaxation of a multiple-choice problem over a growing set of columns.

    Parameters
    ----------
    problem : ChoiceProblem
        The initial columns (no facilities). Rows with a finite bound get a big-M
        artificial column each, so the LP is always feasible.
    penalty : float, optional
        Cost of one unit of an artificial column; default ``1e3`` times the largest
        option cost (at least ``1e6``). Raise it with :meth:`set_penalty`.

    Examples
    --------
    >>> import numpy as np
    >>> from solvers import ChoiceProblem
    >>> problem = ChoiceProblem(np.array([0, 0]), np.array([0.0, 2.0]),
    ...                         np.array([[0.0, 1.0]]), np.array([0.5]), np.array([np.inf]))
    >>> master = RestrictedMaster(problem)
    >>> round(master.solve().value, 6)
    1.0
    >>> master.add_options(np.array([0]), np.array([0.5]), np.array([[0.5]]))
    array([2])
    >>> round(master.solve().value, 6)
    0.5
    """

    def __init__(self, problem: ChoiceProblem, penalty: float | None = None) -> None:
        if problem.n_facilities:
            raise InvalidProblemError("RestrictedMaster does not take facility decisions")
        form = build_matrix_form(problem)
        self.n_groups = form.n_groups
        self.n_rows = form.n_rows
        self.scale = form.scaled.scale.copy()
        self._offset = form.problem_row_offset
        if penalty is None:
            penalty = max(1e6, 1e3 * float(np.abs(problem.cost).max(initial=0.0)))
        self.penalty = float(penalty)
        has_lower = np.isfinite(form.scaled.lower)
        has_upper = np.isfinite(form.scaled.upper)
        rows = np.r_[np.flatnonzero(has_lower), np.flatnonzero(has_upper)] + self._offset
        signs = np.r_[np.ones(int(has_lower.sum())), -np.ones(int(has_upper.sum()))]
        self._n_artificial = int(rows.shape[0])
        artificial = sp.csc_array(
            (signs, (rows, np.arange(self._n_artificial))),
            shape=(form.matrix.shape[0], self._n_artificial),
        )
        n0 = form.n_options
        extended = type(form)(
            col_cost=np.r_[form.col_cost, np.full(self._n_artificial, self.penalty)],
            col_lower=np.zeros(n0 + self._n_artificial),
            # x <= 1 is implied by the convexity rows but kept: with it HiGHS's dual
            # simplex flips bounds, 10.6 s instead of 130 s on a 50,000-part master. The
            # row duals stay exact; a column at its upper bound may then have c - pi a
            # - mu < 0 (its bound's dual), new columns enter when that is negative.
            col_upper=np.r_[form.col_upper, np.full(self._n_artificial, np.inf)],
            matrix=sp.hstack([form.matrix, artificial], format="csc"),
            row_lower=form.row_lower,
            row_upper=form.row_upper,
            n_options=n0,
            n_groups=form.n_groups,
            n_rows=form.n_rows,
            link_facility=form.link_facility,
            link_group=form.link_group,
            scaled=form.scaled,
        )
        self._highs: Any = make_highs(time_limit=None, mip_rel_gap=0.0, threads=None, verbose=False)
        pass_form(self._highs, extended, integer=False)
        # HiGHS column of every option, in the order the options were added.
        self._option_column = [np.arange(n0, dtype=np.int64)]
        self._n_options = n0
        self._n_columns = n0 + self._n_artificial

    @property
    def n_options(self) -> int:
        """Options added so far (artificial columns not counted)."""
        return self._n_options

    def add_options(
        self, group_of_option: npt.ArrayLike, cost: npt.ArrayLike, coefficients: Any
    ) -> npt.NDArray[np.int64]:
        """Append options; return their indices (in the order of all options added).

        Parameters
        ----------
        group_of_option : int (k,)
        cost : float (k,)
        coefficients : array or sparse, (n_rows, k)
            Unscaled row contributions.
        """
        groups = np.asarray(group_of_option, dtype=np.int64).reshape(-1)
        costs = np.asarray(cost, dtype=np.float64).reshape(-1)
        k = groups.shape[0]
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        block = sp.csc_array(coefficients)
        if block.shape != (self.n_rows, k) or costs.shape != (k,):
            raise InvalidProblemError(
                f"add_options needs cost (k,) and coefficients ({self.n_rows}, k); received "
                f"k={k}, cost {costs.shape}, coefficients {block.shape}"
            )
        if groups.min() < 0 or groups.max() >= self.n_groups:
            raise InvalidProblemError(
                f"group_of_option must lie in [0, {self.n_groups}); received "
                f"[{groups.min()}, {groups.max()}]"
            )
        scaled = sp.csc_array(sp.diags_array(1.0 / self.scale) @ block)
        scaled.sort_indices()
        # Each column: its group's convexity row, then its scaled problem rows.
        counts = np.diff(scaled.indptr) + 1
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        nnz = int(counts.sum())
        index = np.empty(nnz, dtype=np.int32)
        value = np.empty(nnz, dtype=np.float64)
        index[starts] = groups
        value[starts] = 1.0
        rest = np.ones(nnz, dtype=bool)
        rest[starts] = False
        index[rest] = scaled.indices + self._offset
        value[rest] = scaled.data
        self._highs.addCols(
            k, costs, np.zeros(k), np.full(k, np.inf), nnz, starts.astype(np.int32), index, value
        )
        self._option_column.append(np.arange(self._n_columns, self._n_columns + k, dtype=np.int64))
        first = self._n_options
        self._n_options += k
        self._n_columns += k
        return np.arange(first, first + k, dtype=np.int64)

    def set_penalty(self, penalty: float) -> None:
        """Cost of the artificial columns (raise it when they stay in use)."""
        self.penalty = float(penalty)
        n0 = int(self._option_column[0].shape[0])
        columns = np.arange(n0, n0 + self._n_artificial, dtype=np.int32)
        self._highs.changeColsCost(
            self._n_artificial, columns, np.full(self._n_artificial, self.penalty)
        )

    def solve(self) -> MasterLP:
        """Re-optimize from the last basis; duals of the unscaled rows."""
        highs = self._highs
        highs.run()
        solution = highs.getSolution()
        duals = np.asarray(solution.row_dual, dtype=np.float64)
        values = np.asarray(solution.col_value, dtype=np.float64)
        columns = np.concatenate(self._option_column)
        n0 = int(self._option_column[0].shape[0])
        artificial = values[n0 : n0 + self._n_artificial]
        return MasterLP(
            value=float(highs.getInfo().objective_function_value),
            row_duals=duals[self._offset : self._offset + self.n_rows] / self.scale,
            group_duals=duals[: self.n_groups].copy(),
            option_values=values[columns],
            artificial_in_use=bool(np.any(artificial > 1e-9)),
        )
