"""The scenario TOML document, validated with pydantic v2.

Field names carry their unit (``_hours``, ``_days``, ``_per_year``). Unknown keys are
rejected so that a typo is caught rather than silently ignored. Every number must be
finite (TOML allows ``inf`` and ``nan``) and lie in a documented range with an upper
bound (:data:`MAX_HOURS`, :data:`MAX_CURRENCY`), so that nothing later overflows or
allocates without bound. :func:`validate_document` turns pydantic's errors into
:class:`~spareplan.errors.Problem` s naming the field, the rule and the value.
"""

from __future__ import annotations

import datetime as dt
import reprlib
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from spareplan.errors import Problem

#: Longest duration in hours of any time field (100 years).
MAX_HOURS = 876_600.0
#: Largest amount of money in any cost field (currency).
MAX_CURRENCY = 1e12
#: Largest inventory budget (currency).
MAX_BUDGET = 1e15


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
    emergency_shipment_cost: float = Field(default=0.0, ge=0.0, le=MAX_CURRENCY, description=(
        "Cost of one emergency shipment of one unit (currency per unit)."))
    lateral_shipment_cost: float = Field(default=0.0, ge=0.0, le=MAX_CURRENCY, description=(
        "Cost of one lateral shipment of one unit between locations (currency per unit)."))
    inventory_budget: float | None = Field(default=None, gt=0.0, le=MAX_BUDGET,
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
    emergency_response_hours: float = Field(default=48.0, gt=0.0, le=MAX_HOURS, description=(
        "Response time of an emergency shipment from a location not listed in a site's reach."))
    max_stock_per_location: int = Field(default=12, ge=1, le=1000, description=(
        "Upper bound of the search per part and location (a part's max_stock overrides)."))


class FillRateWithin(_Strict):
    """Time-window fill rate: fraction of requests filled within ``window_hours``."""

    target: float = Field(ge=0.0, le=1.0)
    window_hours: float = Field(gt=0.0, le=MAX_HOURS)
    penalty_per_miss: float = Field(default=0.0, ge=0.0, le=MAX_CURRENCY, description=(
        "Contract penalty per request not filled within the window (currency); traded "
        "against holding cost in the plan's objective. With target 0 it replaces the "
        "target."))


class Uptime(_Strict):
    """Machine availability: 1 - downtime / time, downtime per failure = repair + wait."""

    target: float = Field(ge=0.0, lt=1.0)
    repair_hours: float = Field(default=0.0, ge=0.0, le=MAX_HOURS,
                                description="On-site repair time.")
    penalty_per_downtime_hour: float = Field(default=0.0, ge=0.0, le=MAX_CURRENCY,
                                             description=(
        "Contract penalty per machine-hour of downtime (repair plus the wait for the "
        "part; currency); traded against holding cost. With target 0 it replaces the "
        "target."))


class Availability(_Strict):
    """System availability in Sherbrooke's product form over parts: prod_i (1 - EBO_i /
    (N Z_i))^Z_i >= target, Z_i the units of part i per machine (``failure_rates.
    units_per_machine``); see :mod:`spareplan.evaluation.availability`."""

    target: float = Field(gt=0.0, lt=1.0, description=(
        "Availability target, strictly between 0 and 1 (its logarithm is the MILP row's "
        "bound)."))


class SlaClass(_Strict):
    """An SLA class: one or more commitments, per site or for the class's sites together."""

    scope: Literal["site", "class"] = "site"
    fill_rate_within: FillRateWithin | None = None
    uptime: Uptime | None = None
    availability: Availability | None = None

    @model_validator(mode="after")
    def _has_commitment(self) -> SlaClass:
        if (self.fill_rate_within is None and self.uptime is None
                and self.availability is None):
            raise ValueError("an SLA class needs fill_rate_within, uptime and/or "
                             "availability")
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

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        return name

    @field_validator("sla_classes")
    @classmethod
    def _class_names_nfc(cls, classes: dict[str, SlaClass]) -> dict[str, SlaClass]:
        """SLA class names are ids: Unicode NFC like the ids of the tables."""
        normal: dict[str, SlaClass] = {}
        for name, sla in classes.items():
            key = unicodedata.normalize("NFC", name.strip())
            if not key:
                raise ValueError("an SLA class name must not be blank")
            if key in normal:
                raise ValueError(f"SLA class names must differ: {name!r} is {key!r} once "
                                 "Unicode-normalized (NFC) and blanks are stripped")
            normal[key] = sla
        return normal


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlist = 3, 80, 80, 6
_SHORT.maxdict = 6


class Shown(str):
    """A value shown in a message as it is (already abbreviated): no extra quotes."""

    def __repr__(self) -> str:
        return str(self)


def shown_value(value: Any) -> Any:
    """``value`` when it is short; else an abbreviation (deep or long values never echo)."""
    if value is None or isinstance(value, bool | int | float):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
            return Shown(f"an integer of {len(str(abs(value)))} digits")
        return value
    if isinstance(value, str) and len(value) <= 200:
        return value
    try:
        return Shown(_SHORT.repr(value))
    except (RecursionError, ValueError):
        return Shown(f"a nested {type(value).__name__}")


def validate_document(data: Any, source: str) -> tuple[ScenarioDocument | None, list[Problem]]:
    """Validate ``data`` (the parsed TOML) as a :class:`ScenarioDocument`.

    Returns the document (``None`` when invalid) and every problem found, each naming
    ``source``, the field (``field costs.holding_rate_per_year``), the rule and the value
    received (abbreviated when long or deeply nested).
    """
    try:
        return ScenarioDocument.model_validate(data), []
    except ValidationError as error:
        return None, pydantic_problems(error, source)
    except RecursionError:
        return None, [Problem(source, "document", "must not nest arrays or tables this deep",
                              Shown("a deeply nested value"))]


def pydantic_problems(error: ValidationError, source: str) -> list[Problem]:
    """One :class:`Problem` per pydantic error: field, rule in words, value received."""
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "document"
        rule = item["msg"]
        if item["type"] == "missing":
            rule = "is required"
        elif item["type"] == "extra_forbidden":
            rule = "is not a known field (check the spelling)"
        elif item["type"] == "finite_number":
            rule = "must be a finite number (not inf or nan)"
        elif rule.startswith("Value error, "):
            rule = rule.removeprefix("Value error, ")
        value = None if item["type"] == "missing" else shown_value(item.get("input"))
        problems.append(Problem(source, f"field {field}", rule, value))
    return problems
