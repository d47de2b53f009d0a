"""Marginal-analysis greedy (Sherbrooke 1968): the classic "bang for the buck" allocation.

Every group starts at its cheapest option. Each move replaces the option of one group by a
costlier one; the move with the largest ratio

.. math::

    \\rho = \\frac{\\sum_r w_r \\, (a_{r,o'} - a_{r,o})}{c_{o'} - c_o}

(weighted shortfall reduced per unit of extra cost) is taken first, until every ``>=`` row
holds. Rows are scaled to :math:`\\max_o |a_{ro}| = 1`; the weights :math:`w_r` are the
remaining scaled shortfalls (re-weighted when a row becomes satisfied, and every quarter of
the groups' moves with several rows), or given LP duals.

``hull=False`` is the textbook version: a group may only move to the next option in cost
order that adds contribution (one more unit of stock). With S-shaped contributions (fill
rate against stock) the first unit adds little and the greedy is trapped: measured 1.6–1.7 %
above the optimum. ``hull=True`` moves along the upper concave hull of each group's
(cost, weighted contribution) points — the next move is the option of maximum slope from
the current one — which removes that trap (within 0.03 %).

The multipliers implied by the last move, :math:`\\pi_r = w_r / \\rho`, give a Lagrangian
lower bound (:func:`solvers.lagrangian.lagrangian_bound`), reported as ``lower_bound``.

Each phase (between two re-weightings) runs in numba kernels
(:mod:`solvers._greedy_kernels`) that reproduce the former pure-Python loops bit for bit:
the same ratios, and the moves in the order a ``heapq`` of ``(-ratio, group, target)``
tuples gave. Only work with a known result is skipped: groups at their last option, the
gains of options behind a group's position, and the best move of a group whose gains and
position did not change since the last phase.
"""

from __future__ import annotations

import math
import time

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers._greedy_kernels import NO_MOVE, RAN_OUT, mark_changed_gains, run_phase
from solvers.check import check_solution, required_facilities, row_activity, solution_cost
from solvers.lagrangian import lagrangian_bound
from solvers.problem import ChoiceProblem
from solvers.scaling import ScaledRows, scale_rows
from solvers.solution import Solution, relative_gap
from solvers.status import SolveStatus

__all__ = ["greedy_allocation"]


