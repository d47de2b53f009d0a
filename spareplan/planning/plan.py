"""``plan``: from a scenario to a checked stock plan with its service, cost and bound."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import solvers
from spareplan.errors import InfeasibleError, ParameterError, PlanningError, SolverFailure
from spareplan.planning.model import (
    CAPACITY_ROW_UNIT,
    INVENTORY_BUDGET,
    Column,
    PlanningModel,
)
from spareplan.planning.optimize import Optimization, baseline_costs, optimize, relative_gap
from spareplan.scenario.model import Scenario
from spareplan.sla import rows_frame
from spareplan.versions import package_versions

#: Seconds each least-use MILP of the capacity-row diagnosis may run.
DIAGNOSIS_SECONDS = 10.0


@dataclass(frozen=True)
class PlanResult:
    """A stock plan and its account.

    Attributes
    ----------
    recommendations : pandas.DataFrame
        part, location, stock, current_stock, delta, unit_cost, yearly_holding_cost.
    service : pandas.DataFrame
        One line per SLA row: sla_row, kind, sla_class, sites, target, planned, meets_target
        (and, after verification, simulated value with its 95% confidence interval).
    summary : dict
        status, objective, lower_bound, gap, solver, seed, runtime, versions, input hash…;
        ``inventory_value`` (sum of unit_cost x stock), ``inventory_budget`` (``None``
        without one) and ``capacity_rows``: per capacity row name (``capacity_units[F1]``,
        ``capacity_volume[F1]``, ``inventory_budget``) its ``limit``, ``used`` and ``unit``.
    verification : object or None
        The simulation result that re-measured the plan (``None`` when not verified).
    """

    recommendations: pd.DataFrame
    service: pd.DataFrame
    summary: dict[str, Any]
    verification: Any = None
    part_costs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def status(self) -> str:
        return str(self.summary["status"])

    @property
    def meets_every_sla(self) -> bool:
        return bool(self.service["meets_target"].all()) if len(self.service) else True

    def to_frame(self) -> pd.DataFrame:
        """The recommendations (one row per part and location)."""
        return self.recommendations.copy()

    def plot_recommendations(self, ax: Any = None, top: int = 20) -> Any:
        """Bar chart of the yearly holding cost by location, stacked by the top parts."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4))
        frame = self.recommendations
        by_location = frame.groupby("location")["yearly_holding_cost"].sum().sort_values()
        by_location.tail(top).plot.barh(ax=ax, color="#3b6ea5")
        ax.set_xlabel("yearly holding cost")
        ax.set_title("Recommended stock: holding cost by location")
        return ax

    def plot_service(self, ax: Any = None) -> Any:
        """Planned (and simulated, when verified) value against target per SLA row."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 0.35 * len(self.service) + 1.5))
        frame = self.service.reset_index(drop=True)
        y = np.arange(len(frame))
        ax.scatter(frame["planned"], y, marker="o", label="planned (analytic)")
        ax.scatter(frame["target"], y, marker="|", s=200, color="black", label="target")
        if "simulated" in frame:
            errors = np.vstack([frame["simulated"] - frame["ci_low"],
                                frame["ci_high"] - frame["simulated"]])
            ax.errorbar(frame["simulated"], y + 0.2, xerr=errors, fmt="s", color="#c0504d",
                        label="simulated, 95% CI")
        ax.set_yticks(y, frame["sla_row"])
        ax.set_xlabel("fill rate within window / availability")
        ax.legend(loc="lower left")
        return ax


def _current_stock(scenario: Scenario) -> pd.DataFrame:
    current = scenario.table("current_stock")
    if current is None:
        return pd.DataFrame(columns=["part", "location", "current_stock"])
    current["current_stock"] = current["on_hand"] + current["on_order"].fillna(0)
    return current[["part", "location", "current_stock"]]


def _recommendations(model: PlanningModel, chosen: list[Column], scenario: Scenario
                     ) -> pd.DataFrame:
    net, parts = model.network, model.parts
    stock = np.vstack([c.stock for c in chosen]) if chosen else np.zeros((0, net.n_locations))
    part_idx, loc_idx = np.nonzero(np.ones_like(stock, dtype=bool))
    frame = pd.DataFrame({
        "part": np.array(parts.part_ids, dtype=object)[part_idx],
        "location": np.array(net.location_ids, dtype=object)[loc_idx],
        "stock": stock[part_idx, loc_idx].astype(np.int64),
        "unit_cost": parts.unit_cost[part_idx],
        "holding_rate": net.holding_rate_per_year[loc_idx],
    })
    frame = frame.merge(_current_stock(scenario), on=["part", "location"], how="left")
    frame["current_stock"] = frame["current_stock"].fillna(0).astype(np.int64)
    frame = frame[(frame["stock"] > 0) | (frame["current_stock"] > 0)]
    frame["delta"] = frame["stock"] - frame["current_stock"]
    frame["yearly_holding_cost"] = (frame["stock"] * frame["unit_cost"]
                                    * frame["holding_rate"]).round(2)
    columns = ["part", "location", "stock", "current_stock", "delta", "unit_cost",
               "yearly_holding_cost"]
    return frame[columns].sort_values(["part", "location"], ignore_index=True)


def _row_values(model: PlanningModel, activity: np.ndarray) -> np.ndarray:
    """Row activity -> service value (fill rate, or availability = 1 - downtime share)."""
    return np.where(model.is_fill_row, activity, 1.0 - activity)


def _service(model: PlanningModel, chosen: list[Column]) -> pd.DataFrame:
    frame = rows_frame(model.all_rows, model.network)
    planned = np.full(len(model.all_rows), np.nan)
    if chosen and len(model.rows):
        activity = np.sum([c.coefficients for c in chosen], axis=0)
        planned[model.active] = _row_values(model, activity)
    frame["planned"] = planned
    frame["demand_per_year"] = model.row_demand
    frame["meets_target"] = np.where(np.isnan(planned), True, planned >= frame["target"] - 1e-9)
    return frame


def _best_reachable(model: PlanningModel) -> np.ndarray:
    """Best value of every active SLA row with the most stock searched for every part."""
    activity = np.zeros(len(model.rows))
    for part in range(model.n_parts):
        _, hi = model.service.bounds(part)
        activity += model.column(part, hi).coefficients
    return _row_values(model, activity)


def _diagnose(model: PlanningModel, best: np.ndarray) -> list[dict[str, Any]]:
    """SLA rows no plan can meet: best reachable value with the most stock searched."""
    findings = []
    for k, row in enumerate(model.rows):
        if best[k] < row.target - 1e-9:
            findings.append({"sla_row": row.name, "kind": row.kind, "target": row.target,
                             "best_reachable": float(best[k]),
                             "reason": model.reachable_reason(row)})
    return findings


def _measured(model: PlanningModel, service: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """planned, simulated, upper 95% bound and target of the active rows, in row order."""
    rows = service.set_index("sla_row").loc[list(model.row_names)]
    return (rows["planned"].to_numpy(dtype=float), rows["simulated"].to_numpy(dtype=float),
            rows["ci_high"].to_numpy(dtype=float), rows["target"].to_numpy(dtype=float))


def _next_offsets(history: list[tuple[np.ndarray, np.ndarray]], planned: np.ndarray,
                  targets: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Target offsets for the next round of simulation calibration, per row.

    ``history`` holds (offsets, simulated) of every round so far. First round: a row the
    simulation measured below target and below the analytic promise asks for the
    difference more. Later rounds: the secant through the last two rounds' (offset,
    simulated) aims at simulated = target (the analytic bias shrinks as stock grows, so
    the first correction overshoots). Offsets stay within [0, cap].
    """
    offsets, simulated = history[-1]
    measured = np.isfinite(simulated)
    if len(history) == 1:
        short = measured & (simulated < targets) & (planned > simulated)
        step = np.where(short, planned - simulated, 0.0)
        return np.clip(offsets + step, 0.0, cap)
    previous_offsets, previous_simulated = history[-2]
    slope_known = measured & (np.abs(simulated - previous_simulated) > 1e-9) & (
        np.abs(offsets - previous_offsets) > 1e-12)
    secant = offsets + (targets - simulated) * (offsets - previous_offsets) / np.where(
        slope_known, simulated - previous_simulated, 1.0)
    short = measured & (simulated < targets) & (planned > simulated)
    fallback = np.where(short, offsets + planned - simulated, offsets)
    return np.clip(np.where(slope_known, secant, fallback), 0.0, cap)


