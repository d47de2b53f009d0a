"""The integer phase of column generation: from the master LP to a plan over the pool.

Stages, each written once and used by every column source:

1. *LP rounding* (:func:`round_lp`): the groups the LP sets integrally are fixed and a
   small MILP chooses the fractional groups' columns (more groups released until it is
   feasible). An LP that is integral in every group is itself the plan.
2. *Window search* (:func:`improve_by_windows`): windows of groups, the rest fixed,
   re-optimized one by one by small MILPs from the incumbent (a large-neighbourhood
   search; the rows couple every group, so the full MILP finds improving trades slowly).
3. *Reduced-cost fixing and the MILP* (:func:`integer_phase`): a column whose reduced cost
   exceeds the incumbent's cost minus the LP value cannot be in a better plan (LP duality),
   so only the other columns go to the final MILP, warm-started from the incumbent. Under
   a time limit only when at most :attr:`IntegerSettings.final_milp_max_columns` columns
   are left (larger MILPs overran their limit; the window search gets the time instead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.budget import FINAL_MILP_MARGIN, MilpLimit, StageClock, TimeBudget
from solvers.check import solution_cost
from solvers.column_pool import ColumnPool
from solvers.greedy import greedy_allocation
from solvers.master_lp import MasterLP
from solvers.problem import ChoiceProblem
from solvers.registry import supports_node_limit
from solvers.solving import solve
from solvers.status import SolveStatus

__all__ = ["IntegerPlan", "IntegerSettings", "improve_by_windows", "integer_phase",
           "may_improve", "round_lp"]


@dataclass(frozen=True)
class IntegerSettings:
    """Work limits of the integer phase (defaults measured on the planning benchmark).

    Without a time limit the MILPs stop on node counts (deterministic) where the backend
    supports it, else on the seconds given here.
    """

    rounding_seconds: float = 5.0
    rounding_nodes: int = 500
    final_milp_seconds: float = 20.0
    final_milp_nodes: int = 1000
    window_groups: int = 100
    window_nodes: int = 50
    #: Share of the time left after LP rounding that the window search may use.
    window_time_share: float = 0.5
    #: Under a time limit, the final MILP runs only over at most this many columns.
    final_milp_max_columns: int = 100_000


@dataclass
class IntegerPlan:
    """The integer phase's plan (pool indices, ``None`` when none) and its account."""

    chosen: npt.NDArray[np.int64] | None
    facility_open: npt.NDArray[np.bool_] | None
    status: SolveStatus
    message: str


def may_improve(reduced: np.ndarray, lp_value: float, incumbent: float) -> np.ndarray:
    """Columns that may be in a plan cheaper than ``incumbent`` (bool mask): reduced cost
    at the LP duals at most ``incumbent - LP value`` (any plan using a column costs at
    least the LP value plus that column's reduced cost). The LP's own columns (reduced
    cost 0) always qualify, so every group keeps at least one column."""
    return reduced <= (incumbent - lp_value) + 1e-9 * max(1.0, abs(incumbent))


def round_lp(problem: ChoiceProblem, values: np.ndarray, backend: str, budget: TimeBudget,
             settings: IntegerSettings) -> np.ndarray | None:
    """LP rounding: fix the integral groups, solve a small MILP over the others.

    The fractional groups (at most one per row at an LP vertex) are released first; while
    the restricted MILP is infeasible, more groups (the costliest LP-chosen columns first)
    are released, doubling each time, until all are free. Returns one option per group
    or ``None``. An LP integral in every group is returned as it is.
    """
    n_groups = int(problem.n_groups or 0)
    groups = problem.group_of_option
    fractional = (values > 1e-6) & (values < 1.0 - 1e-6)
    integral_choice = np.full(n_groups, -1, dtype=np.int64)
    ones = np.flatnonzero(values >= 1.0 - 1e-6)
    integral_choice[groups[ones]] = ones
    free = np.zeros(n_groups, dtype=bool)
    free[groups[fractional]] = True
    free[integral_choice < 0] = True
    if not free.any():
        return integral_choice
    order = np.argsort(-np.where(integral_choice >= 0,
                                 problem.cost[np.maximum(integral_choice, 0)], np.inf))
    matrix = sp.csc_array(problem.coefficients)
    released = int(free.sum())
    while True:
        fixed = ~free
        activity = np.asarray(matrix[:, integral_choice[fixed]].sum(axis=1)).ravel()
        options = np.flatnonzero(free[groups])
        sub_groups = np.searchsorted(np.flatnonzero(free), groups[options])
        sub = ChoiceProblem(
            group_of_option=sub_groups, cost=problem.cost[options],
            coefficients=matrix[:, options], row_lower=problem.row_lower - activity,
            row_upper=problem.row_upper - activity, n_groups=int(free.sum()))
        if budget.expired(0.05):
            return None
        limit = budget.milp_limit(backend, seconds=settings.rounding_seconds,
                                  nodes=settings.rounding_nodes)
        solution = solve(sub, backend, mip_rel_gap=1e-4, **limit.as_kwargs())  # type: ignore[arg-type]
        if solution.status.has_solution:
            chosen = integral_choice.copy()
            chosen[free] = options[solution.chosen]
            return chosen
        if free.all() or solution.status is not SolveStatus.INFEASIBLE:
            return None
        released = min(n_groups, 2 * released + 8)
        free[order[:released]] = True