def _padded_layout(
    problem: ChoiceProblem,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Options of each group in cost order, padded with -1, shape (n_groups, k_max)."""
    n_groups = int(problem.n_groups or 0)
    group, cost = problem.group_of_option, problem.cost
    step = group[1:] - group[:-1]
    if np.all((step > 0) | ((step == 0) & (cost[1:] >= cost[:-1]))):
        order = np.arange(group.shape[0])  # already in order: what the stable sort returns
    else:
        order = np.lexsort((cost, group))
    groups = group[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    column = np.arange(order.shape[0]) - starts[groups]
    options = np.full((n_groups, int(counts.max())), -1, dtype=np.int64)
    options[groups, column] = order
    costs = np.where(options >= 0, problem.cost[np.maximum(options, 0)], np.inf)
    return options, costs


class _LiveOptions:
    """The groups not yet at their last option, and the options they can still move to.

    Positions only increase: an option behind its group's position, and a group at its last
    option, never matter again. Gains are computed for the live options only — by scipy's
    product over their columns alone, which sums each column as the full product does —
    and the set is rebuilt once a quarter of its options or groups is spent.
    """

    def __init__(self, options: npt.NDArray[np.int64], columns: sp.csc_array) -> None:
        self._all_options = options
        self._all_columns = columns
        self._counts = (options >= 0).sum(axis=1)
        self.groups = np.zeros(0, dtype=np.int64)  # ascending
        self.options = np.zeros(0, dtype=np.int64)
        self._columns_t = sp.csr_array((0, columns.shape[0]))
        self._size = -1

    def update(self, positions: npt.NDArray[np.int64]) -> None:
        """Rebuild the set for ``positions`` if a quarter of it is spent."""
        if self._size >= 0:
            left = self._counts[self.groups] - positions[self.groups]  # current one included
            ahead, unfinished = int(left.sum()), int(np.count_nonzero(left > 1))
            if 4 * ahead > 3 * self._size and 4 * unfinished > 3 * self.groups.shape[0]:
                return
        self.groups = np.flatnonzero(positions < self._counts - 1).astype(np.int64)
        rows = self._all_options[self.groups]
        column = np.arange(rows.shape[1])
        ahead_mask = (column[None, :] >= positions[self.groups][:, None]) & (rows >= 0)
        self.options = np.ascontiguousarray(rows[ahead_mask], dtype=np.int64)
        self._columns_t = sp.csc_array(self._all_columns[:, self.options]).T
        self._size = int(self.options.shape[0])

    def gains(self, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """:math:`\\sum_r a_{ro} w_r` of each live option (``options`` order)."""
        return np.ascontiguousarray(self._columns_t @ weights, dtype=np.float64)


def greedy_allocation(
    problem: ChoiceProblem,
    hull: bool = True,
    row_weights: npt.ArrayLike | None = None,
    *,
    tol: float = 1e-9,
) -> Solution:
    """Sherbrooke's (1968) marginal analysis for the multiple-choice problem.

    Parameters
    ----------
    problem : ChoiceProblem
        The problem. ``>=`` rows drive the moves; ``<=`` rows (budget, capacity) and
        facility costs are not traded off, only checked at the end (facilities needed by
        the chosen options are opened).
    hull : bool
        Move along each group's upper concave hull of (cost, weighted contribution)
        (default) instead of to the next costlier option.
    row_weights : array of float, shape (n_rows,), optional
        Fixed row weights on the unscaled rows, e.g. LP duals; default: each row weighted by
        its remaining shortfall.
    tol : float
        Relative tolerance for a row to count as met.

    Returns
    -------
    Solution
        Status FEASIBLE when every row holds, else NO_SOLUTION_FOUND (the message names the
        rows). ``lower_bound`` is the Lagrangian bound at the multipliers of the last move
        (``-inf`` when none applies).

    Examples
    --------
    >>> import numpy as np
    >>> from solvers import ChoiceProblem
    >>> problem = ChoiceProblem(np.array([0, 0, 0]), np.array([0.0, 1.0, 2.0]),
    ...                         np.array([[0.0, 0.1, 1.0]]), np.array([0.9]), np.array([np.inf]))
    >>> greedy_allocation(problem).chosen.tolist()  # the hull skips the poor first unit
    [2]
    """
    started = time.perf_counter()
    scaled = scale_rows(problem)
    fixed_weights = None
    if row_weights is not None:
        fixed_weights = np.maximum(np.asarray(row_weights, dtype=np.float64), 0.0) * scaled.scale
    chosen, stuck, last_ratio, last_weights = _marginal_moves(problem, scaled, fixed_weights,
                                                              hull, tol)
    facility_open = required_facilities(problem, chosen) if problem.n_facilities else None
    violations = check_solution(problem, chosen, facility_open)
    objective = solution_cost(problem, chosen, facility_open)
    bound = -math.inf
    if math.isfinite(last_ratio) and last_ratio > 0:
        bound = lagrangian_bound(problem, last_weights / scaled.scale / last_ratio)
    if violations:
        status = SolveStatus.NO_SOLUTION_FOUND
        reason = "no move improves the short rows" if stuck else "rows not traded off"
        message = f"greedy stopped ({reason}): " + "; ".join(violations[:10])
    else:
        status = SolveStatus.FEASIBLE
        message = "greedy: every row holds"
    bound = min(bound, objective) if status is SolveStatus.FEASIBLE else bound
    feasible = status is SolveStatus.FEASIBLE
    return Solution(
        status=status,
        chosen=chosen if feasible else np.full(int(problem.n_groups or 0), -1, np.int64),
        facility_open=facility_open if feasible else None,
        objective=objective if feasible else math.nan,
        lower_bound=bound,
        gap=relative_gap(objective, bound) if feasible else math.nan,
        backend="greedy-hull" if hull else "greedy",
        runtime_seconds=time.perf_counter() - started,
        row_activity=row_activity(problem, chosen),
        message=message,
    )


def _marginal_moves(
    problem: ChoiceProblem,
    scaled: ScaledRows,
    fixed_weights: npt.NDArray[np.float64] | None,
    hull: bool,
    tol: float,
) -> tuple[npt.NDArray[np.int64], bool, float, npt.NDArray[np.float64]]:
    """Run the phases of moves from the cheapest options until every ``>=`` row holds.

    Returns the chosen option per group, whether the moves stopped short (no move left or
    the moves ran out), and the ratio and weights of the last phase (for the bound).
    """
    n_groups = int(problem.n_groups or 0)
    columns = sp.csc_array(scaled.matrix)
    lower = scaled.lower
    has_lower = np.isfinite(lower)
    threshold = lower - tol * np.maximum(1.0, np.abs(np.where(has_lower, lower, 0.0)))

    options, costs_padded = _padded_layout(problem)
    positions = np.zeros(n_groups, dtype=np.int64)  # cheapest option of each group
    chosen = options[np.arange(n_groups), positions]
    activity = np.asarray(columns @ np.bincount(chosen, minlength=problem.n_options), float)
    group_of_option = problem.group_of_option.astype(np.int64)
    indptr, indices = columns.indptr.astype(np.int64), columns.indices.astype(np.int64)
    data = np.ascontiguousarray(columns.data, dtype=np.float64)
    # Gains of the options at the current weights, and each group's best move (-ratio,
    # target), kept from one phase to the next unless its gains or position change.
    gains = np.full(problem.n_options, np.nan)
    stale = np.ones(n_groups, dtype=np.bool_)
    move_keys = np.zeros(n_groups)
    move_targets = np.full(n_groups, -1, dtype=np.int64)
    live = _LiveOptions(options, columns)

    multi_row = int(has_lower.sum()) > 1
    phase_length = max(1, n_groups // 4) if multi_row else -1
    last_ratio, last_weights = math.nan, np.zeros(problem.n_rows)
    while True:
        short = has_lower & (activity < threshold)
        if not short.any():
            return chosen, False, last_ratio, last_weights
        weights = np.where(short, lower - activity, 0.0)  # the shortfalls
        if fixed_weights is not None and np.any(fixed_weights[short] > 0):
            weights = np.where(short, fixed_weights, 0.0)
        live.update(positions)
        mark_changed_gains(gains, live.gains(weights), live.options, group_of_option, stale)
        # The best move of every group on a heap, taken best first (ties broken as the
        # tuples (-ratio, group, target) of heapq were, compiled) until a short row is met
        # or the phase's moves are used up. Updates positions, chosen and activity in place.
        outcome, ratio = run_phase(
            options, costs_padded, gains, live.groups, stale, move_keys, move_targets,
            positions, chosen, activity, indptr, indices, data, short, threshold, hull,
            phase_length,
        )
        if outcome == NO_MOVE:
            return chosen, True, last_ratio, last_weights
        last_ratio, last_weights = ratio, weights
        if outcome == RAN_OUT:
            return chosen, True, last_ratio, last_weights
