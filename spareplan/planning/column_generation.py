"""Column generation with exact batch pricing: the large-problem path of the optimizer.

Dantzig–Wolfe column generation (van Houtum & Kranenburg 2015, ch. 5) over per-part stock
vectors. With the exact tree dynamic program (rule not lateral) every part is priced in
one parallel kernel call (:meth:`ServiceModel.price_many`), so every pricing at row
multipliers pi >= 0 gives the Lagrangian lower bound

    L(pi) = sum_parts min_S (c(S) - pi a(S)) + pi b,

valid for *all* stock vectors. The stages:

1. *Column generation*: the restricted master LP over the pool is solved (HiGHS,
   presolved afresh each time) and every part is priced at its duals. It stops when the
   master value is within ``mip_rel_gap / 2`` of the best bound, when no column
   improves, or when its share of the time limit is spent (the next iteration would not
   fit). Measured on generated
   scenarios of 3,000 and 10,000 parts, neither dual smoothing (Wentges 1997) nor a
   warm start from column generation on a 10 % sample of parts saved iterations; both
   were tried and removed.
2. *Neighbour columns*: stock one unit above or below the LP's columns at one location, for
   the parts the LP sets fractionally (all used parts on small problems).
3. *LP rounding*: the parts the LP sets integrally are fixed and a small MILP chooses the
   fractional parts' columns (more parts released until it is feasible).
4. *Window search*: windows of 100 parts, the rest fixed, re-optimized one by one by
   small MILPs from the incumbent (a large-neighbourhood search; the rows couple every
   part, so the full MILP finds improving trades slowly).
5. *Reduced-cost fixing and the MILP*: a column whose reduced cost exceeds the
   incumbent's cost minus the LP value cannot be in a better plan (LP duality), so only
   the other columns go to the final MILP, warm-started from the incumbent. Under a time
   limit only when at most 100,000 columns are left (larger MILPs overran their limit;
   the window search gets the time instead).

Every result reports the cost, the best Lagrangian bound and the gap between them; a
time-limited or gap-limited result is FEASIBLE, never OPTIMAL.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

import solvers
from solvers.solving import finalize_solution
from spareplan.planning.model import Column, PlanningModel
from spareplan.planning.result import (
    DEFAULT_MILP_NODES,
    DEFAULT_MILP_SECONDS,
    ROUNDING_NODES,
    ROUNDING_SECONDS,
    Optimization,
    StageClock,
    make_result,
    relative_gap,
    remaining,
    work_limit,
)

LOG = logging.getLogger(__name__)

#: Parts priced per kernel call under a time limit (the deadline is checked in between).
PRICING_BATCH = 2000
#: Share of the time limit that column generation may use.
CG_TIME_SHARE = 0.75
#: Seconds and share of the time left that the final MILP leaves unused (HiGHS overruns
#: its limit a little on large models).
MILP_MARGIN_SECONDS = 1.0
MILP_MARGIN_SHARE = 0.1
#: Under a time limit, the final MILP runs only over at most this many columns.
FINAL_MILP_MAX_COLUMNS = 100_000
#: Parts per window of the large-neighbourhood search and HiGHS nodes per window.
WINDOW_PARTS = 100
WINDOW_NODES = 50
#: Share of the time left after LP rounding that the window search may use.
WINDOW_TIME_SHARE = 0.5
#: Add neighbour columns for every LP-used part up to this many parts (else, or when less
#: than 30 % of the time limit is left, only for the fractional parts).
NEIGHBOURS_ALL_PARTS_LIMIT = 1000


class _PackedPool:
    """Columns of every part, rows in ``>=`` form (uptime and capacity rows negated).

    Columns are evaluated in batches (:meth:`ServiceModel.evaluate_many`) and their row
    contributions computed with two sparse products per batch.
    """

    def __init__(self, model: PlanningModel) -> None:
        self.model = model
        self.n_sla = len(model.row_names)
        n_capacity = model.n_capacity_rows
        self.sign = np.concatenate([np.where(model.is_fill_row, 1.0, -1.0),
                                    -np.ones(n_capacity)])
        self.lower = np.concatenate([
            np.where(model.is_fill_row, model.row_lower, -model.row_upper),
            -model.capacity_upper])
        self.columns: list[Column] = []
        self._part_of: list[np.ndarray] = []
        self._blocks: list[np.ndarray] = []  # (n_rows, k) signed coefficients
        self._index: dict[tuple[int, bytes], int] = {}
        self._costs: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.columns)

    def add_many(self, parts: np.ndarray, stock: np.ndarray) -> np.ndarray:
        """Add the (part, stock) pairs not yet in the pool (evaluated in one batch);
        return the pool index of every pair, new or not."""
        index = np.empty(parts.shape[0], dtype=np.int64)
        new: list[int] = []
        pending: dict[tuple[int, bytes], int] = {}
        stock = np.ascontiguousarray(stock, dtype=np.int64)
        for k in range(parts.shape[0]):
            key = (int(parts[k]), stock[k].tobytes())
            found = self._index.get(key, pending.get(key))
            if found is None:
                found = len(self.columns) + len(new)
                pending[key] = found
                new.append(k)
            index[k] = found
        if not new:
            return index
        model = self.model
        parts, stock = parts[new], stock[new]
        services = model.service.evaluate_many(parts, stock)
        rate = model.parts.demand_rate[parts]
        within = np.vstack([s.within for s in services])
        wait = np.vstack([s.wait_hours for s in services])
        coefficients = (np.asarray((rate * within) @ model.fill_map)
                        + np.asarray((rate * (model.site_repair_hours + wait))
                                     @ model.uptime_map))
        for k, service in enumerate(services):
            self.columns.append(Column(int(parts[k]), service.stock, service.cost,
                                       coefficients[k].copy(), service))
        if model.n_capacity_rows:
            coefficients = np.hstack([coefficients, model.capacity_coefficients(parts, stock)])
        self._index.update(pending)
        self._part_of.append(parts.copy())
        self._costs.append(np.array([s.cost for s in services]))
        self._blocks.append((coefficients * self.sign).T)
        self._matrix = None
        return index

    def costs(self) -> np.ndarray:
        if len(self._costs) > 1:
            self._costs = [np.concatenate(self._costs)]
        return self._costs[0]

    def part_of(self) -> np.ndarray:
        """Model part index of every column."""
        if len(self._part_of) > 1:
            self._part_of = [np.concatenate(self._part_of)]
        return self._part_of[0] if self._part_of else np.zeros(0, dtype=np.int64)

    def signed_coefficients(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = np.hstack(self._blocks)
            self._blocks = [self._matrix]
        return self._matrix

    def problem(self, with_facilities: bool = False,
                options: np.ndarray | None = None) -> solvers.ChoiceProblem:
        """The problem over the pool's columns (or the columns ``options``);
        ``with_facilities`` adds the open/close decisions of
        :meth:`PlanningModel.option_facilities` (the master LP is solved without them)."""
        keep = np.arange(len(self.columns)) if options is None else options
        facilities = {}
        if with_facilities and self.model.n_facilities:
            facilities = {"facility_cost": self.model.facility_cost,
                          "option_facilities": self.model.option_facilities(
                              np.vstack([self.columns[o].stock for o in keep]))}
        return solvers.ChoiceProblem(
            group_of_option=self.part_of()[keep], cost=self.costs()[keep],
            coefficients=sp.csc_array(self.signed_coefficients()[:, keep]),
            row_lower=self.lower, row_upper=np.full(self.lower.shape[0], np.inf),
            row_names=self.model.problem_row_names, n_groups=self.model.n_parts, **facilities)


def _site_weights_all(model: PlanningModel, model_duals: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`PlanningModel.site_weights` of every part at once, (P, N) each."""
    rate = model.parts.demand_rate
    per_site_within = np.asarray(model.fill_map @ model_duals)
    per_site_wait = -np.asarray(model.uptime_map @ model_duals)
    return rate * per_site_within[None, :], rate * per_site_wait[None, :]


