"""spareplan: how many units of each spare part to stock at each location so that every
SLA is met at the lowest total cost.

The notebook API::

    import spareplan
    scenario = spareplan.load_scenario("scenarios/demo")
    result = spareplan.plan(scenario, seed=0)
    result.recommendations      # pandas DataFrame
    result.service              # one row per SLA row: target, planned, simulated, CI

The names below are imported on first use (PEP 562 module ``__getattr__``), so that
``import spareplan`` and the command line's start do not pay for numba, the solvers and
the simulation before a command needs them (``spareplan validate`` needs none of them;
see ``benchmarks/import_time.py``). ``spareplan.plan``, ``from spareplan import plan``,
``__all__`` and ``dir(spareplan)`` behave as with eager imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# First: numba's cache goes to a user cache folder, never into the installed package
# (spareplan/_numba.py). This chooses the folder without importing numba, so that every
# kernel, whenever its module is imported later, is compiled into that folder.
from spareplan import _numba  # noqa: F401
from spareplan.errors import (
    InfeasibleError,
    InputError,
    ParameterError,
    PlanningError,
    ScenarioError,
    SolverFailure,
    SpareplanError,
)
from spareplan.versions import __version__

if TYPE_CHECKING:
    from spareplan.network import compile_network
    from spareplan.planning.plan import PlanResult, plan
    from spareplan.planning.sweep import SweepResult, sweep
    from spareplan.reports.compare import PlanComparison, compare_plans
    from spareplan.scenario.load import load_scenario
    from spareplan.scenario.model import Scenario
    from spareplan.simulation.verify import SimulationResult
    from spareplan.simulation.verify import simulate_plan as simulate
    from spareplan.warning import WarningResult, warn

#: Public name -> (module, attribute), imported on first access.
_LAZY: dict[str, tuple[str, str]] = {
    "PlanComparison": ("spareplan.reports.compare", "PlanComparison"),
    "PlanResult": ("spareplan.planning.plan", "PlanResult"),
    "SweepResult": ("spareplan.planning.sweep", "SweepResult"),
    "compare_plans": ("spareplan.reports.compare", "compare_plans"),
    "sweep": ("spareplan.planning.sweep", "sweep"),
    "Scenario": ("spareplan.scenario.model", "Scenario"),
    "SimulationResult": ("spareplan.simulation.verify", "SimulationResult"),
    "WarningResult": ("spareplan.warning", "WarningResult"),
    "compile_network": ("spareplan.network", "compile_network"),
    "load_scenario": ("spareplan.scenario.load", "load_scenario"),
    "plan": ("spareplan.planning.plan", "plan"),
    "simulate": ("spareplan.simulation.verify", "simulate_plan"),
    "warn": ("spareplan.warning", "warn"),
}

__all__ = [
    "InfeasibleError",
    "InputError",
    "ParameterError",
    "PlanComparison",
    "PlanResult",
    "PlanningError",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "SolverFailure",
    "SpareplanError",
    "SweepResult",
    "WarningResult",
    "__version__",
    "compare_plans",
    "compile_network",
    "load_scenario",
    "plan",
    "simulate",
    "sweep",
    "warn",
]


def __getattr__(name: str) -> Any:
    """Import a public name of :data:`__all__` on first access (then kept as a global)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'spareplan' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's globals and every public name, imported or not yet."""
    return sorted(set(globals()) | set(__all__))
