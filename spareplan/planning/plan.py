"""``plan``: from a scenario to a checked stock plan with its service, cost and bound.

The stages, each in its own module: the planning model (:mod:`~spareplan.planning.model`),
what no plan can reach (:mod:`~spareplan.planning.diagnosis`), the optimization
(:mod:`~spareplan.planning.optimize`, the engine in :mod:`solvers`), the plan's tables
(:mod:`~spareplan.planning.frames`), verification and calibration by simulation
(:mod:`~spareplan.planning.calibration`) and the account (:mod:`~spareplan.planning.summary`).
Errors of the solvers package are translated here, at the planning boundary, into
spareplan's own (:class:`~spareplan.errors.SolverFailure`, :class:`ParameterError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import solvers
from spareplan.errors import InfeasibleError, ParameterError, SolverFailure
from spareplan.planning.calibration import Calibration, calibrate, planned_round, verified
from spareplan.planning.diagnosis import best_reachable, optimize_checked, unreachable_rows
from spareplan.planning.model import PlanningModel
from spareplan.planning.summary import PlanSummary, plan_summary
from spareplan.scenario.model import Scenario

__all__ = ["PlanResult", "plan"]


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
    summary : PlanSummary
        A mapping (``summary["status"]``; :meth:`PlanSummary.to_dict` for JSON):
        status, objective, lower_bound, gap, solver, seed, runtime, versions, input hash…;
        ``inventory_value`` (sum of unit_cost x stock), ``inventory_budget`` (``None``
        without one) and ``capacity_rows``: per capacity row name (``capacity_units[F1]``,
        ``capacity_volume[F1]``, ``inventory_budget``) its ``limit``, ``used`` and ``unit``.
    verification : object or None
        The simulation result that re-measured the plan (``None`` when not verified).
    """

    recommendations: pd.DataFrame
    service: pd.DataFrame
    summary: PlanSummary
    verification: Any = None

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
        Seconds for the whole run (optimization, simulation and every calibration round
        together); a time-limited result is FEASIBLE with its gap.
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
    try:
        clock = solvers.TimeBudget.of(time_limit)
    except solvers.InvalidProblemError:
        raise ParameterError("time_limit", "must be a finite number of seconds > 0 (None: "
                             "no limit)", time_limit) from None
    if calibration_rounds < 0:
        raise ParameterError("calibration_rounds", "must be >= 0", calibration_rounds)
    if budget is not None and not budget > 0:
        raise ParameterError("budget", "must be > 0 (currency; inf: no budget)", budget)
    try:
        return _plan(scenario, seed=seed, clock=clock, time_limit=time_limit, solver=solver,
                     mip_rel_gap=mip_rel_gap, verify=verify, replications=replications,
                     years=years, calibration_rounds=calibration_rounds,
                     inventory_budget=budget)
    except solvers.SolverError as error:
        raise SolverFailure(f"the optimization backend failed: {error}") from error


def _plan(scenario: Scenario, *, seed: int, clock: solvers.TimeBudget,
          time_limit: float | None, solver: str, mip_rel_gap: float, verify: bool,
          replications: int, years: float, calibration_rounds: int,
          inventory_budget: float | None) -> PlanResult:
    """:func:`plan` after its parameters are checked (``clock``: the run's time budget)."""
    budget = clock
    model = PlanningModel.build(scenario, inventory_budget=inventory_budget)
    best = best_reachable(model) if model.rows else np.zeros(0)
    diagnosis = unreachable_rows(model, best)
    if diagnosis:
        lines = [f"{d['sla_row']}: target {d['target']:g}, best reachable "
                 f"{d['best_reachable']:.4f} ({d['reason']})" for d in diagnosis]
        raise InfeasibleError("no stock plan meets these SLA rows:\n  " + "\n  ".join(lines),
                              diagnosis)
    first = planned_round(model, optimize_checked(model, solver, budget, mip_rel_gap),
                          scenario)
    calibration = Calibration(first)
    if verify:
        calibration = calibrate(
            verified(first, scenario, seed=seed, replications=replications, years=years),
            best, scenario, solver=solver, budget=budget, mip_rel_gap=mip_rel_gap, seed=seed,
            replications=replications, years=years, rounds=calibration_rounds)
    chosen = calibration.chosen
    summary = plan_summary(
        scenario=scenario, model=chosen.model, result=chosen.optimization,
        recommendations=chosen.recommendations, service=chosen.service, solver=solver,
        seed=seed, time_limit=time_limit, verify=verify, replications=replications,
        years=years, calibration=calibration.records,
        calibration_stopped=calibration.stopped, runtime_seconds=budget.elapsed())
    return PlanResult(recommendations=chosen.recommendations, service=chosen.service,
                      summary=summary, verification=chosen.verification)
