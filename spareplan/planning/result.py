"""What an optimizer returns (the chosen columns and the solver's account of them)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

import solvers
from spareplan.planning.model import Column


@dataclass(frozen=True)
class Optimization:
    """What the optimizer returns: chosen columns and the solver's account of them.

    ``stage_seconds`` times the stages of the column-generation path (warm start,
    pricing, master LP, neighbour columns, LP rounding, MILP); ``history`` holds one
    ``(seconds, master LP value, best bound)`` triple per column-generation iteration.
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
    history: tuple[tuple[float, float, float], ...] = ()
    row_duals: np.ndarray | None = None
    lp_gap: float = math.inf


#: Largest relative gap between the last master LP and the Lagrangian bound at which the
#: master's duals stand as the shadow prices of a plan (:func:`master_shadow_prices`).
MASTER_DUALS_GAP = 0.01


def master_shadow_prices(optimization: Optimization, row_names: tuple[str, ...]
                         ) -> dict[str, float] | None:
    """The SLA rows' shadow prices from the optimizer's own last master LP, by row name.

    ``row_names`` are the model's SLA rows (the first problem rows). The duals stand as
    the shadow prices when column generation converged or its last master LP is within
    :data:`MASTER_DUALS_GAP` of the Lagrangian bound (so that they are, to that gap, the
    duals of the LP relaxation over every stock vector); ``None`` otherwise (the
    enumeration path, an artificial column in use, a master far from the bound, e.g. a
    short time limit): the explanations then price the plan's neighbourhood
    (:func:`spareplan.reports.explain.explain_plan`).
    """
    duals = optimization.row_duals
    if duals is None or not optimization.lp_gap <= MASTER_DUALS_GAP:
        return None
    return {name: float(duals[k]) for k, name in enumerate(row_names)}


def make_result(columns: list[Column], problem: solvers.ChoiceProblem,
                solution: solvers.Solution, method: str, scope: str, iterations: int,
                started: float, stage_seconds: dict[str, float] | None = None,
                history: tuple[tuple[float, float, float], ...] = (),
                row_duals: np.ndarray | None = None, lp_gap: float = math.inf
                ) -> Optimization:
    """Assemble an :class:`Optimization` (the chosen columns read from ``solution``)."""
    if problem.n_options != len(columns):
        raise AssertionError("column pool and solver problem disagree")
    chosen = ([columns[int(i)] for i in solution.chosen]
              if solution.status.has_solution else [])
    return Optimization(columns=columns, problem=problem, chosen=chosen, solution=solution,
                        method=method, bound_scope=scope, n_columns=len(columns),
                        iterations=iterations, stage_seconds=dict(stage_seconds or {}),
                        runtime_seconds=time.perf_counter() - started, history=history,
                        row_duals=row_duals, lp_gap=lp_gap)


def relative_gap(objective: float, bound: float) -> float:
    """(objective - bound) / |objective|; inf without a finite bound."""
    if not math.isfinite(bound) or not math.isfinite(objective):
        return math.inf
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)
