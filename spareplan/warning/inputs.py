"""What ``warn`` reads from a scenario and a plan, checked before anything is written.

The scenario loader has already checked types, ranges, dates and references of every
table. This module adds the rules that only early warning needs (the current stock
table must be there, the plan's columns and values, the run parameters) and reports
them the same way: :class:`~spareplan.errors.Problem` objects collected into one
:class:`~spareplan.errors.InputError`. It then builds the arrays of the projection
(:class:`~spareplan.warning.projection.ProjectionInput`).

Quantities become whole units: receipts are rounded down and customer orders up (a
fraction of a unit neither arrives nor satisfies anyone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spareplan.errors import InputError, ParameterError, Problem
from spareplan.network import Network, PartArrays, compile_network
from spareplan.scenario.document import EarlyWarning
from spareplan.scenario.model import Scenario
from spareplan.scenario.tables import MAX_PROBLEMS_PER_RULE
from spareplan.warning.pab import week_of
from spareplan.warning.projection import (
    ProjectionInput,
    resupply_routes,
    round_units,
    weekly_demand,
)

__all__ = ["MAX_PLAN_STOCK", "PLAN_SOURCE", "WarnInputError", "WarnInputs", "check_plan",
           "prepare_inputs"]

#: Name used for the plan in problem messages when it was not read from a file.
PLAN_SOURCE = "recommendations.csv"
#: Largest stock a plan may give one part at one location.
MAX_PLAN_STOCK = 1_000_000


class WarnInputError(InputError):
    """Input that ``spareplan warn`` cannot use; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [f"early warning input is invalid: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class WarnInputs:
    """Everything a run works on (all new objects).

    Attributes
    ----------
    as_of : datetime.date
        First day of week 1.
    horizon_weeks : int
        Number of weeks projected.
    settings : EarlyWarning
        The scenario's ``[early_warning]``.
    network, parts : Network, PartArrays
        The compiled scenario (locations in topological order).
    projection : ProjectionInput
        State, plan and demand as arrays.
    receipts : pandas.DataFrame
        ``part, location, due_date, week, quantity, kind, reference``: every scheduled
        receipt, also those beyond the horizon (candidates to expedite).
    orders : pandas.DataFrame
        ``part, location, due_date, week, quantity, site, reference``: the customer orders.
    target_source : str
        ``plan``, or ``current_stock`` (today's inventory position, at least ``min_stock``).
    evaluated : numpy.ndarray
        bool ``(P, L)``: the pairs that should hold stock (base stock > 0), judged for
        alerts.
    listed : numpy.ndarray
        bool ``(P, L)``: the pairs listed in ``pab.csv`` (stock, target, receipts or orders).
    """

    as_of: dt.date
    horizon_weeks: int
    settings: EarlyWarning
    network: Network = field(repr=False)
    parts: PartArrays = field(repr=False)
    projection: ProjectionInput = field(repr=False)
    receipts: pd.DataFrame = field(repr=False)
    orders: pd.DataFrame = field(repr=False)
    target_source: str = "current_stock"
    evaluated: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool),
                                  repr=False)
    listed: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool),
                               repr=False)


