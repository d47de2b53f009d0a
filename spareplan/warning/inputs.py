"""What ``warn`` reads from a scenario and a plan, checked before anything is written.

The scenario loader has already checked types, ranges, dates and references of every
table. This module adds the rules that only early warning needs (the current stock
table must be there, the plan's columns and values, the run parameters) and reports
them the same way: :class:`~spareplan.errors.Problem` objects collected into one
:class:`~spareplan.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from spareplan.demand.rates import demand_rates
from spareplan.errors import InputError, ParameterError, Problem
from spareplan.scenario.model import Scenario
from spareplan.scenario.tables import MAX_PROBLEMS_PER_RULE
from spareplan.warning.pab import week_of

__all__ = ["PLAN_SOURCE", "WarnInputError", "WarnInputs", "prepare_inputs"]

#: Name used for the plan in problem messages when it was not read from a file.
PLAN_SOURCE = "recommendations.csv"
WEEKS_PER_YEAR = 52.0


class WarnInputError(InputError):
    """Input that ``spareplan warn`` cannot use; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [f"early warning input is invalid: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class WarnInputs:
    """The long tables the projection and the alerts work on (all new objects).

    Attributes
    ----------
    as_of : datetime.date
        First day of week 1.
    horizon_weeks : int
        Number of weeks projected.
    on_hand : pandas.DataFrame
        ``part, location, on_hand``.
    demand : pandas.DataFrame
        ``part, location, week, quantity, source, site`` (source ``orders`` or ``forecast``).
    receipts : pandas.DataFrame
        ``part, location, due_date, week, quantity, kind, reference`` — every scheduled
        receipt, also those beyond the horizon (they are candidates to expedite).
    safety_stock : pandas.DataFrame
        ``part, location, safety_stock``.
    safety_source : str
        ``plan`` or ``scenario_min_stock``.
    """

    as_of: dt.date
    horizon_weeks: int
    on_hand: pd.DataFrame
    demand: pd.DataFrame
    receipts: pd.DataFrame
    safety_stock: pd.DataFrame
    safety_source: str


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
    """Problems of a plan table used as safety stock (columns part, location, stock)."""
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
    stock = pd.to_numeric(plan["stock"], errors="coerce")
    report(stock.isna().to_numpy(), "stock", "must be a number")
    report((stock.notna() & ~np.isfinite(stock.fillna(0.0))).to_numpy(), "stock",
           "must be finite")
    report((stock < 0).to_numpy(), "stock", "must be >= 0")
    duplicated = plan.duplicated(["part", "location"], keep="first").to_numpy()
    report(duplicated, "part", "(part, location) must be unique; this repeats an earlier row")
    return problems


def _forecast(scenario: Scenario, horizon_weeks: int, ordered: pd.DataFrame) -> pd.DataFrame:
    """Weekly forecast per (part, location) from the sites' primary locations.

    Weekly demand at location :math:`l` = :math:`\\sum_{s: primary(s) = l}
    \\lambda_{p,s} / 52`, for the pairs without any customer order.
    """
    rates = demand_rates(scenario)
    columns = ["part", "location", "week", "quantity", "source", "site"]
    if rates.empty:
        return pd.DataFrame(columns=columns)
    sites = scenario.sites[["site", "primary_location"]]
    located = rates.merge(sites, on="site").rename(columns={"primary_location": "location"})
    located["quantity"] = located["rate_per_year"] / WEEKS_PER_YEAR
    if not ordered.empty:
        has_orders = pd.MultiIndex.from_frame(located[["part", "location"]]).isin(
            pd.MultiIndex.from_frame(ordered[["part", "location"]].drop_duplicates()))
        located = located[~has_orders]
    weeks = np.arange(1, horizon_weeks + 1, dtype=np.int64)
    expanded = located.loc[located.index.repeat(horizon_weeks)].reset_index(drop=True)
    expanded["week"] = np.tile(weeks, len(located))
    expanded["source"] = "forecast"
    return expanded[columns]


def prepare_inputs(scenario: Scenario, *, plan: pd.DataFrame | None,
                   as_of: dt.date | None, horizon_weeks: int | None,
                   plan_source: str = PLAN_SOURCE) -> WarnInputs:
    """Check the warn-specific rules and build the long tables (no I/O, no mutation).

    Demand per (part, location): the customer orders where the scenario has any order for
    that pair, else the forecast (:func:`spareplan.demand.rates.demand_rates` at the sites
    whose primary location it is, divided by 52). Safety stock: the plan's ``stock`` when a
    plan is given, else the part's ``min_stock`` at each location holding it.

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

    on_hand = stock[["part", "location", "on_hand"]].reset_index(drop=True)
    orders = scenario.table("customer_orders")
    if orders is None:
        orders = pd.DataFrame(columns=["part", "location", "due_date", "quantity", "site"])
    ordered = orders.assign(week=week_of(orders["due_date"], resolved_as_of)
                            if len(orders) else np.array([], dtype=np.int64),
                            source="orders")
    ordered = ordered[["part", "location", "week", "quantity", "source", "site"]]
    forecast = _forecast(scenario, horizon, ordered)
    demand = pd.concat([f for f in (ordered, forecast) if len(f)] or [ordered],
                       ignore_index=True)

    receipts = scenario.table("scheduled_receipts")
    receipt_columns = ["part", "location", "due_date", "week", "quantity", "kind", "reference"]
    if receipts is None or receipts.empty:
        receipts = pd.DataFrame(columns=receipt_columns)
        receipts["week"] = receipts["week"].astype(np.int64)
    else:
        receipts = receipts.assign(week=week_of(receipts["due_date"], resolved_as_of))
        receipts = receipts[receipt_columns].reset_index(drop=True)

    if plan is not None:
        safety = plan[["part", "location"]].astype(object).assign(
            safety_stock=pd.to_numeric(plan["stock"]).to_numpy(dtype=np.float64))
        source = "plan"
    else:
        parts = scenario.parts[["part", "min_stock"]]
        safety = on_hand[["part", "location"]].merge(parts, on="part", how="left")
        safety = safety.rename(columns={"min_stock": "safety_stock"})
        safety["safety_stock"] = safety["safety_stock"].fillna(0.0).astype(np.float64)
        source = "scenario_min_stock"
    return WarnInputs(as_of=resolved_as_of, horizon_weeks=horizon, on_hand=on_hand,
                      demand=demand.reset_index(drop=True), receipts=receipts,
                      safety_stock=safety.reset_index(drop=True), safety_source=source)
