"""The scenario TOML document, validated with pydantic v2.

Field names carry their unit (``_hours``, ``_days``, ``_per_year``). Unknown keys are
rejected so that a typo is caught rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TablePaths(_Strict):
    """Paths of the CSV tables, relative to the TOML file."""

    locations: str
    parts: str
    sites: str
    reach: str
    installed_base: str | None = None
    failure_rates: str | None = None
    demand: str | None = None
    current_stock: str | None = None
    demand_history: str | None = None
    scheduled_receipts: str | None = None
    customer_orders: str | None = None
    suppliers: str | None = None
    order_windows: str | None = None


class Costs(_Strict):
    """Cost parameters (currency of the scenario)."""

    holding_rate_per_year: float = Field(ge=0.0, le=10.0, description=(
        "Holding cost per year as a fraction of unit cost (e.g. 0.25)."))
    emergency_shipment_cost: float = Field(default=0.0, ge=0.0, description=(
        "Cost of one emergency shipment of one unit (currency per unit)."))
    lateral_shipment_cost: float = Field(default=0.0, ge=0.0, description=(
        "Cost of one lateral shipment of one unit between locations (currency per unit)."))
    inventory_budget: float | None = Field(default=None, gt=0.0, allow_inf_nan=False,
                                           description=(
        "Most capital the plan may tie up in stock: sum over parts and locations of "
        "unit_cost x stock (currency, not per year). A limit of the plan, not a cost: the "
        "objective stays the yearly cost. None: no budget."))


class Policy(_Strict):
    """How a stock-out at the primary location is handled and how far the search goes."""

    stockout_rule: Literal["backorder", "emergency", "lateral"] = Field(
        default="emergency",
        description=("backorder: the request waits at the primary location; emergency: it is "
                     "shipped from the nearest ancestor in reach (else the central warehouse); "
                     "lateral: first from another location in reach with stock, then emergency."))
    emergency_response_hours: float = Field(default=48.0, gt=0.0, description=(
        "Response time of an emergency shipment from a location not listed in a site's reach."))
    max_stock_per_location: int = Field(default=12, ge=1, le=1000, description=(
        "Upper bound of the search per part and location (a part's max_stock overrides)."))


class FillRateWithin(_Strict):
    """Time-window fill rate: fraction of requests filled within ``window_hours``."""

    target: float = Field(ge=0.0, le=1.0)
    window_hours: float = Field(gt=0.0)


class Uptime(_Strict):
    """Machine availability: 1 - downtime / time, downtime per failure = repair + wait."""

    target: float = Field(ge=0.0, lt=1.0)
    repair_hours: float = Field(default=0.0, ge=0.0, description="On-site repair time.")


class SlaClass(_Strict):
    """An SLA class: one or both commitments, per site or for the class's sites together."""

    scope: Literal["site", "class"] = "site"
    fill_rate_within: FillRateWithin | None = None
    uptime: Uptime | None = None

    @model_validator(mode="after")
    def _has_commitment(self) -> SlaClass:
        if self.fill_rate_within is None and self.uptime is None:
            raise ValueError("an SLA class needs fill_rate_within and/or uptime")
        return self


class DemandSettings(_Strict):
    """How demand is derived when several sources are given (see ``docs/demand.md``)."""

    history_period: Literal["day", "week", "month"] = "month"
    history_method: Literal["croston", "sba", "tsb", "poisson"] = Field(
        default="poisson", description=(
        "Estimator of history rates. poisson (the mean over the history) is unbiased for a "
        "stationary rate; croston and sba ignore the zeros after the last demand and "
        "overstate slow movers on short histories (see docs/demand.md)."))
    history_and_installed_base: Literal["blend", "history", "installed_base"] = Field(
        default="blend", description=(
            "A (part, site) with both a demand history and an installed-base rate: blend = "
            "Gamma-Poisson credibility blend with the installed-base rate as prior; history "
            "= the history estimate wins; installed_base = the installed-base rate wins."))
    installed_base_weight_years: float = Field(default=2.0, ge=0.0, le=100.0, description=(
        "Weight of the installed-base prior in the blend, in equivalent years of history "
        "(0: the history alone)."))
    rate_quantile: float | None = Field(default=None, gt=0.0, lt=1.0, description=(
        "Parameter uncertainty: stock against this upper quantile of the posterior of each "
        "history-estimated rate instead of its mean (e.g. 0.9); the margin is large for "
        "short or sparse histories and vanishes like 1/sqrt(years) for long ones."))


