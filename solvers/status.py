"""Solve status shared by every backend and heuristic."""

from __future__ import annotations

from enum import Enum

__all__ = ["SolveStatus"]


class SolveStatus(Enum):
    """Outcome of a solve.

    Attributes
    ----------
    OPTIMAL
        A solution whose relative gap to the proven lower bound is at most ``mip_rel_gap``.
    FEASIBLE
        A checked solution whose optimality is not proven (time limit, heuristic).
    INFEASIBLE
        Proven: no choice of one option per group satisfies every row.
    NO_SOLUTION_FOUND
        The solver stopped (time limit) or the heuristic got stuck without any solution.
    ERROR
        The solver failed, or its answer did not pass :func:`~solvers.check_solution`.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION_FOUND = "no_solution_found"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """True for OPTIMAL and FEASIBLE: ``chosen`` holds a checked solution."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
