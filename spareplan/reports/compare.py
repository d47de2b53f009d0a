"""``compare``: two plans side by side: cost, investment, service per SLA row, stock changes.

Both plans are read through :func:`~spareplan.reports.plan_folder.read_plan_folder` (the
one owner of the plan folder's format), so a folder that is not a plan, or a broken file,
is reported by file, field, rule and value before anything is compared.

What is compared:

- **summary** (one row per plan and a ``B - A`` row): status, ``meets_every_sla``, yearly
  cost (the objective), investment (sum of unit_cost x stock), holding, shipping
  (emergency and lateral) and penalty cost, the lower bound and gap, the SLA rows below
  target, stocked units and lines.
- **service** (one row per SLA row, matched by its name ``sla_row``): target, planned and,
  when verified, simulated value with its 95% confidence interval of each plan; the
  difference B - A of the simulated values when both plans were verified, else of the
  planned ones (``measure`` says which). A row present in one plan only (plans of
  different scenarios) is kept with ``present`` = ``A only`` / ``B only``.
- **stock changes** (one row per part and location whose stock differs): stock A, stock
  B, the change and its value (change x unit cost, B's unit cost where B has the line).
  A line in one plan only counts as stock 0 in the other (``present`` says so; of plans
  of different scenarios a note counts them).

Plans of an older version (no ``verdict``, ``simulated`` or ``plan_context.json``)
degrade: the missing figures are empty, nothing fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spareplan.errors import ParameterError
from spareplan.reports.plan_folder import PlanFiles, read_plan_folder

if TYPE_CHECKING:
    from spareplan.planning.plan_result import PlanResult

__all__ = ["CHANGE_COLUMNS", "SERVICE_COLUMNS", "SUMMARY_COLUMNS", "PlanComparison",
           "compare_plans", "exact_amounts"]

#: Columns of the summary (compare_summary.csv).
SUMMARY_COLUMNS = ["plan", "folder", "scenario", "status", "meets_every_sla", "yearly_cost",
                   "investment", "holding_cost", "shipping_cost", "penalty_cost",
                   "lower_bound", "gap", "sla_rows", "rows_below_target", "stock_units",
                   "stocked_lines"]
_NUMERIC = SUMMARY_COLUMNS[5:]
#: Columns of the service comparison (compare_service.csv).
SERVICE_COLUMNS = ["sla_row", "kind", "present", "target_a", "target_b", "planned_a",
                   "planned_b", "simulated_a", "ci_low_a", "ci_high_a", "simulated_b",
                   "ci_low_b", "ci_high_b", "measure", "difference", "verdict_a",
                   "verdict_b"]
#: Columns of the stock changes (stock_changes.csv).
CHANGE_COLUMNS = ["part", "location", "present", "stock_a", "stock_b", "change",
                  "unit_cost", "change_value"]

BOTH, A_ONLY, B_ONLY = "both", "A only", "B only"


@dataclass(frozen=True)
class PlanComparison:
    """Two plans compared (``B - A`` everywhere).

    Attributes
    ----------
    summary : pandas.DataFrame
        :data:`SUMMARY_COLUMNS`; rows ``A``, ``B`` and ``B - A`` (numbers only).
    service : pandas.DataFrame
        :data:`SERVICE_COLUMNS`, one row per SLA row of either plan.
    stock_changes : pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per part and location whose stock differs,
        largest change value first.
    currency : str
        B's currency (A's when B has none); ``notes`` says when they differ.
    notes : list of str
        What the reader must know: rows or lines in one plan only, plans of different
        scenarios or currencies, figures an older plan folder lacks.
    """

    summary: pd.DataFrame
    service: pd.DataFrame
    stock_changes: pd.DataFrame
    currency: str = ""
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The stock changes (a copy)."""
        return self.stock_changes.copy()

    @property
    def identical_stock(self) -> bool:
        """Whether both plans stock the same units at every part and location."""
        return self.stock_changes.empty

    def __repr__(self) -> str:
        rows = self.summary.set_index("plan")
        cost = rows.loc["B - A", "yearly_cost"]
        return (f"PlanComparison({rows.loc['A', 'scenario']!r} vs "
                f"{rows.loc['B', 'scenario']!r}: yearly cost B - A {cost:+,.2f} "
                f"{self.currency}".rstrip() + f", {len(self.stock_changes)} stock changes, "
                f"{len(self.service)} SLA rows)")


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _summary_row(label: str, files: PlanFiles) -> dict[str, Any]:
    s = files.summary
    recs = files.recommendations
    check = s.get("verification")
    below = check.get("rows_below_target") if isinstance(check, dict) else None
    if below is None:  # unverified or an older folder: by the planned verdicts
        below = int((~files.service["meets_target"].astype(bool)).sum())
    return {"plan": label, "folder": files.folder.name, "scenario": s["scenario"],
            "status": s["status"], "meets_every_sla": bool(s["meets_every_sla"]),
            "yearly_cost": _number(s["objective"]),
            "investment": _number(s["inventory_value"]),
            "holding_cost": _number(s["holding_cost"]),
            "shipping_cost": _number(s["shipping_cost"]),
            "penalty_cost": _number(s.get("penalty_cost", 0.0)),
            "lower_bound": _number(s["lower_bound"]), "gap": _number(s["gap"]),
            "sla_rows": float(len(files.service)), "rows_below_target": float(below),
            "stock_units": float(recs["stock"].sum()),
            "stocked_lines": float((recs["stock"] > 0).sum())}


