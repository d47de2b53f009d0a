"""Cost–service frontier, traced from both sides; every point a full plan.

**Target side** (least cost for a service): every optimized SLA row r is moved along one
service level :math:`\\alpha`,

.. math::

    t_r(\\alpha) = b_r + \\alpha \\, (t_r - b_r),

with :math:`t_r` the scenario's target and :math:`b_r` the row's value with no stock
beyond each part's minimum (:math:`\\alpha = 0`: nothing to buy; :math:`\\alpha = 1`: the
scenario's targets), and each level is planned by :func:`~spareplan.planning.plan.plan`
at those targets — the same model, feed and verification as ``spareplan plan``, so the
point at :math:`\\alpha = 1` is the plan ``spareplan plan`` returns.

**Budget side** (best service for a budget): each inventory budget B is planned with the
service goal (:meth:`~spareplan.planning.model.PlanningModel.with_goal`): the most
weighted service that B buys — OPUS10's cost/efficiency curve and METRIC's primal
question (Sherbrooke 1968).

Levels that give the same stock plan are one point: without given levels the sweep
splits the widest cost step between neighbouring distinct plans — at its midpoint, or
just above the highest level the cheaper plan still meets when that is higher, so that
every level planned finds a new plan — until it holds ``points`` distinct plans (or has
planned three times as many levels). Budgets run
evenly from the investment of the cheapest target-side plan to that of the dearest.
Points are ordered by level, then by budget; a point that costs more than another of its
side (yearly cost on the target side, investment on the budget side) and offers no more
weighted service is marked ``dominated`` (the simulation feed's noise can cause it on the
target side; on the budget side a bigger budget the plan leaves unspent shows as the
same plan, listed once).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import solvers
from spareplan.errors import InfeasibleError, ParameterError, SolverFailure
from spareplan.planning.model import SERVICE, PlanningModel
from spareplan.planning.plan import PlanResult, plan
from spareplan.scenario.model import Scenario
from spareplan.sla import FILL_RATE

__all__ = ["SIDES", "FrontierResult", "frontier"]

#: Which sides a frontier traces.
SIDES = ("both", "target", "budget")
#: Without given levels, the sweep plans at most this many levels per point asked.
LEVELS_PER_POINT = 3
#: What reports each point planned.
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """No progress lines."""

POINT_COLUMNS = [
    "side", "level", "budget", "yearly_cost", "investment", "weighted_service",
    "fill_rate", "availability", "simulated_fill_rate", "simulated_availability",
    "rows_below_target", "meets_every_sla", "status", "lower_bound", "gap", "dominated",
]
SKIPPED_COLUMNS = ["side", "level", "budget", "reason"]


@dataclass(frozen=True)
class FrontierResult:
    """Points of the cost–service frontier.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per distinct plan: ``side`` (``"target"``: least cost at a service level;
        ``"budget"``: best service for a budget), ``level`` (alpha, target side),
        ``budget`` (budget side), ``yearly_cost`` and ``investment`` (currency),
        ``weighted_service`` (planned; rows weighted by their share of the requests),
        ``fill_rate`` and ``availability`` (planned means over the fill-rate and the
        uptime rows), ``simulated_fill_rate``, ``simulated_availability`` (the
        verification's), ``rows_below_target`` (simulated, against the scenario's
        targets), ``meets_every_sla``, ``status``, ``lower_bound`` (of the yearly cost,
        target side, analytic model), ``gap`` and ``dominated``.
    scenario : str
    currency : str
    skipped : pandas.DataFrame
        Levels or budgets without a plan (``side``, ``level``, ``budget``, ``reason``):
        a level below 1 whose plan failed, a budget below the parts' minimum stock.
    """

    points: pd.DataFrame
    scenario: str
    currency: str = "EUR"
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=SKIPPED_COLUMNS))

    def to_frame(self) -> pd.DataFrame:
        """The points (a copy)."""
        return self.points.copy()

    def plot(self, axes: Any = None) -> Any:
        """Yearly cost (left) and investment (right) against the planned weighted service
        (fill-rate and uptime rows together, weighted by their requests), one line per
        side, dominated points hollow. Returns the two axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(11.5, 4.5), sharex=True,
                                   constrained_layout=True)
        styles = {"target": ("o-", "#3b6ea5", "least cost at a service level"),
                  "budget": ("s--", "#c0504d", "best service for a budget")}
        for ax, column, label in ((axes[0], "yearly_cost", "yearly cost"),
                                  (axes[1], "investment", "investment (stock at unit cost)")):
            for side, (style, colour, name) in styles.items():
                frame = self.points[self.points["side"] == side].sort_values(
                    "weighted_service")
                if frame.empty:
                    continue
                ax.plot(frame["weighted_service"], frame[column], style, color=colour,
                        label=name)
                dominated = frame[frame["dominated"]]
                ax.plot(dominated["weighted_service"], dominated[column], "o", mfc="white",
                        color=colour)
            ax.set_xlabel("weighted service (planned; rows weighted by requests)")
            ax.set_ylabel(f"{label} ({self.currency})")
            ax.grid(alpha=0.3)
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axes[0].legend(loc="upper left")
        axes[0].figure.suptitle(f"Cost-service frontier: {self.scenario}")
        return axes


