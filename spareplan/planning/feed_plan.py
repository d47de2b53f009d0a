"""Plan with the simulation feed: the model the MILP optimizes is the simulated system.

The stages (each measured on the demo, see ``benchmarks/README.md``):

1. **Analytic column generation**, LP only (:func:`solvers.column_generation` over
   :class:`~spareplan.planning.pricing.StockVectorSource`): the analytic model's master
   LP, its Lagrangian bound (a bound *of the analytic model*, reported as such) and the
   columns its LP uses, which seed the feed's column generation.
2. **Noise margins**: the LP's plan (per part its heaviest column) is simulated with the
   feed's random numbers, replication by replication; every SLA row's standard error
   gives its margin (:func:`~spareplan.planning.feed.noise_margins`): the plan aims at
   ``target + margin`` in the feed so that an independent check of 24 years (8 x 3)
   finds it at or above target.
3. **Sample-average approximation** (:class:`~spareplan.planning.simulated.
   SimulatedSource`): column generation and the integer phase over columns whose SLA-row
   contributions and shipping costs are the simulation's (common random numbers between
   the columns of a part); new columns are proposed by a surrogate (the analytic model
   corrected by what the simulated columns showed). No Lagrangian bound holds for the
   simulated model (its pricing is not exact): none is claimed.
4. **A larger feed near the plan**: the columns within ``near_distance`` units of each
   part's first choice are simulated again with ``near_replications`` replications (the
   same stream: the first ones are the feed's), and the rounds below choose among them
   and the columns they add. Measured on the demo: over the feed's 40 replications the
   rounds did not settle (each pushed harder and found more flattering columns); over 160
   they did.
5. **The optimizer's curse, measured and removed, twice** (``curse_rounds``): the MILP
   picks, among a part's columns, those whose feed noise flatters them, so the plan is
   worse than the feed says (on 2,000 generated parts a class fill rate 0.857 in the
   feed, 0.840 in truth). The plan is simulated again with a holdout stream
   (:data:`~spareplan.planning.feed.HOLDOUT_STREAM`, the larger feed's size); every row's
   excess of the feed over the holdout (signed) plus its noise margin at that plan, from
   the holdout's replications, is its new margin, and the integer phase runs again.

The plan is then verified by the caller with the verification's own random numbers
(stream 0; the feed's is :data:`~spareplan.planning.feed.FEED_STREAM`), never with the
numbers that chose it.

**Under a time limit** every stage gets its share of what is left, and the feed gives way
to the analytic model when it cannot finish (:class:`FeedSkipped`, with the reason and
the analytic columns found so far, which the caller's analytic optimization starts from):
when the analytic column generation of stage 1 did not converge in its share (its master
LP is then no guide to the simulated system: measured on 2,000 generated parts with
``--time-limit 120``, the feed's plans cost 37-42 M a year against the analytic plan's
4.4 M), when the simulations the feed needs at least after stage 2, at the speed stage 2
measured (:func:`feed_seconds_at_least`), take more than half the time left (the other
half is for its MILPs, or for the analytic plan should it not finish), or when the first
plan of stage 3 found no solution. A curse round runs only
when the time left is at least what the stage before it took; the rounds run are in
:attr:`FeedPlan.round_costs` and the account says how many were skipped.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

import solvers
from spareplan.planning.feed import (
    FEED_STREAM,
    HOLDOUT_STREAM,
    FeedSettings,
    RowErrors,
    noise_margins,
    plan_row_values,
    row_errors,
    simulate_columns,
)
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import Optimization, optimize
from spareplan.planning.pricing import StockVectorSource
from spareplan.planning.simulated import SimulatedSource

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["FeedPlan", "FeedSkipped", "feed_seconds_at_least", "optimize_with_feed"]

LOG = logging.getLogger(__name__)

#: Integer phase of the feed's optimization: its LP is already a sample average, so the
#: MILP polishes less than the analytic one (measured: 200 final nodes lose < 0.1 %).
FEED_INTEGER = solvers.IntegerSettings(rounding_nodes=100, final_milp_nodes=100,
                                       window_groups=50, window_nodes=20)
#: The first plan only measures the optimizer's curse: a lighter integer phase.
FIRST_INTEGER = solvers.IntegerSettings(rounding_nodes=50, final_milp_nodes=30,
                                        window_groups=20, window_nodes=10)


@dataclass(frozen=True)
class FeedPlan:
    """The feed's optimization and its account.

    Attributes
    ----------
    optimization : Optimization
        Over the simulated columns (``bound_scope`` ``"none"``).
    model : PlanningModel
        The model optimized: the scenario's rows with ``targets + margins``.
    margins : float64 (rows,)
        Each SLA row's margin (service units) in the model optimized.
    errors : RowErrors
        The standard errors behind the margins' noise part (at the last plan measured on
        the holdout; at the analytic LP's plan when none was).
    curse : float64 (rows,)
        The optimizer's curse measured on the holdout at the last plan re-optimized from
        (signed; included in the margins).
    analytic_lp, analytic_bound : float
        The analytic model's master LP value and Lagrangian bound (``nan`` when none:
        pricing was not exact, as under the lateral rule on large parts).
    simulated_columns : int
        Stock vectors the feed simulated.
    settings : FeedSettings
    round_costs : tuple of float
        The cost of the first plan and of each re-optimization with the holdout's
        margins.
    rounds_skipped : int
        Curse rounds not run because the time limit left less than the stage before took.
    """

    optimization: Optimization
    model: PlanningModel
    margins: np.ndarray
    errors: np.ndarray
    curse: np.ndarray
    analytic_lp: float
    analytic_bound: float
    simulated_columns: int
    settings: FeedSettings
    round_costs: tuple[float, ...] = ()
    rounds_skipped: int = 0

    def account(self) -> dict[str, object]:
        """The summary's ``simulation_feed`` entry."""
        s = self.settings
        return {
            "model": "simulation (sample average over the simulated columns)",
            "replications": s.replications, "years": s.years,
            "warmup_years": s.warmup_years, "stream": FEED_STREAM, "z": s.z,
            "reference_years": s.reference_years,
            "simulated_columns": self.simulated_columns,
            "analytic_lp": self.analytic_lp,
            "analytic_bound": self.analytic_bound if math.isfinite(self.analytic_bound)
            else None,
            "margins": {name: float(m) for name, m in zip(self.model.row_names,
                                                          self.margins, strict=True)},
            "feed_standard_errors": {name: float(e) for name, e in zip(
                self.model.row_names, self.errors.feed, strict=True)},
            "check_standard_errors_at_reference": {name: float(e) for name, e in zip(
                self.model.row_names, self.errors.check(s.reference_years), strict=True)},
            "curse_rounds": s.curse_rounds,
            "curse_rounds_skipped_for_time": self.rounds_skipped,
            "near_replications": s.near_replications, "near_distance": s.near_distance,
            "round_costs": list(self.round_costs),
            "optimizers_curse": {name: float(c) for name, c in zip(
                self.model.row_names, self.curse, strict=True)},
        }


