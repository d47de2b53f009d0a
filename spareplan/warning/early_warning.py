"""``warn``: probabilistic projection, alerts, history, notices and supplier register."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spareplan.display import clip, html_table
from spareplan.scenario.document import EarlyWarning
from spareplan.scenario.model import Scenario
from spareplan.warning.alerts import (
    ALERT_COLUMNS,
    AlertContext,
    AlertLevel,
    AlertStatus,
    assess,
)
from spareplan.warning.countermeasures import countermeasures_frame
from spareplan.warning.inputs import PLAN_SOURCE, WarnInputError, WarnInputs, prepare_inputs
from spareplan.warning.notices import draft_notices
from spareplan.warning.projection import Projection, project, project_firm_orders
from spareplan.warning.register import load_supplier_register, register_findings
from spareplan.warning.state import CLEARED_COLUMNS, StateUpdate, check_state, history

__all__ = ["WarningResult", "run_key", "warn"]


@dataclass(frozen=True)
class WarningResult:
    """Result of :func:`warn` (new objects; the inputs are untouched).

    Attributes
    ----------
    as_of : datetime.date
        First day of week 1.
    horizon_weeks : int
        Weeks projected.
    settings : EarlyWarning
        The thresholds and owners used.
    pab : pandas.DataFrame
        The projection per part, location and week
        (:meth:`spareplan.warning.projection.Projection.to_frame`).
    alerts : pandas.DataFrame
        :data:`spareplan.warning.alerts.ALERT_COLUMNS` plus ``notify``; current alerts and,
        with a state, the ``all_clear`` rows of alerts resolved by this run.
    register_findings : pandas.DataFrame
        :data:`spareplan.warning.register.REGISTER_COLUMNS`.
    countermeasures : pandas.DataFrame
        :data:`spareplan.warning.countermeasures.COUNTERMEASURE_COLUMNS`.
    notices : dict[str, str]
        Markdown notice per customer site that hears from this run.
    target_source : str
        ``plan`` or ``current_stock``.
    run_key : str
        Hash of every input (scenario tables and settings, plan, register, as_of, horizon).
    replayed : bool
        True when the state already held this exact run (nothing was written).
    """

    as_of: dt.date
    horizon_weeks: int
    settings: EarlyWarning = field(repr=False)
    pab: pd.DataFrame = field(repr=False)
    alerts: pd.DataFrame = field(repr=False)
    register_findings: pd.DataFrame = field(repr=False)
    countermeasures: pd.DataFrame = field(repr=False)
    notices: dict[str, str] = field(repr=False)
    target_source: str = "current_stock"
    run_key: str = ""
    replayed: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The alerts, one row per part and location (a copy)."""
        return self.alerts.copy()

    def summary(self) -> dict[str, object]:
        """Counts per level and status, customers to notify, follow-ups (JSON-ready).

        The same inputs give the same summary whether the run was recorded or replayed.
        """
        alerts = self.alerts
        waiting = alerts[alerts["awaiting"].notna()] if len(alerts) else alerts
        overdue = waiting[waiting["awaiting"].str.contains("overdue since", regex=False)] \
            if len(waiting) else waiting
        by_owner: dict[str, int] = {}
        for owner in overdue["owner"] if len(overdue) else []:
            by_owner[str(owner)] = by_owner.get(str(owner), 0) + 1
        s = self.settings
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_weeks": self.horizon_weeks,
            "target_source": self.target_source,
            "run_key": self.run_key,
            "thresholds": {"internal_risk_probability": s.internal_risk_probability,
                           "customer_notice_probability": s.customer_notice_probability,
                           "customer_notice_weeks": s.customer_notice_weeks,
                           "confirm_weeks": s.confirm_weeks},
            "pairs_projected": int(self.pab[["part", "location"]].drop_duplicates().shape[0]),
            "alerts": {level.value: int((alerts["level"] == level.value).sum())
                       for level in AlertLevel},
            "statuses": {status.value: int((alerts["status"] == status.value).sum())
                         for status in AlertStatus},
            "customers_to_notify": sorted(self.notices),
            "follow_up_overdue": {"alerts": len(overdue), "by_owner": by_owner},
            "register_findings": {str(k): int(v) for k, v in
                                  self.register_findings["finding"].value_counts()
                                  .sort_index().items()},
        }

    def console_lines(self) -> list[str]:
        """What a person running ``spareplan warn`` reads (one line each, on stderr)."""
        summary = self.summary()
        levels, statuses = summary["alerts"], summary["statuses"]
        assert isinstance(levels, dict) and isinstance(statuses, dict)
        customers = summary["customers_to_notify"]
        assert isinstance(customers, list)
        overdue = summary["follow_up_overdue"]
        assert isinstance(overdue, dict)
        lines = [
            f"as of {self.as_of.isoformat()}, {self.horizon_weeks} weeks, base stock from "
            f"{self.target_source}: {summary['pairs_projected']} part-locations projected"
            + (" (replay of the last recorded run)" if self.replayed else ""),
            "alerts: " + ", ".join(f"{levels[lv.value]} {lv.value.replace('_', ' ')}"
                                   for lv in (AlertLevel.INTERNAL_RISK,
                                              AlertLevel.CUSTOMER_NOTICE,
                                              AlertLevel.CONFIRMED_SHORTAGE,
                                              AlertLevel.ALL_CLEAR)),
            "changes: " + ", ".join(f"{statuses[st.value]} {st.value.replace('_', '-')}"
                                    for st in AlertStatus),
            f"customers to notify: {len(customers)}"
            + (f" ({', '.join(customers[:8])}{', ...' if len(customers) > 8 else ''})"
               if customers else ""),
        ]
        if overdue["alerts"]:
            owners = ", ".join(f"{owner}: {count}" for owner, count in
                               sorted(overdue["by_owner"].items()))
            lines.append(f"not answered after the follow-up date: {overdue['alerts']} "
                         f"alert(s) ({owners})")
        findings = summary["register_findings"]
        assert isinstance(findings, dict)
        if findings:
            lines.append("supplier register: " + ", ".join(
                f"{count} {name.replace('_', ' ')}" for name, count in findings.items()))
        return lines

    def __repr__(self) -> str:
        """What ``spareplan warn`` prints, one line each (never a table)."""
        lines = [clip(line, 160) for line in self.console_lines()]
        return "\n".join([f"WarningResult: {lines[0]}", *(f"  {line}" for line in lines[1:]),
                          "  .alerts, .pab, .countermeasures, .register_findings, .notices"])

    def _repr_html_(self) -> str:
        pairs = []
        for line in self.console_lines():
            key, _, value = line.partition(": ")
            pairs.append((key, value) if value and len(key) <= 40 else
                         ("run" if not pairs else "", line))
        return html_table(pairs, title="WarningResult",
                          note=".alerts, .pab, .countermeasures, .register_findings, .notices")