def _acceptable(simulated: np.ndarray, ci_high: np.ndarray, targets: np.ndarray) -> bool:
    """No measured row is shown below its target at 95% confidence (ci_high >= target)."""
    measured = np.isfinite(simulated)
    return bool(np.all(ci_high[measured] >= targets[measured] - 1e-12))


def _status_word(status: solvers.SolveStatus) -> str:
    return status.name.lower()


def _open_locations(model: PlanningModel, result: Optimization) -> np.ndarray:
    """Open flag of each location with a fixed cost: open when the plan stocks it."""
    stock = (np.vstack([c.stock for c in result.chosen]) if result.chosen
             else np.zeros((0, model.network.n_locations), dtype=np.int64))
    return np.asarray((stock[:, model.facility_location] > 0).any(axis=0), dtype=bool)


def _fixed_cost(model: PlanningModel, result: Optimization) -> float:
    """Yearly fixed cost of the locations with a fixed cost that the plan uses."""
    if not model.n_facilities:
        return 0.0
    return float(model.facility_cost[_open_locations(model, result)].sum())


def _capacity_use(model: PlanningModel, columns: list[Column]) -> np.ndarray:
    """What ``columns`` use together of every capacity row (units, liters, currency)."""
    if not columns or not model.n_capacity_rows:
        return np.zeros(model.n_capacity_rows)
    parts = np.array([c.part for c in columns], dtype=np.int64)
    return model.capacity_use(parts, np.vstack([c.stock for c in columns])).sum(axis=0)


