"""``warn``: projected balance, alerts, supplier register and notices in one call."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spareplan.scenario.model import Scenario
from spareplan.warning.alerts import ALERT_COLUMNS, AlertLevel, AlertStatus, assess
from spareplan.warning.countermeasures import countermeasures_frame
from spareplan.warning.inputs import PLAN_SOURCE, prepare_inputs
from spareplan.warning.notices import draft_notices
from spareplan.warning.pab import projected_available_balance
from spareplan.warning.register import register_findings
from spareplan.warning.state import check_state, record_run

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
    pab : pandas.DataFrame
        Projected available balance, :data:`spareplan.warning.pab.PAB_COLUMNS`.
    alerts : pandas.DataFrame
        :data:`spareplan.warning.alerts.ALERT_COLUMNS`; current alerts and, with a state,
        the ``all_clear`` rows of alerts resolved by this run.
    register_findings : pandas.DataFrame
        :data:`spareplan.warning.register.REGISTER_COLUMNS`.
    countermeasures : pandas.DataFrame
        :data:`spareplan.warning.countermeasures.COUNTERMEASURE_COLUMNS`.
    notices : dict[str, str]
        Markdown notice per affected customer site.
    safety_source : str
        ``plan`` or ``scenario_min_stock``.
    run_key : str
        Hash of every input (scenario tables and settings, plan, as_of, horizon).
    replayed : bool
        True when the state already held this exact run (nothing was written).
    """

    as_of: dt.date
    horizon_weeks: int
    pab: pd.DataFrame = field(repr=False)
    alerts: pd.DataFrame = field(repr=False)
    register_findings: pd.DataFrame = field(repr=False)
    countermeasures: pd.DataFrame = field(repr=False)
    notices: dict[str, str] = field(repr=False)
    safety_source: str = "scenario_min_stock"
    run_key: str = ""
    replayed: bool = False

    def to_frame(self) -> pd.DataFrame:
        """The alerts, one row per part and location (a copy)."""
        return self.alerts.copy()

    def summary(self) -> dict[str, object]:
        """Counts per level and status, findings per kind, notices (JSON-ready)."""
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_weeks": self.horizon_weeks,
            "safety_stock_source": self.safety_source,
            "run_key": self.run_key,
            "replayed": self.replayed,
            "pairs_projected": int(self.pab[["part", "location"]].drop_duplicates().shape[0]),
            "alerts": {level.value: int((self.alerts["level"] == level.value).sum())
                       for level in AlertLevel},
            "statuses": {status.value: int((self.alerts["status"] == status.value).sum())
                         for status in AlertStatus},
            "register_findings": {str(k): int(v) for k, v in
                                  self.register_findings["finding"].value_counts()
                                  .sort_index().items()},
            "notices": sorted(self.notices),
        }


def run_key(scenario: Scenario, plan: pd.DataFrame | None, as_of: dt.date,
            horizon_weeks: int) -> str:
    """SHA-256 over the scenario (document and tables), the plan, ``as_of`` and the horizon."""
    digest = hashlib.sha256()
    digest.update(scenario.document.model_dump_json().encode())
    for name in sorted(scenario.tables):
        digest.update(name.encode())
        digest.update(scenario.tables[name].to_csv(index=False).encode())
    if plan is not None:
        digest.update(plan[["part", "location", "stock"]].to_csv(index=False).encode())
    digest.update(json.dumps([as_of.isoformat(), horizon_weeks]).encode())
    return digest.hexdigest()


def warn(scenario: Scenario, *, plan: pd.DataFrame | None = None,
         as_of: dt.date | None = None, horizon_weeks: int | None = None,
         state: Path | None = None, plan_source: str = PLAN_SOURCE) -> WarningResult:
    """Early warning: projected available balance, shortage alerts, supplier register.

    Every input is checked before the alert history is touched; the history is then
    updated in one transaction.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario with a ``current_stock`` table (and optionally scheduled
        receipts, customer orders, suppliers, order windows).
    plan : pandas.DataFrame, optional
        Recommended stock (columns ``part, location, stock``, e.g. ``recommendations.csv``
        of ``spareplan plan``): the safety stock :math:`SS` per part and location. Without
        it, the part's ``min_stock`` at each location holding it.
    as_of : datetime.date, optional
        First day of week 1; default ``[early_warning] as_of``, else today.
    horizon_weeks : int, optional
        Weeks projected; default ``[early_warning] horizon_weeks``.
    state : pathlib.Path, optional
        SQLite alert history; without it every alert is ``new`` and nothing is resolved.
    plan_source : str
        Name of the plan in problem messages.

    Returns
    -------
    WarningResult

    Raises
    ------
    spareplan.errors.InputError
        Bad parameters, plan or state file (nothing is written).

    Examples
    --------
    >>> from spareplan.scenario import load_scenario
    >>> result = warn(load_scenario("scenarios/warning_fixture"))  # doctest: +SKIP
    >>> result.alerts[["part", "location", "level"]]  # doctest: +SKIP
    """
    inputs = prepare_inputs(scenario, plan=plan, as_of=as_of, horizon_weeks=horizon_weeks,
                            plan_source=plan_source)
    if state is not None:
        check_state(Path(state))
    settings = scenario.document.early_warning
    pab = projected_available_balance(inputs.on_hand, inputs.demand, inputs.receipts,
                                      inputs.safety_stock, as_of=inputs.as_of,
                                      horizon_weeks=inputs.horizon_weeks)
    alerts, measures = assess(scenario, pab, inputs.receipts, inputs.demand,
                              as_of=inputs.as_of,
                              customer_notice_weeks=settings.customer_notice_weeks,
                              confirm_weeks=settings.confirm_weeks)
    findings = register_findings(scenario, as_of=inputs.as_of,
                                 horizon_weeks=inputs.horizon_weeks)
    key = run_key(scenario, plan, inputs.as_of, inputs.horizon_weeks)
    resolved = pd.DataFrame(columns=["part", "location", "previous_level", "notified_sites"])
    replayed = False
    if state is not None:
        update = record_run(Path(state), run_key=key, scenario=scenario.name,
                            as_of=inputs.as_of, alerts=alerts)
        replayed, resolved = update.replayed, update.resolved
        if len(alerts):
            merged = alerts.drop(columns=["status", "previous_level"]).merge(
                update.statuses, on=["part", "location"], how="left")
            alerts = merged[ALERT_COLUMNS]
    notices = draft_notices(scenario, alerts, resolved, as_of=inputs.as_of)
    if len(resolved):
        clear = pd.DataFrame({
            "part": resolved["part"], "location": resolved["location"],
            "level": AlertLevel.ALL_CLEAR.value, "status": AlertStatus.RESOLVED.value,
            "previous_level": resolved["previous_level"],
            "sites": resolved["notified_sites"],
            "reason": "the shortage projected by an earlier run no longer holds",
        })
        alerts = pd.concat([alerts, clear.reindex(columns=ALERT_COLUMNS)], ignore_index=True)
        alerts = alerts.sort_values(["part", "location"], ignore_index=True)
    return WarningResult(as_of=inputs.as_of, horizon_weeks=inputs.horizon_weeks, pab=pab,
                         alerts=alerts, register_findings=findings,
                         countermeasures=countermeasures_frame(measures), notices=notices,
                         safety_source=inputs.safety_source, run_key=key, replayed=replayed)