def _row_floor(model: PlanningModel) -> np.ndarray:
    """Row activity with every part at its minimum stock."""
    parts = np.arange(model.n_parts, dtype=np.int64)
    lo, _ = model.service.bounds_many(parts)
    activity = np.zeros(len(model.rows))
    for part in range(model.n_parts):
        activity += model.column(part, lo[part]).coefficients
    return activity


def _levels(levels: Sequence[float] | None) -> list[float] | None:
    if levels is None:
        return None
    values = [float(t) for t in levels]
    if not values:
        raise ParameterError("levels", "must hold at least one level", list(levels))
    bad = [t for t in values if not (0.0 <= t <= 1.0) or math.isnan(t)]
    if bad:
        raise ParameterError("levels", "must lie in [0, 1] (1 = the scenario's targets)",
                             bad[0])
    return sorted(set(values))


def _budgets(budgets: Sequence[float] | None) -> list[float] | None:
    if budgets is None:
        return None
    values = sorted({float(b) for b in budgets})
    bad = [b for b in values if not (b > 0 and math.isfinite(b))]
    if not values or bad:
        raise ParameterError("budgets", "must hold finite budgets > 0",
                             bad[0] if bad else list(budgets))
    return values


def _stock_key(result: PlanResult) -> tuple[tuple[str, str, int], ...]:
    frame = result.recommendations
    held = frame[frame["stock"] > 0]
    return tuple(zip(held["part"], held["location"], held["stock"].astype(int), strict=True))


def _point(result: PlanResult, side: str, level: float, budget: float,
           weights: pd.Series) -> dict[str, Any]:
    """One frontier point from a plan."""
    service = result.service.set_index("sla_row")
    planned = service["planned"].dropna()
    weighted = float((planned * weights.reindex(planned.index)).sum())
    fill = service["kind"] == FILL_RATE

    def mean(column: str, rows: pd.Series) -> float:
        if column not in service:
            return math.nan
        values = service.loc[rows, column].dropna()
        return float(values.mean()) if len(values) else math.nan

    summary = result.summary
    check = summary["verification"]
    return {
        "side": side, "level": level, "budget": budget,
        "yearly_cost": float(summary["objective"]),
        "investment": float(summary["inventory_value"]),
        "weighted_service": weighted,
        "fill_rate": mean("planned", fill), "availability": mean("planned", ~fill),
        "simulated_fill_rate": mean("simulated", fill),
        "simulated_availability": mean("simulated", ~fill),
        "rows_below_target": (None if not check or not check["done"]
                              else int(check["rows_below_target"])),
        "meets_every_sla": bool(result.meets_every_sla), "status": summary["status"],
        "lower_bound": summary["lower_bound"], "gap": summary["gap"],
    }