def run_key(scenario: Scenario, plan: pd.DataFrame | None, as_of: dt.date,
            horizon_weeks: int, register: pd.DataFrame | None = None) -> str:
    """SHA-256 over the scenario (document and tables), the plan, the register, ``as_of``
    and the horizon."""
    digest = hashlib.sha256()
    digest.update(scenario.document.model_dump_json().encode())
    for name in sorted(scenario.tables):
        digest.update(name.encode())
        digest.update(scenario.tables[name].to_csv(index=False).encode())
    if plan is not None:
        digest.update(plan[["part", "location", "stock"]].to_csv(index=False).encode())
    if register is not None:
        digest.update(register.to_csv(index=False).encode())
    digest.update(json.dumps([as_of.isoformat(), horizon_weeks]).encode())
    return digest.hexdigest()


def _projections(inputs: WarnInputs, settings: EarlyWarning) -> tuple[Projection, Projection]:
    thresholds = {"p_internal": settings.internal_risk_probability,
                  "p_customer": settings.customer_notice_probability}
    return (project(inputs.projection, **thresholds),
            project_firm_orders(inputs.projection, **thresholds))


def _merge(alerts: pd.DataFrame, update: StateUpdate | None) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
    """Alerts with the history's statuses, and the all-clear items."""
    if update is None:
        alerts = alerts.assign(awaiting=alerts["owner"], notify=True)
        return alerts, pd.DataFrame(columns=CLEARED_COLUMNS)
    merged = alerts.drop(columns=["alert_id", "status", "previous_level", "follow_up_date",
                                  "acknowledged_by", "awaiting"])
    merged = merged.merge(update.statuses, on=["part", "location"], how="left")
    merged["alert_id"] = merged["alert_id"].astype("Int64")
    merged = merged[[*ALERT_COLUMNS, "notify"]]
    resolved = update.cleared[update.cleared["cleared"] == AlertStatus.RESOLVED.value]
    if len(resolved):
        clear = pd.DataFrame({
            "alert_id": resolved["alert_id"].astype("Int64"), "part": resolved["part"],
            "location": resolved["location"], "level": AlertLevel.ALL_CLEAR.value,
            "status": AlertStatus.RESOLVED.value,
            "previous_level": resolved["previous_level"],
            "sites": resolved["notified_sites"],
            "reason": "the shortage projected by an earlier run no longer holds",
            "notify": resolved["notified_sites"].astype(str) != "",
        }).reindex(columns=[*ALERT_COLUMNS, "notify"])
        merged = pd.concat([merged.astype(object), clear.astype(object)], ignore_index=True)
        merged = merged.sort_values(["part", "location"], ignore_index=True)
    return merged, update.cleared


