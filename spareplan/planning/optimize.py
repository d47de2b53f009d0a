"""Choose each part's stock vector: columns, column generation and the MILP in solvers/.

Small problems (every part's stock vectors few enough to list) are solved exactly over
all columns. Otherwise Dantzig–Wolfe column generation (van Houtum & Kranenburg 2015,
ch. 5) prices every part with the SLA row duals. With the exact tree dynamic program
(rule not lateral) all parts are priced in one parallel kernel call
(:meth:`ServiceModel.price_many`), and every iteration gives a Lagrangian lower bound
valid for *all* stock vectors. Then:

1. the master LP's vertex has at most one fractional part per SLA row; each part the LP
   uses gets its neighbour columns (one unit more or less at one location), so the
   integer problem has room to repair the rounding;
2. *LP rounding*: the parts the LP sets integrally are fixed, a small MILP chooses the
   fractional parts' columns (released parts added until it is feasible);
3. the MILP over every generated column starts from that plan (``warm_start``) and runs
   for what is left of the time budget, stopping at ``mip_rel_gap`` of its own bound.

Every result reports the cost, the best Lagrangian bound and the gap between them; a
time-limited or gap-limited result is FEASIBLE, never OPTIMAL (DESIGN.md section 6).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

import solvers
from solvers.lagrangian import bound_constant
from solvers.solving import finalize_solution
from spareplan.planning.model import Column, PlanningModel

#: Enumerate every stock vector of a part when it has at most this many.
ENUMERATION_LIMIT = 4096
#: Seconds the LP-rounding MILP may run (per release round).
ROUNDING_SECONDS = 5.0
#: Seconds the final MILP may run when no time limit is given.
DEFAULT_MILP_SECONDS = 20.0
#: Without a time limit the HiGHS MILPs stop on these node counts instead of the seconds
#: above: a node limit is a deterministic work limit, so the same scenario and seed give
#: the same plan on any machine (a time limit is honoured when the caller sets one).
ROUNDING_NODES = 500
DEFAULT_MILP_NODES = 1000


def _work_limit(backend: str, remaining: float | None, seconds: float, nodes: int
                ) -> dict[str, float | int | None]:
    """Keyword arguments limiting one MILP: nodes (deterministic) when no deadline is set
    and the backend supports it, else seconds."""
    if remaining is None and backend == "highs":
        return {"time_limit": None, "node_limit": nodes}
    return {"time_limit": seconds if remaining is None else min(seconds, remaining)}
#: Add neighbour columns for every LP-used part up to this many parts (else, or when less
#: than 30 % of the time limit is left, only for the fractional parts).
NEIGHBOURS_ALL_PARTS_LIMIT = 1000


@dataclass(frozen=True)
class Optimization:
    """What the optimizer returns: chosen columns and the solver's account of them.

    ``stage_seconds`` times the stages of the column-generation path (pricing, master LP,
    neighbour columns, LP rounding, MILP).
    """

    columns: list[Column]
    problem: solvers.ChoiceProblem
    chosen: list[Column]
    solution: solvers.Solution
    method: str
    bound_scope: str
    n_columns: int
    iterations: int
    runtime_seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)


class ColumnPool:
    """Columns generated so far, deduplicated per part."""

    def __init__(self, model: PlanningModel) -> None:
        self.model = model
        self.columns: list[Column] = []
        self._seen: set[tuple[int, bytes]] = set()

    def add(self, part: int, stock: np.ndarray) -> Column | None:
        key = (part, np.asarray(stock, dtype=np.int64).tobytes())
        if key in self._seen:
            return None
        self._seen.add(key)
        column = self.model.column(part, stock)
        self.columns.append(column)
        return column

    def problem(self, columns: list[Column] | None = None) -> solvers.ChoiceProblem:
        columns = self.columns if columns is None else columns
        return _problem(self.model, columns)


def _problem_coefficients(model: PlanningModel, columns: list[Column]) -> np.ndarray:
    """(SLA rows + capacity rows, len(columns)) coefficients of ``columns``."""
    sla = (np.column_stack([c.coefficients for c in columns])
           if model.row_names and columns else np.zeros((len(model.row_names), len(columns))))
    if not model.n_capacity_rows:
        return sla
    stock = (np.vstack([c.stock for c in columns]) if columns
             else np.zeros((0, model.network.n_locations)))
    parts = np.array([c.part for c in columns], dtype=np.int64)
    return np.vstack([sla, model.capacity_coefficients(parts, stock).T])


def _facility_arguments(model: PlanningModel, stock: np.ndarray) -> dict:
    """``facility_cost``/``option_facilities`` of :class:`solvers.ChoiceProblem` for
    columns of ``stock`` (K, L); empty without facility decisions."""
    if not model.n_facilities:
        return {}
    return {"facility_cost": model.facility_cost,
            "option_facilities": model.option_facilities(stock)}


def _problem(model: PlanningModel, columns: list[Column]) -> solvers.ChoiceProblem:
    stock = (np.vstack([c.stock for c in columns]) if columns
             else np.zeros((0, model.network.n_locations), dtype=np.int64))
    return solvers.ChoiceProblem(
        group_of_option=np.array([c.part for c in columns], dtype=np.int64),
        cost=np.array([c.cost for c in columns]),
        coefficients=sp.csc_array(_problem_coefficients(model, columns)),
        row_lower=model.problem_row_lower, row_upper=model.problem_row_upper,
        row_names=model.problem_row_names, n_groups=model.n_parts,
        **_facility_arguments(model, stock),
    )


def _vector_count(lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.prod((hi - lo + 1).astype(float)))


def optimize(model: PlanningModel, *, backend: str = solvers.DEFAULT_BACKEND,
             time_limit: float | None = None, mip_rel_gap: float = 1e-4,
             max_iterations: int = 60) -> Optimization:
    """Pick one stock vector per part meeting every SLA row at least yearly cost.

    Parameters
    ----------
    model : PlanningModel
    backend : str
        MILP backend of :func:`solvers.solve`.
    time_limit : float, optional
        Seconds for the whole optimization (column generation, rounding and MILP). A
        time-limited result is FEASIBLE with its gap to the Lagrangian bound.
    mip_rel_gap : float
        Gap (to the bound valid for all columns) below which the result is OPTIMAL; the
        final MILP stops at this gap to its own bound.
    max_iterations : int
        Maximum column-generation iterations.

    Returns
    -------
    Optimization
        ``method`` is ``"enumeration"`` (every column), ``"column_generation"`` (exact
        pricing, LP rounding and MILP) or ``"column_generation_search"`` (lateral rule:
        coordinate-search pricing, no bound for all columns).
    """
    started = time.perf_counter()
    pool = ColumnPool(model)
    bounds = [model.service.bounds(p) for p in range(model.n_parts)]
    if all(_vector_count(lo, hi) <= ENUMERATION_LIMIT for lo, hi in bounds):
        for part, (lo, hi) in enumerate(bounds):
            free = np.flatnonzero(hi > lo)
            for levels in itertools.product(*(range(lo[k], hi[k] + 1) for k in free)):
                stock = lo.copy()
                stock[free] = levels
                pool.add(part, stock)
        problem = pool.problem()
        solution = solvers.solve(problem, backend, time_limit=time_limit,
                                 mip_rel_gap=mip_rel_gap)
        return _result(pool.columns, problem, solution, "enumeration", "all_columns", 0,
                       started)

    if model.service.exact_pricing and model.problem_row_names:
        return _optimize_exact_pricing(model, backend=backend, time_limit=time_limit,
                                       mip_rel_gap=mip_rel_gap,
                                       max_iterations=max_iterations, started=started)
    for part, (lo, hi) in enumerate(bounds):
        pool.add(part, lo)
        pool.add(part, hi)
    start_of = {c.part: c.stock for c in pool.columns}
    exact_everywhere = [True]

    n_sla = len(model.row_names)

    def price(row_duals: np.ndarray) -> solvers.PricingResult:
        new: list[Column] = []
        minimum = np.empty(model.n_parts)
        # Capacity rows are <= rows: pi_l <= 0, the unit price is -pi_l / C_l.
        unit_price = model.capacity_unit_prices(-row_duals[n_sla:])
        for part in range(model.n_parts):
            weight_within, weight_wait = model.site_weights(row_duals[:n_sla], part)
            stock, exact = model.service.price(part, weight_within, weight_wait,
                                               start=start_of.get(part),
                                               unit_price=unit_price[part])
            exact_everywhere[0] &= exact
            column = model.column(part, stock)
            minimum[part] = (column.cost - float(row_duals[:n_sla] @ column.coefficients)
                             - float(row_duals[n_sla:]
                                     @ model.capacity_coefficients(part, column.stock)))
            added = pool.add(part, stock)
            if added is not None:
                new.append(added)
                start_of[part] = stock
        coefficients = _problem_coefficients(model, new)
        return solvers.PricingResult(
            group_of_option=np.array([c.part for c in new], dtype=np.int64),
            cost=np.array([c.cost for c in new]),
            coefficients=coefficients,
            min_reduced_cost=(minimum if exact_everywhere[0] and not model.n_facilities
                              else None),
            option_facilities=(model.option_facilities(
                np.vstack([c.stock for c in new]) if new
                else np.zeros((0, model.network.n_locations)))
                if model.n_facilities else None),
        )

    initial = pool.problem()
    result = solvers.column_generation(initial, price, backend=backend,
                                       max_iterations=max_iterations, time_limit=time_limit,
                                       mip_rel_gap=mip_rel_gap)
    # column_generation keeps only the columns that priced out: map its options back.
    by_key: dict[tuple[int, float], list[Column]] = {}
    for column in pool.columns:
        by_key.setdefault((column.part, column.cost), []).append(column)
    dense = result.problem.coefficients.toarray()[:n_sla] if model.row_names else None
    kept: list[Column] = []
    for option in range(result.problem.n_options):
        key = (int(result.problem.group_of_option[option]), float(result.problem.cost[option]))
        candidates = by_key[key]
        if dense is not None and len(candidates) > 1:
            candidates = [c for c in candidates
                          if np.array_equal(c.coefficients, dense[:, option])] or candidates
        kept.append(candidates[0])
    return _result(kept, result.problem, result.solution, "column_generation",
                   result.bound_scope, result.iterations, started)


def _result(columns: list[Column], problem: solvers.ChoiceProblem, solution: solvers.Solution,
            method: str, scope: str, iterations: int, started: float,
            stage_seconds: dict[str, float] | None = None) -> Optimization:
    if problem.n_options != len(columns):
        raise AssertionError("column pool and solver problem disagree")
    chosen = ([columns[int(i)] for i in solution.chosen]
              if solution.status.has_solution else [])
    return Optimization(columns=columns, problem=problem, chosen=chosen, solution=solution,
                        method=method, bound_scope=scope, n_columns=len(columns),
                        iterations=iterations, stage_seconds=dict(stage_seconds or {}),
                        runtime_seconds=time.perf_counter() - started)


def relative_gap(objective: float, bound: float) -> float:
    """(objective - bound) / |objective|; inf without a finite bound."""
    if not math.isfinite(bound) or not math.isfinite(objective):
        return math.inf
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


class _PackedPool:
    """Columns of the exact-pricing path, rows in ``>=`` form (uptime rows negated).

    Columns are evaluated in batches (:meth:`ServiceModel.evaluate_many`) and their row
    contributions computed with two sparse products for the whole batch.
    """

    def __init__(self, model: PlanningModel) -> None:
        self.model = model
        # Every row in >= form: SLA fill rows as they are, uptime and capacity rows negated.
        n_capacity = model.n_capacity_rows
        self.sign = np.concatenate([np.where(model.is_fill_row, 1.0, -1.0),
                                    -np.ones(n_capacity)])
        self.lower = np.concatenate([
            np.where(model.is_fill_row, model.row_lower, -model.row_upper),
            -model.capacity_upper])
        self.columns: list[Column] = []
        self._blocks: list[np.ndarray] = []  # (n_rows, k) signed coefficients
        self._index: dict[tuple[int, bytes], int] = {}
        self._costs: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def add_many(self, parts: np.ndarray, stock: np.ndarray) -> np.ndarray:
        """Add the (part, stock) pairs not yet in the pool (evaluated in one batch);
        return the pool index of every pair, new or not."""
        index = np.empty(parts.shape[0], dtype=np.int64)
        new: list[int] = []
        pending: dict[tuple[int, bytes], int] = {}
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
        self._costs.append(np.array([s.cost for s in services]))
        self._blocks.append((coefficients * self.sign).T)
        self._matrix = None
        return index

    def costs(self) -> np.ndarray:
        if len(self._costs) > 1:
            self._costs = [np.concatenate(self._costs)]
        return self._costs[0]

    def signed_coefficients(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = np.hstack(self._blocks)
            self._blocks = [self._matrix]
        return self._matrix

    def problem(self, with_facilities: bool = False) -> solvers.ChoiceProblem:
        """The problem over the pool's columns; ``with_facilities`` adds the open/close
        decisions of :meth:`PlanningModel.option_facilities` (the master LP of column
        generation is solved without them)."""
        facilities = {}
        if with_facilities and self.model.n_facilities:
            facilities = _facility_arguments(
                self.model, np.vstack([c.stock for c in self.columns]))
        return solvers.ChoiceProblem(
            group_of_option=np.array([c.part for c in self.columns], dtype=np.int64),
            cost=self.costs(),
            coefficients=sp.csc_array(self.signed_coefficients()),
            row_lower=self.lower, row_upper=np.full(self.lower.shape[0], np.inf),
            row_names=self.model.problem_row_names, n_groups=self.model.n_parts,
            **facilities,
        )


def _site_weights_all(model: PlanningModel, model_duals: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`PlanningModel.site_weights` of every part at once, (P, N) each."""
    rate = model.parts.demand_rate
    per_site_within = np.asarray(model.fill_map @ model_duals)
    per_site_wait = -np.asarray(model.uptime_map @ model_duals)
    return rate * per_site_within[None, :], rate * per_site_wait[None, :]


