"""Alerts judged against outcomes: run warn every week of sample paths and score it.

:func:`backtest` starts from the scenario's state (as ``warn`` sees it, with the same base
stock), draws dated sample paths (:mod:`spareplan.warning.paths`: random demand, random
transit times, repair or procurement per unit), and every week runs the early warning on
what a planner knows then — net inventory, orders waiting at the parent, units in transit
with their *planned* arrival weeks, the customer orders — through the same projection,
alert levels and alert history (a temporary SQLite file) as ``spareplan warn``. Nobody acts
on the alerts in these paths, so every shortage that follows an alert is one its
countermeasure was there to avert.

Scores (a *shortage* is a week that ends with a request waiting at a location that should
hold stock, base stock > 0; consecutive weeks are one shortage):

- **recall** with lead :math:`\\ell` (``notice_lead_weeks``): the share of shortages that
  start in week :math:`t` for which the run as of the start of week :math:`t - \\ell` had an
  alert (any level) for that part and location; shortages too early to be warned
  :math:`\\ell` weeks ahead inside the backtest are not counted.
- **precision**: the share of the alerts (an alert of the history, from its opening to its
  all clear) followed by a shortage of that part and location between its first run and
  the horizon of its last; also for the customer-facing alerts alone, within the horizon of
  its opening run only (``precision_at_opening``: a long-open alert gets no more time), and
  counting every weekly alert separately (``precision_weekly``).
- **notices**: customer sites that hear from a run (new, changed, due for an update, or an
  all clear), per week and per customer per quarter (13 weeks).
- **calibration**: the projected probabilities against the frequency of shortage, by bin.

The paths' seeds come from :class:`numpy.random.SeedSequence` per part and replication,
so the scores depend on the seed only, not on threads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from spareplan.errors import ParameterError
from spareplan.scenario.document import EarlyWarning
from spareplan.scenario.model import Scenario
from spareplan.simulation.engine import part_seeds
from spareplan.warning.alerts import AlertContext, AlertLevel, assess
from spareplan.warning.inputs import PLAN_SOURCE, WarnInputs, prepare_inputs
from spareplan.warning.notices import draft_notices
from spareplan.warning.paths import PathModel, SamplePaths, path_model, sample_paths
from spareplan.warning.projection import ProjectionInput, project, project_firm_orders
from spareplan.warning.state import history

__all__ = ["BACKTEST_STREAM", "BacktestResult", "backtest", "score"]

#: Seed stream family of the backtest's paths (independent of the simulation's streams).
BACKTEST_STREAM = 1500
_BINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0 + 1e-9)


@dataclass(frozen=True)
class RunRecord:
    """The alerts and notices of one weekly run of one replication."""

    replication: int
    week: int  # runs as of the start of world week ``week + 1``
    alerts: pd.DataFrame = field(repr=False)  # part_index, location_index, level
    notified_sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class BacktestResult:
    """Scores of :func:`backtest` (see the module docstring for the definitions).

    Attributes
    ----------
    summary : dict
        Settings and the headline figures.
    by_week : pandas.DataFrame
        Per replication and run week: alerts per level, sites notified, shortages starting.
    calibration : pandas.DataFrame
        Per probability bin: weeks projected, mean probability, frequency of shortage.
    """

    summary: dict[str, object]
    by_week: pd.DataFrame = field(repr=False)
    calibration: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The weekly table (a copy)."""
        return self.by_week.copy()


def _world(inputs: WarnInputs, weeks: int) -> tuple[PathModel, list[list[tuple[int, int, int]]],
                                                    np.ndarray]:
    """The path model, the initial receipts per part, the firm orders over ``weeks``."""
    model = path_model(inputs.network, inputs.parts)
    part_index = {p: i for i, p in enumerate(inputs.parts.part_ids)}
    loc_index = {loc: i for i, loc in enumerate(inputs.network.location_ids)}
    receipts: list[list[tuple[int, int, int]]] = [[] for _ in inputs.parts.part_ids]
    for row in inputs.receipts.itertuples(index=False):
        units = int(np.floor(float(row.quantity) + 1e-9))
        if units > 0:
            receipts[part_index[row.part]].append((loc_index[row.location], int(row.week),
                                                   units))
    firm = np.zeros((inputs.parts.n_parts, inputs.network.n_locations, weeks), dtype=np.int64)
    for row in inputs.orders.itertuples(index=False):
        if 1 <= int(row.week) <= weeks:
            firm[part_index[row.part], loc_index[row.location], int(row.week) - 1] += int(
                np.ceil(float(row.quantity) - 1e-9))
    return model, receipts, firm


