"""Multiple-choice MILP solvers: pick one option per group so that linear rows hold.

The package knows nothing of parts or sites. It offers an exact MILP (:func:`solve`, by
backend name), Sherbrooke's (1968) marginal-analysis greedy (:func:`greedy_allocation`),
Dantzig–Wolfe column generation with a Lagrangian lower bound behind a small pricing
protocol (:func:`column_generation`, :class:`ColumnSource`, as in van Houtum & Kranenburg
2015), the time budget of a run (:class:`TimeBudget`) and an independent solution check.
"""

from solvers.budget import FINAL_MILP_MARGIN, Margin, MilpLimit, StageClock, TimeBudget
from solvers.check import check_solution, row_activity, solution_cost
from solvers.column_generation import (
    ColumnGenerationResult,
    ColumnGenerationSettings,
    column_generation,
)
from solvers.column_pool import ColumnPool
from solvers.column_source import ColumnSource, Evaluation, Priced
from solvers.diagnostics import row_reach, unreachable_rows
from solvers.errors import (
    BackendUnavailableError,
    InfeasibleProblemError,
    InvalidProblemError,
    SolutionCheckError,
    SolverError,
)
from solvers.greedy import greedy_allocation
from solvers.integer_phase import IntegerSettings
from solvers.lagrangian import lagrangian_bound
from solvers.master_lp import MasterLP, solve_master_lp
from solvers.problem import ChoiceProblem
from solvers.registry import DEFAULT_BACKEND, available_backends, supports_node_limit
from solvers.solution import Solution
from solvers.solving import finalize_solution, solve
from solvers.status import SolveStatus

__all__ = [
    "DEFAULT_BACKEND",
    "FINAL_MILP_MARGIN",
    "BackendUnavailableError",
    "ChoiceProblem",
    "ColumnGenerationResult",
    "ColumnGenerationSettings",
    "ColumnPool",
    "ColumnSource",
    "Evaluation",
    "InfeasibleProblemError",
    "IntegerSettings",
    "InvalidProblemError",
    "Margin",
    "MasterLP",
    "MilpLimit",
    "Priced",
    "Solution",
    "SolutionCheckError",
    "SolveStatus",
    "SolverError",
    "StageClock",
    "TimeBudget",
    "available_backends",
    "check_solution",
    "column_generation",
    "finalize_solution",
    "greedy_allocation",
    "lagrangian_bound",
    "row_activity",
    "row_reach",
    "solution_cost",
    "solve",
    "solve_master_lp",
    "supports_node_limit",
    "unreachable_rows",
]