def _window_limit(backend: str, budget: TimeBudget, settings: IntegerSettings) -> MilpLimit:
    """A window's MILP: its node count (and the time left) where the backend stops on
    nodes, else the rounding seconds (at most the time left)."""
    if supports_node_limit(backend):
        return MilpLimit(budget.solver_seconds(), settings.window_nodes)
    return MilpLimit(budget.solver_seconds(settings.rounding_seconds))


def improve_by_windows(problem: ChoiceProblem, start: np.ndarray, reduced: np.ndarray,
                       lp_value: float, backend: str, budget: TimeBudget,
                       settings: IntegerSettings) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search from the plan ``start`` (one option per group).

    Windows of ``settings.window_groups`` groups, in a seeded random order over the groups
    with a second column that could be in a cheaper plan (:func:`may_improve`), are
    re-optimized one at a time by a small MILP with every other group fixed
    (``settings.window_nodes`` nodes each, warm-started from the incumbent, so a window
    never makes the plan worse). One sweep over the windows, or until ``budget`` ends.
    Returns the plan and the number of windows solved.
    """
    groups = problem.group_of_option
    n_groups = int(problem.n_groups or 0)
    matrix = sp.csc_array(problem.coefficients)
    chosen = start.copy()
    cost = float(problem.cost[chosen].sum())
    candidate = may_improve(reduced, lp_value, cost)
    movable = np.flatnonzero(np.bincount(groups[candidate], minlength=n_groups) > 1)
    order = np.random.default_rng(0).permutation(movable)
    activity = np.asarray(matrix[:, chosen].sum(axis=1)).ravel()
    solved = 0
    for first in range(0, order.shape[0], settings.window_groups):
        if budget.expired(0.1):
            break
        window = np.sort(order[first:first + settings.window_groups])
        free = np.zeros(n_groups, dtype=bool)
        free[window] = True
        options = np.union1d(np.flatnonzero(free[groups] & candidate), chosen[window])
        own = np.asarray(matrix[:, chosen[window]].sum(axis=1)).ravel()
        sub = ChoiceProblem(
            group_of_option=np.searchsorted(window, groups[options]),
            cost=problem.cost[options], coefficients=matrix[:, options],
            row_lower=problem.row_lower - (activity - own),
            row_upper=problem.row_upper - (activity - own), n_groups=window.shape[0])
        result = solve(sub, backend, mip_rel_gap=1e-6,
                       warm_start=np.searchsorted(options, chosen[window]),
                       **_window_limit(backend, budget, settings).as_kwargs())  # type: ignore[arg-type]
        solved += 1
        if not result.status.has_solution:
            continue
        picked = options[result.chosen]
        new_cost = cost - float(problem.cost[chosen[window]].sum()) \
            + float(problem.cost[picked].sum())
        if new_cost < cost - 1e-9 * max(1.0, abs(cost)):
            activity += np.asarray(matrix[:, picked].sum(axis=1)).ravel() - own
            chosen[window] = picked
            cost = new_cost
            candidate = may_improve(reduced, lp_value, cost)
    return chosen, solved


def _needed_facilities(problem: ChoiceProblem, chosen: np.ndarray) -> np.ndarray | None:
    """Facilities that the chosen options need (None without facility decisions)."""
    if problem.option_facilities is None:
        return None
    return np.asarray(problem.option_facilities[:, chosen].sum(axis=1)).ravel() > 0


def _start(problem: ChoiceProblem, lp: MasterLP, backend: str, budget: TimeBudget,
           settings: IntegerSettings) -> np.ndarray | None:
    """A first plan: the rounded LP, else the greedy's (convex hull) plan."""
    start: np.ndarray | None = None
    if not lp.artificial_in_use:
        start = round_lp(problem, lp.option_values, backend, budget, settings)
    if start is None:
        greedy = greedy_allocation(problem, hull=True)
        start = greedy.chosen if greedy.status.has_solution else None
    return start


