"""Backend ``"highs"``: the MILP passed to HiGHS in one call from NumPy arrays.

The model of :mod:`solvers.formulation` is handed over column-wise (CSC) through
``Highs.passModel``; nothing loops over elements in Python, so 50,000 groups with ten
options each build in well under a second.
"""

from __future__ import annotations

import math
import os
import sys
from importlib.util import find_spec
from typing import Any

import numpy as np
import numpy.typing as npt

from solvers.backend_result import BackendResult
from solvers.formulation import MatrixForm, build_matrix_form, choice_from_values, start_values
from solvers.problem import ChoiceProblem
from solvers.status import SolveStatus

__all__ = ["NAME", "available", "make_highs", "pass_form", "solve"]

NAME = "highs"
#: Whether ``solve`` takes ``node_limit`` (a deterministic work limit).
SUPPORTS_NODE_LIMIT = True


def available() -> bool:
    """True when the ``highspy`` package can be imported."""
    return find_spec("highspy") is not None



_BANNER_SHOWN = False


def _new_highs() -> Any:
    """A new ``highspy.Highs``. The first one of a process prints HiGHS' banner on the C
    standard output before any option can be set; it is sent to the null device, so that
    a command's standard output holds only what the command writes."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        return highspy.Highs()
    _BANNER_SHOWN = True
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)

def make_highs(
    *,
    time_limit: float | None,
    mip_rel_gap: float,
    threads: int | None,
    verbose: bool,
    node_limit: int | None = None,
) -> Any:
    """A ``highspy.Highs`` instance with the options shared by the MILP and LP solves."""
    highs = _new_highs()
    highs.setOptionValue("output_flag", bool(verbose))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        highs.setOptionValue("threads", int(threads))
    if node_limit is not None:
        highs.setOptionValue("mip_max_nodes", int(node_limit))
    return highs


def pass_form(highs: Any, form: MatrixForm, *, integer: bool) -> None:
    """Pass ``form`` to ``highs`` in one ``passModel`` call (binaries when ``integer``)."""
    import highspy

    matrix = form.matrix
    integrality = np.full(form.n_cols, 1 if integer else 0, dtype=np.int32)
    status = highs.passModel(
        form.n_cols,
        form.matrix.shape[0],
        int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise.value),
        int(highspy.ObjSense.kMinimize.value),
        0.0,
        form.col_cost,
        form.col_lower,
        form.col_upper,
        form.row_lower,
        form.row_upper,
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS passModel rejected the model")


def solve(
    problem: ChoiceProblem,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    warm_start: npt.ArrayLike | None = None,
    threads: int | None = None,
    verbose: bool = False,
    node_limit: int | None = None,
) -> BackendResult:
    """Solve ``problem`` with HiGHS' branch-and-cut and read status, values and dual bound.

    The status is read from both the model status and the primal solution status: a
    time-limited run reports FEASIBLE when it holds a solution, NO_SOLUTION_FOUND when not.
    """
    import highspy

    form = build_matrix_form(problem)
    highs = make_highs(
        time_limit=time_limit, mip_rel_gap=mip_rel_gap, threads=threads, verbose=verbose,
        node_limit=node_limit,
    )
    pass_form(highs, form, integer=True)
    if warm_start is not None:
        values = start_values(problem, form, warm_start)
        highs.setSolution(
            form.n_cols, np.arange(form.n_cols, dtype=np.int32), values.astype(np.float64)
        )
    highs.run()

    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = int(info.primal_solution_status) == int(
        highspy.SolutionStatus.kSolutionStatusFeasible.value
    )
    message = f"HiGHS: {highs.modelStatusToString(model_status)}"
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound) and bound != -math.inf:
        bound = -math.inf

    status_enum = highspy.HighsModelStatus
    if model_status == status_enum.kOptimal:
        status = SolveStatus.OPTIMAL
    elif model_status in (status_enum.kInfeasible, status_enum.kUnboundedOrInfeasible):
        return BackendResult(SolveStatus.INFEASIBLE, None, None, math.inf, message)
    elif has_solution:
        status = SolveStatus.FEASIBLE
    elif model_status in (
        status_enum.kTimeLimit,
        status_enum.kIterationLimit,
        status_enum.kInterrupt,
        status_enum.kSolutionLimit,
    ):
        return BackendResult(SolveStatus.NO_SOLUTION_FOUND, None, None, bound, message)
    else:
        return BackendResult(SolveStatus.ERROR, None, None, -math.inf, message)

    if not has_solution:
        return BackendResult(SolveStatus.ERROR, None, None, bound, message + " without values")
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    chosen = choice_from_values(problem.group_of_option, form.n_groups, values[: form.n_options])
    facility_open = None
    if problem.facility_cost is not None:
        facility_open = values[form.n_options :] > 0.5
    return BackendResult(status, chosen, facility_open, bound, message)
