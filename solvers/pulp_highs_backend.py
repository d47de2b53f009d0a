"""Backend ``"pulp-highs"``: the PuLP reference formulation solved by HiGHS in-process.

Uses PuLP's ``pulp.HiGHS`` API (highspy); the command-line ``HiGHS_CMD`` is deliberately not
used. The warm start is passed with ``Highs.setSolution`` and the proven bound is read from
``mip_dual_bound`` of the highspy model PuLP keeps in ``prob.solverModel``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from solvers.backend_result import BackendResult
from solvers.problem import ChoiceProblem
from solvers.pulp_model import build_pulp_model, read_pulp_status, read_pulp_values
from solvers.status import SolveStatus

__all__ = ["NAME", "available", "solve"]

NAME = "pulp-highs"
#: Whether ``solve`` takes ``node_limit`` (a deterministic work limit).
SUPPORTS_NODE_LIMIT = False


def available() -> bool:
    """True when PuLP exposes the in-process ``pulp.HiGHS`` API and highspy is installed."""
    try:
        import pulp
    except ImportError:
        return False
    solver_class = getattr(pulp, "HiGHS", None)
    if solver_class is None:
        return False
    try:
        return bool(solver_class(msg=False).available())
    except Exception:  # a broken optional install must not break available_backends()
        return False


def _solver(
    *,
    time_limit: float | None,
    mip_rel_gap: float,
    threads: int | None,
    verbose: bool,
    start: npt.NDArray[np.float64] | None,
) -> Any:
    """A ``pulp.HiGHS`` that hands ``start`` (by column index) to HiGHS before running."""
    import pulp

    class _HiGHSWithStart(pulp.HiGHS):  # type: ignore[misc, name-defined]
        def callSolver(self, lp: Any) -> None:
            # PuLP numbers the highspy columns in lp.variables() order, like ``start``.
            if start is not None:
                lp.solverModel.setSolution(
                    start.shape[0], np.arange(start.shape[0], dtype=np.int32), start
                )
            super().callSolver(lp)

    return _HiGHSWithStart(msg=verbose, gapRel=mip_rel_gap, timeLimit=time_limit, threads=threads)


def solve(
    problem: ChoiceProblem,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    warm_start: npt.ArrayLike | None = None,
    threads: int | None = None,
    verbose: bool = False,
) -> BackendResult:
    """Build the PuLP model, solve it with ``pulp.HiGHS`` and read status and bound."""
    model = build_pulp_model(problem)
    start = None
    if warm_start is not None:
        # PuLP orders lp.variables() by name; map each variable to its warm-start value.
        picks = np.asarray(warm_start, dtype=np.int64)
        x_start = np.zeros(problem.n_options)
        x_start[picks] = 1.0
        y_start = np.zeros(problem.n_facilities)
        if problem.option_facilities is not None:
            y_start = (np.asarray(problem.option_facilities @ x_start) > 0.0).astype(float)
        by_name = {v.name: x_start[o] for o, v in enumerate(model.x)}
        by_name.update({v.name: y_start[f] for f, v in enumerate(model.y)})
        start = np.array([by_name[v.name] for v in model.prob.variables()])
    solver = _solver(
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        threads=threads,
        verbose=verbose,
        start=start,
    )
    model.prob.solve(solver)
    status = read_pulp_status(model.prob, time_limited=time_limit is not None)
    bound = -math.inf
    highs = getattr(model.prob, "solverModel", None)
    if highs is not None:
        value = float(highs.getInfo().mip_dual_bound)
        bound = value if math.isfinite(value) else -math.inf
    message = f"PuLP+HiGHS: status {model.prob.status}, sol_status {model.prob.sol_status}"
    if status is SolveStatus.INFEASIBLE:
        return BackendResult(status, None, None, math.inf, message)
    if not status.has_solution:
        return BackendResult(status, None, None, bound, message)
    chosen, facility_open = read_pulp_values(problem, model)
    return BackendResult(status, chosen, facility_open, bound, message)
