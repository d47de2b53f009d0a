"""Dantzig–Wolfe column generation for the multiple-choice problem.

The master problem picks one column (option) per group; its LP relaxation over a restricted
set of columns is solved with HiGHS, and the row duals :math:`\\pi` are handed to a pricing
function that proposes new columns of negative reduced cost

.. math::

    \\bar c_o = c_o - \\sum_r \\pi_r a_{ro} - \\mu_{g(o)} - \\sum_{f \\ni o} \\sigma_{f, g(o)},

with :math:`\\mu_g` the dual of group :math:`g`'s convexity row and :math:`\\sigma` those of
the facility-linking rows. When no column prices out, the LP is optimal over all columns;
the MILP is then solved over the generated columns. This is the scheme of van Houtum &
Kranenburg (2015, chapter on multi-location systems: column generation with a Lagrangian
lower bound), after Dantzig & Wolfe (1960).

When the pricer is exact and returns :math:`\\min_{o \\in g} (c_o - \\pi^\\top a_o)` over *all*
options of every group, each iteration yields the Lagrangian bound
:math:`L(\\pi) = \\sum_g \\min_o (c_o - \\pi^\\top a_o) + \\sum_r \\pi_r b_r` (see
:mod:`solvers.lagrangian`), valid for the full problem; the best one is reported.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.errors import InvalidProblemError
from solvers.formulation import build_matrix_form
from solvers.greedy import greedy_allocation
from solvers.highs_backend import make_highs, pass_form
from solvers.lagrangian import bound_constant, valid_multipliers
from solvers.problem import ChoiceProblem
from solvers.solution import Solution
from solvers.solving import finalize_solution, solve
from solvers.status import SolveStatus

__all__ = [
    "ColumnGenerationResult",
    "MasterLP",
    "PricingResult",
    "column_generation",
    "solve_master_lp",
]

_MAX_PENALTY = 1e12


@dataclass(frozen=True, eq=False)
class PricingResult:
    """New columns proposed by a pricing function for the row duals it was given.

    Attributes
    ----------
    group_of_option : array of int, shape (k,)
        Group of each new column.
    cost : array of float, shape (k,)
        Cost of each new column.
    coefficients : sparse matrix or array, shape (n_rows, k)
        Row contributions of each new column.
    min_reduced_cost : array of float, shape (n_groups,), optional
        For an exact pricer: :math:`\\min_{o \\in g} (c_o - \\pi^\\top a_o)` over *all*
        options of each group (without the convexity dual). Enables the Lagrangian bound.
    option_facilities : sparse matrix or array of 0/1, shape (n_facilities, k), optional
        Facilities needed by each new column (problems with facilities only).
    """

    group_of_option: npt.NDArray[np.int64]
    cost: npt.NDArray[np.float64]
    coefficients: Any
    min_reduced_cost: npt.NDArray[np.float64] | None = None
    option_facilities: Any | None = None


@dataclass(frozen=True, eq=False)
class ColumnGenerationResult:
    """Outcome of :func:`column_generation`.

    Attributes
    ----------
    solution : Solution
        MILP solution over the generated columns; ``chosen`` indexes ``problem``'s options.
    problem : ChoiceProblem
        The restricted problem with every generated column.
    iterations : int
        Number of LP master solves.
    n_columns : int
        Number of columns (options) in ``problem``.
    lp_values : tuple of float
        LP master value at each iteration (artificial penalties included).
    lagrangian_bounds : tuple of float
        Lagrangian bound at each iteration (``-inf`` where the pricer gave no minimum).
    bound_scope : {"all_columns", "generated_columns"}
        ``"all_columns"``: ``solution.lower_bound`` is the best Lagrangian bound, valid for
        the full problem. ``"generated_columns"``: only the MILP bound over the generated
        columns is known (non-exact pricer); it does not bound the full problem.
    converged : bool
        True when the last pricing found no column of negative reduced cost.
    """

    solution: Solution
    problem: ChoiceProblem
    iterations: int
    n_columns: int
    lp_values: tuple[float, ...]
    lagrangian_bounds: tuple[float, ...]
    bound_scope: Literal["all_columns", "generated_columns"]
    converged: bool


@dataclass(frozen=True, eq=False)
class _MasterDuals:
    value: float
    row_duals: npt.NDArray[np.float64]  # unscaled problem rows
    group_duals: npt.NDArray[np.float64]
    link_duals: dict[tuple[int, int], float]
    artificial_in_use: bool
    option_values: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, eq=False)
class MasterLP:
    """LP relaxation of a restricted master (:func:`solve_master_lp`).

    Attributes
    ----------
    value : float
        LP value (artificial penalties included while ``artificial_in_use``).
    row_duals : array of float, shape (n_rows,)
        Duals :math:`\\pi` of the unscaled problem rows.
    group_duals : array of float, shape (n_groups,)
        Duals :math:`\\mu_g` of the convexity rows.
    option_values : array of float, shape (n_options,)
        Primal values :math:`x_o` (at most ``n_rows`` groups are fractional at a vertex).
    artificial_in_use : bool
        True when an artificial column is positive: the restricted master is infeasible.
    """

    value: float
    row_duals: npt.NDArray[np.float64]
    group_duals: npt.NDArray[np.float64]
    option_values: npt.NDArray[np.float64]
    artificial_in_use: bool


def solve_master_lp(problem: ChoiceProblem, penalty: float | None = None) -> MasterLP:
    """Solve the LP relaxation of ``problem`` with a big-M artificial column on every row.

    The penalty defaults to ``1e3`` times the largest option cost (at least 1e6), raised
    by the caller when artificials stay in use.
    """
    if penalty is None:
        penalty = max(1e6, 1e3 * float(np.abs(problem.cost).max()))
    duals = _solve_master_lp(problem, penalty)
    return MasterLP(duals.value, duals.row_duals, duals.group_duals, duals.option_values,
                    duals.artificial_in_use)


def _solve_master_lp(problem: ChoiceProblem, penalty: float) -> _MasterDuals:
    """LP relaxation of the restricted master with artificial columns on every bounded row."""
    form = build_matrix_form(problem)
    offset = form.problem_row_offset
    has_lower = np.isfinite(form.scaled.lower)
    has_upper = np.isfinite(form.scaled.upper)
    rows = np.r_[np.flatnonzero(has_lower), np.flatnonzero(has_upper)] + offset
    signs = np.r_[np.ones(int(has_lower.sum())), -np.ones(int(has_upper.sum()))]
    n_artificial = rows.shape[0]
    artificial = sp.csc_array(
        (signs, (rows, np.arange(n_artificial))), shape=(form.matrix.shape[0], n_artificial)
    )
    extended = replace(
        form,
        col_cost=np.r_[form.col_cost, np.full(n_artificial, penalty)],
        col_lower=np.r_[form.col_lower, np.zeros(n_artificial)],
        col_upper=np.r_[form.col_upper, np.full(n_artificial, np.inf)],
        matrix=sp.hstack([form.matrix, artificial], format="csc"),
    )
    highs = make_highs(time_limit=None, mip_rel_gap=0.0, threads=None, verbose=False)
    pass_form(highs, extended, integer=False)
    highs.run()
    solution = highs.getSolution()
    duals = np.asarray(solution.row_dual, dtype=np.float64)
    values = np.asarray(solution.col_value, dtype=np.float64)
    scaled_duals = duals[offset : offset + form.n_rows]
    link_duals = {
        (int(f), int(g)): float(d)
        for f, g, d in zip(
            form.link_facility, form.link_group, duals[form.link_row_offset :], strict=True
        )
    }
    return _MasterDuals(
        value=float(highs.getInfo().objective_function_value),
        row_duals=scaled_duals / form.scaled.scale,
        group_duals=duals[: form.n_groups],
        link_duals=link_duals,
        artificial_in_use=bool(np.any(values[form.n_cols :] > 1e-9)),
        option_values=values[: form.n_options].copy(),
    )


def _reduced_costs(
    problem: ChoiceProblem, pricing: PricingResult, duals: _MasterDuals, pi: np.ndarray
) -> tuple[npt.NDArray[np.float64], Any, Any]:
    """Reduced cost of every proposed column and its checked arrays."""
    groups = np.asarray(pricing.group_of_option, dtype=np.int64).reshape(-1)
    cost = np.asarray(pricing.cost, dtype=np.float64).reshape(-1)
    coefficients = sp.csc_array(
        pricing.coefficients
        if sp.issparse(pricing.coefficients)
        else np.asarray(pricing.coefficients, dtype=np.float64).reshape(problem.n_rows, -1)
    )
    k = groups.shape[0]
    if cost.shape != (k,) or coefficients.shape != (problem.n_rows, k):
        raise InvalidProblemError(
            "PricingResult must give cost (k,) and coefficients (n_rows, k) for its k "
            f"columns; received k={k}, cost {cost.shape}, coefficients {coefficients.shape}"
        )
    n_groups = int(problem.n_groups or 0)
    if k and (groups.min() < 0 or groups.max() >= n_groups):
        raise InvalidProblemError(
            f"PricingResult.group_of_option must lie in [0, {n_groups}); received "
            f"[{groups.min()}, {groups.max()}]"
        )
    reduced = cost - np.asarray(coefficients.T @ pi) - duals.group_duals[groups]
    links = None
    if pricing.option_facilities is not None:
        links = sp.csc_array(pricing.option_facilities, dtype=np.float64)
        link_coo = sp.coo_array(links)
        for facility, column in zip(link_coo.row, link_coo.col, strict=True):
            reduced[column] -= duals.link_duals.get((int(facility), int(groups[column])), 0.0)
    return reduced, coefficients, links


def column_generation(
    problem: ChoiceProblem,
    price: Callable[[npt.NDArray[np.float64]], PricingResult],
    *,
    backend: str = "highs",
    max_iterations: int = 50,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    tolerance: float = 1e-6,
) -> ColumnGenerationResult:
    """Dantzig–Wolfe column generation, then the MILP over the generated columns.

    Parameters
    ----------
    problem : ChoiceProblem
        Restricted master with the initial columns (at least one per group, e.g. each
        group's cheapest option).
    price : callable
        ``price(row_duals) -> PricingResult``; ``row_duals`` (n_rows,) are the duals
        :math:`\\pi` of the unscaled rows (>= 0 on lower bounds, <= 0 on upper bounds).
    backend : str
        MILP backend for the final solve (see :func:`solvers.solve`).
    max_iterations : int
        Maximum number of LP master solves.
    time_limit : float, optional
        Overall limit in seconds; the final MILP gets what is left.
    mip_rel_gap : float
        Relative gap for the final MILP and for reporting OPTIMAL.
    tolerance : float
        A column enters when its reduced cost is below ``-tolerance``.

    Returns
    -------
    ColumnGenerationResult
        Final solution, enlarged problem, iteration history and bound scope. The solution
        is reported OPTIMAL only when its gap to a bound valid for all columns (the best
        Lagrangian bound of an exact pricer) is at most ``mip_rel_gap``.
    """
    started = time.perf_counter()
    if max_iterations < 1:
        raise InvalidProblemError(f"max_iterations must be >= 1; received {max_iterations}")
    # Artificial columns keep the restricted master feasible; their cost (big-M) is raised
    # whenever pricing finds nothing while they are still in use.
    penalty = 10.0 * (
        1.0
        + float(np.abs(problem.cost).sum())
        + (0.0 if problem.facility_cost is None else float(np.abs(problem.facility_cost).sum()))
    )
    current = problem
    lp_values: list[float] = []
    bounds: list[float] = []
    exact = True
    converged = False
    iterations = 0
    for _ in range(max_iterations):
        if time_limit is not None and time.perf_counter() - started > time_limit:
            break
        iterations += 1
        duals = _solve_master_lp(current, penalty)
        lp_values.append(duals.value)
        pi = valid_multipliers(current, duals.row_duals)
        pricing = price(pi)
        if pricing.min_reduced_cost is None:
            exact = False
            bounds.append(-math.inf)
        else:
            minimum = np.asarray(pricing.min_reduced_cost, dtype=np.float64)
            bounds.append(float(minimum.sum()) + bound_constant(current, pi))
        reduced, coefficients, links = _reduced_costs(current, pricing, duals, pi)
        entering = np.flatnonzero(reduced < -tolerance)
        if entering.shape[0] == 0:
            if duals.artificial_in_use and penalty < _MAX_PENALTY:
                # Big-M too small to force the artificials out: raise it and re-solve.
                penalty *= 100.0
                continue
            converged = True
            break
        current = current.with_options(
            np.asarray(pricing.group_of_option, dtype=np.int64)[entering],
            np.asarray(pricing.cost, dtype=np.float64)[entering],
            coefficients[:, entering],
            None if links is None else links[:, entering],
        )

    remaining = None
    if time_limit is not None:
        remaining = max(time_limit - (time.perf_counter() - started), 1.0)
    greedy = greedy_allocation(current)
    warm = greedy.chosen if greedy.status.has_solution else None
    milp = solve(current, backend, time_limit=remaining, mip_rel_gap=mip_rel_gap, warm_start=warm)
    best_bound = max(bounds) if exact and bounds else -math.inf
    scope: Literal["all_columns", "generated_columns"] = (
        "all_columns" if exact else "generated_columns"
    )
    status = milp.status
    message = f"{milp.message}; {iterations} column-generation iterations"
    if scope == "all_columns":
        lower_bound = best_bound
    else:
        lower_bound = milp.lower_bound
        if status is SolveStatus.OPTIMAL:
            status = SolveStatus.FEASIBLE
            message += "; optimal over the generated columns only (pricer not exact)"
    if status.has_solution:
        solution = finalize_solution(
            current,
            status=status,
            chosen=milp.chosen,
            facility_open=milp.facility_open,
            lower_bound=lower_bound,
            backend=f"column-generation/{backend}",
            runtime_seconds=time.perf_counter() - started,
            message=message,
            mip_rel_gap=mip_rel_gap if scope == "all_columns" else math.inf,
        )
    else:
        solution = finalize_solution(
            current,
            status=status,
            chosen=None,
            facility_open=None,
            lower_bound=lower_bound if scope == "all_columns" else milp.lower_bound,
            backend=f"column-generation/{backend}",
            runtime_seconds=time.perf_counter() - started,
            message=message,
            mip_rel_gap=mip_rel_gap,
        )
    return ColumnGenerationResult(
        solution=solution,
        problem=current,
        iterations=iterations,
        n_columns=current.n_options,
        lp_values=tuple(lp_values),
        lagrangian_bounds=tuple(bounds),
        bound_scope=scope,
        converged=converged,
    )