def _price(pool: _PackedPool, pi: np.ndarray, stock_cap: np.ndarray | None = None,
           deadline: float | None = None) -> float:
    """Price every part exactly at multipliers ``pi`` (>= 0, pool rows); add the
    minimizers to the pool. Returns the Lagrangian bound L(pi).

    With a ``deadline`` the parts are priced in batches of :data:`PRICING_BATCH` and
    pricing stops at the first batch boundary past it: the columns found so far are kept
    and the bound is ``-inf`` (it needs every part).
    """
    model = pool.model
    weight_within, weight_wait = _site_weights_all(model, pi[:pool.n_sla]
                                                   * pool.sign[:pool.n_sla])
    unit_price = (model.capacity_unit_prices(pi[pool.n_sla:]) if model.n_capacity_rows
                  else None)
    n = model.n_parts
    step = n if deadline is None else PRICING_BATCH
    bound = 0.0
    for first in range(0, n, step):
        left = remaining(deadline)
        if left is not None and left <= 0.0:
            return -math.inf
        parts = np.arange(first, min(first + step, n), dtype=np.int64)
        cap = None if stock_cap is None else np.broadcast_to(
            stock_cap, (parts.shape[0], model.network.n_locations))
        stock, _ = model.service.price_many(
            parts, weight_within[parts], weight_wait[parts],
            None if unit_price is None else unit_price[parts], cap)
        priced = pool.add_many(parts, stock)
        bound += float((pool.costs()[priced]
                        - pi @ pool.signed_coefficients()[:, priced]).sum())
    finite = np.isfinite(pool.lower)
    return bound + float(pi[finite] @ pool.lower[finite])