class _StageClock:
    """Accumulated wall-clock seconds per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.perf_counter()


def _neighbours(model: PlanningModel, pool: _PackedPool, options: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Stock vectors one unit above or below ``options``' at one location, in bounds."""
    parts = np.array([pool.columns[o].part for o in options], dtype=np.int64)
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
    parts = np.array([pool.columns[o].part for o in options], dtype=np.int64)
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


def _closed_pricing(model: PlanningModel, pool: _PackedPool, row_duals: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For facility decisions: every part's exact best column under the duals
    ``row_duals`` (>= form of the pool) with one facility location closed (stock 0 there),
    for each facility, and with all of them closed. (F + 1) pricing calls."""
    pi = np.maximum(row_duals, 0.0)
    n_sla = len(model.row_names)
    all_parts = np.arange(model.n_parts, dtype=np.int64)
    weight_within, weight_wait = _site_weights_all(model, pi[:n_sla] * pool.sign[:n_sla])
    unit_price = None
    if model.n_capacity_rows:
        unit_price = model.capacity_unit_prices(pi[n_sla:])
    closings = [[int(loc)] for loc in model.facility_location]
    if model.n_facilities > 1:
        closings.append([int(loc) for loc in model.facility_location])
    parts_out, stock_out = [], []
    for closed in closings:
        cap = np.full(model.network.n_locations, np.iinfo(np.int64).max // 2, dtype=np.int64)
        cap[closed] = 0
        stock, _ = model.service.price_many(all_parts, weight_within, weight_wait,
                                            unit_price, np.broadcast_to(cap, (model.n_parts,
                                                                              cap.shape[0])))
        parts_out.append(all_parts)
        stock_out.append(stock)
    return np.concatenate(parts_out), np.vstack(stock_out)


def _round_lp(problem: solvers.ChoiceProblem, values: np.ndarray, backend: str,
              deadline: float | None) -> np.ndarray | None:
    """LP rounding: fix the integral parts, solve a small MILP over the others.

    The fractional parts (at most one per row at an LP vertex) are released first; while
    the restricted MILP is infeasible, the parts with the most LP-used options... are
    released by doubling until all are free. Returns one option per group or ``None``.
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
    # Release order after the fractional parts: the costliest LP-chosen columns first.
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
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0.05:
            return None
        solution = solvers.solve(sub, backend, mip_rel_gap=1e-4, **_work_limit(
            backend, remaining, ROUNDING_SECONDS, ROUNDING_NODES))  # type: ignore[arg-type]
        if solution.status.has_solution:
            chosen = integral_choice.copy()
            chosen[free] = options[solution.chosen]
            return chosen
        if free.all() or solution.status is not solvers.SolveStatus.INFEASIBLE:
            return None
        released = min(n_groups, 2 * released + 8)
        free[order[:released]] = True


def _optimize_exact_pricing(model: PlanningModel, *, backend: str, time_limit: float | None,
                            mip_rel_gap: float, max_iterations: int, started: float
                            ) -> Optimization:
    """Column generation with batch exact pricing, LP rounding, then the MILP."""
    deadline = None if time_limit is None else started + time_limit
    clock = _StageClock()
    pool = _PackedPool(model)
    all_parts = np.arange(model.n_parts, dtype=np.int64)
    lo, hi = model.service.bounds_many(all_parts)
    pool.add_many(np.concatenate([all_parts, all_parts]), np.vstack([lo, hi]))
    best_bound = -math.inf
    iterations = 0
    penalty = None
    master: solvers.MasterLP | None = None
    converged = False
    cg_deadline = None if time_limit is None else started + 0.6 * time_limit
    while iterations < max_iterations:
        problem = pool.problem()
        master = solvers.solve_master_lp(problem, penalty)
        iterations += 1
        clock.lap("master_lp")
        pi = np.maximum(master.row_duals, 0.0)  # every row is a >= row here
        n_sla = len(model.row_names)
        weight_within, weight_wait = _site_weights_all(model, pi[:n_sla] * pool.sign[:n_sla])
        unit_price = None
        if model.n_capacity_rows:
            unit_price = model.capacity_unit_prices(pi[n_sla:])
        stock, _ = model.service.price_many(all_parts, weight_within, weight_wait,
                                            unit_price)
        clock.lap("pricing")
        before = len(pool.columns)
        priced = pool.add_many(all_parts, stock)
        # Minimum over all of each part's stock vectors of c - pi a (the pricer is exact),
        # read from the minimizers' evaluated columns.
        minimum = pool.costs()[priced] - pi @ pool.signed_coefficients()[:, priced]
        clock.lap("columns")
        if not master.artificial_in_use:
            best_bound = max(best_bound, float(minimum.sum()) + bound_constant(problem, pi))
        tolerance = 1e-6 * max(1.0, abs(master.value) / model.n_parts)
        entering = (minimum - master.group_duals < -tolerance) & (priced >= before)
        if not entering.any():
            if master.artificial_in_use:
                penalty = 100.0 * (penalty or max(1e6, 1e3 * float(problem.cost.max())))
                if penalty < 1e14:
                    continue
            converged = True
            break
        if relative_gap(master.value, best_bound) <= 1e-7:
            converged = True
            break
        remaining = _remaining(cg_deadline)
        if remaining is not None and remaining <= 0:
            break
    problem = pool.problem()
    master = solvers.solve_master_lp(problem, penalty)
    # Neighbour columns of the parts the LP uses (fractional parts at least).
    values = master.option_values
    used = np.flatnonzero(values > 1e-6)
    remaining = _remaining(deadline)
    short_of_time = remaining is not None and time_limit is not None \
        and remaining < 0.3 * time_limit
    if model.n_parts > NEIGHBOURS_ALL_PARTS_LIMIT or short_of_time:
        fractional_groups = problem.group_of_option[(values > 1e-6) & (values < 1 - 1e-6)]
        used = used[np.isin(problem.group_of_option[used], fractional_groups)]
    neighbour_parts, neighbour_stock = _neighbours(model, pool, used)
    pool.add_many(neighbour_parts, neighbour_stock)
    if model.n_facilities:
        closed_parts, closed_stock = _closed_variants(model, pool,
                                                      np.flatnonzero(values > 1e-6))
        pool.add_many(closed_parts, closed_stock)
        pool.add_many(*_closed_pricing(model, pool, master.row_duals))
    problem = pool.problem()
    master = solvers.solve_master_lp(problem, penalty)
    clock.lap("neighbours")
    start: np.ndarray | None = None
    facility_open: np.ndarray | None = None
    if not master.artificial_in_use:
        start = _round_lp(problem, master.option_values, backend, deadline)
    if start is None:
        greedy = solvers.greedy_allocation(problem, hull=True)
        start = greedy.chosen if greedy.status.has_solution else None
    clock.lap("rounding")
    final = pool.problem(with_facilities=True) if model.n_facilities else problem
    remaining = _remaining(deadline)
    limit = _work_limit(backend, remaining, math.inf, DEFAULT_MILP_NODES)
    if remaining is None and "node_limit" not in limit:
        limit = {"time_limit": DEFAULT_MILP_SECONDS}
    seconds = limit.get("time_limit")
    milp_seconds = math.inf if seconds is None else float(seconds)
    message = f"{iterations} column-generation iterations"
    if not converged:
        message += " (not converged: time or iteration limit)"
    if milp_seconds > 0.2:
        milp = solvers.solve(final, backend, mip_rel_gap=max(mip_rel_gap, 1e-6),
                             warm_start=start, **limit)  # type: ignore[arg-type]
        chosen = milp.chosen if milp.status.has_solution else start
        if milp.status.has_solution:
            facility_open = milp.facility_open
        status = milp.status if milp.status.has_solution else solvers.SolveStatus.FEASIBLE
        message = f"{milp.message}; {message}; MILP bound over the generated columns " \
                  f"{milp.lower_bound:.6g}"
    else:
        chosen, status = start, solvers.SolveStatus.FEASIBLE
        message += "; no time left for the MILP: LP-rounded plan"
    if chosen is None:
        status = solvers.SolveStatus.NO_SOLUTION_FOUND
    clock.lap("milp")
    if facility_open is None and chosen is not None and final.option_facilities is not None:
        facility_open = np.asarray(final.option_facilities[:, chosen].sum(axis=1)).ravel() > 0
    # Facility costs F_l >= 0 are left out of the bound (column generation prices without
    # them): it stays valid, the gap then includes the fixed costs' share.
    solution = finalize_solution(
        final, status=status, chosen=chosen, facility_open=facility_open,
        lower_bound=best_bound,
        backend=f"column-generation/{backend}", runtime_seconds=time.perf_counter() - started,
        message=message, mip_rel_gap=mip_rel_gap)
    return _result(pool.columns, final, solution, "column_generation", "all_columns",
                   iterations, started, clock.seconds)



def _at_least_form(problem: solvers.ChoiceProblem) -> solvers.ChoiceProblem:
    """The same problem with every one-sided ``<=`` row negated into a ``>=`` row (the
    greedy trades off ``>=`` rows only)."""
    flip = ~np.isfinite(problem.row_lower) & np.isfinite(problem.row_upper)
    if not flip.any():
        return problem
    sign = np.where(flip, -1.0, 1.0)
    return solvers.ChoiceProblem(
        group_of_option=problem.group_of_option, cost=problem.cost,
        coefficients=sp.csc_array(sp.diags_array(sign) @ problem.coefficients),
        row_lower=np.where(flip, -problem.row_upper, problem.row_lower),
        row_upper=np.where(flip, np.inf, problem.row_upper),
        row_names=problem.row_names, n_groups=problem.n_groups,
        facility_cost=problem.facility_cost, option_facilities=problem.option_facilities)


def baseline_costs(model: PlanningModel, optimization: Optimization) -> dict[str, float | None]:
    """Greedy baselines at equal service and the MILP's saving against them.

    Sherbrooke's (1968) marginal analysis is run over the optimization's columns (every
    column on the enumeration path, the generated ones otherwise) and must meet the same
    SLA rows: ``greedy_naive`` moves each part to its next costlier column, ``greedy_hull``
    along the lower convex hull of its (cost, service) points
    (:func:`solvers.greedy_allocation`).

    Returns
    -------
    dict
        ``milp_cost``, ``lower_bound``, ``greedy_hull_cost``, ``greedy_naive_cost``,
        ``saving_vs_hull`` and ``saving_vs_naive`` (yearly cost), and the savings as a
        fraction of the greedy cost (``*_fraction``); ``None`` where a greedy finds no
        plan. ``columns`` is the number of columns the baselines chose from.

    Examples
    --------
    >>> result = optimize(model)                      # doctest: +SKIP
    >>> baseline_costs(model, result)["saving_vs_hull_fraction"]  # doctest: +SKIP
    0.039
    """
    del model  # the columns carry everything; kept for the caller's symmetry
    problem = _at_least_form(optimization.problem)
    milp = (float(optimization.solution.objective)
            if optimization.solution.status.has_solution else None)
    bound = optimization.solution.lower_bound
    result: dict[str, float | None] = {
        "milp_cost": milp,
        "lower_bound": float(bound) if math.isfinite(bound) else None,
        "columns": float(problem.n_options),
    }
    for name, hull in (("hull", True), ("naive", False)):
        greedy = solvers.greedy_allocation(problem, hull=hull)
        cost = float(greedy.objective) if greedy.status.has_solution else None
        result[f"greedy_{name}_cost"] = cost
        saving = None if cost is None or milp is None else cost - milp
        result[f"saving_vs_{name}"] = saving
        result[f"saving_vs_{name}_fraction"] = (None if saving is None or cost is None
                                                or cost <= 0 else saving / cost)
    return result
