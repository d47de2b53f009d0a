"""Matrix form of the multiple-choice MILP, built from NumPy arrays without Python loops.

Columns: ``x_o`` for every option, then ``y_f`` for every facility. Rows, in this order:

1. one convexity row per group, :math:`\\sum_{o \\in g} x_o = 1`;
2. the problem rows, scaled by :func:`solvers.scaling.scale_rows`;
3. one linking row per (facility, group) pair that occurs,
   :math:`\\sum_{o \\in g,\\, o \\text{ uses } f} x_o - y_f \\le 0` — the aggregated form,
   tighter in the LP relaxation than one row :math:`x_o \\le y_f` per option.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.problem import ChoiceProblem
from solvers.scaling import ScaledRows, scale_rows

__all__ = ["MatrixForm", "build_matrix_form"]


@dataclass(frozen=True, eq=False)
class MatrixForm:
    """Column-wise (CSC) MILP data ready for a solver."""

    col_cost: npt.NDArray[np.float64]
    col_lower: npt.NDArray[np.float64]
    col_upper: npt.NDArray[np.float64]
    matrix: sp.csc_array
    row_lower: npt.NDArray[np.float64]
    row_upper: npt.NDArray[np.float64]
    n_options: int
    n_groups: int
    n_rows: int
    link_facility: npt.NDArray[np.int64]
    link_group: npt.NDArray[np.int64]
    scaled: ScaledRows

    @property
    def n_cols(self) -> int:
        """Number of columns (options then facilities)."""
        return int(self.col_cost.shape[0])

    @property
    def problem_row_offset(self) -> int:
        """Index of the first problem row (after the group rows)."""
        return self.n_groups

    @property
    def link_row_offset(self) -> int:
        """Index of the first linking row."""
        return self.n_groups + self.n_rows


def build_matrix_form(problem: ChoiceProblem) -> MatrixForm:
    """Assemble the scaled MILP of ``problem`` (see the module docstring)."""
    n_options = problem.n_options
    n_groups = int(problem.n_groups or 0)
    n_facilities = problem.n_facilities
    scaled = scale_rows(problem)
    problem_rows = sp.coo_array(scaled.matrix)

    rows = [problem.group_of_option, problem_rows.row.astype(np.int64) + n_groups]
    cols = [np.arange(n_options, dtype=np.int64), problem_rows.col.astype(np.int64)]
    vals = [np.ones(n_options), problem_rows.data]

    link_facility = np.zeros(0, dtype=np.int64)
    link_group = np.zeros(0, dtype=np.int64)
    if problem.option_facilities is not None and n_facilities:
        links = sp.coo_array(problem.option_facilities)
        facility = links.row.astype(np.int64)
        option = links.col.astype(np.int64)
        key = facility * n_groups + problem.group_of_option[option]
        unique_key, link_of_entry = np.unique(key, return_inverse=True)
        link_facility = unique_key // n_groups
        link_group = unique_key % n_groups
        offset = n_groups + problem.n_rows
        n_links = unique_key.shape[0]
        rows += [link_of_entry + offset, np.arange(n_links, dtype=np.int64) + offset]
        cols += [option, n_options + link_facility]
        vals += [np.ones(option.shape[0]), -np.ones(n_links)]

    n_links = link_facility.shape[0]
    n_total_rows = n_groups + problem.n_rows + n_links
    n_cols = n_options + n_facilities
    matrix = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_total_rows, n_cols),
    )
    matrix.sum_duplicates()
    matrix.sort_indices()
    facility_cost = problem.facility_cost if problem.facility_cost is not None else np.zeros(0)
    return MatrixForm(
        col_cost=np.concatenate([problem.cost, facility_cost]).astype(np.float64),
        col_lower=np.zeros(n_cols),
        col_upper=np.ones(n_cols),
        matrix=matrix,
        row_lower=np.concatenate([np.ones(n_groups), scaled.lower, np.full(n_links, -np.inf)]),
        row_upper=np.concatenate([np.ones(n_groups), scaled.upper, np.zeros(n_links)]),
        n_options=n_options,
        n_groups=n_groups,
        n_rows=problem.n_rows,
        link_facility=link_facility,
        link_group=link_group,
        scaled=scaled,
    )


def choice_from_values(
    group_of_option: npt.NDArray[np.int64], n_groups: int, values: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Option with the largest value in each group (the 1 of a binary solution).

    Vectorised: sort options by (group, -value) and keep the first of each group.
    """
    order = np.lexsort((-values, group_of_option))
    first = np.r_[True, group_of_option[order][1:] != group_of_option[order][:-1]]
    chosen = np.full(n_groups, -1, dtype=np.int64)
    chosen[group_of_option[order][first]] = order[first]
    return chosen


def start_values(
    problem: ChoiceProblem, form: MatrixForm, warm_start: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Column values (x then y) of a warm start given as one option index per group.

    Facilities needed by the chosen options are opened.
    """
    picks = np.asarray(warm_start, dtype=np.int64)
    values = np.zeros(form.n_cols, dtype=np.float64)
    values[picks[picks >= 0]] = 1.0
    if problem.option_facilities is not None:
        needed = np.asarray(problem.option_facilities @ values[: form.n_options]) > 0.0
        values[form.n_options :] = needed.astype(np.float64)
    return values