@dataclass
class _CgState:
    """Where column generation stopped."""

    master: _Master
    lp: solvers.MasterLP
    best_bound: float
    iterations: int
    converged: bool
    history: list[tuple[float, float, float]]


class _Master:
    """The restricted master LP over the pool's columns, solved afresh (presolved) at
    every call: measured faster than continuing from the last basis after a batch of
    new columns (10,000 parts: 16.6 s against 33.8 s for the master solves; 50,000
    parts: ~25 s a solve against minutes)."""

    def __init__(self, pool: _PackedPool) -> None:
        self.pool = pool
        self.n_options = 0
        self.penalty = max(1e6, 1e3 * float(np.abs(pool.costs()).max(initial=0.0)))

    def solve(self) -> solvers.MasterLP:
        self.n_options = len(self.pool)
        return solvers.solve_master_lp(self.pool.problem(), self.penalty)


def _new_columns(master: _Master, pool: _PackedPool) -> np.ndarray:
    """Pool columns added since the master was last solved."""
    return np.arange(master.n_options, len(pool))


def _column_generation(pool: _PackedPool, *, deadline: float | None, max_iterations: int,
                       target_gap: float, clock: StageClock, started: float) -> _CgState:
    """Column generation over ``pool`` (see the module docstring, stage 1)."""
    master = _Master(pool)
    best_bound = -math.inf
    history: list[tuple[float, float, float]] = []
    iterations, converged = 0, False
    penalty = master.penalty
    lp = master.solve()
    clock.lap("master_lp")
    while iterations < max_iterations:
        iteration_started = time.perf_counter()
        iterations += 1
        pi = np.maximum(lp.row_duals, 0.0)
        bound = _price(pool, pi, deadline=deadline)
        clock.lap("pricing")
        best_bound = max(best_bound, bound)  # L(pi) bounds the optimum for any pi >= 0
        new = _new_columns(master, pool)
        reduced = (pool.costs()[new] - pi @ pool.signed_coefficients()[:, new]
                   - lp.group_duals[pool.part_of()[new]])
        improving = bool((reduced < -1e-9 * max(1.0, abs(lp.value))).any())
        artificial = lp.artificial_in_use
        if new.shape[0]:
            lp = master.solve()  # also without improving columns: values for all columns
        clock.lap("master_lp")
        gap = relative_gap(lp.value, best_bound)
        history.append((time.perf_counter() - started, lp.value, best_bound))
        LOG.info("column generation %d: master %.10g, bound %.10g (gap %.3g), %d columns, "
                 "%.1f s", iterations, lp.value, best_bound, gap, len(pool),
                 time.perf_counter() - started)
        if not lp.artificial_in_use and gap <= target_gap:
            converged = True
            break
        if not improving:
            if not artificial:
                converged = True  # no column prices out: the LP is optimal over all columns
                break
            penalty *= 100.0  # big-M too small to push the artificial columns out
            if penalty >= 1e14:
                break
            master.penalty = penalty
            lp = master.solve()
            continue
        left = remaining(deadline)
        if left is not None and left < time.perf_counter() - iteration_started:
            break  # the next iteration would not fit
    return _CgState(master, lp, best_bound, iterations, converged, history)


