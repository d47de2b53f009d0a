"""What :func:`spareplan.plan` returns: the plan's tables, its account, and its reading aids.

:class:`PlanResult` holds the recommendations and the service per SLA row (the tables of
``recommendations.csv`` and ``service.csv``, same columns: :mod:`spareplan.result_columns`),
the summary (``summary.json``), the verification simulation and the scenario it was made
for. It prints in a few lines (scenario, status, cost, investment, bound, verdict) and in
Jupyter as a small table; :meth:`PlanResult.explain` says why a part is stocked where it
is, with the explanations of ``explanations.csv``
(:func:`spareplan.reports.explain.explain_plan`, computed once per result).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spareplan.display import (
    SERVICE_HEADER,
    clip,
    html_table,
    money,
    service_rows_html,
    service_rows_text,
)
from spareplan.errors import ParameterError
from spareplan.planning.summary import PlanSummary
from spareplan.scenario.model import Scenario

if TYPE_CHECKING:  # read, not built, here (the reports layer sits above planning)
    from spareplan.reports.explain import PlanExplanation

__all__ = ["PlanResult"]

#: Close matches named when a part or location is unknown.
CLOSE_MATCHES = 5


@dataclass(frozen=True)
class PlanResult:
    """A stock plan and its account.

    Attributes
    ----------
    recommendations : pandas.DataFrame
        part, location, stock, current_stock, delta, unit_cost, yearly_holding_cost (the
        columns of ``recommendations.csv``).
    service : pandas.DataFrame
        One line per SLA row, the columns of ``service.csv`` in its order
        (:data:`~spareplan.result_columns.SERVICE_COLUMNS`; units in ``docs/api.md``):
        sla_row, kind, sla_class, sites, target, planned, meets_target, window_hours,
        repair_hours, demand_per_year, and after verification also simulated, std_error,
        ci_low, ci_high, half_width, half_width_share, verdict and planned_meets_target.
    summary : PlanSummary
        A mapping (``summary["status"]``; :meth:`PlanSummary.to_dict` for JSON):
        status, objective, lower_bound, gap, solver, seed, runtime, versions, input hash…;
        ``inventory_value`` (sum of unit_cost x stock), ``inventory_budget`` (``None``
        without one) and ``capacity_rows``: per capacity row name (``capacity_units[F1]``,
        ``capacity_volume[F1]``, ``inventory_budget``) its ``limit``, ``used`` and ``unit``.
    verification : SimulationResult or None
        The simulation result that re-measured the plan (``None`` when not verified).
    scenario : Scenario or None
        The scenario planned (what :meth:`explain` reads; not compared, not printed).
    shadow_prices : dict of str to float or None
        pi_r per SLA row from the optimizer's last master LP when they stand as the plan's
        shadow prices (:func:`~spareplan.planning.result.master_shadow_prices`), read by
        the explanations; ``None`` otherwise (the explanations then price the plan's
        neighbourhood). Not compared, not printed.
    """

    recommendations: pd.DataFrame
    service: pd.DataFrame
    summary: PlanSummary
    verification: Any = None
    scenario: Scenario | None = field(default=None, repr=False, compare=False)
    shadow_prices: dict[str, float] | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> str:
        return str(self.summary["status"])

    @property
    def meets_every_sla(self) -> bool:
        """Every SLA row met: by the simulated values when the plan was verified, and
        False when a verification was asked for but not run in time."""
        return bool(self.summary["meets_every_sla"])

    def to_frame(self) -> pd.DataFrame:
        """The recommendations (one row per part and location)."""
        return self.recommendations.copy()

    # -- what a person reads first -------------------------------------------------------

    @property
    def _currency(self) -> str:
        return self.scenario.document.currency if self.scenario is not None else ""

    def _verdict_counts(self) -> dict[str, int]:
        service = self.service
        if "verdict" in service:
            verdict = service["verdict"].astype(str)
        else:
            verdict = pd.Series(np.where(service["planned"].isna(), "no demand",
                                         np.where(service["meets_target"], "met", "not met")),
                                index=service.index)
        return {word: int((verdict == word).sum()) for word in ("met", "not met", "no demand")}

    def _checked_by(self) -> str:
        check = self.summary["verification"]
        if check is None:
            return "planned values (not verified)"
        if not check.get("done", False):
            return f"planned values ({check.get('note') or 'verification not run'})"
        return (f"simulated ({check['replications']} replications x {check['years']:g} "
                "year(s), independent random numbers)")

    def _bound_text(self) -> str:
        s, currency = self.summary, self._currency
        goal = s["service_goal"]
        if goal is not None:
            bound = goal.get("weighted_service_bound")
            return (f"weighted service {goal['weighted_service']:.6f} within the budget"
                    + (f", bound {bound:.6f}" if bound is not None else ""))
        if s["lower_bound"] is not None:
            gap = s["gap"]
            return (f"lower bound {money(s['lower_bound'], currency)}"
                    + (f", gap {100 * gap:.2f}%" if gap is not None else "")
                    + f" ({(s['bound_model'] or 'over the columns searched').split(':')[0]})")
        if s["analytic_bound"] is not None:
            premium = s["premium_over_analytic_bound"]
            return ("no bound for the simulated model; analytic bound "
                    f"{money(s['analytic_bound'], currency)}"
                    + (f" (plan {100 * premium:+.1f}%)" if premium is not None else ""))
        return "no bound"

    def _lines(self) -> list[tuple[str, str]]:
        s, currency = self.summary, self._currency
        counts = self._verdict_counts()
        stocked = self.recommendations[self.recommendations["stock"] > 0]
        verdict = (f"{counts['met']} met, {counts['not met']} below target"
                   + (f", {counts['no demand']} without demand" if counts["no demand"] else "")
                   + f" — {self._checked_by()}")
        return [
            ("scenario", clip(s["scenario"])),
            ("status", f"{s['status']} ({s['method']}, {s['service_model']} model)"),
            ("yearly cost", money(s["objective"], currency)),
            ("investment", money(s["inventory_value"], currency)),
            ("bound", self._bound_text()),
            ("SLA rows", verdict),
            ("stock", f"{int(stocked['stock'].sum()):,} units at {len(stocked):,} "
                      f"part-locations ({stocked['part'].nunique():,} of "
                      f"{s['parts']:,} parts)"),
        ]

    def __repr__(self) -> str:
        lines = self._lines()
        head = f"PlanResult {lines[0][1]!r}: " + ", ".join(
            f"{k} {v}" if k != "status" else v for k, v in lines[1:4])
        body = [f"  {k}: {v}" for k, v in lines[4:]]
        body += service_rows_text(self.service)
        body.append("  .recommendations, .service, .summary, .verification, .explain(part)")
        return "\n".join([head, *body])

    def _repr_html_(self) -> str:
        rows, note = service_rows_html(self.service)
        return html_table(self._lines(), title="PlanResult", header=SERVICE_HEADER,
                          rows=rows, note=note or ".recommendations, .service, .summary, "
                                                  ".explain(part)")

    # -- why ----------------------------------------------------------------------------

    @cached_property
    def explanations(self) -> PlanExplanation:
        """The explanations of every stocked unit and every part stocked nowhere
        (``explanations.csv``), computed on first use and kept."""
        from spareplan.reports.explain import explain_plan  # reports sit above planning

        if self.scenario is None:
            raise ParameterError("scenario", "explain needs the scenario the plan was made "
                                 "for (a PlanResult from spareplan.plan keeps it)", None)
        return explain_plan(self.scenario, self.recommendations,
                            shadow_prices=self.shadow_prices)

    def explain(self, part: str, location: str | None = None) -> pd.DataFrame:
        """Why ``part`` is stocked where it is (or nowhere), one line per location.

        The last unit at each location where the plan stocks the part: the SLA rows it
        serves and the service it adds to each (``rows``, ``marginal_service`` on its main
        row ``sla_row``), its value at the rows' shadow prices (``value_per_year``) against
        its cost (``holding_cost_per_year``, and ``cost_per_year`` net of the shipments it
        saves), and a sentence. A part stocked nowhere gets one line: its best single unit
        and why the plan does without it. Read with the analytic model
        (``docs/report.md``: how a unit is explained); the verdicts are the simulation's.

        Parameters
        ----------
        part : str
            A part of the scenario.
        location : str, optional
            Only that location (a location where the plan stocks the part).

        Returns
        -------
        pandas.DataFrame
            The columns of ``explanations.csv``
            (:data:`~spareplan.result_columns.EXPLANATION_COLUMNS`).

        Raises
        ------
        ParameterError
            An unknown part (the close matches are named), a location where the plan does
            not stock it (the locations where it does are named), or a result without its
            scenario.

        Examples
        --------
        >>> result = spareplan.plan(scenario, verify=False)  # doctest: +SKIP
        >>> result.explain("P-PUMP")[["location", "stock", "value_per_year",
        ...                           "holding_cost_per_year"]]  # doctest: +SKIP
        """
        frame = self.explanations.frame
        part = str(part)
        lines = frame[frame["part"] == part]
        if lines.empty:
            raise ParameterError("part", self._unknown_part_rule(part, frame), part)
        if location is not None:
            location = str(location)
            stocked = lines[lines["kind"] == "stocked"]
            at = stocked[stocked["location"] == location]
            if at.empty:
                where = ", ".join(map(str, stocked["location"])) or "nowhere"
                raise ParameterError("location", f"must be a location where the plan stocks "
                                     f"{part} (stocked at: {where}; explain({part!r}) without "
                                     "a location gives every line)", location)
            lines = at
        return lines.reset_index(drop=True)

    def _unknown_part_rule(self, part: str, frame: pd.DataFrame) -> str:
        """The rule broken by an unknown ``part``, with the close matches."""
        known = sorted(set(map(str, frame["part"])))
        if self.scenario is not None:
            parts = self.scenario.tables["parts"]
            row = parts[parts["part"].astype(str) == part]
            if not row.empty and "replaced_by" in parts:
                successor = row["replaced_by"].iloc[0]
                if isinstance(successor, str) and successor:
                    return (f"must be a planned part: {part} is superseded (replaced_by "
                            f"{successor}), its demand is planned under the newest part of "
                            "its chain")
        folded = {p.casefold(): p for p in known}  # p-pump finds P-PUMP
        close = [folded[c] for c in difflib.get_close_matches(
            part.casefold(), list(folded), n=CLOSE_MATCHES, cutoff=0.6)]
        hint = (f"close matches: {', '.join(close)}" if close else
                f"{len(known):,} parts, e.g. {', '.join(known[:3])}")
        return f"must be a part of the plan ({hint})"

    # -- plots --------------------------------------------------------------------------

    def plot_recommendations(self, ax: Any = None, top: int = 20) -> Any:
        """Bar chart of the yearly holding cost by location, stacked by the top parts."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4))
        frame = self.recommendations
        by_location = frame.groupby("location")["yearly_holding_cost"].sum().sort_values()
        by_location.tail(top).plot.barh(ax=ax, color="#3b6ea5")
        ax.set_xlabel("yearly holding cost")
        ax.set_title("Recommended stock: holding cost by location")
        return ax

    def plot_service(self, ax: Any = None) -> Any:
        """Planned (and simulated, when verified) value against target per SLA row."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 0.35 * len(self.service) + 1.5))
        frame = self.service.reset_index(drop=True)
        y = np.arange(len(frame))
        ax.scatter(frame["planned"], y, marker="o", label="planned")
        ax.scatter(frame["target"], y, marker="|", s=200, color="black", label="target")
        if "simulated" in frame:
            errors = np.vstack([frame["simulated"] - frame["ci_low"],
                                frame["ci_high"] - frame["simulated"]])
            ax.errorbar(frame["simulated"], y + 0.2, xerr=errors, fmt="s", color="#c0504d",
                        label="simulated, 95% CI")
        ax.set_yticks(y, frame["sla_row"])
        ax.set_xlabel("fill rate within window / availability")
        ax.legend(loc="lower left")
        return ax