class EarlyWarning(_Strict):
    """Settings of ``spareplan warn`` (see ``docs/early-warning.md``).

    The two probabilities are thresholds on :math:`P(\\text{short})`, the chance that the
    net inventory of a part at a location is below zero at the end of a week; their
    defaults were tuned on the demo with ``spareplan warn-backtest`` (benchmarks/README.md).
    """

    as_of: dt.date | None = None
    horizon_weeks: int = Field(default=13, ge=1, le=520)
    contact_review_months: int = Field(default=12, ge=1, le=120, description=(
        "A supplier contact record not reviewed for longer is flagged (a supplier's own "
        "review_every_months in the supplier register wins)."))
    internal_risk_probability: float = Field(default=0.05, gt=0.0, lt=1.0, description=(
        "P(short) in some week of the horizon from which an internal risk is raised."))
    all_clear_probability: float = Field(default=0.005, gt=0.0, lt=1.0, description=(
        "An open alert stays open (internal risk) until P(short) falls below this: the "
        "all clear is not given on the first week the risk dips (hysteresis)."))
    customer_notice_probability: float = Field(default=0.5, gt=0.0, lt=1.0, description=(
        "P(short) within customer_notice_weeks from which the affected customers are told, "
        "unless a countermeasure brings it back below in time."))
    customer_notice_weeks: int = Field(default=4, ge=0, le=520, description=(
        "Customers hear of a likely shortage that starts within this many weeks."))
    notice_lead_weeks: int = Field(default=2, ge=0, le=52, description=(
        "Warning customers should get before a shortage; the backtest counts a shortage as "
        "warned only if an alert stood this many weeks before it."))
    confirm_weeks: int = Field(default=1, ge=0, le=520, description=(
        "No expedited receipt or new buy can arrive within this many weeks: a certain "
        "shortage (firm orders beyond supply) that starts inside them is confirmed."))
    update_interval_weeks: int = Field(default=2, ge=1, le=52, description=(
        "A customer told of a shortage hears again at least this often (and on every "
        "change); the notice gives the date of the next update."))
    internal_risk_owner: str = Field(default="inventory planner", min_length=1)
    customer_notice_owner: str = Field(default="service manager", min_length=1)
    confirmed_shortage_owner: str = Field(default="head of service", min_length=1)
    internal_risk_follow_up_days: int = Field(default=7, ge=0, le=365)
    customer_notice_follow_up_days: int = Field(default=2, ge=0, le=365)
    confirmed_shortage_follow_up_days: int = Field(default=1, ge=0, le=365)
    session_interval_months: int = Field(default=6, ge=1, le=60, description=(
        "Suppliers of critical parts need a contact session at least this often."))
    supplier_register: str | None = Field(default=None, min_length=1, description=(
        "CSV of the supplier register (owner of each contact record, review cadence, "
        "next contact session), relative to the TOML file."))
    critical_levels: tuple[Literal["low", "medium", "high", "critical"], ...] = Field(
        default=("high", "critical"), min_length=1, description=(
            "Part criticalities whose suppliers the continuity register checks."))

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> EarlyWarning:
        if self.customer_notice_probability < self.internal_risk_probability:
            raise ValueError("customer_notice_probability must be >= "
                             "internal_risk_probability")
        if self.all_clear_probability > self.internal_risk_probability:
            raise ValueError("all_clear_probability must be <= internal_risk_probability")
        return self


class ScenarioDocument(_Strict):
    """The whole ``scenario.toml``."""

    format_version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str = ""
    currency: str = "EUR"
    tables: TablePaths
    costs: Costs
    policy: Policy = Policy()
    sla_classes: dict[str, SlaClass] = Field(min_length=1)
    demand: DemandSettings = DemandSettings()
    early_warning: EarlyWarning = EarlyWarning()
