"""What an optimizer returns (the chosen columns and the solver's account of them)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

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


def make_result(columns: list[Column], problem: solvers.ChoiceProblem,
                solution: solvers.Solution, method: str, scope: str, iterations: int,
                started: float, stage_seconds: dict[str, float] | None = None,
                history: tuple[tuple[float, float, float], ...] = ()) -> Optimization:
    """Assemble an :class:`Optimization` (the chosen columns read from ``solution``)."""
    if problem.n_options != len(columns):
        raise AssertionError("column pool and solver problem disagree")
    chosen = ([columns[int(i)] for i in solution.chosen]
              if solution.status.has_solution else [])
    return Optimization(columns=columns, problem=problem, chosen=chosen, solution=solution,
                        method=method, bound_scope=scope, n_columns=len(columns),
                        iterations=iterations, stage_seconds=dict(stage_seconds or {}),
                        runtime_seconds=time.perf_counter() - started, history=history)


def relative_gap(objective: float, bound: float) -> float:
    """(objective - bound) / |objective|; inf without a finite bound."""
    if not math.isfinite(bound) or not math.isfinite(objective):
        return math.inf
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)
