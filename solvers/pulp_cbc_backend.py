"""Backend ``"pulp-cbc"``: the PuLP reference formulation solved by PuLP's bundled CBC.

PuLP 3.x ships a CBC binary (``PULP_CBC_CMD``); PuLP 4 does not, and then this backend is
simply unavailable. CBC's proven bound is read from its log (``Lower bound:`` /
``Objective value:`` lines of the result summary).
"""

from __future__ import annotations

import math
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy.typing as npt

from solvers.backend_result import BackendResult
from solvers.problem import ChoiceProblem
from solvers.pulp_model import (
    build_pulp_model,
    read_pulp_status,
    read_pulp_values,
    set_initial_values,
)
from solvers.status import SolveStatus

__all__ = ["NAME", "available", "solve"]

NAME = "pulp-cbc"
#: Whether ``solve`` takes ``node_limit`` (a deterministic work limit).
SUPPORTS_NODE_LIMIT = False

_BOUND_PATTERN = re.compile(r"^\s*(Lower bound|Best possible):\s*(-?[0-9.eE+\-]+)", re.M)


def _cbc(**options: Any) -> Any:
    """``pulp.PULP_CBC_CMD`` with PuLP 3's deprecation notice about PuLP 4 silenced."""
    import pulp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)


def available() -> bool:
    """True when PuLP provides ``PULP_CBC_CMD`` with its bundled CBC binary."""
    try:
        import pulp
    except ImportError:
        return False
    if not hasattr(pulp, "PULP_CBC_CMD"):
        return False
    try:
        return bool(_cbc(msg=False).available())
    except Exception:  # a broken optional install must not break available_backends()
        return False


def _read_bound(log: str) -> float | None:
    """CBC's proven lower bound from its result summary, if printed.

    CBC prints few decimals; one unit of the last printed decimal is subtracted so that
    rounding never makes the bound exceed the true one.
    """
    match = _BOUND_PATTERN.search(log)
    if match is None:
        return None
    text = match.group(2)
    mantissa = text.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    return float(text) - 10.0 ** (exponent - decimals)


def solve(
    problem: ChoiceProblem,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    warm_start: npt.ArrayLike | None = None,
    threads: int | None = None,
    verbose: bool = False,
) -> BackendResult:
    """Build the PuLP model, solve it with CBC and read status and bound.

    When CBC reports optimality but prints no bound, the bound is taken as
    ``objective - mip_rel_gap * |objective|``, which CBC's stopping rule guarantees.
    """
    model = build_pulp_model(problem)
    if warm_start is not None:
        set_initial_values(problem, model, warm_start)
    with tempfile.TemporaryDirectory(prefix="solvers_cbc_") as folder:
        log_path = Path(folder) / "cbc.log"
        solver = _cbc(
            msg=verbose,
            timeLimit=time_limit,
            gapRel=mip_rel_gap,
            threads=threads,
            warmStart=warm_start is not None,
            logPath=str(log_path),
        )
        model.prob.solve(solver)
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    status = read_pulp_status(model.prob, time_limited=time_limit is not None)
    message = f"PuLP+CBC: status {model.prob.status}, sol_status {model.prob.sol_status}"
    if status is SolveStatus.INFEASIBLE:
        return BackendResult(status, None, None, math.inf, message)
    if not status.has_solution:
        return BackendResult(status, None, None, -math.inf, message)
    chosen, facility_open = read_pulp_values(problem, model)
    bound = _read_bound(log)
    if bound is None:
        if status is SolveStatus.OPTIMAL:
            objective = float(model.prob.objective.value())
            bound = objective - mip_rel_gap * abs(objective)
        else:
            bound = -math.inf
    return BackendResult(status, chosen, facility_open, bound, message)
