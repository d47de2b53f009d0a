"""Multiple-choice MILP solvers: pick one option per group so that linear rows hold.

The package knows nothing of parts or sites. It offers an exact MILP (:func:`solve`, by
backend name), Sherbrooke's (1968) marginal-analysis greedy (:func:`greedy_allocation`),
Dantzig–Wolfe column generation with a Lagrangian lower bound (:func:`column_generation`,
as in van Houtum & Kranenburg 2015), and an independent solution check.
"""

from solvers.check import check_solution, row_activity, solution_cost
from solvers.column_generation import (
    ColumnGenerationResult,
    MasterLP,
    PricingResult,
    column_generation,
    solve_master_lp,
)
from solvers.diagnostics import row_reach, unreachable_rows
from solvers.errors import (
    BackendUnavailableError,
    InfeasibleProblemError,
    InvalidProblemError,
    SolutionCheckError,
    SolverError,
)
from solvers.greedy import greedy_allocation
from solvers.lagrangian import lagrangian_bound
from solvers.problem import ChoiceProblem
from solvers.registry import DEFAULT_BACKEND, available_backends
from solvers.solution import Solution
from solvers.solving import solve
from solvers.status import SolveStatus

__all__ = [
    "DEFAULT_BACKEND",
    "BackendUnavailableError",
    "ChoiceProblem",
    "ColumnGenerationResult",
    "InfeasibleProblemError",
    "InvalidProblemError",
    "MasterLP",
    "PricingResult",
    "Solution",
    "SolutionCheckError",
    "SolveStatus",
    "SolverError",
    "available_backends",
    "check_solution",
    "column_generation",
    "greedy_allocation",
    "lagrangian_bound",
    "row_activity",
    "row_reach",
    "solution_cost",
    "solve",
    "solve_master_lp",
    "unreachable_rows",
]