def _least_use(model: PlanningModel, result: Optimization, row: int, solver: str,
               time_limit: float | None) -> tuple[float, bool] | None:
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
    seconds = DIAGNOSIS_SECONDS if time_limit is None else min(DIAGNOSIS_SECONDS, time_limit)
    solution = solvers.solve(least, solver, time_limit=seconds, mip_rel_gap=1e-6)
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


def _capacity_diagnosis(model: PlanningModel, failed: Optimization, solver: str,
                        time_limit: float | None, mip_rel_gap: float
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
    free = optimize(model.without_capacity_rows(), backend=solver, time_limit=time_limit,
                    mip_rel_gap=mip_rel_gap)
    if not free.solution.status.has_solution:
        return None
    used = _capacity_use(model, free.chosen)
    limit = model.capacity_limit
    over = [int(r) for r in np.flatnonzero(used > limit + 1e-9 * np.maximum(limit, 1.0))]
    if not over:
        return None
    findings: list[dict[str, Any]] = []
    lines = []
    for row in over:
        least = _least_use(model, free, row, solver, time_limit)
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
                         f"capacity rows (status {_status_word(failed.solution.status)}; "
                         f"column generation searched a subset of the stock vectors, so "
                         f"this does not prove that none exists)" + body)


def _checked(model: PlanningModel, result: Optimization, solver: str,
             time_limit: float | None, mip_rel_gap: float) -> Optimization:
    """Re-check every row of ``result``'s solution; say why there is none."""
    solution = result.solution
    if not solution.status.has_solution:
        if model.n_capacity_rows:
            error = _capacity_diagnosis(model, result, solver, time_limit, mip_rel_gap)
            if error is not None:
                raise error
        raise SolverFailure(f"the solver found no plan: status {_status_word(solution.status)}"
                            f" ({solution.message})")
    violations = solvers.check_solution(result.problem, solution.chosen)
    if violations:
        raise SolverFailure("the plan breaks its rows: " + "; ".join(violations))
    return result


