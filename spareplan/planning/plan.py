"""``plan``: from a scenario to a checked stock plan with its service, cost and bound.

The stages, each in its own module: the planning model (:mod:`~spareplan.planning.model`),
what no plan can reach (:mod:`~spareplan.planning.diagnosis`), the optimization
with the simulation feed (:mod:`~spareplan.planning.feed_plan`) or the analytic model
alone (:mod:`~spareplan.planning.optimize`, the engine in :mod:`solvers`), the plan's
tables (:mod:`~spareplan.planning.frames`), the verification by independent simulation
(:mod:`~spareplan.planning.verification`), the account
(:mod:`~spareplan.planning.summary`) and the result (:mod:`~spareplan.planning.plan_result`:
:class:`PlanResult`, importable from here as before).
Errors of the solvers package are translated here, at the planning boundary, into
spareplan's own (:class:`~spareplan.errors.SolverFailure`, :class:`ParameterError`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import solvers
from spareplan.errors import InfeasibleError, ParameterError, SolverFailure
from spareplan.planning.diagnosis import (
    best_reachable,
    checked,
    optimize_checked,
    unreachable_rows,
)
from spareplan.planning.feed import FeedSettings
from spareplan.planning.feed_plan import FeedPlan, FeedSkipped, optimize_with_feed
from spareplan.planning.model import COST, GOALS, SERVICE, PlanningModel
from spareplan.planning.optimize import Optimization, optimize
from spareplan.planning.plan_result import PlanResult
from spareplan.planning.result import master_shadow_prices
from spareplan.planning.summary import plan_summary
from spareplan.planning.verification import planned_round, verification_account, verified
from spareplan.progress import NO_PROGRESS, Progress
from spareplan.scenario.model import Scenario

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SERVICE_MODELS", "PlanResult", "plan"]

LOG = logging.getLogger(__name__)

#: What the optimizer plans with: the simulated system (default) or the analytic model.
SERVICE_MODELS = ("simulation", "analytic")

#: Demand units the verification simulates per CPU second, for its share of a time limit
#: (measured about 2e6 on one core of the reference machine; a quarter of it on a loaded
#: one).
VERIFICATION_UNITS_PER_SECOND = 5e5


def plan(scenario: Scenario, *, seed: int = 0, time_limit: float | None = None,
         solver: str = solvers.DEFAULT_BACKEND, mip_rel_gap: float = 1e-4,
         verify: bool = True, replications: int = 20, years: float = 5.0,
         budget: float | None = None, service_model: str | None = None,
         feed: FeedSettings | None = None, goal: str = COST,
         service_weights: Any = None, targets: Mapping[str, float] | None = None,
         progress: Progress | None = None, client: Client | None = None) -> PlanResult:
    """Plan the least-cost stock per part and location that meets every SLA row, or the
    best service within a budget (``goal="service"``).

    The plan also keeps every capacity row: units and volume per location, and the
    inventory budget (see :mod:`spareplan.planning.model`).

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`spareplan.load_scenario`).
    seed : int
        Seed of everything random (the feed and the verification, each with its own
        streams); recorded in the summary.
    time_limit : float, optional
        Seconds for the whole run: optimization, verification and the tables. The
        verification's share is set aside first; when too little is left for it, the plan
        is returned unverified and says so (``summary["verification"]``).
    solver : str
        Backend of :func:`solvers.solve` (``"highs"``, ``"pulp-highs"``, ``"pulp-cbc"``).
    mip_rel_gap : float
        Relative optimality gap at which the MILP stops.
    verify : bool
        Re-measure the plan by independent simulation (see :func:`spareplan.simulate`).
    replications, years : int, float
        Size of the verification simulation.
    budget : float, optional
        Inventory budget B: most capital tied up in stock, sum over parts and locations of
        unit_cost x stock, in the scenario's currency (row ``inventory_budget``).
        Overrides ``[costs] inventory_budget``; ``None`` keeps the scenario's, ``inf``
        plans without a budget.
    service_model : str, optional
        ``"simulation"`` (default under the cost goal): the SLA rows' contributions of
        every stock vector the optimizer considers come from the numba simulation
        (:mod:`~spareplan.planning.feed_plan`), with a margin per row against the noise
        of the feed and of the check; no bound is claimed for that model (the analytic
        model's bound is reported beside it). ``"analytic"``: the METRIC-type analytic
        model alone, with its Lagrangian bound and gap (the only model of the service
        goal, whose plan the verification then measures).
    feed : FeedSettings, optional
        Size of the feed and its margin (``service_model="simulation"``).
    goal : str
        ``"cost"`` (default): the least yearly cost meeting every SLA row. ``"service"``:
        the most weighted service the budget (and the other capacity rows) allow — METRIC's
        question, the least expected backorders for an investment
        (:meth:`PlanningModel.with_goal`); the SLA targets are then not constraints but
        the yardstick of the verdict. Needs an inventory budget.
    service_weights : mapping of SLA row name to weight, optional
        Weight of each SLA row in the service goal (default: its share of the requests).
    targets : mapping of SLA row name to target, optional
        What-if targets of some SLA rows (fill rate within the window, or availability),
        overriding the scenario's for this plan; ``service.csv``'s ``target`` shows them.
    progress : Progress, optional
        Told each stage as it begins (analytic models, reachability, optimization,
        verification; :mod:`spareplan.progress`); nothing is reported without one.
    client : dask.distributed.Client, optional
        Run the per-part simulations (the feed, its holdout, the verification) on the
        workers of this client; the master LP and the MILP stay here. The plan and its
        tables are byte-identical to a run without one (``docs/cluster.md``).

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
    if budget is not None and not budget > 0:
        raise ParameterError("budget", "must be > 0 (currency; inf: no budget)", budget)
    if goal not in GOALS:
        raise ParameterError("goal", f"must be one of {', '.join(GOALS)}", goal)
    if service_model is None:
        service_model = "simulation" if goal == COST else "analytic"
    if service_model not in SERVICE_MODELS:
        raise ParameterError("service_model", "must be simulation or analytic", service_model)
    if goal == SERVICE and service_model != "analytic":
        raise ParameterError("service_model", "the service goal optimizes the analytic model "
                             "(the verification then simulates its plan); use analytic",
                             service_model)
    try:
        return _plan(scenario, seed=seed, clock=clock, time_limit=time_limit, solver=solver,
                     mip_rel_gap=mip_rel_gap, verify=verify, replications=replications,
                     years=years, inventory_budget=budget, service_model=service_model,
                     feed=feed or FeedSettings(), goal=goal,
                     service_weights=service_weights, targets=targets,
                     progress=progress or NO_PROGRESS, client=client)
    except solvers.SolverError as error:
        raise SolverFailure(f"the optimization backend failed: {error}") from error


def _with_row_targets(model: PlanningModel, targets: Mapping[str, float]) -> PlanningModel:
    """``model`` asking ``targets`` (by SLA row name) of those rows."""
    if not isinstance(targets, Mapping):
        raise ParameterError("targets", "must map SLA row names to targets", targets)
    names = model.row_names
    wanted = model.targets.copy()
    for name, value in targets.items():
        if name not in names:
            raise ParameterError("targets", f"names no SLA row with demand (rows: "
                                 f"{', '.join(names)})", name)
        k = names.index(name)
        value = float(value)
        top = 1.0 if model.is_fill_row[k] else np.nextafter(1.0, 0.0)
        if not 0.0 <= value <= top:
            raise ParameterError(f"targets[{name}]", "must lie in [0, 1] (an uptime target "
                                 "below 1)", value)
        wanted[k] = value
    return model.with_targets(wanted)


def _service_goal(model: PlanningModel, weights: Any) -> PlanningModel:
    """``model`` with the service goal: needs a budget row; ``weights`` by row name."""
    if model.inventory_budget is None:
        raise ParameterError("budget", "the service goal needs an inventory budget (budget= "
                             "or [costs] inventory_budget)", None)
    if not model.rows:
        raise ParameterError("goal", "the service goal needs an SLA row with demand",
                             model.scenario.name)
    if weights is None:
        return model.with_goal(SERVICE)
    if not isinstance(weights, dict):
        raise ParameterError("service_weights", "must map SLA row names to weights", weights)
    unknown = sorted(set(weights) - set(model.row_names))
    if unknown:
        raise ParameterError("service_weights", f"names no SLA row with demand (rows: "
                             f"{', '.join(model.row_names)})", unknown[0])
    return model.with_goal(SERVICE, np.array([float(weights.get(n, 0.0))
                                              for n in model.row_names]))


def _verification_seconds(model: PlanningModel, replications: int, years: float) -> float:
    """Expected seconds of the verification (its demand units at a conservative speed)."""
    units = float(np.sum(model.parts.demand_rate)) * replications * (years + 1.0)
    return 1.0 + units / VERIFICATION_UNITS_PER_SECOND


def _optimized(model: PlanningModel, best: np.ndarray, *, service_model: str,
               feed: FeedSettings, seed: int, solver: str, budget: solvers.TimeBudget,
               mip_rel_gap: float, client: Client | None = None
               ) -> tuple[Optimization, FeedPlan | None, str | None]:
    """The optimization with the chosen service model, checked; the third item says why
    the analytic model planned when the feed could not finish within the time limit."""
    if service_model == "analytic" or not model.rows:
        return optimize_checked(model, solver, budget, mip_rel_gap), None, None
    fed = optimize_with_feed(model, best, seed=seed, settings=feed, backend=solver,
                             budget=budget, mip_rel_gap=mip_rel_gap, client=client)
    if isinstance(fed, FeedSkipped):
        LOG.info("feed skipped: %s", fed.reason)
        result = optimize(model, backend=solver, budget=budget, mip_rel_gap=mip_rel_gap,
                          initial=fed.initial)
        return checked(model, result, solver, budget, mip_rel_gap), None, fed.reason
    return checked(fed.model, fed.optimization, solver, budget, mip_rel_gap), fed, None


def _plan(scenario: Scenario, *, seed: int, clock: solvers.TimeBudget,
          time_limit: float | None, solver: str, mip_rel_gap: float, verify: bool,
          replications: int, years: float, inventory_budget: float | None,
          service_model: str, feed: FeedSettings, goal: str = COST,
          service_weights: Any = None, targets: Mapping[str, float] | None = None,
          progress: Progress = NO_PROGRESS, client: Client | None = None) -> PlanResult:
    """:func:`plan` after its parameters are checked (``clock``: the run's time budget)."""
    progress.stage("analytic models", detail=f"{len(scenario.tables['parts'])} parts")
    model = PlanningModel.build(scenario, inventory_budget=inventory_budget)
    if targets is not None:
        model = _with_row_targets(model, targets)
    if goal == SERVICE:
        model = _service_goal(model, service_weights)
    progress.stage("reachability", detail="the most each SLA row can reach")
    best = best_reachable(model) if model.rows and goal == COST else np.zeros(0)
    diagnosis = unreachable_rows(model, best) if goal == COST else []
    if diagnosis:
        lines = [f"{d['sla_row']}: target {d['target']:g}, best reachable "
                 f"{d['best_reachable']:.4f} ({d['reason']})" for d in diagnosis]
        raise InfeasibleError("no stock plan meets these SLA rows:\n  " + "\n  ".join(lines),
                              diagnosis)
    need = _verification_seconds(model, replications, years) if verify else 0.0
    # the optimizer may overrun its deadline by a stage: the verification's share of the
    # limit is twice its estimate and at least 5 % of the limit (measured on 2,000 parts
    # with --time-limit 120: a reserve of exactly the estimate, 1.5 s, was eaten by the
    # integer phase and the plan went unverified)
    reserve = (max(2.0 * need, 0.05 * clock.seconds) if verify and clock.limited
               else need)
    optimizing = clock
    if clock.limited:
        left = clock.left() or 0.0
        optimizing = clock.until(max(0.5, 1.0 - min(reserve, 0.5 * left) / clock.seconds))
    progress.stage("optimization", detail=(
        "column generation on the analytic model" if service_model == "analytic"
        or not model.rows else "column generation fed by simulation"))
    optimization, fed, skipped = _optimized(model, best, service_model=service_model,
                                            feed=feed, seed=seed, solver=solver,
                                            budget=optimizing, mip_rel_gap=mip_rel_gap,
                                            client=client)
    chosen = planned_round(model, optimization, scenario)
    verification_note = None
    if verify:
        left = clock.left()
        if left is not None and left < need:
            verification_note = (f"not verified: {left:.0f} s of the time limit left, the "
                                 f"verification needs about {need:.0f} s")
        else:
            parts = len(scenario.tables["parts"])
            progress.stage("verification", total=parts, detail=(
                f"{replications} x {years:g} years, {parts:,} parts, independent random "
                "numbers"))
            chosen = verified(chosen, scenario, seed=seed, replications=replications,
                              years=years, client=client,
                              on_chunk=lambda done, _: progress.advance(done))
    summary = plan_summary(
        scenario=scenario, model=model, result=chosen.optimization,
        recommendations=chosen.recommendations, service=chosen.service, solver=solver,
        seed=seed, time_limit=time_limit, verify=verify, replications=replications,
        years=years, feed=fed,
        verification=verification_account(chosen.service, verify, replications, years,
                                          verification_note),
        runtime_seconds=clock.elapsed(), feed_skipped=skipped)
    return PlanResult(recommendations=chosen.recommendations, service=chosen.service,
                      summary=summary, verification=chosen.verification, scenario=scenario,
                      shadow_prices=master_shadow_prices(chosen.optimization,
                                                         model.row_names))