def _summary(a: PlanFiles, b: PlanFiles) -> pd.DataFrame:
    first, second = _summary_row("A", a), _summary_row("B", b)
    difference: dict[str, Any] = {"plan": "B - A", "folder": "", "scenario": "",
                                  "status": "", "meets_every_sla": ""}
    difference.update({c: second[c] - first[c] for c in _NUMERIC})
    frame = pd.DataFrame([first, second, difference], columns=SUMMARY_COLUMNS)
    frame[_NUMERIC] = frame[_NUMERIC].astype(np.float64)
    frame["meets_every_sla"] = frame["meets_every_sla"].astype(object)
    return frame


def _service_side(files: PlanFiles, side: str) -> pd.DataFrame:
    service = files.service
    columns = {"target": f"target_{side}", "planned": f"planned_{side}",
               "simulated": f"simulated_{side}", "ci_low": f"ci_low_{side}",
               "ci_high": f"ci_high_{side}"}
    out = pd.DataFrame({"sla_row": service["sla_row"].astype(str),
                        "kind": service["kind"].astype(str)})
    for source, name in columns.items():
        out[name] = (service[source].astype(np.float64) if source in service
                     else np.full(len(service), np.nan))
    if "verdict" in service:
        verdict = service["verdict"].astype(str)
    else:
        verdict = pd.Series(np.where(service["meets_target"], "met", "not met"),
                            index=service.index)
    out[f"verdict_{side}"] = verdict.to_numpy()
    return out.drop_duplicates("sla_row")


def _service(a: PlanFiles, b: PlanFiles) -> pd.DataFrame:
    left, right = _service_side(a, "a"), _service_side(b, "b")
    merged = left.merge(right, on="sla_row", how="outer", suffixes=("", "_right"),
                        indicator=True, sort=False)
    merged["kind"] = merged["kind"].fillna(merged.pop("kind_right"))
    merged["present"] = merged.pop("_merge").map(
        {"both": BOTH, "left_only": A_ONLY, "right_only": B_ONLY}).astype(str)
    order = {name: i for i, name in enumerate(left["sla_row"])}
    order.update({name: len(order) + i for i, name in enumerate(
        n for n in right["sla_row"] if n not in order)})
    merged = merged.sort_values("sla_row", key=lambda s: s.map(order), kind="stable")
    verified = (merged["simulated_a"].notna() & merged["simulated_b"].notna())
    merged["measure"] = np.where(verified, "simulated", "planned")
    merged.loc[merged["present"] != BOTH, "measure"] = ""
    merged["difference"] = np.where(verified, merged["simulated_b"] - merged["simulated_a"],
                                    merged["planned_b"] - merged["planned_a"])
    for side in ("a", "b"):
        merged[f"verdict_{side}"] = merged[f"verdict_{side}"].fillna("")
    return merged[SERVICE_COLUMNS].reset_index(drop=True)


def _stock_changes(a: PlanFiles, b: PlanFiles) -> pd.DataFrame:
    key = ["part", "location"]
    left = a.recommendations[[*key, "stock", "unit_cost"]].astype(
        {"part": str, "location": str})
    right = b.recommendations[[*key, "stock", "unit_cost"]].astype(
        {"part": str, "location": str})
    merged = left.merge(right, on=key, how="outer", suffixes=("_a", "_b"), indicator=True,
                        sort=True)
    merged["present"] = merged.pop("_merge").map(
        {"both": BOTH, "left_only": A_ONLY, "right_only": B_ONLY}).astype(str)
    merged["stock_a"] = merged["stock_a"].fillna(0).astype(np.int64)
    merged["stock_b"] = merged["stock_b"].fillna(0).astype(np.int64)
    merged["change"] = merged["stock_b"] - merged["stock_a"]
    merged["unit_cost"] = merged["unit_cost_b"].fillna(merged["unit_cost_a"]).astype(
        np.float64)
    merged["change_value"] = merged["change"] * merged["unit_cost"]
    changed = merged[merged["change"] != 0].copy()
    changed["size"] = changed["change_value"].abs()
    changed = changed.sort_values(["size", "part", "location"],
                                  ascending=[False, True, True], kind="stable")
    return changed[CHANGE_COLUMNS].reset_index(drop=True)


