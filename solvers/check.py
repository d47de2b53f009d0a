"""Independent check of a solution against the problem it claims to solve.

Following python-mip's practice, every solution is recomputed from the original (unscaled)
data before it is returned: exactly one option per group, every row within its bounds,
facility linking, and cost.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from solvers.problem import ChoiceProblem
from solvers.scaling import row_scale

__all__ = [
    "check_solution",
    "required_facilities",
    "row_activity",
    "solution_cost",
]


def row_activity(problem: ChoiceProblem, chosen: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Activity :math:`\\sum_g a_{r, o_g}` of every row for one chosen option per group.

    Groups with ``chosen == -1`` contribute nothing.
    """
    picks = np.asarray(chosen, dtype=np.int64)
    picks = picks[picks >= 0]
    if problem.n_rows == 0:
        return np.zeros(0, dtype=np.float64)
    counts = np.bincount(picks, minlength=problem.n_options).astype(np.float64)
    return np.asarray(problem.coefficients @ counts, dtype=np.float64)


def required_facilities(problem: ChoiceProblem, chosen: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Facilities needed by the chosen options (all False without facilities)."""
    if problem.option_facilities is None:
        return np.zeros(0, dtype=bool)
    picks = np.asarray(chosen, dtype=np.int64)
    picks = picks[picks >= 0]
    counts = np.bincount(picks, minlength=problem.n_options).astype(np.float64)
    return np.asarray(problem.option_facilities @ counts) > 0.0


def solution_cost(
    problem: ChoiceProblem,
    chosen: npt.ArrayLike,
    facility_open: npt.ArrayLike | None = None,
) -> float:
    """Cost :math:`\\sum_g c_{o_g} + \\sum_f F_f y_f`.

    Without ``facility_open`` the facilities needed by ``chosen`` are taken as open.
    """
    picks = np.asarray(chosen, dtype=np.int64)
    total = float(problem.cost[picks[picks >= 0]].sum())
    if problem.facility_cost is not None:
        opened = (
            required_facilities(problem, picks)
            if facility_open is None
            else np.asarray(facility_open, dtype=bool)
        )
        total += float(problem.facility_cost[opened].sum())
    return total


def check_solution(
    problem: ChoiceProblem,
    chosen: npt.ArrayLike,
    facility_open: npt.ArrayLike | None = None,
    tol: float = 1e-6,
    *,
    objective: float | None = None,
) -> list[str]:
    """List every rule a solution breaks (empty list when it is valid).

    Parameters
    ----------
    problem : ChoiceProblem
        The problem, with its original (unscaled) rows.
    chosen : array of int, shape (n_groups,)
        Option index chosen in each group.
    facility_open : array of bool, shape (n_facilities,), optional
        Open facilities; default: exactly those needed by ``chosen``.
    tol : float
        Relative tolerance on scaled rows: row :math:`r` with scale
        :math:`s_r = \\max_o |a_{ro}|` is violated when
        :math:`(l_r - \\text{act}_r) / s_r > \\text{tol} \\cdot \\max(1, |l_r| / s_r)`
        (likewise for the upper bound).
    objective : float, optional
        Claimed cost, compared with the recomputed cost (relative tolerance ``tol``).

    Returns
    -------
    list of str
        One message per violation, naming the group, row or facility.
    """
    problems: list[str] = []
    picks = np.asarray(chosen)
    if picks.shape != (problem.n_groups,):
        return [f"chosen must have shape ({problem.n_groups},); received {picks.shape}"]
    if picks.dtype.kind not in "iu":
        return [f"chosen must hold integer option indices; received dtype {picks.dtype}"]
    picks = picks.astype(np.int64)
    out_of_range = (picks < 0) | (picks >= problem.n_options)
    for group in np.flatnonzero(out_of_range)[:10]:
        problems.append(f"group {group}: no option chosen (received index {picks[group]})")
    valid = np.where(out_of_range, 0, picks)
    wrong_group = ~out_of_range & (problem.group_of_option[valid] != np.arange(picks.shape[0]))
    for group in np.flatnonzero(wrong_group)[:10]:
        problems.append(
            f"group {group}: option {picks[group]} belongs to group "
            f"{problem.group_of_option[picks[group]]}"
        )
    if problems:
        return problems

    activity = row_activity(problem, picks)
    scale = row_scale(problem.coefficients)
    scaled_activity = activity / scale
    lower = problem.row_lower / scale
    upper = problem.row_upper / scale
    with np.errstate(invalid="ignore"):
        short = (lower - scaled_activity) > tol * np.maximum(1.0, np.abs(lower))
        over = (scaled_activity - upper) > tol * np.maximum(1.0, np.abs(upper))
    for row in np.flatnonzero(short):
        problems.append(
            f"{problem.row_label(int(row))}: activity {activity[row]:.10g} < lower bound "
            f"{problem.row_lower[row]:.10g}"
        )
    for row in np.flatnonzero(over):
        problems.append(
            f"{problem.row_label(int(row))}: activity {activity[row]:.10g} > upper bound "
            f"{problem.row_upper[row]:.10g}"
        )

    opened: npt.NDArray[np.bool_] | None = None
    if problem.facility_cost is not None:
        needed = required_facilities(problem, picks)
        if facility_open is None:
            opened = needed
        else:
            opened = np.asarray(facility_open, dtype=bool)
            if opened.shape != needed.shape:
                problems.append(
                    f"facility_open must have shape {needed.shape}; received {opened.shape}"
                )
                opened = needed
            for facility in np.flatnonzero(needed & ~opened):
                problems.append(f"facility {facility}: used by a chosen option but closed")
    elif facility_open is not None and np.asarray(facility_open).size:
        problems.append("facility_open given for a problem without facilities")

    if objective is not None:
        cost = solution_cost(problem, picks, opened)
        if not abs(cost - objective) <= tol * max(1.0, abs(cost)):
            problems.append(f"objective {objective:.10g} differs from recomputed cost {cost:.10g}")
    return problems