def _neighbours(model: PlanningModel, pool: _PackedPool, options: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Stock vectors one unit above or below ``options``' at one location, in bounds."""
    parts = pool.part_of()[options]
    if parts.shape[0] == 0:
        n_loc = model.network.n_locations
        return np.zeros(0, dtype=np.int64), np.zeros((0, n_loc), dtype=np.int64)
    stock = np.vstack([pool.columns[o].stock for o in options]).astype(np.int64)
    lo, hi = model.service.bounds_many(parts)
    new_parts, new_stock = [], []
    for step in (1, -1):
        rows, locs = np.nonzero((stock + step >= lo) & (stock + step <= hi) & (hi > lo))
        moved = stock[rows].copy()
        moved[np.arange(rows.shape[0]), locs] += step
        new_parts.append(parts[rows])
        new_stock.append(moved)
    return np.concatenate(new_parts), np.vstack(new_stock)


def _closed_variants(model: PlanningModel, pool: _PackedPool, options: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """For facility decisions: ``options``' stock vectors with the stock at one facility
    location set to 0, and with every facility location set to 0 (a heuristic set of
    columns that lets the MILP close a location; not priced with the linking duals)."""
    n_loc = model.network.n_locations
    if options.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, n_loc), dtype=np.int64)
    parts = pool.part_of()[options]
    stock = np.vstack([pool.columns[o].stock for o in options]).astype(np.int64)
    at_facility = stock[:, model.facility_location] > 0
    rows, which = np.nonzero(at_facility)
    one_closed = stock[rows].copy()
    one_closed[np.arange(rows.shape[0]), model.facility_location[which]] = 0
    any_open = at_facility.any(axis=1)
    all_closed = stock[any_open].copy()
    all_closed[:, model.facility_location] = 0
    return (np.concatenate([parts[rows], parts[any_open]]),
            np.vstack([one_closed, all_closed]))


