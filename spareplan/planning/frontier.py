"""Cost–service frontier: the least yearly cost at a sweep of SLA levels, MILP and greedy.

Every SLA row r is moved along one service level :math:`\\alpha`:

.. math::

    t_r(\\alpha) = b_r + \\alpha \\, (t_r - b_r),

with :math:`t_r` the scenario's target and :math:`b_r` the row's value with no stock
beyond each part's minimum (:math:`\\alpha = 0`: nothing to buy; :math:`\\alpha = 1`: the
scenario's targets). At each level the optimizer (:func:`~spareplan.planning.optimize.
optimize`) gives the least yearly cost with its bound, and Sherbrooke's marginal analysis
over the same columns (:func:`~spareplan.planning.optimize.baseline_costs`) the greedy
curve — the cost–effectiveness curve of Sherbrooke (1968) beside the MILP's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import solvers
from spareplan.errors import InfeasibleError, ParameterError
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import baseline_costs, optimize
from spareplan.scenario.model import Scenario


@dataclass(frozen=True)
class FrontierResult:
    """Points of the cost–service frontier.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per service level: ``level`` (alpha), ``fill_rate`` (mean planned fill rate
        within window over the fill-rate rows), ``availability`` (mean over uptime rows),
        ``milp_cost``, ``lower_bound``, ``gap``, ``status``, ``greedy_hull_cost``,
        ``greedy_naive_cost``.
    scenario : str
    """

    points: pd.DataFrame
    scenario: str

    def to_frame(self) -> pd.DataFrame:
        """The points (a copy)."""
        return self.points.copy()

    def plot(self, ax: Any = None) -> Any:
        """Yearly cost against mean fill rate: MILP curve, greedy curves beside it."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.5))
        frame = self.points.sort_values("level")
        x = frame["fill_rate"]
        ax.plot(x, frame["milp_cost"], "o-", label="MILP (column generation)", color="#3b6ea5")
        ax.plot(x, frame["greedy_hull_cost"], "s--", label="greedy (convex hull)",
                color="#c0504d")
        ax.plot(x, frame["greedy_naive_cost"], "^:", label="greedy (one step)",
                color="#9bbb59")
        ax.plot(x, frame["lower_bound"], "_", markersize=14, color="black",
                label="Lagrangian bound")
        ax.set_xlabel("mean planned fill rate within window")
        ax.set_ylabel("yearly cost")
        ax.set_title(f"Cost-service frontier: {self.scenario}")
        ax.legend(loc="upper left")
        return ax


def _row_floor(model: PlanningModel) -> np.ndarray:
    """Row activity with every part at its minimum stock."""
    parts = np.arange(model.n_parts, dtype=np.int64)
    lo, _ = model.service.bounds_many(parts)
    activity = np.zeros(len(model.rows))
    for part in range(model.n_parts):
        activity += model.column(part, lo[part]).coefficients
    return activity


def _levels(targets: Sequence[float] | None, points: int) -> list[float]:
    if targets is not None:
        levels = [float(t) for t in targets]
        if not levels:
            raise ParameterError("targets", "must hold at least one level", list(targets))
        bad = [t for t in levels if not (0.0 <= t <= 1.0) or math.isnan(t)]
        if bad:
            raise ParameterError("targets", "levels must lie in [0, 1] (1 = the scenario's "
                                 "targets)", bad[0])
        return sorted(set(levels))
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ParameterError("points", "must be an integer >= 2", points)
    return [float(v) for v in np.linspace(0.0, 1.0, points)]


def frontier(scenario: Scenario, *, targets: Sequence[float] | None = None, points: int = 8,
             seed: int = 0, solver: str = solvers.DEFAULT_BACKEND,
             time_limit: float | None = None) -> FrontierResult:
    """Trace yearly cost against service by a sweep of SLA levels.

    Parameters
    ----------
    scenario : Scenario
    targets : sequence of float, optional
        Service levels alpha in [0, 1] (see the module docstring); default ``points``
        levels evenly spaced from 0 to 1.
    points : int
        Number of levels when ``targets`` is not given (>= 2).
    seed : int
        Recorded with the result (the optimization draws nothing at random).
    solver : str
        MILP backend (:func:`solvers.available_backends`).
    time_limit : float, optional
        Seconds per point.

    Raises
    ------
    ParameterError
        A bad level, ``points``, ``solver`` or ``time_limit``.
    InfeasibleError
        The scenario's targets are out of reach (checked at alpha = 1).
    """
    if solver not in solvers.available_backends():
        raise ParameterError("solver", f"must be one of {', '.join(solvers.available_backends())}",
                             solver)
    try:
        solvers.TimeBudget.of(time_limit)
    except solvers.InvalidProblemError:
        raise ParameterError("time_limit", "must be a finite number of seconds > 0 (None: "
                             "no limit)", time_limit) from None
    levels = _levels(targets, points)
    model = PlanningModel.build(scenario)
    rows: list[dict[str, Any]] = []
    if not model.rows:
        raise ParameterError("scenario", "must have at least one SLA row with demand",
                             scenario.name)
    floor = model.row_value(_row_floor(model))
    for level in levels:
        point_model = model.with_targets(floor + level * (model.targets - floor))
        result = optimize(point_model, backend=solver,
                          budget=solvers.TimeBudget.of(time_limit))
        if not result.solution.status.has_solution:
            raise InfeasibleError(f"no plan found at service level {level:g}: "
                                  f"{result.solution.message}")
        baseline = baseline_costs(point_model, result)
        value = model.row_value(np.sum([c.coefficients for c in result.chosen], axis=0))
        fill = value[model.is_fill_row]
        uptime = value[~model.is_fill_row]
        rows.append({
            "level": level,
            "fill_rate": float(fill.mean()) if fill.size else math.nan,
            "availability": float(uptime.mean()) if uptime.size else math.nan,
            "milp_cost": float(result.solution.objective),
            "lower_bound": float(result.solution.lower_bound),
            "gap": float(result.solution.gap),
            "status": result.solution.status.name.lower(),
            "greedy_hull_cost": baseline["greedy_hull_cost"],
            "greedy_naive_cost": baseline["greedy_naive_cost"],
            "columns": result.n_columns,
            "seed": seed,
        })
    return FrontierResult(points=pd.DataFrame(rows), scenario=scenario.name)
