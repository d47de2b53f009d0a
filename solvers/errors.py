"""Exception hierarchy of :mod:`solvers`.

Every error raised by the package derives from :class:`SolverError`, so a caller can catch
one base class. Messages name the parameter, the rule broken and the value received.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "InfeasibleProblemError",
    "InvalidProblemError",
    "SolutionCheckError",
    "SolverError",
]


class SolverError(Exception):
    """Base class of every error raised by :mod:`solvers`."""


class InvalidProblemError(SolverError, ValueError):
    """A :class:`~solvers.ChoiceProblem` argument breaks a rule (shape, finiteness, bounds)."""


class InfeasibleProblemError(SolverError):
    """The problem has no solution (raised only where a caller asks for it)."""


class BackendUnavailableError(SolverError):
    """The requested backend name is unknown or its solver is not installed."""


class SolutionCheckError(SolverError):
    """A solution violates a row, the one-option-per-group rule or facility linking."""
