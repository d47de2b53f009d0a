"""spareplan: how many units of each spare part to stock at each location so that every
SLA is met at the lowest total cost.

The notebook API::

    import spareplan
    scenario = spareplan.load_scenario("scenarios/demo")
    result = spareplan.plan(scenario, seed=0)
    result.recommendations      # pandas DataFrame
    result.service              # one row per SLA row: target, planned, simulated, CI
"""

# First: numba's cache goes to a user cache folder, never into the installed package
# (spareplan/_numba.py), before any kernel below is defined.
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
from spareplan.network import compile_network
from spareplan.planning.plan import PlanResult, plan
from spareplan.scenario.load import load_scenario
from spareplan.scenario.model import Scenario
from spareplan.simulation.verify import SimulationResult
from spareplan.simulation.verify import simulate_plan as simulate
from spareplan.versions import __version__
from spareplan.warning import WarningResult, warn

__all__ = [
    "InfeasibleError",
    "InputError",
    "ParameterError",
    "PlanResult",
    "PlanningError",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "SolverFailure",
    "SpareplanError",
    "WarningResult",
    "__version__",
    "compile_network",
    "load_scenario",
    "plan",
    "simulate",
    "warn",
]