def _resolve_as_of(scenario: Scenario, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        as_of = scenario.document.early_warning.as_of or dt.date.today()
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise ParameterError("as_of", "must be a datetime.date", as_of)
    return as_of


def _resolve_horizon(scenario: Scenario, horizon_weeks: int | None) -> int:
    if horizon_weeks is None:
        return scenario.document.early_warning.horizon_weeks
    if isinstance(horizon_weeks, bool) or not isinstance(horizon_weeks, int | np.integer):
        raise ParameterError("horizon_weeks", "must be an integer", horizon_weeks)
    if not 1 <= int(horizon_weeks) <= 520:
        raise ParameterError("horizon_weeks", "must be between 1 and 520", horizon_weeks)
    return int(horizon_weeks)


def check_plan(plan: pd.DataFrame, scenario: Scenario, source: str = PLAN_SOURCE
               ) -> list[Problem]:
    """Problems of a plan table used as base stock (columns part, location, stock).

    Rules: the three columns exist; part and location name existing ones; stock is a
    whole number between 0 and :data:`MAX_PLAN_STOCK` (the rule ``spareplan simulate``
    applies to a plan too); each (part, location) appears once.
    """
    problems: list[Problem] = []
    if not isinstance(plan, pd.DataFrame):
        return [Problem(source, "plan", "must be a pandas DataFrame", type(plan).__name__)]
    missing = [c for c in ("part", "location", "stock") if c not in plan.columns]
    for column in missing:
        problems.append(Problem(source, "header", f"must have column {column!r}",
                                list(plan.columns)))
    if missing:
        return problems
    parts = set(scenario.parts["part"])
    locations = set(scenario.locations["location"])

    def report(bad: np.ndarray, column: str, rule: str) -> None:
        rows = np.flatnonzero(bad)
        for position in rows[:MAX_PROBLEMS_PER_RULE]:
            problems.append(Problem(source, f"row {int(position) + 2}, column {column}", rule,
                                    plan[column].iloc[position]))
        if len(rows) > MAX_PROBLEMS_PER_RULE:
            problems.append(Problem(source, f"column {column}",
                                    f"{rule}: {len(rows) - MAX_PROBLEMS_PER_RULE} more rows",
                                    None))

    report(~plan["part"].astype(object).isin(parts).to_numpy(), "part",
           "must name an existing part")
    report(~plan["location"].astype(object).isin(locations).to_numpy(), "location",
           "must name an existing location")
    text = plan["stock"].astype(str).str.strip()
    stock = pd.to_numeric(text, errors="coerce")
    number = stock.notna().to_numpy()
    finite = number & np.isfinite(stock.fillna(0.0).to_numpy(dtype=float))
    values = stock.fillna(0.0).to_numpy(dtype=float)
    report(~number, "stock", "must be a number")
    report(number & ~finite, "stock", "must be finite")
    report(finite & (values < 0), "stock", "must be >= 0")
    report(finite & (values >= 0) & (values != np.floor(values)), "stock",
           "must be a whole number")
    report(finite & (values > MAX_PLAN_STOCK), "stock", f"must be <= {MAX_PLAN_STOCK}")
    duplicated = plan.duplicated(["part", "location"], keep="first").to_numpy()
    report(duplicated, "part", "(part, location) must be unique; this repeats an earlier row")
    return problems


def _table(scenario: Scenario, name: str, columns: list[str]) -> pd.DataFrame:
    frame = scenario.table(name)
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame.reset_index(drop=True)


def _scatter(frame: pd.DataFrame, values: np.ndarray, weeks: np.ndarray | None,
             part_index: dict[str, int], loc_index: dict[str, int],
             shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``values`` into an int64 array indexed by (part, location[, week - 1])."""
    out = np.zeros(shape, dtype=np.int64)
    if frame.empty:
        return out
    rows = frame["part"].map(part_index).to_numpy(dtype=np.int64)
    cols = frame["location"].map(loc_index).to_numpy(dtype=np.int64)
    if weeks is None:
        np.add.at(out, (rows, cols), values)
    else:
        inside = weeks <= shape[2]
        np.add.at(out, (rows[inside], cols[inside], weeks[inside] - 1), values[inside])
    return out


def prepare_inputs(scenario: Scenario, *, plan: pd.DataFrame | None,
                   as_of: dt.date | None, horizon_weeks: int | None,
                   plan_source: str = PLAN_SOURCE) -> WarnInputs:
    """Check the warn-specific rules and build the projection's arrays (no I/O).

    State now: net inventory = ``on_hand`` of ``current_stock``; units on order = every
    scheduled receipt (the ``on_order`` column is not used: dated receipts come from
    ``scheduled_receipts``); receipts and customer orders per week (overdue ones in
    week 1; orders due beyond the horizon are not projected). Base stock: the plan's
    ``stock`` (pairs it does not list: 0); without a plan, today's inventory position
    (on hand + on order) raised to the part's ``min_stock`` where the part is held.

    Raises
    ------
    WarnInputError
        Every warn-specific problem found (the current stock table is missing, the plan is
        malformed).
    ParameterError
        ``as_of`` or ``horizon_weeks`` breaks its rule.
    """
    resolved_as_of = _resolve_as_of(scenario, as_of)
    horizon = _resolve_horizon(scenario, horizon_weeks)
    problems: list[Problem] = []
    stock = scenario.table("current_stock")
    if stock is None:
        problems.append(Problem("scenario.toml", "field tables.current_stock",
                                "is required by spareplan warn (stock on hand)", None))
    if plan is not None:
        problems += check_plan(plan, scenario, plan_source)
    if problems:
        raise WarnInputError(problems)
    assert stock is not None

    network, parts = compile_network(scenario)
    part_index = {p: i for i, p in enumerate(parts.part_ids)}
    loc_index = {loc: i for i, loc in enumerate(network.location_ids)}
    n_parts, n_loc = parts.n_parts, network.n_locations
    pair_shape, week_shape = (n_parts, n_loc), (n_parts, n_loc, horizon)

    on_hand = _scatter(stock, stock["on_hand"].to_numpy(dtype=np.int64), None,
                       part_index, loc_index, pair_shape)
    held = _scatter(stock, np.ones(len(stock), dtype=np.int64), None, part_index, loc_index,
                    pair_shape) > 0

    receipt_columns = ["part", "location", "due_date", "week", "quantity", "kind", "reference"]
    receipts = _table(scenario, "scheduled_receipts", receipt_columns)
    receipts["week"] = (week_of(receipts["due_date"], resolved_as_of) if len(receipts)
                        else np.array([], dtype=np.int64))
    receipts = receipts[receipt_columns]
    units = round_units(receipts["quantity"].to_numpy(dtype=float), up=False)
    weeks = receipts["week"].to_numpy(dtype=np.int64)
    on_order = _scatter(receipts, units, None, part_index, loc_index, pair_shape)
    receipt_weeks = _scatter(receipts, units, weeks, part_index, loc_index, week_shape)

    order_columns = ["part", "location", "due_date", "week", "quantity", "site", "reference"]
    orders = _table(scenario, "customer_orders", order_columns)
    orders["week"] = (week_of(orders["due_date"], resolved_as_of) if len(orders)
                      else np.array([], dtype=np.int64))
    orders = orders[order_columns]
    firm = _scatter(orders, round_units(orders["quantity"].to_numpy(dtype=float), up=True),
                    orders["week"].to_numpy(dtype=np.int64), part_index, loc_index,
                    week_shape)

    if plan is not None:
        target = np.zeros(pair_shape, dtype=np.int64)
        rows = plan["part"].astype(object).map(part_index).to_numpy(dtype=np.int64)
        cols = plan["location"].astype(object).map(loc_index).to_numpy(dtype=np.int64)
        target[rows, cols] = pd.to_numeric(plan["stock"].astype(str).str.strip()
                                           ).to_numpy(dtype=float).astype(np.int64)
        source = "plan"
    else:
        position = on_hand + on_order
        floor = np.where(held, parts.min_stock[:, None], 0)
        target = np.maximum(position, floor)
        source = "current_stock"
    own_mean, own_vtm = weekly_demand(network, parts)
    fast, slow, share = resupply_routes(network, parts)
    projection = ProjectionInput(
        part_ids=parts.part_ids, location_ids=network.location_ids,
        parent=network.parent.astype(np.int64), lead_weeks=fast,
        net0=on_hand, pending=np.zeros(pair_shape, dtype=np.int64), on_order=on_order,
        target=target, receipts=receipt_weeks, firm=firm, own_mean=own_mean,
        own_vtm=own_vtm, slow_lead_weeks=slow, slow_fraction=share)
    listed = ((target > 0) | (on_hand > 0) | (on_order > 0) | (firm.sum(axis=2) > 0))
    return WarnInputs(as_of=resolved_as_of, horizon_weeks=horizon,
                      settings=scenario.document.early_warning, network=network,
                      parts=parts, projection=projection, receipts=receipts,
                      orders=orders, target_source=source, evaluated=target > 0,
                      listed=listed)
