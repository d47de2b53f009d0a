"""Choose each part's stock vector: enumeration, or the column-generation engine of solvers/.

Small problems (every part's stock vectors few enough to list, or all of them together at
most :data:`~spareplan.planning.exhaustive.EXHAUSTIVE_LIMIT`) are solved exactly over all
columns; when column generation leaves a gap on a small problem, every stock vector a
cheaper plan could use is listed and the MILP over them proves the optimum
(:mod:`~spareplan.planning.exhaustive`). Otherwise Dantzig–Wolfe column generation
(van Houtum & Kranenburg 2015, ch. 5) runs in :func:`solvers.column_generation` over the
planner's column source (:class:`~spareplan.planning.pricing.StockVectorSource`): exact
tree-DP pricing with a Lagrangian bound valid for all stock vectors when the rule is not
lateral; under the lateral rule enumeration of small parts and coordinate search
otherwise (a bound only when every part was priced exactly). Every stage after pricing
(neighbours, LP rounding, windows, reduced-cost fixing, the MILP) is the engine's, the
same for every rule.

Every result reports the cost, the best Lagrangian bound and the gap between them; a
time-limited or gap-limited result is FEASIBLE, never OPTIMAL (DESIGN.md section 6).
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

import solvers
from spareplan.planning.exhaustive import EXHAUSTIVE_LIMIT, box_vectors, candidate_vectors
from spareplan.planning.model import COST, Column, PlanningModel
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
               vectors: list[np.ndarray], backend: str, budget: solvers.TimeBudget,
               mip_rel_gap: float, started: float, method: str = "enumeration",
               iterations: int = 0) -> Optimization:
    """The given stock vectors of every part (all of them, or every one that can matter)
    as columns, evaluated by ``source`` in one batch; the MILP over all of them."""
    group_of_option = np.concatenate([np.full(v.shape[0], part, dtype=np.int64)
                                      for part, v in enumerate(vectors)])
    stock = np.vstack(vectors)
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
    return make_result(columns, problem, solution, method, "all_columns", iterations,
                       started)


def _holding_per_unit(model: PlanningModel) -> np.ndarray:
    """Yearly holding cost of one unit of each part at each location, (P, L)."""
    return (np.asarray(model.parts.unit_cost, dtype=np.float64)[:, None]
            * np.asarray(model.network.holding_rate_per_year, dtype=np.float64)[None, :])


def _proved(model: PlanningModel, source: StockVectorSource, found: Optimization,
            bounds: list[tuple[np.ndarray, np.ndarray]], backend: str,
            budget: solvers.TimeBudget, mip_rel_gap: float, limit: int, started: float
            ) -> Optimization:
    """``found`` (column generation's result) closed by listing every stock vector that a
    cheaper plan could use (:mod:`~spareplan.planning.exhaustive`), when they are at most
    ``limit``; ``found`` itself otherwise."""
    solution = found.solution
    if (limit <= 0 or not solution.status.has_solution or budget.expired(0.1)
            or (found.bound_scope == "all_columns" and solution.gap <= mip_rel_gap)):
        return found
    lo = np.vstack([b[0] for b in bounds])
    hi = np.vstack([b[1] for b in bounds])
    if model.goal == COST:  # a cheaper plan holds less than the incumbent's cost
        weight, total = _holding_per_unit(model), float(solution.objective)
    elif model.inventory_budget is not None:  # any plan ties up at most the budget
        weight = np.repeat(np.asarray(model.parts.unit_cost, dtype=np.float64)[:, None],
                           model.network.n_locations, axis=1)
        total = float(model.inventory_budget)
    else:
        return found
    vectors = candidate_vectors(lo, hi, weight, total, limit)
    if vectors is None:
        return found
    proved = _enumerate(model, source, vectors, backend, budget, mip_rel_gap, started,
                        method="column_generation+exhaustive", iterations=found.iterations)
    if not proved.solution.status.has_solution or (proved.solution.objective
                                                    > solution.objective + 1e-9):
        return found
    return proved


def optimize(model: PlanningModel, *, backend: str = solvers.DEFAULT_BACKEND,
             budget: solvers.TimeBudget | None = None, mip_rel_gap: float = 1e-4,
             settings: solvers.ColumnGenerationSettings | None = None,
             source: StockVectorSource | None = None,
             initial: tuple[np.ndarray, np.ndarray] | None = None,
             exhaustive_limit: int | None = None) -> Optimization:
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
    exhaustive_limit : int, optional
        Most stock vectors (all parts together) listed to solve a small problem exactly:
        every vector of every box when they are this few, else, after column generation
        left a gap, every vector a cheaper plan could use
        (:mod:`~spareplan.planning.exhaustive`). Default
        :data:`~spareplan.planning.exhaustive.EXHAUSTIVE_LIMIT` for the analytic source,
        0 for others (a simulated column costs a simulation).

    Returns
    -------
    Optimization
        ``method`` is ``"enumeration"`` (every column) or ``"column_generation"`` (the
        engine of :func:`solvers.column_generation` over
        :class:`~spareplan.planning.pricing.StockVectorSource`); ``bound_scope`` is
        ``"all_columns"`` when the bound holds for every stock vector (also for
        ``"column_generation+exhaustive"``: the candidates listed proved the optimum) and
        ``"none"`` when pricing was not exact (the lateral rule on large parts): then no
        bound is claimed.
    """
    started = time.perf_counter()
    budget = budget or solvers.TimeBudget.of(None)
    lows, highs = model.service.bounds_many(np.arange(model.n_parts, dtype=np.int64))
    bounds = list(zip(lows, highs, strict=True))
    source = source or StockVectorSource(model)
    counts = [_vector_count(lo, hi) for lo, hi in bounds]
    analytic = type(source) is StockVectorSource  # a simulated column costs a simulation
    limit = ((EXHAUSTIVE_LIMIT if analytic else 0) if exhaustive_limit is None
             else exhaustive_limit)
    if all(c <= ENUMERATION_LIMIT for c in counts) or sum(counts) <= limit:
        return _enumerate(model, source, [box_vectors(lo, hi) for lo, hi in bounds],
                          backend, budget, mip_rel_gap, started)
    result = solvers.column_generation(
        source, model.problem_row_lower, model.problem_row_upper,
        row_names=model.problem_row_names,
        facility_cost=model.facility_cost if model.n_facilities else None,
        backend=backend, budget=budget, mip_rel_gap=mip_rel_gap, settings=settings,
        initial=initial)
    lp = result.lp
    row_duals = (None if lp is None or lp.artificial_in_use
                 else np.maximum(np.asarray(lp.row_duals, dtype=np.float64), 0.0))
    lp_gap = (0.0 if result.converged else math.inf if lp is None
              else relative_gap(lp.value, result.solution.lower_bound))
    found = make_result(list(result.pool.details), result.problem, result.solution,
                        "column_generation",
                        "all_columns" if result.bound_exact else "none", result.iterations,
                        started, result.stage_seconds, result.history, row_duals, lp_gap)
    return _proved(model, source, found, bounds, backend, budget, mip_rel_gap, limit,
                   started)


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
