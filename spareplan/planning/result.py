"""What an optimizer returns, and the clocks and work limits its stages share."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import solvers
from spareplan.planning.model import Column

#: Seconds the LP-rounding MILP may run (per release round).
ROUNDING_SECONDS = 5.0
#: Seconds the final MILP may run when no time limit is given.
DEFAULT_MILP_SECONDS = 20.0
#: Without a time limit the HiGHS MILPs stop on these node counts instead of the seconds
#: above: a node limit is a deterministic work limit, so the same scenario and seed give
#: the same plan on any machine (a time limit is honoured when the caller sets one).
ROUNDING_NODES = 500
DEFAULT_MILP_NODES = 1000


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


def remaining(deadline: float | None) -> float | None:
    """Seconds to ``deadline`` (a ``time.perf_counter`` value); None without one."""
    return None if deadline is None else deadline - time.perf_counter()


def work_limit(backend: str, seconds_left: float | None, seconds: float, nodes: int
               ) -> dict[str, float | int | None]:
    """Keyword arguments limiting one MILP: nodes (deterministic) when no deadline is set
    and the backend supports it, else seconds (at most what is left)."""
    if seconds_left is None and backend == "highs":
        return {"time_limit": None, "node_limit": nodes}
    return {"time_limit": seconds if seconds_left is None else min(seconds, seconds_left)}


class StageClock:
    """Accumulated wall-clock seconds per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Charge the time since the last lap to ``stage``."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now