def warn(scenario: Scenario, *, plan: pd.DataFrame | None = None,
         as_of: dt.date | None = None, horizon_weeks: int | None = None,
         state: Path | None = None, plan_source: str = PLAN_SOURCE,
         publish: Callable[[WarningResult], None] | None = None) -> WarningResult:
    """Early warning: shortage probabilities, alerts, their history, notices, register.

    Every input is checked before the alert history is touched; the history is then
    updated in one transaction, which stays open while ``publish`` writes the outputs,
    so that outputs and history are committed together.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario with a ``current_stock`` table (and optionally scheduled
        receipts, customer orders, suppliers, order windows, a supplier register).
    plan : pandas.DataFrame, optional
        Recommended stock (columns ``part, location, stock``, e.g. ``recommendations.csv``
        of ``spareplan plan``): the base stock :math:`S_l` of one-for-one replenishment.
        Without it, today's inventory position (raised to ``min_stock``).
    as_of : datetime.date, optional
        First day of week 1; default ``[early_warning] as_of``, else today.
    horizon_weeks : int, optional
        Weeks projected; default ``[early_warning] horizon_weeks``.
    state : pathlib.Path, optional
        SQLite alert history; without it every alert is ``new``, nothing is resolved and
        every customer-facing alert is notified.
    plan_source : str
        Name of the plan in problem messages.
    publish : callable, optional
        Called with the result before the history is committed (the CLI writes its
        output folder there); an exception in it rolls the run back.

    Returns
    -------
    WarningResult

    Raises
    ------
    spareplan.errors.InputError
        Bad parameters, plan, supplier register or state file (nothing is written).

    Examples
    --------
    >>> from spareplan.scenario import load_scenario
    >>> result = warn(load_scenario("scenarios/warning_fixture"))  # doctest: +SKIP
    >>> result.alerts[["part", "location", "level", "p_short"]]  # doctest: +SKIP
    """
    inputs = prepare_inputs(scenario, plan=plan, as_of=as_of, horizon_weeks=horizon_weeks,
                            plan_source=plan_source)
    register, problems = load_supplier_register(scenario)
    if problems:
        raise WarnInputError(problems)
    if state is not None:
        check_state(Path(state))
    settings = inputs.settings
    projection, firm_only = _projections(inputs, settings)
    context = AlertContext.from_scenario(scenario, inputs.network, inputs.parts,
                                         inputs.projection.lead_weeks, settings)
    findings = register_findings(scenario, as_of=inputs.as_of,
                                 horizon_weeks=inputs.horizon_weeks, register=register)
    key = run_key(scenario, plan, inputs.as_of, inputs.horizon_weeks, register)
    pab = projection.to_frame(pairs=inputs.listed, as_of=inputs.as_of)

    def levels(open_pairs: set[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
        alerts, measures = assess(context, projection, firm_only, inputs.evaluated,
                                  receipts=inputs.receipts, orders=inputs.orders,
                                  as_of=inputs.as_of, open_pairs=open_pairs)
        return alerts, countermeasures_frame(measures, inputs.as_of)

    def finish(alerts: pd.DataFrame, measures: pd.DataFrame,
               update: StateUpdate | None) -> WarningResult:
        merged, cleared = _merge(alerts, update)
        notices = draft_notices(scenario, merged, cleared, as_of=inputs.as_of,
                                update_interval_weeks=settings.update_interval_weeks)
        return WarningResult(as_of=inputs.as_of, horizon_weeks=inputs.horizon_weeks,
                             settings=settings, pab=pab, alerts=merged,
                             register_findings=findings, countermeasures=measures,
                             notices=notices, target_source=inputs.target_source,
                             run_key=key, replayed=bool(update and update.replayed))

    if state is None:
        result = finish(*levels(set()), None)
        if publish is not None:
            publish(result)
        return result
    with history(Path(state)) as recorded:
        alerts, measures = levels(recorded.open_pairs(key))
        update = recorded.record(run_key=key, scenario=scenario.name, as_of=inputs.as_of,
                                 alerts=alerts,
                                 update_interval_weeks=settings.update_interval_weeks)
        result = finish(alerts, measures, update)
        if publish is not None:
            publish(result)
    return result
