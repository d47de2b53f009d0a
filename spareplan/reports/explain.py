"""Why each unit is in the plan, and why a part is stocked nowhere: ``explanations.csv``.

Computed at plan time from the scenario and the plan's stock (so that ``spareplan report``
rebuilds the report without planning again), with the analytic METRIC-type model of
:class:`~spareplan.planning.model.PlanningModel` (uncorrected: the explanation is a
reading aid, the verdicts come from the simulation).

For every part p with stock vector S_p and every location l where S_pl > 0 the *last unit*
is explained by the difference between the column at S_p and the column at S_p - e_l:

- its marginal service Delta_r on every SLA row r (fill rate within the window, or
  availability; positive is better), in service units (0.001 = 0.1 percentage point);
- its yearly cost Delta c = holding cost of the unit minus the emergency and lateral
  shipping it saves;
- its value V = sum_r pi_r |Delta a_r| at the rows' shadow prices pi_r.

The shadow prices pi_r (currency per year per unit of row activity) come from one of two
LPs, named by :attr:`PlanExplanation.price_source` (and ``shadow_price_source`` in
``plan_context.json``):

- ``"master_lp"``: the duals of the optimizer's own last master LP
  (:func:`solvers.column_generation`), passed in by the planner
  (:attr:`~spareplan.planning.plan_result.PlanResult.shadow_prices`). That LP is the LP
  relaxation of the model the optimizer solved: every SLA row at its target (raised by
  the feed's margins with the simulation feed, whose coefficients are then the
  simulated ones, not this module's analytic ones), capacity rows included, over the
  columns column generation generated. They are used only when column generation
  converged or that LP is within 1 % of the Lagrangian bound
  (:data:`~spareplan.planning.result.MASTER_DUALS_GAP`): then they are, to that gap, the
  duals of the LP relaxation over every stock vector. A row met with room to spare in
  that LP has price 0.
- ``"neighbourhood_lp"`` (the fallback: no duals passed, e.g. a plan read from disk, an
  enumerated small problem or a time-limited column generation far from its bound): the
  duals of the LP relaxation of the multiple-choice problem restricted to the plan's
  neighbourhood: per part the plan's column, the columns with one unit less at each
  stocked location and one unit more at each location in the part's support, with every
  SLA row bounded at the activity the plan reaches (so the plan itself is feasible and
  every row binds), solved here with the analytic model.

Either prices what one more unit of service on each row costs at the margin (Dantzig &
Wolfe 1960; van Houtum & Kranenburg 2015, ch. 5: the same duals price columns in column
generation). The master's duals cost nothing at write time; the neighbourhood LP is
the dominant cost of the explanations on large plans (10,000 parts x 47 FSLs: 242,308
moves, 16-24 s with dual simplex; interior point, primal simplex and a restricted LP
with priced moves added in rounds were all slower; ``benchmarks/README.md``).

A part stocked nowhere is explained by the cheapest way to stock it: one unit at each
location of its support, the one with the largest value minus cost, and what it costs
and buys (its rows and their shadow prices): the rows are met more cheaply by other parts
and by emergency or lateral shipments of this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

import solvers
from spareplan.network import Network
from spareplan.planning.model import PlanningModel
from spareplan.reports.price_sources import MASTER_LP, NEIGHBOURHOOD_LP, PRICE_SOURCES
from spareplan.result_columns import EXPLANATION_COLUMNS
from spareplan.scenario.model import Scenario

__all__ = ["EXPLANATION_COLUMNS", "MASTER_LP", "NEIGHBOURHOOD_LP", "PRICE_SOURCES",
           "PlanExplanation", "explain_plan", "shadow_prices"]

#: Marginal service below which a unit is said to do nothing measurable on a row.
NEGLIGIBLE = 1e-7
#: Rows named in an explanation, largest value first.
ROWS_NAMED = 3
#: (part, location) pairs per block of :func:`_served_rows`.
_BLOCK = 4096


@dataclass(frozen=True)
class PlanExplanation:
    """The explanations of a plan and the shadow prices they use.

    Attributes
    ----------
    frame : pandas.DataFrame
        :data:`EXPLANATION_COLUMNS`, one line per stocked part and location and per part
        stocked nowhere (``explanations.csv``).
    shadow_prices : dict of str to float
        pi_r per optimized SLA row: currency per year per unit of the row's service (x 0.01
        for a percentage point).
    price_source : str
        Which LP's duals they are: :data:`MASTER_LP` or :data:`NEIGHBOURHOOD_LP` (module
        docstring).
    """

    frame: pd.DataFrame
    shadow_prices: dict[str, float]
    price_source: str = NEIGHBOURHOOD_LP

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


@dataclass(frozen=True)
class _Moves:
    """Evaluated neighbour columns: part, location, +1/-1, coefficients, cost; ``in_lp``:
    within the part's stock bounds (a column the optimizer could choose)."""

    part: np.ndarray
    location: np.ndarray
    step: np.ndarray
    coefficients: np.ndarray  # (K, rows)
    cost: np.ndarray  # (K,)
    holding: np.ndarray  # (K,)
    in_lp: np.ndarray  # bool (K,)


