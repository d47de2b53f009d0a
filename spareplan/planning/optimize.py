"""Choose each part's stock vector: enumeration, or the column-generation engine of solvers/.

Small problems (every part's stock vectors few enough to list) are solved exactly over
all columns. Otherwise Dantzig–Wolfe column generation (van Houtum & Kranenburg 2015,
ch. 5) runs in :func:`solvers.column_generation` over the planner's column source
(:class:`~spareplan.planning.pricing.StockVectorSource`): exact tree-DP pricing with a
Lagrangian bound valid for all stock vectors when the rule is not lateral; under the
lateral rule enumeration of small parts and coordinate search otherwise (a bound only
when every part was priced exactly). Every stage after pricing (neighbours, LP rounding,
windows, reduced-cost fixing, the MILP) is the engine's, the same for every rule.

Every result reports the cost, the best Lagrangian bound and the gap between them; a
time-limited or gap-limited result is FEASIBLE, never OPTIMAL (DESIGN.md section 6).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import scipy.sparse as sp

import solvers
from spareplan.planning.model import Column, PlanningModel
from spareplan.planning.pricing import StockVectorSource
from spareplan.planning.result import Optimization, make_result, relative_gap

#: Enumerate every stock vector of a part when it has at most this many.
ENUMERATION_LIMIT = 4096

__all__ = ["ENUMERATION_LIMIT", "Optimization", "baseline_costs", "optimize",
           "relative_gap"]


def _facility_arguments(model: PlanningModel, stock: np.ndarray) -> dict:
    """``facility_cost``/``option_facilities`` of :class:`solvers.ChoiceProblem` for
    columns of ``stock`` (K, L); empty without facility decisions."""
    if not model.n_facilities:
        return {}
    return {"facility_cost": model.facility_cost,
            "option_facilities": model.option_facilities(stock)}


def _vector_count(lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.prod((hi - lo + 1).astype(float)))


def _enumerate(model: PlanningModel, source: StockVectorSource,
               bounds: list[tuple[np.ndarray, np.ndarray]], backend: str,
               budget: solvers.TimeBudget, mip_rel_gap: float, started: float
               ) -> Optimization:
    """Every stock vector of every part as a column (evaluated by ``source`` in one batch);
    the MILP over all of them."""
    groups, payloads = [], []
    for part, (lo, hi) in enumerate(bounds):
        free = np.flatnonzero(hi > lo)
        levels = list(itertools.product(*(range(lo[k], hi[k] + 1) for k in free)))
        stock = np.repeat(lo[None, :], len(levels), axis=0)
        if free.size:
            stock[:, free] = np.array(levels, dtype=np.int64).reshape(len(levels), free.size)
        groups.append(np.full(len(levels), part, dtype=np.int64))
        payloads.append(stock)
    group_of_option = np.concatenate(groups)
    stock = np.vstack(payloads)
    evaluation = source.evaluate(group_of_option, stock)
    columns: list[Column] = list(evaluation.details or [])
    problem = solvers.ChoiceProblem(
        group_of_option=group_of_option, cost=evaluation.cost,
        coefficients=sp.csc_array(np.asarray(evaluation.coefficients).T),
        row_lower=model.problem_row_lower, row_upper=model.problem_row_upper,
        row_names=model.problem_row_names, n_groups=model.n_parts,
        **_facility_arguments(model, stock))
    solution = solvers.solve(problem, backend, time_limit=budget.solver_seconds(),
                             mip_rel_gap=mip_rel_gap)
    return make_result(columns, problem, solution, "enumeration", "all_columns", 0, started)


def optimize(model: PlanningModel, *, backend: str = solvers.DEFAULT_BACKEND,
             budget: solvers.TimeBudget | None = None, mip_rel_gap: float = 1e-4,
             settings: solvers.ColumnGenerationSettings | None = None,
             source: StockVectorSource | None = None,
             initial: tuple[np.ndarray, np.ndarray] | None = None) -> Optimization:
    """Pick one stock vector per part meeting every SLA row at least yearly cost.

    Parameters
    ----------
    model : PlanningModel
    backend : str
        MILP backend of :func:`solvers.solve`.
    budget : solvers.TimeBudget, optional
        The run's time budget (default none: every MILP stops on a node count, so the same
        model gives the same plan on any machine). A time-limited result is FEASIBLE with
        its gap to the Lagrangian bound.
    mip_rel_gap : float
        Gap (to the bound valid for all columns) below which the result is OPTIMAL; the
        final MILP stops at this gap to its own bound.
    settings : solvers.ColumnGenerationSettings, optional
        Limits of column generation and the integer phase.
    source : StockVectorSource, optional
        What evaluates and prices the columns: the analytic model (default) or the
        simulation feed (:class:`~spareplan.planning.simulated.SimulatedSource`).
    initial : (parts, stock vectors), optional
        Columns to start column generation from.

    Returns
    -------
    Optimization
        ``method`` is ``"enumeration"`` (every column) or ``"column_generation"`` (the
        engine of :func:`solvers.column_generation` over
        :class:`~spareplan.planning.pricing.StockVectorSource`); ``bound_scope`` is
        ``"all_columns"`` when the bound holds for every stock vector and ``"none"`` when
        pricing was not exact (the lateral rule on large parts): then no bound is claimed.
    """
    started = time.perf_counter()
    budget = budget or solvers.TimeBudget.of(None)
    bounds = [model.service.bounds(p) for p in range(model.n_parts)]
    source = source or StockVectorSource(model)
    if all(_vector_count(lo, hi) <= ENUMERATION_LIMIT for lo, hi in bounds):
        return _enumerate(model, source, bounds, backend, budget, mip_rel_gap, started)
    result = solvers.column_generation(
        source, model.problem_row_lower, model.problem_row_upper,
        row_names=model.problem_row_names,
        facility_cost=model.facility_cost if model.n_facilities else None,
        backend=backend, budget=budget, mip_rel_gap=mip_rel_gap, settings=settings,
        initial=initial)
    return make_result(list(result.pool.details), result.problem, result.solution,
                       "column_generation",
                       "all_columns" if result.bound_exact else "none", result.iterations,
                       started, result.stage_seconds, result.history)


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
