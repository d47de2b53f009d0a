"""The readable reference formulation in PuLP, shared by the ``pulp-*`` backends.

Same model as :mod:`solvers.formulation` (scaled rows, aggregated facility linking), written
constraint by constraint so that it can be read and exported (``prob.writeLP``). Works with
PuLP 3.x (Python 3.11, bundled CBC) and PuLP 4: variables come from ``prob.add_variable``
where it exists, expressions are ``LpAffineExpression`` over ``(variable, coefficient)``
pairs — never Python ``sum()`` (quadratic), and never ``lpSum`` over pairs, which PuLP 3.3
reads as a sum of variables plus the coefficients as constants.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.formulation import choice_from_values
from solvers.problem import ChoiceProblem
from solvers.scaling import scale_rows
from solvers.status import SolveStatus

__all__ = ["PulpModel", "build_pulp_model", "read_pulp_status", "read_pulp_values"]


@dataclass(frozen=True, eq=False)
class PulpModel:
    """A PuLP problem with its option variables ``x`` and facility variables ``y``."""

    prob: Any
    x: list[Any]
    y: list[Any]


def _binary(pulp: Any, prob: Any, name: str) -> Any:
    """A binary variable registered with ``prob`` (PuLP 4 style when available)."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, lowBound=0, upBound=1, cat=pulp.LpBinary)
    return pulp.LpVariable(name, lowBound=0, upBound=1, cat=pulp.LpBinary)


def _expression(pulp: Any, variables: list[Any], indices: Any, coefficients: Any) -> Any:
    """:math:`\\sum_i a_i v_i` built in one pass (indices must be unique)."""
    return pulp.LpAffineExpression(
        [(variables[i], float(a)) for i, a in zip(indices, coefficients, strict=True)]
    )


def build_pulp_model(problem: ChoiceProblem) -> PulpModel:
    """Build the multiple-choice MILP of ``problem`` as a ``pulp.LpProblem``."""
    import pulp

    prob = pulp.LpProblem("multiple_choice", pulp.LpMinimize)
    x = [_binary(pulp, prob, f"x_{o}") for o in range(problem.n_options)]
    y = [_binary(pulp, prob, f"y_{f}") for f in range(problem.n_facilities)]

    pairs = [(x[o], float(c)) for o, c in enumerate(problem.cost)]
    if problem.facility_cost is not None:
        pairs += [(y[f], float(c)) for f, c in enumerate(problem.facility_cost)]
    prob.setObjective(pulp.LpAffineExpression(pairs))

    n_groups = int(problem.n_groups or 0)
    order = np.argsort(problem.group_of_option, kind="stable")
    starts = np.searchsorted(problem.group_of_option[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        members = order[starts[g] : starts[g + 1]]
        prob.addConstraint(
            _expression(pulp, x, members, np.ones(members.shape[0])) == 1, name=f"group_{g}"
        )

    scaled = scale_rows(problem)
    matrix = sp.csr_array(scaled.matrix)
    for r in range(problem.n_rows):
        span = slice(matrix.indptr[r], matrix.indptr[r + 1])
        activity = _expression(pulp, x, matrix.indices[span], matrix.data[span])
        lower, upper = float(scaled.lower[r]), float(scaled.upper[r])
        if lower == upper:
            prob.addConstraint(activity == lower, name=f"row_{r}_eq")
            continue
        if math.isfinite(lower):
            prob.addConstraint(activity >= lower, name=f"row_{r}_lo")
        if math.isfinite(upper):
            prob.addConstraint(
                _expression(pulp, x, matrix.indices[span], matrix.data[span]) <= upper,
                name=f"row_{r}_hi",
            )

    if problem.option_facilities is not None and problem.option_facilities.nnz > 0:
        links = sp.coo_array(problem.option_facilities)
        key = links.row.astype(np.int64) * n_groups + problem.group_of_option[links.col]
        order = np.argsort(key, kind="stable")
        key, options = key[order], links.col[order]
        bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
        for begin, end in itertools.pairwise(bounds):
            facility, group = divmod(int(key[begin]), n_groups)
            pairs = [(x[int(o)], 1.0) for o in options[begin:end]] + [(y[facility], -1.0)]
            prob.addConstraint(
                pulp.LpAffineExpression(pairs) <= 0, name=f"link_f{facility}_g{group}"
            )
    return PulpModel(prob=prob, x=x, y=y)


def read_pulp_status(prob: Any, *, time_limited: bool) -> SolveStatus:
    """Status from both ``prob.status`` and ``prob.sol_status``.

    A time-limited HiGHS solve can come back with status Optimal while ``sol_status`` says
    only "integer feasible"; the solution status decides.
    """
    from pulp import constants

    status = prob.status
    sol_status = getattr(prob, "sol_status", None)
    if status == constants.LpStatusInfeasible or sol_status == constants.LpSolutionInfeasible:
        return SolveStatus.INFEASIBLE
    if sol_status == constants.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE
    if status == constants.LpStatusOptimal and sol_status == constants.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if status == constants.LpStatusOptimal and sol_status is None:
        return SolveStatus.FEASIBLE if time_limited else SolveStatus.OPTIMAL
    if time_limited and status in (constants.LpStatusNotSolved, constants.LpStatusUndefined):
        return SolveStatus.NO_SOLUTION_FOUND
    return SolveStatus.ERROR


def read_pulp_values(
    problem: ChoiceProblem, model: PulpModel
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]:
    """Chosen option per group and open facilities from the variables' values."""
    x_values = np.array([v.varValue or 0.0 for v in model.x], dtype=np.float64)
    chosen = choice_from_values(problem.group_of_option, int(problem.n_groups or 0), x_values)
    facility_open = None
    if problem.facility_cost is not None:
        facility_open = np.array([(v.varValue or 0.0) > 0.5 for v in model.y], dtype=bool)
    return chosen, facility_open


def set_initial_values(problem: ChoiceProblem, model: PulpModel, warm_start: Any) -> None:
    """Give every variable its warm-start value (``setInitialValue``)."""
    picks = np.asarray(warm_start, dtype=np.int64)
    values = np.zeros(problem.n_options)
    values[picks[picks >= 0]] = 1.0
    for variable, value in zip(model.x, values, strict=True):
        variable.setInitialValue(float(value))
    if problem.option_facilities is not None:
        needed = np.asarray(problem.option_facilities @ values) > 0.0
        for variable, value in zip(model.y, needed, strict=True):
            variable.setInitialValue(float(value))