def _run_inputs(inputs: WarnInputs, paths: SamplePaths, firm: np.ndarray, week: int,
                horizon: int) -> ProjectionInput:
    base = inputs.projection
    return dataclasses.replace(
        base, net0=paths.net0[:, week], pending=paths.pending[:, week],
        on_order=paths.on_order[:, week], receipts=paths.receipts[:, week],
        firm=np.ascontiguousarray(firm[:, :, week:week + horizon]))


def _receipt_frame(inputs: WarnInputs, run: ProjectionInput) -> pd.DataFrame:
    """Units in transit to central warehouses (the expedite candidates)."""
    roots = np.flatnonzero(inputs.network.parent < 0)
    part, loc, week = np.nonzero(run.receipts[:, roots, :])
    return pd.DataFrame({
        "part": np.array(inputs.parts.part_ids, dtype=object)[part],
        "location": np.array(inputs.network.location_ids, dtype=object)[roots[loc]],
        "week": week + 1, "quantity": run.receipts[:, roots, :][part, loc, week],
        "kind": "purchase", "reference": [f"order due in week {w + 1}" for w in week]})


def score(runs: list[RunRecord], net: dict[int, np.ndarray], evaluated: np.ndarray, *,
          horizon: int, lead: int, n_sites: int) -> dict[str, object]:
    """Precision, recall and notices of weekly runs against the paths' outcomes.

    ``net[replication]`` is the paths' net inventory ``(P, L, T)``. An *alert* is an
    alert of the history (one id from its opening to its all clear); it is confirmed by
    the outcome when its part and location are short in a week from its first run to
    ``horizon`` weeks after its last. ``precision_weekly`` counts every weekly alert
    instead (true when short within that run's horizon).
    """
    facing_levels = [lv.value for lv in AlertLevel if lv.customer_facing]
    spans: dict[tuple[int, int], list[int]] = {}
    facing_spans: dict[tuple[int, int], list[int]] = {}
    alerted: dict[tuple[int, int], set[tuple[int, int]]] = {}
    facing: dict[tuple[int, int], set[tuple[int, int]]] = {}
    weekly = weekly_true = 0
    notices = 0
    for run in runs:
        short = (net[run.replication] < 0) & evaluated[:, :, None]
        window = short[:, :, run.week:run.week + horizon].any(axis=2)
        pairs, face = set(), set()
        for part, loc, alert_id, level in zip(run.alerts["part_index"],
                                              run.alerts["location_index"],
                                              run.alerts["alert_id"], run.alerts["level"],
                                              strict=True):
            pairs.add((part, loc))
            weekly += 1
            weekly_true += bool(window[part, loc])
            span = spans.setdefault((run.replication, alert_id), [part, loc, run.week,
                                                                  run.week])
            span[3] = run.week
            if level in facing_levels:
                face.add((part, loc))
                span = facing_spans.setdefault((run.replication, alert_id),
                                               [part, loc, run.week, run.week])
                span[3] = run.week
        alerted[(run.replication, run.week)] = pairs
        facing[(run.replication, run.week)] = face
        notices += len(run.notified_sites)

    def confirmed(items: dict[tuple[int, int], list[int]], opening: bool = False) -> int:
        total = 0
        for (replication, _), (part, loc, first, last) in items.items():
            end = (first if opening else last) + horizon
            short = net[replication][part, loc, first:end] < 0
            total += bool(short.any() and evaluated[part, loc])
        return total

    weeks = sorted({run.week for run in runs})
    replications = sorted({run.replication for run in runs})
    episodes = warned = warned_customer = 0
    for replication in replications:
        short = (net[replication] < 0) & evaluated[:, :, None]
        start = short.copy()
        start[:, :, 1:] &= ~short[:, :, :-1]
        for part, loc, index in zip(*np.nonzero(start), strict=True):
            run_week = int(index) - lead  # run as of the start of world week index+1-lead
            if run_week not in weeks:
                continue
            episodes += 1
            warned += (part, loc) in alerted[(replication, run_week)]
            warned_customer += (part, loc) in facing[(replication, run_week)]
    n_runs = len(runs)
    return {
        "runs": n_runs,
        "alerts": len(spans),
        "alerts_standing_per_week": weekly / n_runs if n_runs else 0.0,
        "precision": confirmed(spans) / len(spans) if spans else None,
        "precision_at_opening": confirmed(spans, opening=True) / len(spans) if spans else None,
        "precision_weekly": weekly_true / weekly if weekly else None,
        "customer_alerts": len(facing_spans),
        "customer_precision": (confirmed(facing_spans) / len(facing_spans)
                               if facing_spans else None),
        "shortages": episodes,
        "recall": warned / episodes if episodes else None,
        "recall_customer_level": warned_customer / episodes if episodes else None,
        "lead_weeks": lead,
        "notices_per_week": notices / n_runs if n_runs else 0.0,
        "notices_per_customer_per_quarter": (notices / n_sites / (n_runs / 13.0)
                                             if n_runs and n_sites else 0.0),
    }