def _closed_pricing(model: PlanningModel, pool: _PackedPool, pi: np.ndarray) -> None:
    """For facility decisions: add every part's exact best column under ``pi`` with one
    facility location closed (stock 0 there), for each facility, and with all of them
    closed. (F + 1) pricing calls."""
    closings = [[int(loc)] for loc in model.facility_location]
    if model.n_facilities > 1:
        closings.append([int(loc) for loc in model.facility_location])
    for closed in closings:
        cap = np.full(model.network.n_locations, np.iinfo(np.int64).max // 2, dtype=np.int64)
        cap[closed] = 0
        _price(pool, pi, cap)


def _round_lp(problem: solvers.ChoiceProblem, values: np.ndarray, backend: str,
              deadline: float | None) -> np.ndarray | None:
    """LP rounding: fix the integral parts, solve a small MILP over the others.

    The fractional parts (at most one per row at an LP vertex) are released first; while
    the restricted MILP is infeasible, more parts (the costliest LP-chosen columns first)
    are released, doubling each time, until all are free. Returns one option per group
    or ``None``.
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
    order = np.argsort(-np.where(integral_choice >= 0,
                                 problem.cost[np.maximum(integral_choice, 0)], np.inf))
    matrix = sp.csc_array(problem.coefficients)
    released = int(free.sum())
    while True:
        fixed = ~free
        activity = np.asarray(matrix[:, integral_choice[fixed]].sum(axis=1)).ravel()
        options = np.flatnonzero(free[groups])
        sub_groups = np.searchsorted(np.flatnonzero(free), groups[options])
        sub = solvers.ChoiceProblem(
            group_of_option=sub_groups, cost=problem.cost[options],
            coefficients=matrix[:, options], row_lower=problem.row_lower - activity,
            row_upper=problem.row_upper - activity, n_groups=int(free.sum()))
        left = remaining(deadline)
        if left is not None and left <= 0.05:
            return None
        solution = solvers.solve(sub, backend, mip_rel_gap=1e-4, **work_limit(
            backend, left, ROUNDING_SECONDS, ROUNDING_NODES))  # type: ignore[arg-type]
        if solution.status.has_solution:
            chosen = integral_choice.copy()
            chosen[free] = options[solution.chosen]
            return chosen
        if free.all() or solution.status is not solvers.SolveStatus.INFEASIBLE:
            return None
        released = min(n_groups, 2 * released + 8)
        free[order[:released]] = True


def _improve_by_windows(problem: solvers.ChoiceProblem, start: np.ndarray,
                        reduced: np.ndarray, lp_value: float, backend: str,
                        deadline: float | None) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search from the plan ``start`` (one option per group).

    Windows of :data:`WINDOW_PARTS` parts, in a seeded random order over the parts with a
    second column that could be in a cheaper plan (reduced cost at most the incumbent's
    cost minus the LP value), are re-optimized one at a time by a small MILP with every
    other part fixed (:data:`WINDOW_NODES` nodes each, warm-started from the incumbent,
    so a window never makes the plan worse). One sweep over the windows, or until
    ``deadline``. Returns the plan and the number of windows solved.
    """
    groups = problem.group_of_option
    n_groups = int(problem.n_groups or 0)
    matrix = sp.csc_array(problem.coefficients)
    chosen = start.copy()
    cost = float(problem.cost[chosen].sum())
    candidate = _may_improve(reduced, lp_value, cost)
    movable = np.flatnonzero(np.bincount(groups[candidate], minlength=n_groups) > 1)
    order = np.random.default_rng(0).permutation(movable)
    activity = np.asarray(matrix[:, chosen].sum(axis=1)).ravel()
    solved = 0
    for first in range(0, order.shape[0], WINDOW_PARTS):
        left = remaining(deadline)
        if left is not None and left <= 0.1:
            break
        window = np.sort(order[first:first + WINDOW_PARTS])
        free = np.zeros(n_groups, dtype=bool)
        free[window] = True
        options = np.union1d(np.flatnonzero(free[groups] & candidate), chosen[window])
        own = np.asarray(matrix[:, chosen[window]].sum(axis=1)).ravel()
        sub = solvers.ChoiceProblem(
            group_of_option=np.searchsorted(window, groups[options]),
            cost=problem.cost[options], coefficients=matrix[:, options],
            row_lower=problem.row_lower - (activity - own),
            row_upper=problem.row_upper - (activity - own), n_groups=window.shape[0])
        limit: dict[str, float | int | None] = {"node_limit": WINDOW_NODES}
        if left is not None:
            limit["time_limit"] = left
        if backend != "highs":
            limit = {"time_limit": min(ROUNDING_SECONDS, left or ROUNDING_SECONDS)}
        result = solvers.solve(sub, backend, mip_rel_gap=1e-6,
                               warm_start=np.searchsorted(options, chosen[window]),
                               **limit)  # type: ignore[arg-type]
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
            candidate = _may_improve(reduced, lp_value, cost)
    return chosen, solved


def _reduced_costs(pool: _PackedPool, lp: solvers.MasterLP) -> np.ndarray:
    """Reduced cost of every pool column at the LP duals."""
    pi = np.maximum(lp.row_duals, 0.0)
    return (pool.costs() - pi @ pool.signed_coefficients()
            - lp.group_duals[pool.part_of()])


def _may_improve(reduced: np.ndarray, lp_value: float, incumbent: float) -> np.ndarray:
    """Columns that may be in a plan cheaper than ``incumbent`` (bool mask): reduced cost
    at the LP duals at most ``incumbent - LP value`` (any plan using a column costs at
    least the LP value plus that column's reduced cost). The LP's own columns (reduced
    cost 0) always qualify, so every group keeps at least one column."""
    return reduced <= (incumbent - lp_value) + 1e-9 * max(1.0, abs(incumbent))


def _needed_facilities(problem: solvers.ChoiceProblem, chosen: np.ndarray
                        ) -> np.ndarray | None:
    """Facilities that the chosen options stock (None without facility decisions)."""
    if problem.option_facilities is None:
        return None
    return np.asarray(problem.option_facilities[:, chosen].sum(axis=1)).ravel() > 0


@dataclass
class _Integer:
    """The integer phase's plan (pool indices) and its account."""

    chosen: np.ndarray | None
    facility_open: np.ndarray | None
    status: solvers.SolveStatus
    message: str


def _integer_phase(model: PlanningModel, pool: _PackedPool, lp: solvers.MasterLP, *,
                   backend: str, deadline: float | None, mip_rel_gap: float,
                   clock: StageClock) -> _Integer:
    """Stages 3-5 of the module docstring over the pool's columns."""
    problem = pool.problem()
    start: np.ndarray | None = None
    if not lp.artificial_in_use:
        start = _round_lp(problem, lp.option_values, backend, deadline)
    if start is None:
        greedy = solvers.greedy_allocation(problem, hull=True)
        start = greedy.chosen if greedy.status.has_solution else None
    clock.lap("rounding")
    final = pool.problem(with_facilities=True) if model.n_facilities else problem
    keep = np.arange(len(pool))
    reduced = _reduced_costs(pool, lp)
    if start is not None and not lp.artificial_in_use:
        incumbent = solvers.solution_cost(final, start, _needed_facilities(final, start))
        keep = np.flatnonzero(_may_improve(reduced, lp.value, incumbent))
    # Under a time limit a MILP over too many columns would overrun it (HiGHS's presolve
    # of 241,678 columns x 79 dense rows took minutes against 48 s given): the window
    # search then gets all the time left instead.
    skip_milp = deadline is not None and keep.shape[0] > FINAL_MILP_MAX_COLUMNS
    windows = 0
    if start is not None and not lp.artificial_in_use and not model.n_facilities:
        left = remaining(deadline)
        share = (1.0 - MILP_MARGIN_SHARE) if skip_milp else WINDOW_TIME_SHARE
        window_deadline = None if left is None else time.perf_counter() + share * left
        start, windows = _improve_by_windows(problem, start, reduced, lp.value, backend,
                                             window_deadline)
        incumbent = solvers.solution_cost(final, start, _needed_facilities(final, start))
        keep = np.flatnonzero(_may_improve(reduced, lp.value, incumbent))
    clock.lap("windows")
    reduced_problem = pool.problem(with_facilities=True, options=keep)
    position = np.full(len(pool), -1, dtype=np.int64)
    position[keep] = np.arange(keep.shape[0])
    sub_start = None if start is None else position[start]
    left = remaining(deadline)
    if left is not None:
        # HiGHS checks its clock between nodes and after presolve, and the plan is still
        # checked afterwards: keep a margin so that the whole run ends within the limit.
        left -= MILP_MARGIN_SECONDS + MILP_MARGIN_SHARE * max(left, 0.0)
    limit = work_limit(backend, left, math.inf, DEFAULT_MILP_NODES)
    if left is None and "node_limit" not in limit:
        limit = {"time_limit": DEFAULT_MILP_SECONDS}
    seconds = limit.get("time_limit")
    milp_seconds = math.inf if seconds is None else float(seconds)
    message = (f"{windows} neighbourhood windows; MILP over {keep.shape[0]} of "
               f"{len(pool)} columns (reduced-cost fixing)")
    facility_open: np.ndarray | None = None
    chosen = start
    status = solvers.SolveStatus.FEASIBLE
    if skip_milp:
        message += (f"; final MILP skipped: {keep.shape[0]} columns are too many for the "
                    "time limit (the window search's plan)")
    elif milp_seconds > 0.2 and (sub_start is None or np.all(sub_start >= 0)):
        milp = solvers.solve(reduced_problem, backend, mip_rel_gap=max(mip_rel_gap, 1e-6),
                             warm_start=sub_start, **limit)  # type: ignore[arg-type]
        if milp.status.has_solution:
            chosen = keep[milp.chosen]
            facility_open = milp.facility_open
            status = milp.status
        message = f"{milp.message}; {message}; MILP bound over the kept columns " \
                  f"{milp.lower_bound:.6g}"
    else:
        message += "; no time left for the MILP: the rounded plan"
    if chosen is None:
        status = solvers.SolveStatus.NO_SOLUTION_FOUND
    elif facility_open is None:
        facility_open = _needed_facilities(final, chosen)
    clock.lap("milp")
    return _Integer(chosen, facility_open, status, message)


def optimize_exact_pricing(model: PlanningModel, *, backend: str, time_limit: float | None,
                           mip_rel_gap: float, max_iterations: int, started: float
                           ) -> Optimization:
    """Column generation with batch exact pricing, then the integer phase.

    When the integer phase finds no plan over the generated columns (e.g. a budget or
    capacity row binding only in integers, two units away from the LP's columns), every
    column of the parts the LP uses gets its neighbours too (two units from the LP's
    columns) and the integer phase runs once more.
    """
    deadline = None if time_limit is None else started + time_limit
    clock = StageClock()
    pool = _PackedPool(model)
    all_parts = np.arange(model.n_parts, dtype=np.int64)
    lo, hi = model.service.bounds_many(all_parts)
    pool.add_many(np.concatenate([all_parts, all_parts]), np.vstack([lo, hi]))
    clock.lap("columns")
    cg_deadline = None if time_limit is None else started + CG_TIME_SHARE * time_limit
    state = _column_generation(pool, deadline=cg_deadline, max_iterations=max_iterations,
                               target_gap=mip_rel_gap / 2.0, clock=clock, started=started)
    lp, master = state.lp, state.master
    # Neighbour columns of the parts the LP uses (fractional parts at least).
    values = lp.option_values
    used = np.flatnonzero(values > 1e-6)
    left = remaining(deadline)
    short_of_time = left is not None and time_limit is not None and left < 0.3 * time_limit
    groups = pool.part_of()
    if model.n_parts > NEIGHBOURS_ALL_PARTS_LIMIT or short_of_time:
        fractional_groups = groups[(values > 1e-6) & (values < 1 - 1e-6)]
        used = used[np.isin(groups[used], fractional_groups)]
    pool.add_many(*_neighbours(model, pool, used))
    if model.n_facilities:
        pool.add_many(*_closed_variants(model, pool, np.flatnonzero(values > 1e-6)))
        _closed_pricing(model, pool, np.maximum(lp.row_duals, 0.0))
    if _new_columns(master, pool).shape[0]:
        lp = master.solve()
    clock.lap("neighbours")
    found = _integer_phase(model, pool, lp, backend=backend, deadline=deadline,
                           mip_rel_gap=mip_rel_gap, clock=clock)
    left = remaining(deadline)
    if found.chosen is None and not lp.artificial_in_use and (left is None or left > 1.0):
        lp_parts = np.unique(pool.part_of()[np.flatnonzero(lp.option_values > 1e-6)])
        options = np.flatnonzero(np.isin(pool.part_of(), lp_parts))
        pool.add_many(*_neighbours(model, pool, options))
        if _new_columns(master, pool).shape[0]:
            lp = master.solve()
        clock.lap("neighbours")
        found = _integer_phase(model, pool, lp, backend=backend, deadline=deadline,
                               mip_rel_gap=mip_rel_gap, clock=clock)
        found.message = "second integer phase with two-step neighbours: " + found.message
    message = f"{state.iterations} column-generation iterations"
    if not state.converged:
        message += " (not converged: time or iteration limit)"
    final = pool.problem(with_facilities=True) if model.n_facilities else pool.problem()
    # Facility costs F_l >= 0 are left out of the bound (column generation prices without
    # them): it stays valid, the gap then includes the fixed costs' share.
    solution = finalize_solution(
        final, status=found.status, chosen=found.chosen, facility_open=found.facility_open,
        lower_bound=state.best_bound, backend=f"column-generation/{backend}",
        runtime_seconds=time.perf_counter() - started,
        message=f"{message}; {found.message}", mip_rel_gap=mip_rel_gap)
    return make_result(pool.columns, final, solution, "column_generation", "all_columns",
                       state.iterations, started, clock.seconds, tuple(state.history))