@dataclass(frozen=True)
class FeedSkipped:
    """The feed could not finish within the time limit: plan with the analytic model.

    Attributes
    ----------
    reason : str
        Why, in words for the console and ``summary.json``.
    initial : (parts, stock vectors)
        The analytic columns generated so far, to start the analytic optimization from.
    """

    reason: str
    initial: tuple[np.ndarray, np.ndarray]


def feed_seconds_at_least(one_set: float, n_used: int, n_parts: int,
                          settings: FeedSettings) -> float:
    """Seconds the feed needs at least after simulating one stock vector per part at its
    size in ``one_set`` seconds (its LP plan, stage 2): every part's largest vector and
    the ``n_used`` columns the analytic LP uses at the same size, and every part's chosen
    vector at the near-plan size. It simulates more (its pricing rounds' columns, the
    neighbours of the plan, the holdout) and solves MILPs, so this is a floor."""
    near = settings.near_replications / settings.replications
    return one_set * (1.0 + n_used / max(n_parts, 1) + max(near, 0.0))


def _heaviest_columns(groups: np.ndarray, weights: np.ndarray, n_parts: int) -> np.ndarray:
    """Per part the pool index of its column of largest LP weight."""
    order = np.lexsort((-weights, groups))
    first = np.ones(order.size, dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    chosen = order[first]
    if chosen.size != n_parts:
        raise solvers.SolverError("the analytic LP left a part without a column")
    return chosen


def _simulated_reach(model: PlanningModel, source: SimulatedSource) -> np.ndarray:
    """Every SLA row's value in the feed at every part's largest stock vector (rows,): the
    most a plan reaches in the simulated system (service rises with stock)."""
    _, top = model.service.bounds_many(np.arange(model.n_parts, dtype=np.int64))
    evaluation = source.evaluate(np.arange(model.n_parts, dtype=np.int64), top)
    activity = np.asarray(evaluation.coefficients)[:, :len(model.rows)].sum(axis=0)
    return np.asarray(model.row_value(activity), dtype=np.float64)


def _plan_vectors(result: Optimization) -> tuple[np.ndarray, np.ndarray]:
    """The parts and stock vectors (K,), (K, L) of ``result``'s plan."""
    chosen = result.chosen
    return (np.array([c.part for c in chosen], dtype=np.int64),
            np.vstack([c.stock for c in chosen]))


def _holdout(model: PlanningModel, source: SimulatedSource, result: Optimization, *,
             seed: int, client: Client | None = None) -> tuple[np.ndarray, RowErrors]:
    """``result``'s plan re-measured on the holdout stream (with ``source``'s size): per
    SLA row how much better ``source`` finds it than the holdout does (service units,
    signed: negative where the holdout finds slack), and the rows' standard errors at the
    plan itself."""
    groups, stock = _plan_vectors(result)
    rows = len(model.rows)
    fed = model.row_value(np.asarray(source.evaluate(groups, stock).coefficients)[:, :rows]
                          .sum(axis=0))
    figures = simulate_columns(model, groups, stock, seed=seed, settings=source.settings,
                               per_replication=True, stream=HOLDOUT_STREAM, client=client)
    curse = np.asarray(fed - plan_row_values(model, figures), dtype=np.float64)
    return curse, row_errors(model, figures)


def _near_the_plan(result: Optimization, distance: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns of ``result``'s pool within ``distance`` units (L1) of their part's
    chosen stock vector, the chosen ones included."""
    chosen = {c.part: c.stock for c in result.chosen}
    near = [c for c in result.columns
            if np.abs(c.stock - chosen[c.part]).sum() <= distance]
    return (np.array([c.part for c in near], dtype=np.int64),
            np.vstack([c.stock for c in near]))


def optimize_with_feed(model: PlanningModel, best_reachable: np.ndarray, *, seed: int,
                       settings: FeedSettings, backend: str, budget: solvers.TimeBudget,
                       mip_rel_gap: float, client: Client | None = None
                       ) -> FeedPlan | FeedSkipped:
    """The least-cost plan of the simulated system with noise margins (module docstring).

    Every simulation of stock vectors runs on the workers of ``client`` when given (the
    same figures, so the same plan); the LPs and MILPs stay in this process.

    ``best_reachable`` (rows,), the most the analytic model reaches, and the most the
    simulated system reaches at the largest stock vectors cap every row's margin at 90 %
    of the room between target and reach, so that a margin never makes a reachable row
    unreachable. Under a time limit the result may be :class:`FeedSkipped`.
    """
    analytic = solvers.column_generation(
        StockVectorSource(model, client=client), model.problem_row_lower, model.problem_row_upper,
        row_names=model.problem_row_names,
        facility_cost=model.facility_cost if model.n_facilities else None,
        backend=backend, budget=budget.share(0.4),
        settings=solvers.ColumnGenerationSettings(lp_only=True))
    if analytic.lp is None:
        raise solvers.SolverError("the analytic master LP has no solution")
    if budget.limited and not analytic.converged:
        return FeedSkipped(
            f"the analytic column generation, the simulation feed's first stage, did not "
            f"converge within its share of the time limit ({analytic.iterations} "
            f"iteration(s)); the feed needs more time (raise --time-limit or leave it out)",
            (analytic.pool.groups(), analytic.pool.payloads()))
    weights = np.asarray(analytic.lp.option_values)
    groups = analytic.pool.groups()
    used = np.flatnonzero(weights > 1e-9)
    proxy = _heaviest_columns(groups[used], weights[used], model.n_parts)
    proxy = used[proxy]
    LOG.info("feed: analytic LP %.10g", analytic.lp.value)
    simulating = budget.now()
    figures = simulate_columns(model, groups[proxy], analytic.pool.payloads(proxy),
                               seed=seed, settings=settings, per_replication=True,
                               client=client)
    if budget.limited:
        one_set = budget.now() - simulating
        need = feed_seconds_at_least(one_set, used.size, model.n_parts, settings)
        left = budget.left() or 0.0
        # the other half of what is left: the feed's MILPs, or the analytic plan should
        # the feed not finish
        if need > 0.5 * left:
            return FeedSkipped(
                f"the simulation feed needs at least {need:,.0f} s more (one stock vector "
                f"per part took {one_set:,.1f} s to simulate), more than half the "
                f"{left:,.0f} s of the time limit left (raise --time-limit or leave it out)",
                (analytic.pool.groups(), analytic.pool.payloads()))
    errors = row_errors(model, figures)
    source = SimulatedSource(model, seed=seed, settings=settings, client=client)
    reach = np.minimum(np.asarray(best_reachable), _simulated_reach(model, source))
    room = np.maximum(0.9 * (reach - model.targets), 0.0)
    margins = np.minimum(noise_margins(errors, settings), room)
    margined = model.with_target_offsets(margins)
    engine = solvers.ColumnGenerationSettings(
        max_iterations=settings.pricing_rounds + 1, integer=FIRST_INTEGER)
    initial = (groups[used], analytic.pool.payloads(used))
    started = budget.now()
    result = optimize(margined, backend=backend, budget=budget.share(0.6),
                      mip_rel_gap=mip_rel_gap, settings=engine, source=source,
                      initial=initial)
    if budget.limited and not result.solution.status.has_solution:
        return FeedSkipped(
            "the simulation feed found no plan within its share of the time limit (raise "
            "--time-limit or leave it out)",
            (analytic.pool.groups(), analytic.pool.payloads()))
    stage_seconds = budget.now() - started
    LOG.info("feed: first plan %.10g (%d stock vectors simulated)",
             result.solution.objective, source.simulated_columns)
    curse = np.zeros(len(model.rows))
    costs = [float(result.solution.objective)] if result.solution.status.has_solution else []
    again_settings = dataclasses.replace(engine, max_iterations=1, integer=FEED_INTEGER)
    refined = source
    if (result.method != "enumeration" and result.solution.status.has_solution
            and settings.near_replications > settings.replications):
        # the columns the plan chooses among, simulated again with more replications
        refined = SimulatedSource(model, seed=seed, settings=dataclasses.replace(
            settings, replications=settings.near_replications), client=client)
        pool = _near_the_plan(result, settings.near_distance)
    else:
        pool = (np.array([c.part for c in result.columns], dtype=np.int64),
                np.vstack([c.stock for c in result.columns]))
    skipped = 0
    for done in range(settings.curse_rounds):
        if not result.solution.status.has_solution:
            break
        left = budget.left()
        if left is not None and left < stage_seconds:
            skipped = settings.curse_rounds - done
            LOG.info("feed: %d curse round(s) skipped: %.0f s left, the last stage took "
                     "%.0f s", skipped, left, stage_seconds)
            break
        started = budget.now()
        measured_curse, errors = _holdout(model, refined, result, seed=seed, client=client)
        raised_margins = np.clip(noise_margins(errors, refined.settings) + measured_curse,
                                 0.0, room)
        raised = model.with_target_offsets(raised_margins)
        again = optimize(raised, backend=backend,
                         budget=budget.share(1.0 / (settings.curse_rounds - done)),
                         mip_rel_gap=mip_rel_gap, settings=again_settings, source=refined,
                         initial=pool)
        stage_seconds = budget.now() - started
        if not again.solution.status.has_solution:
            break
        result, margined, margins = again, raised, raised_margins
        curse = measured_curse
        costs.append(float(result.solution.objective))
        LOG.info("feed: plan %.10g with the holdout's margins (largest curse %.3g)",
                 costs[-1], float(np.max(curse)))
        pool = (np.array([c.part for c in result.columns], dtype=np.int64),
                np.vstack([c.stock for c in result.columns]))
    if result.method != "enumeration":
        # a bound over the generated columns is no bound of the simulated model
        solution = result.solution
        status = (solvers.SolveStatus.FEASIBLE if solution.status.has_solution
                  else solution.status)
        result = dataclasses.replace(
            result, bound_scope="none",
            solution=dataclasses.replace(solution, status=status, lower_bound=-math.inf,
                                         gap=math.inf))
    bound = float(analytic.solution.lower_bound) if analytic.bound_exact else math.nan
    simulated = source.simulated_columns + (refined.simulated_columns
                                            if refined is not source else 0)
    return FeedPlan(result, margined, margins, errors, curse, float(analytic.lp.value), bound,
                    simulated, settings, tuple(costs), skipped)
