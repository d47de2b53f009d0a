"""Sweeps: one scenario planned over a parameter grid and/or scenario variants, each
variant a full plan, one summary table.

The grid's parameters (every combination of the values given is one variant):

- ``targets``: the target of every fill-rate-within-window SLA row with demand (a value
  in (0, 1)), passed to :func:`~spareplan.planning.plan.plan` as ``targets=``;
- ``uptime_targets``: the target of every uptime row (in (0, 1));
- ``lead_time_factor``: a factor f > 0 on the replenishment lead times, the
  ``lead_time_days`` of every location from its parent and the
  ``procurement_lead_time_days`` of every part (repair turnaround times are left alone);
  the variant is built with :meth:`Scenario.replace` and so re-validated;
- ``budget``: an inventory budget B (currency, > 0), planned with the service goal (the
  best service B buys; the SLA targets judge the plan).

Scenario variants (other scenarios, e.g. folders edited by hand) are planned beside the
base scenario, each with every grid combination. Every variant is planned the same way
(the same ``plan`` options and seed). A variant whose targets are out of reach
(:class:`~spareplan.errors.InfeasibleError`) or whose solve fails is a row with its
``status`` and ``reason``; the sweep goes on.

Cost is monotone in the targets: raising every target of a row shrinks the set of plans
that meet it, so the least yearly cost cannot fall (up to the MILP's relative gap) — a
property the tests check on the bundled scenario.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from spareplan.errors import InfeasibleError, ParameterError, PlanningError, ScenarioError
from spareplan.planning.model import SERVICE, PlanningModel
from spareplan.planning.plan import PlanResult, plan
from spareplan.scenario.model import Scenario
from spareplan.sla import FILL_RATE, UPTIME

__all__ = ["GRID_PARAMETERS", "SweepResult", "SweepVariant", "plan_variants", "scale_lead_times",
           "sweep", "sweep_variants"]

#: Parameters of a grid, with the column of the summary table each fills.
GRID_PARAMETERS = {"targets": "target", "uptime_targets": "uptime_target",
                   "lead_time_factor": "lead_time_factor", "budget": "budget"}
#: How each parameter shows in a variant's name.
_NAME_PREFIX = {"targets": "target-", "uptime_targets": "uptime-",
                "lead_time_factor": "leadtime-x", "budget": "budget-"}
#: Options of :func:`plan` a sweep passes on (the grid sets ``targets``).
PLAN_OPTIONS = ("seed", "time_limit", "solver", "mip_rel_gap", "verify", "replications",
                "years", "budget", "service_model", "feed", "goal", "service_weights")
#: Status of a variant without a plan.
INFEASIBLE, FAILED = "infeasible", "failed"

TABLE_COLUMNS = ["status", "meets_every_sla", "yearly_cost", "investment", "holding_cost",
                 "shipping_cost", "lower_bound", "gap", "rows_below_target", "worst_margin",
                 "worst_sla_row"]

#: Amount columns of the table (currency).
AMOUNTS = ["yearly_cost", "investment", "holding_cost", "shipping_cost", "lower_bound"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SweepVariant:
    """One variant of a sweep: its name, parameters and the scenario planned.

    ``targets`` (SLA row name to target) and ``budget`` are what :func:`plan` is given.
    """

    name: str
    parameters: dict[str, Any]
    scenario: Scenario = field(repr=False)
    targets: dict[str, float] | None = None
    budget: float | None = None


@dataclass(frozen=True)
class SweepResult:
    """The variants of a sweep and their plans.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variant: ``variant``, the parameters swept (``scenario``, ``target``,
        ``uptime_target``, ``lead_time_factor``, ``budget``), ``status``,
        ``meets_every_sla``, ``yearly_cost``, ``investment``, ``holding_cost``,
        ``shipping_cost``, ``lower_bound``, ``gap``, ``rows_below_target``,
        ``worst_margin`` (least value - target over the SLA rows; simulated where
        verified, else planned) and ``worst_sla_row``, ``service[<SLA row>]`` per SLA row
        (the value the verdict is judged by), and ``reason`` (why a variant has no plan).
    variants : tuple of SweepVariant
    plans : dict of str to PlanResult
        The plan of every variant that has one, by name.
    failures : dict of str to PlanningError
        The error of every variant without a plan (infeasible, solver failure).
    parameters : tuple of str
        The table's parameter columns.
    scenario, currency : str
    """

    table: pd.DataFrame
    variants: tuple[SweepVariant, ...]
    plans: dict[str, PlanResult]
    failures: dict[str, PlanningError]
    parameters: tuple[str, ...]
    scenario: str
    currency: str = ""

    def __repr__(self) -> str:
        met = int(self.table["meets_every_sla"].sum())
        return (f"SweepResult({self.scenario!r}: {len(self.variants)} variants over "
                f"{', '.join(self.parameters)}; {len(self.plans)} planned, {met} meet every "
                f"SLA, {len(self.failures)} without a plan)")

    def to_frame(self) -> pd.DataFrame:
        """The summary table (a copy)."""
        return self.table.copy()

    @property
    def meets_every_sla(self) -> bool:
        """Every variant planned and meeting every SLA row."""
        return not self.failures and bool(self.table["meets_every_sla"].all())

    def plot(self, axes: Any = None, colours: Mapping[str, str] | None = None) -> Any:
        """Yearly cost (left) and investment (right) per variant, markers coloured by
        verdict. With a numeric parameter swept, against the one with the most values,
        one line per combination of the others; with scenario variants alone, per
        variant. A variant without a plan is a grey cross at the lowest cost. Returns the
        two axes."""
        import matplotlib.pyplot as plt

        colours = dict(colours or {"met": "#1a7f37", "not met": "#c62828",
                                   "no plan": "#8c8c8c"})
        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(11.5, 4.2), constrained_layout=True)
        frame = self.table.reset_index(drop=True)
        numeric = [p for p in self.parameters if p != "scenario"]
        unit = f" ({self.currency})" if self.currency else ""
        if numeric:
            along = max(numeric, key=lambda p: frame[p].nunique())
            x = frame[along].to_numpy(dtype=float)
            others = [p for p in self.parameters if p != along]
            groups = (frame.groupby(others, sort=False).indices if others
                      else {"": np.arange(len(frame))})
        else:
            along, others = "", []
            x = np.arange(len(frame), dtype=float)
            groups = {}
        planned = ~frame["status"].isin([INFEASIBLE, FAILED]).to_numpy()
        met = frame["meets_every_sla"].to_numpy(dtype=bool)
        palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for ax, column, label in ((axes[0], "yearly_cost", "yearly cost"),
                                  (axes[1], "investment", "investment (stock at unit cost)")):
            y = frame[column].to_numpy(dtype=float)
            for k, (key, rows) in enumerate(groups.items()):
                rows = np.asarray(rows)
                rows = rows[planned[rows]]
                rows = rows[np.argsort(x[rows], kind="stable")]
                values = key if isinstance(key, tuple) else (key,)
                name = ", ".join(f"{p.replace('_', ' ')} {v:g}" if not isinstance(v, str)
                                 else str(v) for p, v in zip(others, values, strict=False))
                ax.plot(x[rows], y[rows], "-", color=palette[k % len(palette)], zorder=1,
                        alpha=0.7, label=name or None)
            for pick, key, name in ((planned & met, "met", "meets every SLA"),
                                    (planned & ~met, "not met", "misses an SLA row")):
                if pick.any():
                    ax.scatter(x[pick], y[pick], s=40, color=colours[key], label=name,
                               zorder=3)
            if (~planned).any():
                floor = float(np.nanmin(y[planned])) if planned.any() else 0.0
                ax.scatter(x[~planned], np.full(int((~planned).sum()), floor), marker="x",
                           s=60, color=colours["no plan"], label="no plan (infeasible)",
                           zorder=3)
            ax.set_ylabel(f"{label}{unit}")
            ax.grid(alpha=0.3)
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
            if along:
                ax.set_xlabel(along.replace("_", " ") + (unit if along == "budget" else ""))
            else:
                ax.set_xticks(x, frame["variant"].astype(str), rotation=30, ha="right",
                              fontsize=7)
                ax.set_xlabel("variant")
        axes[0].legend(loc="best", fontsize=7)
        axes[0].figure.suptitle(f"Sweep of {self.scenario}: cost per variant")
        return axes


def _values(name: str, values: Any) -> list[float]:
    """The grid's values of ``name``, checked."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ParameterError(name, "must be a list of numbers", values)
    if len(values) == 0:
        raise ParameterError(name, "must hold at least one value", list(values))
    out: list[float] = []
    for value in values:
        if isinstance(value, bool):
            raise ParameterError(name, "must hold numbers", value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(name, "must hold numbers", value) from None
        if name in ("targets", "uptime_targets") and not 0.0 < number < 1.0:
            raise ParameterError(name, "must hold targets above 0 and below 1", value)
        if name in ("lead_time_factor", "budget") and not (math.isfinite(number)
                                                          and number > 0):
            raise ParameterError(name, "must hold finite numbers > 0"
                                 + (" (a factor on the lead times)"
                                    if name == "lead_time_factor" else " (currency)"), value)
        if number in out:
            raise ParameterError(name, "must not repeat a value", value)
        out.append(number)
    return out


def _grid(grid: Mapping[str, Any] | None) -> dict[str, list[float]]:
    if grid is None:
        return {}
    if not isinstance(grid, Mapping):
        raise ParameterError("grid", "must map parameter names to lists of values", grid)
    unknown = sorted(set(grid) - set(GRID_PARAMETERS))
    if unknown:
        raise ParameterError("grid", f"names parameters among {', '.join(GRID_PARAMETERS)}",
                             unknown[0])
    return {name: _values(name, grid[name]) for name in GRID_PARAMETERS if name in grid}


def _scenarios(scenario: Scenario, name: str | None,
               variants: Mapping[str, Scenario] | None) -> list[tuple[str, Scenario]]:
    base = [(name or scenario.name, scenario)]
    if variants is None:
        return base
    if not isinstance(variants, Mapping):
        raise ParameterError("variants", "must map variant names to scenarios", variants)
    for key, value in variants.items():
        if not isinstance(value, Scenario):
            raise ParameterError(f"variants[{key!r}]", "must be a Scenario "
                                 "(spareplan.load_scenario)", type(value).__name__)
        if not isinstance(key, str) or not key.strip() or key in dict(base):
            raise ParameterError("variants", "must have distinct, non-empty names (the base "
                                 f"scenario is {base[0][0]!r})", key)
        base.append((key, value))
    return base


def scale_lead_times(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` with every replenishment lead time times ``factor`` (re-validated).

    Scales ``locations.lead_time_days`` (from the parent) and
    ``parts.procurement_lead_time_days``; repair turnaround times are unchanged.

    Raises
    ------
    ParameterError
        When the scaled lead times break a rule of the scenario format.
    """
    if factor == 1.0:
        return scenario
    locations = scenario.locations
    parts = scenario.parts
    locations["lead_time_days"] = locations["lead_time_days"] * factor
    parts["procurement_lead_time_days"] = parts["procurement_lead_time_days"] * factor
    try:
        return scenario.replace(tables={"locations": locations, "parts": parts})
    except ScenarioError as error:
        raise ParameterError("lead_time_factor", f"gives lead times the scenario format "
                             f"refuses ({error.problems[0]})", factor) from None


def _row_kinds(scenario: Scenario) -> tuple[list[str], list[str]]:
    """The fill-rate and the uptime SLA rows with demand of ``scenario`` (availability
    rows, the product form, are neither: the grid leaves their targets alone)."""
    model = PlanningModel.build(scenario)
    fill = [r.name for r in model.rows if r.kind == FILL_RATE]
    uptime = [r.name for r in model.rows if r.kind == UPTIME]
    return fill, uptime


def _name(label: str | None, parameters: dict[str, float]) -> str:
    parts = [] if label is None else [label]
    parts += [f"{_NAME_PREFIX[k]}{v:.15g}" for k, v in parameters.items()]
    return "_".join(parts)


def sweep_variants(scenario: Scenario, grid: Mapping[str, Any] | None = None, *,
                   variants: Mapping[str, Scenario] | None = None,
                   name: str | None = None) -> list[SweepVariant]:
    """The variants of a sweep, each scenario built and checked (nothing is planned).

    See :func:`sweep` for the parameters; raises :class:`ParameterError` on a bad grid.
    """
    values = _grid(grid)
    scenarios = _scenarios(scenario, name, variants)
    if not values and len(scenarios) == 1:
        raise ParameterError("grid", "must name at least one parameter (targets, "
                             "uptime_targets, lead_time_factor, budget) or a variant", grid)
    out: list[SweepVariant] = []
    for label, base in scenarios:
        fill, uptime = (_row_kinds(base) if "targets" in values or "uptime_targets" in values
                        else ([], []))
        for key, rows, what in (("targets", fill, "fill-rate"),
                                ("uptime_targets", uptime, "uptime")):
            if key in values and not rows:
                raise ParameterError(key, f"needs a {what} SLA row with demand in the "
                                     "scenario", label)
        for combination in itertools.product(*values.values()):
            point = dict(zip(values, combination, strict=True))
            planned = scale_lead_times(base, point.get("lead_time_factor", 1.0))
            targets = {r: point["targets"] for r in fill if "targets" in point}
            targets.update({r: point["uptime_targets"] for r in uptime
                            if "uptime_targets" in point})
            parameters: dict[str, Any] = {"scenario": label} if len(scenarios) > 1 else {}
            parameters.update({GRID_PARAMETERS[k]: v for k, v in point.items()})
            out.append(SweepVariant(
                name=_name(label if len(scenarios) > 1 or not point else None, point),
                parameters=parameters, scenario=planned, targets=targets or None,
                budget=point.get("budget")))
    return out


def _one_line(error: Exception, limit: int = 300) -> str:
    """An error's message on one line (a reason in a table or a progress line)."""
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _service_value(service: pd.DataFrame) -> pd.Series:
    """Per SLA row the value its verdict is judged by: simulated where verified."""
    planned = service["planned"].astype(float)
    if "simulated" not in service:
        return planned
    simulated = service["simulated"].astype(float)
    return simulated.where(simulated.notna(), planned)


def _row(variant: SweepVariant, result: PlanResult | None,
         error: PlanningError | None) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": variant.name, **variant.parameters}
    if result is None:
        status = INFEASIBLE if isinstance(error, InfeasibleError) else FAILED
        row.update({"status": status, "meets_every_sla": False,
                    "reason": _one_line(error, 2000)})
        return row
    summary = result.summary
    service = result.service
    value = _service_value(service)
    margin = (value - service["target"].astype(float)).to_numpy()
    if "verdict" in service:
        below = int((service["verdict"] == "not met").sum())
    else:
        below = int((~service["meets_target"].astype(bool)).sum())
    finite = np.isfinite(margin)
    worst = int(np.flatnonzero(finite)[np.argmin(margin[finite])]) if finite.any() else -1
    row.update({"status": summary["status"], "meets_every_sla": result.meets_every_sla,
                "yearly_cost": summary["objective"],
                "investment": summary["inventory_value"],
                "holding_cost": summary["holding_cost"],
                "shipping_cost": summary["shipping_cost"],
                "lower_bound": summary["lower_bound"], "gap": summary["gap"],
                "rows_below_target": below,
                "worst_margin": margin[worst] if worst >= 0 else math.nan,
                "worst_sla_row": service["sla_row"].iloc[worst] if worst >= 0 else "",
                "reason": ""})
    for sla_row, v in zip(service["sla_row"], value, strict=True):
        row[f"service[{sla_row}]"] = v
    return row


def _table(rows: list[dict[str, Any]], parameters: list[str]) -> pd.DataFrame:
    service = list(dict.fromkeys(c for r in rows for c in r if c.startswith("service[")))
    columns = ["variant", *parameters, *TABLE_COLUMNS, *service, "reason"]
    frame = pd.DataFrame(rows, columns=columns)
    numbers = ["yearly_cost", "investment", "holding_cost", "shipping_cost", "lower_bound",
               "gap", "worst_margin", *service]
    frame[numbers] = frame[numbers].astype(np.float64)
    frame["rows_below_target"] = frame["rows_below_target"].astype("Int64")
    frame["meets_every_sla"] = frame["meets_every_sla"].astype(bool)
    for column in ("worst_sla_row", "reason"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def sweep(scenario: Scenario, grid: Mapping[str, Sequence[float]] | None = None, *,
          variants: Mapping[str, Scenario] | None = None, name: str | None = None,
          progress: Progress | None = None, **plan_options: Any) -> SweepResult:
    """Plan ``scenario`` for every combination of a parameter grid and/or every variant.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    grid : mapping of parameter to list of values, optional
        ``targets`` (every fill-rate row's target, in (0, 1)), ``uptime_targets``
        (every uptime row's, in (0, 1)), ``lead_time_factor`` (> 0, on every
        replenishment lead time), ``budget`` (> 0, planned with the service goal); see
        the module docstring. Every combination is one variant.
    variants : mapping of name to Scenario, optional
        Other scenarios planned beside the base one (each with every grid combination).
    name : str, optional
        The base scenario's name among the variants (default: its name).
    progress : callable, optional
        Called with one line per variant planned (e.g. ``print``).
    **plan_options
        Options of :func:`~spareplan.planning.plan.plan` for every variant: ``seed``,
        ``time_limit`` (per variant), ``solver``, ``verify``, ``replications``,
        ``years``, ``service_model``, ``budget``, ``goal``…

    Returns
    -------
    SweepResult
        The summary table (:meth:`SweepResult.to_frame`), the plans and the failures.

    Raises
    ------
    ParameterError
        A bad grid (an unknown parameter, an empty list, a target outside (0, 1), a
        factor or budget <= 0, a lead time the format refuses) or plan option; raised
        before anything is planned.

    Examples
    --------
    >>> result = sweep(scenario, {"targets": [0.9, 0.95]}, verify=False)  # doctest: +SKIP
    >>> result.to_frame()[["variant", "target", "yearly_cost"]]  # doctest: +SKIP
    """
    unknown = sorted(set(plan_options) - set(PLAN_OPTIONS))
    if unknown:
        raise ParameterError(unknown[0], f"is not an option of a sweep's plans (options: "
                             f"{', '.join(PLAN_OPTIONS)}; targets are set by the grid)",
                             plan_options[unknown[0]])
    if grid is not None and "budget" in grid and ("budget" in plan_options
                                                  or "goal" in plan_options):
        raise ParameterError("budget", "is set by the grid; leave budget and goal out of "
                             "the plan options", plan_options.get("budget"))
    chosen = sweep_variants(scenario, grid, variants=variants, name=name)
    return plan_variants(chosen, scenario=name or scenario.name,
                         currency=scenario.document.currency, progress=progress,
                         **plan_options)


def plan_variants(chosen: Sequence[SweepVariant], *, scenario: str, currency: str = "",
                  progress: Progress | None = None, **plan_options: Any) -> SweepResult:
    """Plan the variants of :func:`sweep_variants` the same way (``plan_options`` as in
    :func:`sweep`); a variant without a plan is a row with its status and reason."""
    parameters = list(dict.fromkeys(k for v in chosen for k in v.parameters))
    rows: list[dict[str, Any]] = []
    plans: dict[str, PlanResult] = {}
    failures: dict[str, PlanningError] = {}
    for variant in chosen:
        options = dict(plan_options)
        if variant.budget is not None:
            options.update(budget=variant.budget, goal=SERVICE)
        try:
            result = plan(variant.scenario, targets=variant.targets, **options)
        except PlanningError as error:
            failures[variant.name] = error
            rows.append(_row(variant, None, error))
            if progress is not None:
                progress(f"{variant.name}: no plan: {_one_line(error)}")
            continue
        plans[variant.name] = result
        rows.append(_row(variant, result, None))
        if progress is not None:
            progress(f"{variant.name}: {result.status}, yearly cost "
                     f"{result.summary['objective']:,.2f}, "
                     f"{'meets every SLA' if result.meets_every_sla else 'MISSES AN SLA ROW'}")
    return SweepResult(table=_table(rows, parameters), variants=tuple(chosen), plans=plans,
                       failures=failures, parameters=tuple(parameters), scenario=scenario,
                       currency=currency)
