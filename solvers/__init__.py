"""Multiple-choice MILP solvers: pick one option per group so that linear rows hold.

The package knows nothing of parts or sites. It offers an exact MILP (:func:`solve`, by
backend name), Sherbrooke's (1968) marginal-analysis greedy (:func:`greedy_allocation`),
Dantzig–Wolfe column generation with a Lagrangian lower bound behind a small pricing
protocol (:func:`column_generation`, :class:`ColumnSource`, as in van Houtum & Kranenburg
2015), the time budget of a run (:class:`TimeBudget`) and an independent solution check.

The names below are imported on first use (PEP 562 module ``__getattr__``): the
engine pulls numba (the greedy's kernels) and scipy, which a program that only names a
backend or catches a solver error (the command line's start) does not need.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from solvers.errors import (
    BackendUnavailableError,
    InfeasibleProblemError,
    InvalidProblemError,
    SolutionCheckError,
    SolverError,
)
from solvers.registry import DEFAULT_BACKEND, available_backends, supports_node_limit
from solvers.status import SolveStatus

if TYPE_CHECKING:
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
    from solvers.greedy import greedy_allocation
    from solvers.integer_phase import IntegerSettings
    from solvers.lagrangian import lagrangian_bound
    from solvers.master_lp import MasterLP, solve_master_lp
    from solvers.problem import ChoiceProblem
    from solvers.solution import Solution
    from solvers.solving import finalize_solution, solve

#: Public name -> module, imported on first access.
_LAZY: dict[str, str] = {
    "ChoiceProblem": "solvers.problem",
    "ColumnGenerationResult": "solvers.column_generation",
    "ColumnGenerationSettings": "solvers.column_generation",
    "ColumnPool": "solvers.column_pool",
    "ColumnSource": "solvers.column_source",
    "Evaluation": "solvers.column_source",
    "FINAL_MILP_MARGIN": "solvers.budget",
    "IntegerSettings": "solvers.integer_phase",
    "Margin": "solvers.budget",
    "MasterLP": "solvers.master_lp",
    "MilpLimit": "solvers.budget",
    "Priced": "solvers.column_source",
    "Solution": "solvers.solution",
    "StageClock": "solvers.budget",
    "TimeBudget": "solvers.budget",
    "check_solution": "solvers.check",
    "column_generation": "solvers.column_generation",
    "finalize_solution": "solvers.solving",
    "greedy_allocation": "solvers.greedy",
    "lagrangian_bound": "solvers.lagrangian",
    "row_activity": "solvers.check",
    "row_reach": "solvers.diagnostics",
    "solution_cost": "solvers.check",
    "solve": "solvers.solving",
    "solve_master_lp": "solvers.master_lp",
    "unreachable_rows": "solvers.diagnostics",
}

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



def __getattr__(name: str) -> Any:
    """Import a public name of :data:`__all__` on first access (then kept as a global)."""
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'solvers' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's globals and every public name, imported or not yet."""
    return sorted(set(globals()) | set(__all__))


class _Package(ModuleType):
    """The package module, keeping a function over its submodule of the same name.

    ``solvers.column_generation`` is a function and a submodule. Imported eagerly, the
    package bound the function after the submodule; imported lazily, the import system
    binds the submodule whenever someone imports it (``from solvers.column_generation
    import ...``), which would hide the function. Here such a binding is turned back
    into the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and _LAZY.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