def _target_side(scenario: Scenario, model: PlanningModel, levels: list[float] | None,
                 points: int, options: dict[str, Any], weights: pd.Series,
                 skipped: list[dict[str, Any]], progress: Progress) -> list[dict[str, Any]]:
    """Least cost at each service level; bisection of the widest cost step when the
    levels are not given. A level below 1 whose plan fails goes to ``skipped``."""
    floor = model.row_value(_row_floor(model))
    names = model.row_names
    planned: dict[float, tuple[PlanResult, Any]] = {}

    def at(level: float) -> None:
        targets = floor + level * (model.targets - floor)
        targets = np.where(model.is_fill_row, np.minimum(targets, 1.0),
                           np.minimum(targets, np.nextafter(1.0, 0.0)))
        try:
            result = plan(scenario, targets=dict(zip(names, targets.tolist(), strict=True)),
                          **options)
        except (InfeasibleError, SolverFailure) as error:
            if level >= 1.0:
                diagnosis = getattr(error, "diagnosis", None)
                raise InfeasibleError(f"no plan found at service level {level:g}: {error}",
                                      diagnosis) from error
            skipped.append({"side": "target", "level": level, "budget": math.nan,
                            "reason": " ".join(str(error).split())})
            progress(f"level {level:.4f}: no plan")
            return
        planned[level] = (result, _stock_key(result))
        progress(f"level {level:.4f}: yearly cost {result.summary['objective']:,.0f} "
                 f"({len({key for _, key in planned.values()})} distinct plans so far)")

    wanted = levels if levels is not None else [0.0, 1.0]
    for level in wanted:
        at(level)
    if levels is None and 0.0 not in planned:
        # the lowest level failed (the feed may not reach the bare minimum's service):
        # start from a level between it and the scenario's targets
        for level in (0.5, 0.75, 0.9):
            at(level)
            if level in planned:
                break
    if levels is None:
        room = model.targets - floor

        def reach(level: float) -> float:
            """The highest level the plan found at ``level`` still meets (its own
            planned values): a level above it needs another plan."""
            values = planned[level][0].service.set_index("sla_row")["planned"]
            value = values.reindex(list(names)).to_numpy(dtype=float)
            moving = room > 1e-12
            if not moving.any():
                return 1.0
            return float(np.min((value[moving] - floor[moving]) / room[moving]))

        done: set[tuple[float, float]] = set()
        while (len({key for _, key in planned.values()}) < points
               and len(planned) < LEVELS_PER_POINT * points):
            ordered = sorted(planned)
            steps = [(planned[b][0].summary["objective"] - planned[a][0].summary["objective"],
                      a, b) for a, b in itertools.pairwise(ordered)
                     if planned[a][1] != planned[b][1] and (a, b) not in done]
            if not steps:
                break
            _, a, b = max(steps)
            done.add((a, b))
            # the midpoint, but never where the lower plan still holds (it would return)
            level = max(0.5 * (a + b), reach(a) + max(1e-9, 1e-6 * (b - a)))
            if level < b:
                at(level)
    seen: set[Any] = set()
    out = []
    for level in sorted(planned, reverse=True):  # a plan is listed at its highest level
        result, key = planned[level]
        if key in seen:
            continue
        seen.add(key)
        out.append(_point(result, "target", level, math.nan, weights))
    return out


def _budget_side(scenario: Scenario, budgets: list[float], options: dict[str, Any],
                 weights: pd.Series, skipped: list[dict[str, Any]], progress: Progress
                 ) -> list[dict[str, Any]]:
    """Best weighted service for each budget (the analytic model, verified); a budget
    no plan fits (below the parts' minimum stock) goes to ``skipped``."""
    options = dict(options, service_model="analytic")
    seen: set[Any] = set()
    out = []
    for budget in budgets:
        try:
            result = plan(scenario, budget=budget, goal=SERVICE, **options)
        except (InfeasibleError, SolverFailure) as error:
            skipped.append({"side": "budget", "level": math.nan, "budget": budget,
                            "reason": " ".join(str(error).split())})
            progress(f"budget {budget:,.0f}: no plan")
            continue
        progress(f"budget {budget:,.0f}: weighted service "
                 f"{result.summary['service_goal']['weighted_service']:.6f}")
        key = _stock_key(result)
        if key in seen:
            continue
        seen.add(key)
        out.append(_point(result, "budget", math.nan, budget, weights))
    return out


def _default_budgets(scenario: Scenario, model: PlanningModel, target_side: list[dict],
                     points: int, options: dict[str, Any]) -> list[float]:
    """``points`` budgets from the least capital a plan can hold (every part at its
    minimum stock; a first step above it when that is 0) to the investment of the
    target side's dearest plan (planned at the scenario's targets, analytic model and
    unverified, when the target side was not traced)."""
    spent = [r["investment"] for r in target_side]
    if not spent:
        top = plan(scenario, **dict(options, service_model="analytic", verify=False))
        spent = [float(top.summary["inventory_value"])]
    lo, _ = model.service.bounds_many(np.arange(model.n_parts, dtype=np.int64))
    floor = float(np.sum(lo.sum(axis=1) * model.parts.unit_cost))
    dearest = max(max(spent), floor)
    if dearest <= 0:
        raise ParameterError("budgets", "cannot be derived: no plan holds any stock (give "
                             "budgets)", scenario.name)
    first = floor if floor > 0 else dearest / points
    return [float(b) for b in np.linspace(first, dearest, points)]


