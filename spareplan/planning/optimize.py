"""Choose each part's stock vector: columns, column generation and the MILP in solvers/.

Small problems (every part's stock vectors few enough to list) are solved exactly over
all columns. Otherwise Dantzig–Wolfe column generation prices each part with the SLA
row duals (:meth:`ServiceModel.price`: an exact dynamic program over the location tree
unless the rule is lateral), giving a Lagrangian lower bound valid for all columns; the
final MILP picks one column per part among those generated.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

import solvers
from spareplan.planning.model import Column, PlanningModel

#: Enumerate every stock vector of a part when it has at most this many.
ENUMERATION_LIMIT = 4096


@dataclass(frozen=True)
class Optimization:
    """What the optimizer returns: chosen columns and the solver's account of them."""

    columns: list[Column]
    problem: solvers.ChoiceProblem
    chosen: list[Column]
    solution: solvers.Solution
    method: str
    bound_scope: str
    n_columns: int
    iterations: int
    runtime_seconds: float


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


def _problem(model: PlanningModel, columns: list[Column]) -> solvers.ChoiceProblem:
    coefficients = (np.column_stack([c.coefficients for c in columns])
                    if model.row_names else np.zeros((0, len(columns))))
    return solvers.ChoiceProblem(
        group_of_option=np.array([c.part for c in columns], dtype=np.int64),
        cost=np.array([c.cost for c in columns]),
        coefficients=sp.csc_array(coefficients),
        row_lower=model.row_lower, row_upper=model.row_upper, row_names=model.row_names,
        n_groups=model.n_parts,
    )


def _vector_count(lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.prod((hi - lo + 1).astype(float)))


def optimize(model: PlanningModel, *, backend: str = solvers.DEFAULT_BACKEND,
             time_limit: float | None = None, mip_rel_gap: float = 1e-4,
             max_iterations: int = 60) -> Optimization:
    """Pick one stock vector per part meeting every SLA row at least yearly cost."""
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

    for part, (lo, hi) in enumerate(bounds):
        pool.add(part, lo)
        pool.add(part, hi)
    start_of = {c.part: c.stock for c in pool.columns}
    exact_everywhere = [True]

    def price(row_duals: np.ndarray) -> solvers.PricingResult:
        new: list[Column] = []
        minimum = np.empty(model.n_parts)
        for part in range(model.n_parts):
            weight_within, weight_wait = model.site_weights(row_duals, part)
            stock, exact = model.service.price(part, weight_within, weight_wait,
                                               start=start_of.get(part))
            exact_everywhere[0] &= exact
            column = model.column(part, stock)
            minimum[part] = column.cost - float(row_duals @ column.coefficients)
            added = pool.add(part, stock)
            if added is not None:
                new.append(added)
                start_of[part] = stock
        coefficients = (np.column_stack([c.coefficients for c in new]) if new
                        else np.zeros((len(model.row_names), 0)))
        return solvers.PricingResult(
            group_of_option=np.array([c.part for c in new], dtype=np.int64),
            cost=np.array([c.cost for c in new]),
            coefficients=coefficients,
            min_reduced_cost=minimum if exact_everywhere[0] else None,
        )

    initial = pool.problem()
    result = solvers.column_generation(initial, price, backend=backend,
                                       max_iterations=max_iterations, time_limit=time_limit,
                                       mip_rel_gap=mip_rel_gap)
    # column_generation keeps only the columns that priced out: map its options back.
    by_key: dict[tuple[int, float], list[Column]] = {}
    for column in pool.columns:
        by_key.setdefault((column.part, column.cost), []).append(column)
    dense = result.problem.coefficients.toarray() if model.row_names else None
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
            method: str, scope: str, iterations: int, started: float) -> Optimization:
    if problem.n_options != len(columns):
        raise AssertionError("column pool and solver problem disagree")
    chosen = ([columns[int(i)] for i in solution.chosen]
              if solution.status.has_solution else [])
    return Optimization(columns=columns, problem=problem, chosen=chosen, solution=solution, method=method,
                        bound_scope=scope, n_columns=len(columns), iterations=iterations,
                        runtime_seconds=time.perf_counter() - started)


def relative_gap(objective: float, bound: float) -> float:
    """(objective - bound) / |objective|; inf without a finite bound."""
    if not math.isfinite(bound) or not math.isfinite(objective):
        return math.inf
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)