def _optimize_checked(model: PlanningModel, solver: str, time_limit: float | None,
                      mip_rel_gap: float) -> Optimization:
    """Optimize, then re-check every row of the returned solution."""
    result = optimize(model, backend=solver, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    return _checked(model, result, solver, time_limit, mip_rel_gap)


def plan(scenario: Scenario, *, seed: int = 0, time_limit: float | None = None,
         solver: str = solvers.DEFAULT_BACKEND, mip_rel_gap: float = 1e-4,
         verify: bool = True, replications: int = 20, years: float = 5.0,
         calibration_rounds: int = 3, budget: float | None = None) -> PlanResult:
    """Plan the least-cost stock per part and location that meets every SLA row.

    The plan also keeps every capacity row: units and volume per location, and the
    inventory budget (see :mod:`spareplan.planning.model`).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`spareplan.load_scenario`).
    seed : int
        Seed of everything random (the verification simulation); recorded in the summary.
    time_limit : float, optional
        Seconds for the optimization, all calibration rounds together (the verification
        simulation comes on top); a time-limited result is FEASIBLE with its gap.
    solver : str
        Backend of :func:`solvers.solve` (``"highs"``, ``"pulp-highs"``, ``"pulp-cbc"``).
    mip_rel_gap : float
        Relative optimality gap at which the MILP stops.
    verify : bool
        Re-measure the plan by independent simulation (see :func:`spareplan.simulate`).
    replications, years : int, float
        Size of the verification simulation.
    calibration_rounds : int
        After verification, rows that the simulation measured below target and below the
        analytic promise get their target raised and the plan is made again and verified
        again, at most this many times (first by the measured difference, then by the
        secant through the last two rounds). The cheapest round that the simulation does
        not show below any target at 95% confidence (every ``ci_high >= target``) is
        returned; every round is in
        ``summary["calibration"]``. The analytic model's known optimism (METRIC ignores
        the variance of the depot delay; stock-outs of a location and its ancestors are
        taken as independent) is corrected this way, not hidden. A round whose raised
        targets no plan meets within the capacity rows ends the calibration
        (``summary["calibration_stopped"]``).
    budget : float, optional
        Inventory budget B: most capital tied up in stock, sum over parts and locations of
        unit_cost x stock, in the scenario's currency (row ``inventory_budget``).
        Overrides ``[costs] inventory_budget``; ``None`` keeps the scenario's, ``inf``
        plans without a budget.

    Raises
    ------
    InfeasibleError
        No stock plan meets an SLA row; ``diagnosis`` lists each row, its best reachable
        value and why. Or no plan meets the SLA rows within the capacity rows (e.g. the
        budget); ``diagnosis`` lists each capacity row, its limit and what the SLA rows
        need of it (found by planning again without the capacity rows: this diagnosis
        comes on top of ``time_limit``).
    SolverFailure
        The solver failed or returned a solution that breaks its rows.
    """
    if solver not in solvers.available_backends():
        raise ParameterError("solver", f"must be one of {', '.join(solvers.available_backends())}",
                             solver)
    if time_limit is not None and not time_limit > 0:
        raise ParameterError("time_limit", "must be > 0 seconds", time_limit)
    if calibration_rounds < 0:
        raise ParameterError("calibration_rounds", "must be >= 0", calibration_rounds)
    if budget is not None and not budget > 0:
        raise ParameterError("budget", "must be > 0 (currency; inf: no budget)", budget)
    started = time.perf_counter()
    model = PlanningModel(scenario, inventory_budget=budget)
    best = _best_reachable(model) if model.rows else np.zeros(0)
    diagnosis = _diagnose(model, best)
    if diagnosis:
        lines = [f"{d['sla_row']}: target {d['target']:g}, best reachable "
                 f"{d['best_reachable']:.4f} ({d['reason']})" for d in diagnosis]
        raise InfeasibleError("no stock plan meets these SLA rows:\n  " + "\n  ".join(lines),
                              diagnosis)
    result = _optimize_checked(model, solver, time_limit, mip_rel_gap)
    optimize_seconds = result.runtime_seconds
    recommendations = _recommendations(model, result.chosen, scenario)
    service = _service(model, result.chosen)
    verification = None
    calibrations: list[dict[str, Any]] = []
    calibration_stopped: str | None = None
    if verify:
        from spareplan.verification import verify_plan

        service, verification = verify_plan(scenario, recommendations, service, seed=seed,
                                            replications=replications, years=years)
        rounds = [(result, recommendations, service, verification, model)]
        planned, simulated, ci_high, targets = _measured(model, service)
        cap = np.maximum(best - targets - 1e-6, 0.0)
        history = [(np.zeros(len(model.rows)), simulated)]
        for _ in range(calibration_rounds):
            if _acceptable(simulated, ci_high, targets) and len(history) == 1:
                break
            offsets = _next_offsets(history, planned, targets, cap)
            if np.allclose(offsets, history[-1][0], atol=1e-6):
                break
            remaining = None if time_limit is None else time_limit - optimize_seconds
            if remaining is not None and remaining < 1.0:
                break  # the time limit is the budget of all optimization rounds together
            model = model.with_target_offsets(offsets)
            raised = optimize(model, backend=solver, time_limit=remaining,
                              mip_rel_gap=mip_rel_gap)
            if not raised.solution.status.has_solution and model.n_capacity_rows:
                calibration_stopped = (
                    f"round {len(history)}: no plan found that meets the raised targets "
                    f"within the capacity rows ({', '.join(model.capacity_names)}); status "
                    f"{_status_word(raised.solution.status)}")
                break
            result = _checked(model, raised, solver, remaining, mip_rel_gap)
            optimize_seconds += result.runtime_seconds
            recommendations = _recommendations(model, result.chosen, scenario)
            service = _service(model, result.chosen)
            service, verification = verify_plan(scenario, recommendations, service,
                                                seed=seed, replications=replications,
                                                years=years)
            rounds.append((result, recommendations, service, verification, model))
            planned, simulated, ci_high, targets = _measured(model, service)
            history.append((offsets, simulated))
        costs = [float(sum(c.cost for c in r[0].chosen)) + _fixed_cost(r[4], r[0])
                 for r in rounds]
        fits = [_acceptable(*_measured(r[4], r[2])[1:]) for r in rounds]
        pick = min(range(len(rounds)), key=lambda k: (not fits[k], costs[k], -k))
        result, recommendations, service, verification, model = rounds[pick]
        for k, (offsets, _simulated) in enumerate(history):
            calibrations.append({
                "round": k, "yearly_cost": round(costs[k], 2), "acceptable": fits[k],
                "chosen": k == pick,
                "target_offsets": {name: round(float(o), 6) for name, o in
                                   zip(model.row_names, offsets, strict=True) if o > 0},
            })
    solution = result.solution
    fixed_cost = _fixed_cost(model, result)
    objective = float(sum(c.cost for c in result.chosen)) + fixed_cost
    gap = relative_gap(objective, solution.lower_bound)
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "status": _status_word(solution.status),
        "objective": round(objective, 6),
        "lower_bound": None if not math.isfinite(solution.lower_bound)
        else round(float(solution.lower_bound), 6),
        "gap": None if not math.isfinite(gap) else gap,
        "bound_scope": result.bound_scope,
        "method": result.method,
        "solver": solver,
        "columns": result.n_columns,
        "iterations": result.iterations,
        "seed": seed,
        "time_limit": time_limit,
        "input_hash": scenario.input_hash,
        "versions": package_versions(),
        "sla_rows": len(model.all_rows),
        "parts": model.n_parts,
        "locations": model.network.n_locations,
        "verified": verify,
        "replications": replications if verify else None,
        "simulated_years": years if verify else None,
        "calibration": calibrations,
        "targets_optimized": ("scenario targets" if not any(
            c["chosen"] and c["target_offsets"] for c in calibrations)
            else "scenario targets raised by the chosen calibration offsets (the lower "
                 "bound and gap refer to these)"),
        "stage_seconds": {k: round(v, 3) for k, v in result.stage_seconds.items()},
        "baseline": baseline_costs(model, result),
    }
    summary["holding_cost"] = round(float(recommendations["yearly_holding_cost"].sum()), 2)
    summary["shipping_cost"] = round(float(sum(c.service.shipping_cost
                                               for c in result.chosen)), 2)
    summary["fixed_location_cost"] = round(fixed_cost, 2)
    summary["inventory_value"] = round(float((recommendations["stock"]
                                              * recommendations["unit_cost"]).sum()), 2)
    summary["inventory_budget"] = model.inventory_budget
    used = _capacity_use(model, result.chosen)
    summary["capacity_rows"] = {
        name: {"limit": float(model.capacity_limit[r]), "used": round(float(used[r]), 6),
               "unit": (scenario.document.currency
                        if int(model.capacity_kind[r]) == INVENTORY_BUDGET
                        else CAPACITY_ROW_UNIT[int(model.capacity_kind[r])])}
        for r, name in enumerate(model.capacity_names)}
    summary["calibration_stopped"] = calibration_stopped
    if model.n_facilities:
        is_open = _open_locations(model, result)
        summary["locations_open"] = {model.network.location_ids[loc]: bool(o) for loc, o in
                                     zip(model.facility_location, is_open, strict=True)}
    summary["meets_every_sla"] = bool(service["meets_target"].all())
    summary["runtime_seconds"] = round(time.perf_counter() - started, 3)
    return PlanResult(recommendations=recommendations, service=service, summary=summary,
                      verification=verification)