def _mark_dominated(frame: pd.DataFrame) -> pd.DataFrame:
    """Order the target side by level and the budget side by budget, and mark points
    that cost more (yearly cost on the target side, investment on the budget side) than
    another point of their side for no more weighted service."""
    target = frame[frame["side"] == "target"].sort_values("level")
    budget = frame[frame["side"] == "budget"].sort_values("budget")
    parts = []
    for part, cost in ((target, "yearly_cost"), (budget, "investment")):
        part = part.copy()
        cost_values = part[cost].to_numpy(dtype=float)
        service = part["weighted_service"].to_numpy(dtype=float)
        part["dominated"] = [bool(np.any((cost_values < c - 1e-9) & (service >= v - 1e-12)))
                             for c, v in zip(cost_values, service, strict=True)]
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["dominated"] = frame["dominated"].astype(bool)
    return frame


def frontier(scenario: Scenario, *, levels: Sequence[float] | None = None, points: int = 6,
             budgets: Sequence[float] | None = None, side: str = "both", seed: int = 0,
             solver: str = solvers.DEFAULT_BACKEND, time_limit: float | None = None,
             service_model: str | None = None, verify: bool = True, replications: int = 20,
             years: float = 5.0, progress: Progress | None = None) -> FrontierResult:
    """Trace yearly cost against service from both sides; every point a full plan.

    Parameters
    ----------
    scenario : Scenario
    levels : sequence of float, optional
        Service levels alpha in [0, 1] of the target side (see the module docstring);
        default: a sweep that finds ``points`` distinct plans.
    points : int
        Distinct plans wanted per side when ``levels`` / ``budgets`` are not given (>= 2).
    budgets : sequence of float, optional
        Inventory budgets of the budget side (currency); default ``points`` budgets from
        the investment of the cheapest target-side plan to that of the dearest.
    side : str
        ``"both"`` (default), ``"target"`` or ``"budget"``.
    seed, solver, time_limit, service_model, verify, replications, years
        As in :func:`~spareplan.planning.plan.plan`, for every point (``time_limit``:
        seconds per point; ``service_model``: the target side's, the budget side plans
        with the analytic model).
    progress : callable, optional
        Called with one line per point planned (e.g. ``print``).

    Raises
    ------
    ParameterError
        A bad level, budget, ``points``, ``side``, ``solver`` or ``time_limit``; the
        budget side of a scenario with availability rows.
    InfeasibleError
        The scenario's targets are out of reach (target side, at alpha = 1).
    """
    if side not in SIDES:
        raise ParameterError("side", f"must be one of {', '.join(SIDES)}", side)
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ParameterError("points", "must be an integer >= 2", points)
    if solver not in solvers.available_backends():
        raise ParameterError("solver", f"must be one of {', '.join(solvers.available_backends())}",
                             solver)
    try:
        solvers.TimeBudget.of(time_limit)
    except solvers.InvalidProblemError:
        raise ParameterError("time_limit", "must be a finite number of seconds > 0 (None: "
                             "no limit)", time_limit) from None
    wanted_levels = _levels(levels)
    wanted_budgets = _budgets(budgets)
    model = PlanningModel.build(scenario)
    if not model.rows:
        raise ParameterError("scenario", "must have at least one SLA row with demand",
                             scenario.name)
    if side in ("both", "budget") and model.availability_rows.size:
        raise ParameterError("side", "the budget side plans the service goal, which does not "
                             "weigh availability rows (product form) yet: use side target "
                             "(--side target)", side)
    weights = pd.Series(model.row_demand[model.active] / model.row_demand[model.active].sum(),
                        index=list(model.row_names))
    options: dict[str, Any] = {"seed": seed, "solver": solver, "time_limit": time_limit,
                               "verify": verify, "replications": replications,
                               "years": years}
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    if side in ("both", "target"):
        rows += _target_side(scenario, model, wanted_levels, points,
                             dict(options, service_model=service_model), weights, skipped,
                             progress or _quiet)
    if side in ("both", "budget"):
        if wanted_budgets is None:
            wanted_budgets = _default_budgets(scenario, model, rows, points, options)
        rows += _budget_side(scenario, wanted_budgets, options, weights, skipped,
                             progress or _quiet)
    frame = pd.DataFrame(rows, columns=[c for c in POINT_COLUMNS if c != "dominated"])
    return FrontierResult(points=_mark_dominated(frame)[POINT_COLUMNS],
                          scenario=scenario.name, currency=scenario.document.currency,
                          skipped=pd.DataFrame(skipped, columns=SKIPPED_COLUMNS))
