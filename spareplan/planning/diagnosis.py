"""Why a plan cannot be made: SLA rows out of reach, capacity rows that bind, bad solutions.

Before optimizing, :func:`unreachable_rows` finds the SLA rows that no stock plan meets
(best value with the most stock searched for every part, and why). After a failed
optimization, :func:`checked` explains it: when capacity rows (inventory budget, units,
volume) are in the way, the SLA rows are planned again without them and, for every
capacity row that plan exceeds, a MILP over the same columns finds the least use of that
row by a plan meeting every SLA row (:func:`capacity_diagnosis`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import solvers
from spareplan.errors import InfeasibleError, PlanningError, SolverFailure
from spareplan.planning.model import CAPACITY_ROW_UNIT, INVENTORY_BUDGET, Column, PlanningModel
from spareplan.planning.optimize import Optimization, optimize

__all__ = ["DIAGNOSIS_SECONDS", "best_reachable", "capacity_use", "checked",
           "optimize_checked", "status_word", "unreachable_rows"]

#: Seconds each least-use MILP of the capacity-row diagnosis may run (at most).
DIAGNOSIS_SECONDS = 10.0


def status_word(status: solvers.SolveStatus) -> str:
    """The status as written in summaries and messages (``optimal``, ``feasible``…)."""
    return status.name.lower()


def best_reachable(model: PlanningModel) -> np.ndarray:
    """Best value of every optimized SLA row with the most stock searched for every part."""
    parts = np.arange(model.n_parts, dtype=np.int64)
    _, hi = model.service.bounds_many(parts)
    services = model.service.evaluate_many(parts, hi)
    coefficients = model.coefficients(parts, np.vstack([s.within for s in services]),
                                      np.vstack([s.wait_hours for s in services]))
    activity = np.zeros(len(model.rows))
    for row in coefficients:  # part by part, in order, as the columns add up
        activity += row
    return model.row_value(activity)


def unreachable_rows(model: PlanningModel, best: np.ndarray) -> list[dict[str, Any]]:
    """SLA rows no plan can meet: best reachable value with the most stock searched."""
    findings = []
    for k, row in enumerate(model.rows):
        target = float(model.targets[k])
        if best[k] < target - 1e-9:
            findings.append({"sla_row": row.name, "kind": row.kind, "target": target,
                             "best_reachable": float(best[k]),
                             "reason": model.reachable_reason(row)})
    return findings


def capacity_use(model: PlanningModel, columns: list[Column]) -> np.ndarray:
    """What ``columns`` use together of every capacity row (units, liters, currency)."""
    if not columns or not model.n_capacity_rows:
        return np.zeros(model.n_capacity_rows)
    parts = np.array([c.part for c in columns], dtype=np.int64)
    return model.capacity_use(parts, np.vstack([c.stock for c in columns])).sum(axis=0)


def _diagnosis_seconds(budget: solvers.TimeBudget) -> float:
    """Seconds a least-use MILP may run: at most :data:`DIAGNOSIS_SECONDS`, at most what
    the run has left (but at least one second, to say something)."""
    left = budget.left()
    return DIAGNOSIS_SECONDS if left is None else max(min(DIAGNOSIS_SECONDS, left), 1.0)


def _least_use(model: PlanningModel, result: Optimization, row: int, solver: str,
               budget: solvers.TimeBudget) -> tuple[float, bool] | None:
    """Least use of capacity row ``row`` by a choice of ``result``'s columns that meets
    every row of ``result.problem`` (the same rows, the row's use as the cost), and
    whether it is the least over every stock vector searched (enumeration path, solved to
    optimality: then the MILP's lower bound is returned, a proven least)."""
    problem = result.problem
    parts = np.array([c.part for c in result.columns], dtype=np.int64)
    use = model.capacity_use(parts, np.vstack([c.stock for c in result.columns]))[:, row]
    least = solvers.ChoiceProblem(
        group_of_option=problem.group_of_option, cost=use, coefficients=problem.coefficients,
        row_lower=problem.row_lower, row_upper=problem.row_upper,
        row_names=problem.row_names, n_groups=problem.n_groups)
    solution = solvers.solve(least, solver, time_limit=_diagnosis_seconds(budget),
                             mip_rel_gap=1e-6)
    if not solution.status.has_solution:
        return None
    exact = (result.method == "enumeration"
             and solution.status is solvers.SolveStatus.OPTIMAL
             and math.isfinite(solution.lower_bound))
    return float(solution.lower_bound if exact else solution.objective), exact


def _amount(model: PlanningModel, row: int, value: float) -> str:
    """A capacity row's use or limit in words: ``3 units``, ``12.5 liters``, ``1,200.00 EUR``."""
    kind = int(model.capacity_kind[row])
    if kind == INVENTORY_BUDGET:
        return f"{value:,.2f} {model.scenario.document.currency}"
    return f"{value:,.6g} {CAPACITY_ROW_UNIT[kind]}"


def capacity_diagnosis(model: PlanningModel, failed: Optimization, solver: str,
                       budget: solvers.TimeBudget, mip_rel_gap: float
                       ) -> PlanningError | None:
    """Why no plan was found that meets the SLA rows within the capacity rows (inventory
    budget, units, volume); ``None`` when the capacity rows do not explain it.

    The SLA rows are planned again without any capacity row. For every capacity row that
    this least-cost plan exceeds, a MILP over the same columns finds the least use of that
    row by a plan meeting every SLA row. On the enumeration path (every stock vector
    searched) a least use above the limit, or the MILP over every column found
    infeasible, proves that no plan exists: :class:`InfeasibleError`. On the
    column-generation path the columns are a subset, so nothing is proven:
    :class:`SolverFailure` with the same account.
    """
    free = optimize(model.without_capacity_rows(), backend=solver,
                    budget=solvers.TimeBudget.of(_diagnosis_seconds(budget)) if budget.limited
                    else None, mip_rel_gap=mip_rel_gap)
    if not free.solution.status.has_solution:
        return None
    used = capacity_use(model, free.chosen)
    limit = model.capacity_limit
    over = [int(r) for r in np.flatnonzero(used > limit + 1e-9 * np.maximum(limit, 1.0))]
    if not over:
        return None
    findings: list[dict[str, Any]] = []
    lines = []
    for row in over:
        least = _least_use(model, free, row, solver, budget)
        needed, exact = least if least is not None else (math.nan, False)
        findings.append({
            "row": model.capacity_names[row], "limit": float(limit[row]),
            "needed": needed, "needed_is_exact": exact,
            "least_cost_plan_uses": float(used[row]),
        })
        if not math.isfinite(needed):
            what = "the least a plan meeting the SLA rows needs was not found in time"
        elif exact:
            what = (f"the SLA rows need at least {_amount(model, row, needed)} (least over "
                    f"every stock vector searched)")
        else:
            what = (f"the least found for a plan meeting the SLA rows is "
                    f"{_amount(model, row, needed)} (over the {free.n_columns} stock vectors "
                    f"generated; the exact least may be lower)")
        word = "budget" if int(model.capacity_kind[row]) == INVENTORY_BUDGET else "capacity"
        lines.append(f"{model.capacity_names[row]}: {word} "
                     f"{_amount(model, row, float(limit[row]))}, {what}; the "
                     f"least-yearly-cost plan meeting them uses "
                     f"{_amount(model, row, float(used[row]))}")
    body = ":\n  " + "\n  ".join(lines)
    if any(f["needed_is_exact"] and f["needed"] > f["limit"] + 1e-9 * max(f["limit"], 1.0)
           for f in findings):
        return InfeasibleError("no stock plan meets every SLA row within these capacity rows"
                               + body, findings)
    if failed.method == "enumeration" and \
            failed.solution.status is solvers.SolveStatus.INFEASIBLE:
        return InfeasibleError("no stock plan meets every SLA row and every capacity row "
                               "together (each row alone leaves room)" + body, findings)
    return SolverFailure(f"the solver found no plan that meets every SLA row within the "
                         f"capacity rows (status {status_word(failed.solution.status)}; "
                         f"column generation searched a subset of the stock vectors, so "
                         f"this does not prove that none exists)" + body)


def checked(model: PlanningModel, result: Optimization, solver: str,
            budget: solvers.TimeBudget, mip_rel_gap: float) -> Optimization:
    """Re-check every row of ``result``'s solution; say why there is none.

    Raises
    ------
    InfeasibleError, SolverFailure
        No plan: the capacity rows' account when they explain it, else the solver's status.
    """
    solution = result.solution
    if not solution.status.has_solution:
        if model.n_capacity_rows:
            error = capacity_diagnosis(model, result, solver, budget, mip_rel_gap)
            if error is not None:
                raise error
        raise SolverFailure(f"the solver found no plan: status {status_word(solution.status)}"
                            f" ({solution.message})")
    violations = solvers.check_solution(result.problem, solution.chosen)
    if violations:
        raise SolverFailure("the plan breaks its rows: " + "; ".join(violations))
    return result


def optimize_checked(model: PlanningModel, solver: str, budget: solvers.TimeBudget,
                     mip_rel_gap: float) -> Optimization:
    """Optimize, then re-check every row of the returned solution."""
    result = optimize(model, backend=solver, budget=budget, mip_rel_gap=mip_rel_gap)
    return checked(model, result, solver, budget, mip_rel_gap)