def integer_phase(pool: ColumnPool, lp: MasterLP, *, backend: str, budget: TimeBudget,
                  mip_rel_gap: float, clock: StageClock,
                  settings: IntegerSettings) -> IntegerPlan:
    """Stages 1-3 of the module docstring over the pool's columns."""
    problem = pool.problem()
    start = _start(problem, lp, backend, budget, settings)
    clock.lap("rounding")
    with_facilities = pool.facility_cost is not None
    final = pool.problem(with_facilities=True) if with_facilities else problem
    keep = np.arange(len(pool))
    pi = np.maximum(lp.row_duals, 0.0)
    reduced = pool.reduced_costs(pi, lp.group_duals)
    if start is not None and not lp.artificial_in_use:
        incumbent = solution_cost(final, start, _needed_facilities(final, start))
        keep = _kept(reduced, lp.value, incumbent, start)
    # Under a time limit a MILP over too many columns would overrun it (HiGHS's presolve
    # of 241,678 columns x 79 dense rows took minutes against 48 s given): the window
    # search then gets all the time left instead.
    skip_milp = budget.limited and keep.shape[0] > settings.final_milp_max_columns
    windows = 0
    if start is not None and not lp.artificial_in_use and not with_facilities:
        share = (1.0 - FINAL_MILP_MARGIN.share) if skip_milp else settings.window_time_share
        start, windows = improve_by_windows(problem, start, reduced, lp.value, backend,
                                            budget.share(share), settings)
        incumbent = solution_cost(final, start, _needed_facilities(final, start))
        keep = _kept(reduced, lp.value, incumbent, start)
    clock.lap("windows")
    chosen, facility_open, status, message = _final_milp(
        pool, keep, start, backend=backend, budget=budget, mip_rel_gap=mip_rel_gap,
        skip=skip_milp, windows=windows, settings=settings)
    if chosen is None:
        status = SolveStatus.NO_SOLUTION_FOUND
    elif facility_open is None:
        facility_open = _needed_facilities(final, chosen)
    clock.lap("milp")
    return IntegerPlan(chosen, facility_open, status, message)


def _kept(reduced: np.ndarray, lp_value: float, incumbent: float, start: np.ndarray
          ) -> np.ndarray:
    """Pool indices the final MILP keeps: every column that may improve on the incumbent
    (:func:`may_improve`) and the incumbent's own, so that every group keeps one even
    when the LP's reduced costs carry its tolerance (1e-7) on small objective values."""
    mask = may_improve(reduced, lp_value, incumbent)
    mask[start] = True
    return np.flatnonzero(mask)


def _final_milp(pool: ColumnPool, keep: np.ndarray, start: np.ndarray | None, *, backend: str,
                budget: TimeBudget, mip_rel_gap: float, skip: bool, windows: int,
                settings: IntegerSettings
                ) -> tuple[np.ndarray | None, np.ndarray | None, SolveStatus, str]:
    """The MILP over the columns ``keep``, warm-started from ``start`` (pool indices)."""
    reduced_problem = pool.problem(with_facilities=True, options=keep)
    position = np.full(len(pool), -1, dtype=np.int64)
    position[keep] = np.arange(keep.shape[0])
    sub_start = None if start is None else position[start]
    # HiGHS checks its clock between nodes and after presolve, and the plan is still
    # checked afterwards: the margin keeps the whole run within the limit.
    limit = budget.milp_limit(
        backend, seconds=math.inf if budget.limited else settings.final_milp_seconds,
        nodes=settings.final_milp_nodes, margin=FINAL_MILP_MARGIN)
    message = (f"{windows} neighbourhood windows; MILP over {keep.shape[0]} of "
               f"{len(pool)} columns (reduced-cost fixing)")
    chosen, facility_open, status = start, None, SolveStatus.FEASIBLE
    if skip:
        message += (f"; final MILP skipped: {keep.shape[0]} columns are too many for the "
                    "time limit (the window search's plan)")
    elif limit.usable and (sub_start is None or np.all(sub_start >= 0)):
        milp = solve(reduced_problem, backend, mip_rel_gap=max(mip_rel_gap, 1e-6),
                     warm_start=sub_start, **limit.as_kwargs())  # type: ignore[arg-type]
        if milp.status.has_solution:
            chosen = keep[milp.chosen]
            facility_open = milp.facility_open
            status = milp.status
        message = (f"{milp.message}; {message}; MILP bound over the kept columns "
                   f"{milp.lower_bound:.6g}")
    else:
        message += "; no time left for the MILP: the rounded plan"
    return chosen, facility_open, status, message