def _notes(a: PlanFiles, b: PlanFiles, service: pd.DataFrame,
           changes: pd.DataFrame) -> list[str]:
    notes = []
    if a.summary["scenario"] != b.summary["scenario"]:
        notes.append(f"the plans are of different scenarios: A {a.summary['scenario']!r}, "
                     f"B {b.summary['scenario']!r}")
    elif a.summary["input_hash"] != b.summary["input_hash"]:
        notes.append("the plans are of different inputs (input_hash differs): a what-if of "
                     "the same scenario")
    if a.currency and b.currency and a.currency != b.currency:
        notes.append(f"the plans are in different currencies: A {a.currency}, B "
                     f"{b.currency}; differences of amounts are not converted")
    for side, files in (("A", a), ("B", b)):
        if not files.context:
            notes.append(f"plan {side} has no plan_context.json (an older plan folder): its "
                         "currency is unknown")
        if "simulated" not in files.service or files.service["simulated"].isna().all():
            notes.append(f"plan {side} was not verified by simulation: its service is the "
                         "planned (model) value")
    for label in (A_ONLY, B_ONLY):
        rows = service.loc[service["present"] == label, "sla_row"].tolist()
        if rows:
            notes.append(f"SLA rows in plan {label.split()[0]} only (not compared): "
                         + ", ".join(rows))
        lines = int((changes["present"] == label).sum())
        # recommendations.csv lists the lines the plan stocks or that hold stock today: of
        # the same scenario an unlisted line is stock 0, nothing to tell
        if lines and a.summary["scenario"] != b.summary["scenario"]:
            other = "B" if label == A_ONLY else "A"
            notes.append(f"{lines} stock change(s) on part-location lines of plan "
                         f"{label.split()[0]} only: "
                         f"counted as stock 0 in plan {other}")
    return notes


def exact_amounts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` whose amount ``columns`` are rounded to cents (NaN kept, written
    empty by :func:`~spareplan.reports.atomic.write_csv`)."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(np.float64).round(2)
    return out


#: Amount columns of the comparison's files (see :func:`exact_amounts`).
SUMMARY_AMOUNTS = ["yearly_cost", "investment", "holding_cost", "shipping_cost",
                   "penalty_cost", "lower_bound"]
CHANGE_AMOUNTS = ["unit_cost", "change_value"]


def _plan_files(plan: str | Path | PlanFiles | PlanResult) -> PlanFiles:
    if isinstance(plan, PlanFiles):
        return plan
    if isinstance(plan, str | Path):
        return read_plan_folder(plan)
    from spareplan.planning.plan_result import PlanResult
    from spareplan.reports.plan_outputs import plan_files

    if isinstance(plan, PlanResult):
        return plan_files(plan)
    raise ParameterError("plan", "must be a plan folder, PlanFiles or a PlanResult of "
                         "spareplan.plan", type(plan).__name__)


def compare_plans(a: str | Path | PlanFiles | PlanResult,
                  b: str | Path | PlanFiles | PlanResult) -> PlanComparison:
    """Compare plan B against plan A.

    Parameters
    ----------
    a, b : str, pathlib.Path, PlanFiles or PlanResult
        Plan folders written by ``spareplan plan`` (or already read with
        :func:`~spareplan.reports.plan_folder.read_plan_folder`), or results of
        :func:`spareplan.plan` in memory (read as their folder would be,
        :func:`spareplan.reports.plan_outputs.plan_files`; their ``folder`` column is
        empty). The two kinds mix.

    Returns
    -------
    PlanComparison

    Raises
    ------
    PlanFolderError
        When a folder is not a plan or a file breaks a rule (file, field, rule, value).

    Examples
    --------
    >>> comparison = compare_plans("plans/base", "plans/high")  # doctest: +SKIP
    >>> comparison.summary.set_index("plan").loc["B - A", "yearly_cost"]  # doctest: +SKIP

    Of two results in a notebook:

    >>> base = spareplan.plan(scenario)  # doctest: +SKIP
    >>> high = spareplan.plan(scenario.with_targets(gold=0.97))  # doctest: +SKIP
    >>> compare_plans(base, high).service  # doctest: +SKIP
    """
    first, second = _plan_files(a), _plan_files(b)
    service = _service(first, second)
    changes = _stock_changes(first, second)
    return PlanComparison(summary=_summary(first, second), service=service,
                          stock_changes=changes, currency=second.currency or first.currency,
                          notes=_notes(first, second, service, changes))