def backtest(scenario: Scenario, *, plan: pd.DataFrame | None = None,
             weeks: int = 26, replications: int = 4, seed: int = 0,
             as_of: dt.date | None = None, horizon_weeks: int | None = None,
             settings: EarlyWarning | None = None,
             plan_source: str = PLAN_SOURCE,
             on_run: Callable[[int, int], None] | None = None) -> BacktestResult:
    """Run the early warning every week of sample paths and score it.

    Parameters
    ----------
    scenario : Scenario
        As for :func:`spareplan.warning.warn`.
    plan : pandas.DataFrame, optional
        Base stock (``part, location, stock``); default today's inventory position.
    weeks : int
        Weekly runs per replication (the paths run ``weeks + horizon`` weeks).
    replications : int
        Independent sample paths of every part.
    seed : int
        Seed of every path (:data:`BACKTEST_STREAM` family).
    as_of, horizon_weeks : optional
        As for ``warn``.
    settings : EarlyWarning, optional
        Thresholds to judge (default the scenario's ``[early_warning]``).
    on_run : callable, optional
        ``on_run(done, total)`` after each weekly run: runs done so far and
        ``replications x weeks`` (a progress display; counts only, no figure depends on
        it).

    Returns
    -------
    BacktestResult
    """
    for name, value, least in (("weeks", weeks, 1), ("replications", replications, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ParameterError(name, f"must be an integer >= {least}", value)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError("seed", "must be an integer >= 0", seed)
    inputs = prepare_inputs(scenario, plan=plan, as_of=as_of, horizon_weeks=horizon_weeks,
                            plan_source=plan_source)
    settings = settings or inputs.settings
    horizon = inputs.horizon_weeks
    context = AlertContext.from_scenario(scenario, inputs.network, inputs.parts,
                                         inputs.projection.lead_weeks, settings)
    model, receipts, firm = _world(inputs, weeks + horizon)
    runs: list[RunRecord] = []
    nets: dict[int, np.ndarray] = {}
    rows: list[dict[str, object]] = []
    predicted: list[np.ndarray] = []
    observed: list[np.ndarray] = []
    for replication in range(replications):
        seeds = part_seeds(seed, inputs.parts.n_parts, stream=BACKTEST_STREAM + replication)
        paths = sample_paths(model, on_hand=inputs.projection.net0,
                             target=inputs.projection.target, receipts=receipts, firm=firm,
                             snapshots=weeks, horizon_weeks=horizon, seeds=seeds)
        nets[replication] = paths.net
        short = (paths.net < 0) & inputs.evaluated[:, :, None]
        with tempfile.TemporaryDirectory(prefix="spareplan-backtest-") as folder:
            state = Path(folder) / "alerts.sqlite"
            for week in range(weeks):
                run, p_short, row = _weekly_run(scenario, inputs, context, paths, firm, state,
                                                replication, week)
                runs.append(run)
                within = short[:, :, week:week + horizon]
                predicted.append(p_short[inputs.evaluated][:, :within.shape[2]].ravel())
                observed.append(within[inputs.evaluated].ravel())
                rows.append({**row, "shortage_weeks": int(short[:, :, week].sum())})
                if on_run is not None:
                    on_run(len(runs), replications * weeks)
    figures = score(runs, nets, inputs.evaluated, horizon=horizon,
                    lead=settings.notice_lead_weeks, n_sites=inputs.network.n_sites)
    p = np.concatenate(predicted) if predicted else np.zeros(0)
    o = np.concatenate(observed) if observed else np.zeros(0, dtype=bool)
    summary = {
        "scenario": scenario.name, "as_of": inputs.as_of.isoformat(), "weeks": weeks,
        "replications": replications, "seed": seed, "horizon_weeks": horizon,
        "target_source": inputs.target_source,
        "pairs_judged": int(inputs.evaluated.sum()), "sites": inputs.network.n_sites,
        "settings": {"internal_risk_probability": settings.internal_risk_probability,
                     "customer_notice_probability": settings.customer_notice_probability,
                     "customer_notice_weeks": settings.customer_notice_weeks,
                     "notice_lead_weeks": settings.notice_lead_weeks,
                     "update_interval_weeks": settings.update_interval_weeks},
        "brier_score": float(np.mean((p - o) ** 2)) if len(p) else None,
        **figures,
    }
    calibration = _calibration(p, o)
    return BacktestResult(summary=summary, by_week=pd.DataFrame(rows), calibration=calibration)


def _weekly_run(scenario: Scenario, inputs: WarnInputs, context: AlertContext,
                paths: SamplePaths, firm: np.ndarray, state: Path, replication: int,
                week: int) -> tuple[RunRecord, np.ndarray, dict[str, object]]:
    """``warn`` as of the start of world week ``week + 1`` of one path, through the alert
    history in ``state``: the run's record, its projected P(short) and its weekly row
    (without the shortages, which the caller counts on the path)."""
    settings = context.settings
    thresholds = {"p_internal": settings.internal_risk_probability,
                  "p_customer": settings.customer_notice_probability}
    run = _run_inputs(inputs, paths, firm, week, inputs.horizon_weeks)
    projection = project(run, **thresholds)
    firm_only = project_firm_orders(run, **thresholds)
    run_as_of = inputs.as_of + dt.timedelta(weeks=week)
    key = f"{replication}-{week}"
    with history(state) as recorded:
        alerts, _ = assess(context, projection, firm_only, inputs.evaluated,
                           receipts=_receipt_frame(inputs, run), orders=inputs.orders,
                           as_of=run_as_of, open_pairs=recorded.open_pairs(key))
        update = recorded.record(run_key=key, scenario=scenario.name, as_of=run_as_of,
                                 alerts=alerts,
                                 update_interval_weeks=settings.update_interval_weeks)
    merged = alerts.drop(columns=["alert_id"]).merge(
        update.statuses[["part", "location", "alert_id", "notify"]],
        on=["part", "location"], how="left")
    notices = draft_notices(scenario, merged, update.cleared, as_of=run_as_of,
                            update_interval_weeks=settings.update_interval_weeks)
    part_of = {p: i for i, p in enumerate(inputs.parts.part_ids)}
    loc_of = {loc: i for i, loc in enumerate(inputs.network.location_ids)}
    record = pd.DataFrame({
        "part_index": merged["part"].map(part_of).astype(int),
        "location_index": merged["location"].map(loc_of).astype(int),
        "alert_id": merged["alert_id"].astype(int),
        "level": merged["level"]})
    counts = alerts["level"].value_counts()
    row = {"replication": replication, "week": week + 1, "as_of": run_as_of.isoformat(),
           **{lv.value: int(counts.get(lv.value, 0)) for lv in AlertLevel
              if lv is not AlertLevel.ALL_CLEAR},
           "sites_notified": len(notices)}
    return (RunRecord(replication, week, record, tuple(sorted(notices))), projection.p_short,
            row)


def _calibration(p: np.ndarray, o: np.ndarray) -> pd.DataFrame:
    """Projected probabilities ``p`` against the shortages ``o``, by bin of :data:`_BINS`."""
    bins = np.digitize(p, _BINS[1:-1])
    return pd.DataFrame([{
        "bin": f"[{_BINS[b]:.2f}, {min(_BINS[b + 1], 1.0):.2f})",
        "weeks": int((bins == b).sum()),
        "mean_probability": float(p[bins == b].mean()) if (bins == b).any() else None,
        "shortage_frequency": float(o[bins == b].mean()) if (bins == b).any() else None,
    } for b in range(len(_BINS) - 1)])
