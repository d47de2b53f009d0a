"""Entry point :func:`solve`: dispatch to a backend, then check and report the solution."""

from __future__ import annotations

import math
import time

import numpy as np
import numpy.typing as npt

from solvers.check import check_solution, row_activity, solution_cost
from solvers.diagnostics import unreachable_rows
from solvers.errors import InvalidProblemError
from solvers.problem import ChoiceProblem
from solvers.registry import DEFAULT_BACKEND, get_backend
from solvers.solution import Solution, relative_gap
from solvers.status import SolveStatus

__all__ = ["finalize_solution", "solve", "validate_choice"]


def validate_choice(problem: ChoiceProblem, name: str, value: npt.ArrayLike) -> np.ndarray:
    """Check that ``value`` is one valid option index per group; return it as int64."""
    picks = np.asarray(value)
    if picks.shape != (problem.n_groups,) or picks.dtype.kind not in "iu":
        raise InvalidProblemError(
            f"{name} must be an integer array of shape ({problem.n_groups},); received "
            f"dtype {picks.dtype} and shape {picks.shape}"
        )
    picks = picks.astype(np.int64)
    bad = (picks < 0) | (picks >= problem.n_options)
    bad[~bad] = problem.group_of_option[picks[~bad]] != np.flatnonzero(~bad)
    if bad.any():
        group = int(np.flatnonzero(bad)[0])
        raise InvalidProblemError(
            f"{name} must give an option of group g at position g; received option "
            f"{picks[group]} for group {group}"
        )
    return picks


def finalize_solution(
    problem: ChoiceProblem,
    *,
    status: SolveStatus,
    chosen: npt.NDArray[np.int64] | None,
    facility_open: npt.NDArray[np.bool_] | None,
    lower_bound: float,
    backend: str,
    runtime_seconds: float,
    message: str,
    mip_rel_gap: float,
    tol: float = 1e-6,
) -> Solution:
    """Check a candidate solution and build the :class:`Solution` that reports it.

    A solution that breaks a rule is reported with status ERROR and the violations in the
    message, never as OPTIMAL or FEASIBLE. OPTIMAL is kept only when the relative gap to the
    bound is at most ``mip_rel_gap``.
    """
    n_groups = int(problem.n_groups or 0)
    if chosen is None or not status.has_solution:
        if status is SolveStatus.INFEASIBLE:
            reasons = unreachable_rows(problem)
            if reasons:
                message = f"{message}; " + "; ".join(reasons)
        return Solution(
            status=status,
            chosen=np.full(n_groups, -1, dtype=np.int64),
            facility_open=None,
            objective=math.nan,
            lower_bound=lower_bound,
            gap=math.nan,
            backend=backend,
            runtime_seconds=runtime_seconds,
            row_activity=np.full(problem.n_rows, np.nan),
            message=message,
        )
    violations = check_solution(problem, chosen, facility_open, tol)
    objective = solution_cost(problem, chosen, facility_open)
    activity = row_activity(problem, chosen)
    if violations:
        shown = "; ".join(violations[:10])
        more = f" (+{len(violations) - 10} more)" if len(violations) > 10 else ""
        return Solution(
            status=SolveStatus.ERROR,
            chosen=chosen,
            facility_open=facility_open,
            objective=objective,
            lower_bound=lower_bound,
            gap=relative_gap(objective, lower_bound),
            backend=backend,
            runtime_seconds=runtime_seconds,
            row_activity=activity,
            message=f"{message}; solution failed the check: {shown}{more}",
        )
    # The optimum is at most the cost of this checked solution, so min() keeps a valid bound
    # when the solver's bound exceeds it by its tolerances.
    bound = min(lower_bound, objective)
    gap = relative_gap(objective, bound)
    if status is SolveStatus.OPTIMAL and not gap <= mip_rel_gap * (1.0 + 1e-6) + 1e-12:
        status = SolveStatus.FEASIBLE
        message = f"{message}; gap {gap:.3g} above mip_rel_gap {mip_rel_gap:g}"
    return Solution(
        status=status,
        chosen=chosen,
        facility_open=facility_open,
        objective=objective,
        lower_bound=bound,
        gap=gap,
        backend=backend,
        runtime_seconds=runtime_seconds,
        row_activity=activity,
        message=message,
    )


def solve(
    problem: ChoiceProblem,
    backend: str = DEFAULT_BACKEND,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    warm_start: npt.ArrayLike | None = None,
    threads: int | None = None,
    verbose: bool = False,
    node_limit: int | None = None,
) -> Solution:
    """Solve the multiple-choice MILP of ``problem`` with the backend named ``backend``.

    Parameters
    ----------
    problem : ChoiceProblem
        The problem (rows are scaled internally, then re-checked unscaled).
    backend : {"highs", "pulp-highs", "pulp-cbc"}
        Solver backend; see :func:`solvers.available_backends`. Default ``"highs"`` (the
        direct highspy model; fastest in the benchmark).
    time_limit : float, optional
        Wall-clock limit in seconds passed to the solver.
    mip_rel_gap : float
        Relative gap at which the solver may stop and report OPTIMAL.
    warm_start : array of int, shape (n_groups,), optional
        Option per group to start from, e.g. ``greedy_allocation(problem).chosen``.
    threads : int, optional
        Solver threads.
    verbose : bool
        Show the solver log.
    node_limit : int, optional
        Most branch-and-bound nodes (``"highs"`` only). Unlike a time limit it is a
        deterministic work limit: the same problem gives the same answer on any machine.

    Returns
    -------
    Solution
        Checked solution with proven lower bound and gap; status ERROR if the solver's
        answer failed :func:`solvers.check_solution`.

    Raises
    ------
    BackendUnavailableError
        Unknown backend name or solver not installed.
    InvalidProblemError
        Invalid ``warm_start``, ``time_limit`` or ``mip_rel_gap``.
    """
    module = get_backend(backend)
    if time_limit is not None and not (time_limit > 0 and math.isfinite(time_limit)):
        raise InvalidProblemError(f"time_limit must be a positive number; received {time_limit!r}")
    if not (0.0 <= mip_rel_gap < 1.0):
        raise InvalidProblemError(f"mip_rel_gap must be in [0, 1); received {mip_rel_gap!r}")
    if node_limit is not None and (not getattr(module, "SUPPORTS_NODE_LIMIT", False)
                                   or node_limit < 0):
        raise InvalidProblemError(
            f"node_limit must be a count >= 0 for a backend that supports it (highs); "
            f"received {node_limit!r} with backend {backend!r}")
    start = None if warm_start is None else validate_choice(problem, "warm_start", warm_start)
    started = time.perf_counter()
    extra = {} if node_limit is None else {"node_limit": node_limit}
    raw = module.solve(
        problem,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        warm_start=start,
        threads=threads,
        verbose=verbose,
        **extra,
    )
    return finalize_solution(
        problem,
        status=raw.status,
        chosen=raw.chosen,
        facility_open=raw.facility_open,
        lower_bound=raw.lower_bound,
        backend=backend,
        runtime_seconds=time.perf_counter() - started,
        message=raw.message,
        mip_rel_gap=mip_rel_gap,
    )