def _stock_matrix(model: PlanningModel, recommendations: pd.DataFrame) -> np.ndarray:
    """Planned stock (P, L) from the recommendations (part, location, stock)."""
    net, parts = model.network, model.parts
    stock = np.zeros((parts.n_parts, net.n_locations), dtype=np.int64)
    if len(recommendations) == 0:
        return stock
    part = pd.Index([str(p) for p in parts.part_ids]).get_indexer(
        recommendations["part"].astype(str))
    location = pd.Index([str(loc) for loc in net.location_ids]).get_indexer(
        recommendations["location"].astype(str))
    if (part < 0).any() or (location < 0).any():  # the scenario's ids, as before
        missing = int(np.flatnonzero((part < 0) | (location < 0))[0])
        row = recommendations.iloc[missing]
        raise KeyError(str(row["part"] if part[missing] < 0 else row["location"]))
    stock[part, location] = recommendations["stock"].to_numpy().astype(np.int64)
    return stock


def _evaluate(model: PlanningModel, parts: np.ndarray, stock: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SLA-row coefficients (K, rows), yearly cost (K,) and holding cost (K,), in one
    kernel call (:meth:`~spareplan.evaluation.service.ServiceModel.evaluate_arrays`)."""
    if parts.shape[0] == 0:
        return np.zeros((0, len(model.rows))), np.zeros(0), np.zeros(0)
    within, wait, _, costs, shipping = model.service.evaluate_arrays(parts, stock)
    coefficients = model.coefficients(parts, within, wait)
    holding = costs[:, 0].copy()
    return coefficients, holding + shipping, holding


def _moves(model: PlanningModel, stock: np.ndarray, up_parts: np.ndarray | None = None
           ) -> _Moves:
    """One unit less at every stocked location, one more at every location of support
    (of the parts where ``up_parts``, bool (P,), is true; default every part)."""
    lo, hi = model.service.bounds_many(np.arange(model.n_parts))
    down_p, down_l = np.nonzero(stock > 0)
    up = stock < hi
    if up_parts is not None:
        up &= up_parts[:, None]
    up_p, up_l = np.nonzero(up)
    part = np.concatenate([down_p, up_p]).astype(np.int64)
    location = np.concatenate([down_l, up_l]).astype(np.int64)
    step = np.concatenate([-np.ones(down_p.shape[0]), np.ones(up_p.shape[0])]).astype(np.int64)
    moved = stock[part].copy()
    moved[np.arange(part.shape[0]), location] += step
    coefficients, cost, holding = _evaluate(model, part, moved)
    in_lp = np.concatenate([stock[down_p, down_l] > lo[down_p, down_l],
                            np.ones(up_p.shape[0], dtype=bool)])
    return _Moves(part, location, step, coefficients, cost, holding, in_lp)


def shadow_prices(model: PlanningModel, base_coefficients: np.ndarray,
                  base_cost: np.ndarray, moves: _Moves) -> np.ndarray:
    """Shadow price pi_r >= 0 of every optimized SLA row at the plan (module docstring).

    Parameters
    ----------
    model : PlanningModel
    base_coefficients : float64 (P, rows)
        Coefficients of the plan's column of every part.
    base_cost : float64 (P,)
        Yearly cost of those columns.
    moves : _Moves
        The neighbour columns.

    Returns
    -------
    float64 (rows,)
        Currency per year per unit of row activity; zeros when the LP fails.
    """
    n_rows = len(model.rows)
    if n_rows == 0:
        return np.zeros(0)
    activity = base_coefficients.sum(axis=0)
    lower = np.where(model.is_fill_row, activity, -np.inf)
    upper = np.where(model.is_fill_row, np.inf, activity)
    keep = moves.in_lp
    groups = np.concatenate([np.arange(model.n_parts), moves.part[keep]])
    coefficients = np.vstack([base_coefficients, moves.coefficients[keep]]).T
    cost = np.concatenate([base_cost, moves.cost[keep]])
    try:
        problem = solvers.ChoiceProblem(
            group_of_option=groups, cost=cost, coefficients=coefficients,
            row_lower=lower, row_upper=upper, n_groups=model.n_parts)
        lp = solvers.solve_master_lp(problem)
    except (solvers.SolverError, ValueError):
        return np.zeros(n_rows)
    if lp.artificial_in_use:
        return np.zeros(n_rows)
    return np.abs(np.asarray(lp.row_duals, dtype=np.float64))


#: :func:`shadow_prices` under a second name (:func:`explain_plan`'s parameter hides it).
_neighbourhood_prices = shadow_prices


def _service_delta(model: PlanningModel, delta_activity: np.ndarray) -> np.ndarray:
    """Delta of service (fill rate, availability) from a delta of activity: fill rows
    gain with activity, uptime rows (downtime share) lose."""
    return np.where(model.is_fill_row, delta_activity, -delta_activity)


def _serves(network: Network) -> np.ndarray:
    """Boolean (N, L): location l serves site s (its primary, an ancestor of the primary,
    or in reach for a lateral or emergency supply)."""
    serves = np.isfinite(network.response_hours).copy()
    for site in range(network.n_sites):
        a = int(network.site_primary[site])
        while a >= 0:
            serves[site, a] = True
            a = int(network.parent[a])
    return serves


def _row_sites(model: PlanningModel) -> np.ndarray:
    """float64 (N, rows): 1 where site s is one of row r's sites."""
    matrix = np.zeros((model.network.n_sites, len(model.rows)))
    for k, row in enumerate(model.rows):
        matrix[row.sites, k] = 1.0
    return matrix


def _served_rows(model: PlanningModel, serves: np.ndarray, row_sites: np.ndarray,
                 parts: np.ndarray, locations: np.ndarray) -> list[list[int]]:
    """Per (part, location) pair: the rows with demand of the part at a site that the
    location serves (else every row with a site that it serves), in row order; in
    blocks of pairs, without a loop over rows (``row_sites``: :func:`_row_sites`)."""
    location_rows = (serves.T.astype(np.float64) @ row_sites) > 0  # (L, rows)
    positive = model.parts.demand_rate > 0
    found: list[list[int]] = []
    for first in range(0, parts.shape[0], _BLOCK):
        p, loc = parts[first:first + _BLOCK], locations[first:first + _BLOCK]
        demand = (serves[:, loc].T & positive[p]).astype(np.float64)
        rows = (demand @ row_sites) > 0
        rows = np.where(rows.any(axis=1)[:, None], rows, location_rows[loc])
        found.extend(np.flatnonzero(r).tolist() for r in rows)
    return found


def _money(value: float, currency: str) -> str:
    return f"{round(value):,} {currency}"  # round: no "-0"


def _cost_words(cost: float, holding: float, currency: str) -> str:
    """What a unit costs a year: holding, the shipping it saves, the net."""
    saved = holding - cost
    net = (f"net cost {_money(cost, currency)}/yr" if cost > 0 else
           f"net saving {_money(-cost, currency)}/yr")
    return (f"it costs {_money(holding, currency)}/yr to hold and saves "
            f"{_money(saved, currency)}/yr of emergency and lateral shipments ({net})")


def _verdict(value: float, cost: float) -> str:
    if cost <= 0:
        return "it pays for itself through the shipments it saves"
    if value >= cost:
        return "worth more than its net cost"
    return ("the rows' targets need it, although its priced value at the margin is below "
            "its net cost")


def _points(delta: float) -> str:
    """A service delta in percentage points."""
    return f"{100 * delta:+.3g} pts"  # 3 significant digits: uptime deltas are small


def _ranked(service: np.ndarray, value: np.ndarray) -> list[int]:
    """Rows the move serves, by value then by service (largest first)."""
    useful = np.flatnonzero(service > NEGLIGIBLE)
    order = sorted(useful, key=lambda k: (-value[k], -service[k], k))
    return [int(k) for k in order]


def _row_list(model: PlanningModel, rows: list[int], service: np.ndarray) -> str:
    return "; ".join(f"{model.rows[k].name} {_points(float(service[k]))}" for k in rows)


def _given_prices(model: PlanningModel, given: Mapping[str, float] | None
                  ) -> np.ndarray | None:
    """``given`` (by row name) in the model's row order; ``None`` unless it prices every
    row with a finite number >= 0."""
    if given is None:
        return None
    try:
        prices = np.array([float(given[row.name]) for row in model.rows], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(prices).all() and (prices >= 0).all()):
        return None
    return prices


def explain_plan(scenario: Scenario, recommendations: pd.DataFrame, *,
                 shadow_prices: Mapping[str, float] | None = None) -> PlanExplanation:
    """One explanation per stocked part and location and per part stocked nowhere.

    Parameters
    ----------
    scenario : Scenario
        The scenario the plan was made for.
    recommendations : pandas.DataFrame
        ``part, location, stock`` (recommendations.csv).
    shadow_prices : mapping of str to float, optional
        pi_r >= 0 per SLA row name from the optimizer's last master LP
        (:attr:`~spareplan.planning.plan_result.PlanResult.shadow_prices`); when absent,
        or when it misses a row, the neighbourhood LP is solved instead (module
        docstring).

    Returns
    -------
    PlanExplanation
        ``frame`` with :data:`EXPLANATION_COLUMNS`: ``kind`` is ``"stocked"`` (the last unit at the
        location) or ``"zero stock"`` (the part's cheapest unit, not bought);
        ``sla_row`` the row it serves most, ``rows`` the rows named with their marginal
        service, ``marginal_service`` the service it adds to ``sla_row``,
        ``value_per_year`` its value at the rows' shadow prices, ``cost_per_year`` its
        yearly cost net of the shipping it saves, ``holding_cost_per_year`` its holding
        cost, ``explanation`` a sentence; ``shadow_prices`` per SLA row and
        ``price_source``, the LP they come from.

    Examples
    --------
    >>> from spareplan import load_scenario  # doctest: +SKIP
    >>> explain_plan(load_scenario("scenarios/tiny"), plan.recommendations)  # doctest: +SKIP
    """
    model = PlanningModel.build(scenario)
    currency = scenario.document.currency
    stock = _stock_matrix(model, recommendations)
    every = np.arange(model.n_parts, dtype=np.int64)
    base_coefficients, base_cost, base_holding = _evaluate(model, every, stock)
    prices = _given_prices(model, shadow_prices)
    source = MASTER_LP
    # with the master's prices no LP needs the moves up: only the parts stocked nowhere
    # (their best single unit) are evaluated one unit up
    moves = _moves(model, stock, None if prices is None else stock.sum(axis=1) == 0)
    if prices is None:
        prices = _neighbourhood_prices(model, base_coefficients, base_cost, moves)
        source = NEIGHBOURHOOD_LP
    serves = _serves(model.network)
    row_sites = _row_sites(model)
    down = np.flatnonzero(moves.step == -1)
    parts_down = moves.part[down]
    gains = base_coefficients[parts_down] - moves.coefficients[down]  # the last units
    service = _service_delta(model, gains)
    value_rows = prices * np.abs(gains) * (service > 0)
    order = np.lexsort((np.arange(len(model.rows))[None, :].repeat(down.shape[0], 0),
                        -service, -value_rows), axis=-1)
    silent = np.flatnonzero(~(service > NEGLIGIBLE).any(axis=1))  # no ranked row
    served: list[list[int]] = [[] for _ in range(down.shape[0])]
    for i, rows in zip(silent, _served_rows(model, serves, row_sites, parts_down[silent],
                                            moves.location[down][silent]), strict=True):
        served[i] = rows
    ranked_order = np.take_along_axis(service, order, axis=1) > NEGLIGIBLE
    locations_down = moves.location[down]
    columns = zip(parts_down.tolist(), locations_down.tolist(),
                  stock[parts_down, locations_down].tolist(),
                  value_rows.sum(axis=1).tolist(),
                  (base_cost[parts_down] - moves.cost[down]).tolist(),
                  (base_holding[parts_down] - moves.holding[down]).tolist(),
                  (~moves.in_lp[down]).tolist(), strict=True)
    records: list[dict[str, object]] = []
    for i, (p, loc, units, value, cost, holding, at_min_stock) in enumerate(columns):
        ranked = order[i][ranked_order[i]].tolist()
        records.append(_stocked(model, served[i], p, loc, units, ranked, service[i], value,
                                cost, holding, at_min_stock, currency))
    up = np.flatnonzero(moves.step == 1)  # by part, then location (np.nonzero's order)
    first = np.searchsorted(moves.part[up], np.arange(model.n_parts + 1))
    for p in np.flatnonzero(stock.sum(axis=1) == 0):
        records.append(_zero_stock(model, serves, row_sites, int(p), moves,
                                   up[first[p]:first[p + 1]],
                                   base_coefficients[p], float(base_cost[p]),
                                   float(base_holding[p]), prices, currency))
    frame = pd.DataFrame.from_records(records, columns=list(EXPLANATION_COLUMNS))
    order = frame["kind"].map({"stocked": 0, "zero stock": 1})
    frame = (frame.assign(_order=order).sort_values(["_order", "part", "location"])
             .drop(columns="_order").reset_index(drop=True))
    return PlanExplanation(frame, {row.name: round(float(price), 6)
                                   for row, price in zip(model.rows, prices, strict=True)},
                           source)


def _stocked(model: PlanningModel, served: list[int], part: int, location: int,
             units: int, ranked: list[int], service: np.ndarray, value: float, cost: float,
             holding: float, at_min_stock: bool, currency: str) -> dict[str, object]:
    """The explanation of the last of ``units`` of ``part`` at ``location`` (``ranked``:
    the rows it serves, most valuable first; ``service``: its marginal service per row;
    ``served``: the rows of :func:`_served_rows`, read when ``ranked`` is empty)."""
    net = model.network
    where = net.location_ids[location]
    part_id = model.parts.part_ids[part]
    what = f"{units} unit{'s' if units != 1 else ''} at {where}"
    floor = " (the part's min_stock asks for it)" if at_min_stock else ""
    if ranked:
        main = ranked[0]
        named = ranked[:ROWS_NAMED]
        more = len(ranked) - len(named)
        rows_text = _row_list(model, named, service)
        text = (f"{what}{floor}: the last unit adds {rows_text}"
                f"{f' and serves {more} more row(s)' if more > 0 else ''}; worth "
                f"{_money(value, currency)}/yr at the rows' shadow prices; "
                f"{_cost_words(cost, holding, currency)}: {_verdict(value, cost)}.")
        marginal = float(service[main])
    else:
        main = served[0] if served else -1
        rows_text = ", ".join(model.rows[k].name for k in served[:ROWS_NAMED])
        text = (f"{what}{floor}: serves {rows_text or 'no SLA row'}; the analytic model "
                f"sees no measurable service from the last unit (below "
                f"{100 * NEGLIGIBLE:g} pts): the simulated system, the part's min_stock or "
                f"an unfinished optimization (a time limit) kept it; "
                f"{_cost_words(cost, holding, currency)}.")
        marginal = float(service[main]) if main >= 0 else 0.0
    return {"part": part_id, "location": where, "stock": units, "kind": "stocked",
            "sla_row": model.rows[main].name if main >= 0 else "", "rows": rows_text,
            "marginal_service": marginal, "value_per_year": round(value, 2),
            "cost_per_year": round(cost, 2), "holding_cost_per_year": round(holding, 2),
            "explanation": text}


def _zero_stock(model: PlanningModel, serves: np.ndarray, row_sites: np.ndarray,
                part: int, moves: _Moves,
                candidates: np.ndarray, base: np.ndarray,
                base_cost: float, base_holding: float, prices: np.ndarray,
                currency: str) -> dict[str, object]:
    """Why ``part`` is stocked nowhere: its best single unit and what it would buy."""
    part_id = model.parts.part_ids[part]
    demand = float(model.parts.demand_rate[part].sum())
    record: dict[str, object] = {"part": part_id, "location": "", "stock": 0,
                                 "kind": "zero stock", "sla_row": "", "rows": "",
                                 "marginal_service": 0.0, "value_per_year": 0.0,
                                 "cost_per_year": 0.0, "holding_cost_per_year": 0.0}
    if demand <= 0:
        record["explanation"] = ("no demand at any site of an SLA row: there is nothing for "
                                 "a unit to serve")
        return record
    if candidates.shape[0] == 0:
        record["explanation"] = (f"stocked nowhere: no location may hold it ({demand:.2f} "
                                 "requests/yr; its max_stock, or the search's "
                                 "max_stock_per_location, is 0 everywhere)")
        return record
    gains = moves.coefficients[candidates] - base  # activity of one unit
    service = _service_delta(model, gains)
    values = (prices * np.abs(gains) * (service > 0)).sum(axis=1)
    costs = moves.cost[candidates] - base_cost
    holdings = moves.holding[candidates] - base_holding
    best = int(np.lexsort((candidates, -(values - costs)))[0])
    k = int(candidates[best])
    row_service = service[best]
    value_rows = prices * np.abs(gains[best]) * (row_service > 0)
    ranked = _ranked(row_service, value_rows)
    where = model.network.location_ids[int(moves.location[k])]
    value, cost, holding = float(values[best]), float(costs[best]), float(holdings[best])
    shipments = demand
    if ranked:
        main = ranked[0]
        named = ranked[:ROWS_NAMED]
        record["sla_row"] = model.rows[main].name
        record["rows"] = _row_list(model, named, row_service)
        record["marginal_service"] = float(row_service[main])
        buys = f"buys {_row_list(model, named, row_service)}"
    else:
        served = _served_rows(model, serves, row_sites, np.array([part]),
                              np.array([int(moves.location[k])]))[0]
        record["sla_row"] = model.rows[served[0]].name if served else ""
        record["rows"] = ", ".join(model.rows[i].name for i in served[:ROWS_NAMED])
        buys = (f"buys no measurable service on {record['rows'] or 'any SLA row'} "
                f"(the sites' windows are met as well by shipments)")
    reason = ("one unit would pay for itself in the analytic model (it saves more "
              "shipping than it costs to hold), but the simulated system that the plan "
              "optimizes did without it" if cost <= 0 else
              "cheaper to meet its rows with other parts and with emergency or lateral "
              "shipments of this one" if value < cost else
              "the plan meets its rows without it (at the analytic model's shadow prices "
              "one unit would be worth its cost, but the simulated system that the plan "
              "optimizes did not need it)")
    record.update({
        "location": where, "value_per_year": round(value, 2),
        "cost_per_year": round(cost, 2), "holding_cost_per_year": round(holding, 2),
        "explanation": (
            f"stocked nowhere: {reason} ({shipments:.2f} requests/yr, unit cost "
            f"{_money(float(model.parts.unit_cost[part]), currency)}). The best single "
            f"unit, one at {where}: {_cost_words(cost, holding, currency)}; it {buys}, "
            f"worth {_money(value, currency)}/yr at the rows' shadow prices.")})
    return record
