"""``compare.html``: two plans side by side on one self-contained page.

The page shell, style, cells and tables are those of the plan report and the sweep page
(:mod:`~spareplan.reports.html_parts`): inline CSS and SVG, no script, a
Content-Security-Policy of ``default-src 'none'``, no timestamp.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from spareplan.reports.compare import A_ONLY, B_ONLY, BOTH, PlanComparison
from spareplan.reports.html_parts import (
    Cell,
    escape,
    listing,
    money,
    number,
    number_cell,
    page,
    share,
    table,
    text_cell,
    verdict_cell,
)
from spareplan.reports.report_plots import styled_pyplot, svg_text
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME

__all__ = ["render_compare"]

_COLOUR_A, _COLOUR_B = "#1f5fa8", "#d9822b"


def _signed(value: float, digits: int = 0) -> str:
    return "–" if not np.isfinite(value) else f"{value:+,.{digits}f}"


def _summary_table(comparison: PlanComparison) -> str:
    rows = comparison.summary.set_index("plan")
    a, b, d = rows.loc["A"], rows.loc["B"], rows.loc["B - A"]
    amounts = [("yearly cost", "yearly_cost"), ("investment (unit cost x stock)", "investment"),
               ("holding cost / year", "holding_cost"),
               ("emergency and lateral shipping / year", "shipping_cost"),
               ("expected contract penalties / year", "penalty_cost"),
               ("lower bound", "lower_bound")]
    currency = comparison.currency
    lines: list[list[Cell]] = [
        [text_cell("scenario"), text_cell(a["scenario"]), text_cell(b["scenario"]),
         text_cell("")],
        [text_cell("status"), text_cell(a["status"]), text_cell(b["status"]), text_cell("")],
        [text_cell("meets every SLA"),
         ("yes", "good") if a["meets_every_sla"] else ("no", "bad"),
         ("yes", "good") if b["meets_every_sla"] else ("no", "bad"), text_cell("")]]
    lines += [[text_cell(label), number_cell(money(a[c], currency)),
               number_cell(money(b[c], currency)), number_cell(_signed(float(d[c])))]
              for label, c in amounts]
    lines += [[text_cell("gap"), number_cell(share(a["gap"], 3)),
               number_cell(share(b["gap"], 3)), text_cell("")]]
    lines += [[text_cell(label), number_cell(number(a[c], 0)), number_cell(number(b[c], 0)),
               number_cell(_signed(float(d[c])))]
              for label, c in (("SLA rows", "sla_rows"),
                               ("SLA rows below target", "rows_below_target"),
                               ("stocked units", "stock_units"),
                               ("stocked part-location lines", "stocked_lines"))]
    header = ["", f"A: {a['folder']}", f"B: {b['folder']}", "B - A"]
    return f'<section id="summary"><h2>Cost and investment</h2>{table(header, lines)}</section>'


def _ci(value: float, low: float, high: float) -> str:
    if not np.isfinite(value):
        return "–"
    text = share(value)
    if np.isfinite(low) and np.isfinite(high):
        text += f" [{share(low)}, {share(high)}]"
    return text


def _service_table(comparison: PlanComparison) -> str:
    rows: list[list[Cell]] = []
    for r in comparison.service.to_dict("records"):
        rows.append([
            text_cell(r["sla_row"]), text_cell(r["present"]),
            number_cell(share(r["target_a"])), number_cell(share(r["target_b"])),
            number_cell(share(r["planned_a"])),
            number_cell(_ci(r["simulated_a"], r["ci_low_a"], r["ci_high_a"])),
            verdict_cell(r["verdict_a"]),
            number_cell(share(r["planned_b"])),
            number_cell(_ci(r["simulated_b"], r["ci_low_b"], r["ci_high_b"])),
            verdict_cell(r["verdict_b"]),
            number_cell("–" if not np.isfinite(r["difference"]) else
                        f"{round(100 * r['difference'], 2) + 0.0:+.2f} pt"),
            text_cell(r["measure"])])
    header = ["SLA row", "in", "target A", "target B", "planned A", "simulated A, 95% CI",
              "verdict A", "planned B", "simulated B, 95% CI", "verdict B", "B - A",
              "of"]
    return (f'<section id="service"><h2>Service per SLA row</h2>{table(header, rows)}'
            f"{_service_figure(comparison.service)}</section>")


def _service_panel(ax: Any, rows: pd.DataFrame, title: str, label: str) -> None:
    """One axis of SLA rows: each plan's value (simulated with its CI, else planned)
    and its target."""
    rows = rows.reset_index(drop=True)
    y = np.arange(len(rows))[::-1].astype(float)
    values = []
    for side, colour, offset in (("a", _COLOUR_A, 0.15), ("b", _COLOUR_B, -0.15)):
        simulated = rows[f"simulated_{side}"].to_numpy(dtype=float)
        planned = rows[f"planned_{side}"].to_numpy(dtype=float)
        value = np.where(np.isfinite(simulated), simulated, planned)
        low = np.where(np.isfinite(simulated), rows[f"ci_low_{side}"], value)
        high = np.where(np.isfinite(simulated), rows[f"ci_high_{side}"], value)
        low, high = np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=0.0)
        pick = np.isfinite(value)
        ax.errorbar(value[pick], y[pick] + offset,
                    xerr=np.vstack([np.maximum(value - low, 0)[pick],
                                    np.maximum(high - value, 0)[pick]]),
                    fmt="s", ms=4, color=colour, capsize=2, linestyle="none",
                    label=f"plan {side.upper()} (simulated with 95% CI, else planned)")
        target = rows[f"target_{side}"].to_numpy(dtype=float)
        values += [value[pick], low[pick], target[np.isfinite(target)]]
        ax.scatter(target, y + offset, marker="|", s=160,
                   color=colour, zorder=3, linewidths=2.5,
                   label=f"target of plan {side.upper()}")
    finite = np.concatenate(values) if values else np.zeros(0)
    low_edge = float(finite.min()) if finite.size else 0.0
    span = max(1.0 - low_edge, 1e-3)
    ax.set_xlim(max(0.0, low_edge - 0.08 * span), 1.0 + 0.02 * span)
    ax.set_yticks(y, rows["sla_row"].astype(str))
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_title(title)
    ax.set_xlabel(label)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              frameon=False)


def _service_figure(service: pd.DataFrame) -> str:
    """Both plans per SLA row, one axis per kind of row (fill rate, uptime), as SVG."""
    if service.empty:
        return ""
    titles = {FILL_RATE: ("Fill rate within the SLA window: plan A and plan B",
                          "share of part requests filled within the window"),
              UPTIME: ("Machine uptime: plan A and plan B",
                       "availability: 1 - downtime / time"),
              AVAILABILITY: ("System availability (product form): plan A and plan B",
                             "prod over parts of (1 - EBO / (N Z))^Z")}
    kinds = [(titles[k], service[service["kind"] == k])
             for k in (FILL_RATE, UPTIME, AVAILABILITY)]
    other = service[~service["kind"].isin([FILL_RATE, UPTIME, AVAILABILITY])]
    kinds.append((("Other SLA rows", "service"), other))
    kinds = [(t, rows) for t, rows in kinds if len(rows)]
    with styled_pyplot() as plt:
        heights = [0.32 * len(rows) + 1.4 for _, rows in kinds]
        figure, axes = plt.subplots(len(kinds), 1, figsize=(10, sum(heights) + 0.3),
                                    gridspec_kw={"height_ratios": heights}, squeeze=False)
        for ax, ((title, label), rows) in zip(axes[:, 0], kinds, strict=True):
            _service_panel(ax, rows, title, label)
        figure.tight_layout()
    return f"<figure>{svg_text(figure)}</figure>"


def _changes_table(comparison: PlanComparison) -> str:
    changes = comparison.stock_changes
    currency = comparison.currency
    if changes.empty:
        return ('<section id="changes"><h2>Stock changes</h2><p>None: both plans stock the '
                "same units at every part and location.</p></section>")
    up = changes[changes["change"] > 0]
    down = changes[changes["change"] < 0]
    text = (f"<p>{len(changes):,} part-location lines change: {len(up):,} up "
            f"({int(up['change'].sum()):,} units, {money(up['change_value'].sum(), currency)})"
            f", {len(down):,} down ({int(-down['change'].sum()):,} units, "
            f"{money(abs(down['change_value'].sum()), currency)}); net "
            f"{_signed(float(changes['change_value'].sum()))} {escape(currency)}. Largest change "
            "value first.</p>")
    label = {BOTH: "both", A_ONLY: "A only (B: 0)", B_ONLY: "B only (A: 0)"}
    rows = [[text_cell(r["part"]), text_cell(r["location"]),
             text_cell(label.get(r["present"], r["present"])),
             number_cell(f"{r['stock_a']:,}"), number_cell(f"{r['stock_b']:,}"),
             number_cell(f"{r['change']:+,}"), number_cell(money(r["unit_cost"], "", 2)),
             number_cell(_signed(r["change_value"]))]
            for r in changes.head(5000).to_dict("records")]
    unit = f" ({currency})" if currency else ""
    listed = listing("Stock changes", ["part", "location", "in", "stock A", "stock B",
                                       "change", f"unit cost{unit}",
                                       f"value of the change{unit}"],
                     rows, table_id="changes", shown=30, source="stock_changes.csv",
                     count=len(changes))
    return f'<section id="changes"><h2>Stock changes</h2>{text}{listed}</section>'


def render_compare(comparison: PlanComparison, names: tuple[str, str] = ("A", "B")) -> str:
    """The HTML text of ``compare.html`` (deterministic for the same comparison);
    ``names`` are the two plans as given on the command line."""
    summary = comparison.summary.set_index("plan")
    title = f"Plans compared: {summary.loc['A', 'scenario']} and {summary.loc['B', 'scenario']}"
    notes = "".join(f"<li>{escape(n)}</li>" for n in comparison.notes)
    body = "".join([
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">spareplan compare: A = {escape(names[0])}, B = {escape(names[1])}; every '
        "difference is B - A.</p>",
        f'<ul class="note">{notes}</ul>' if notes else "",
        _summary_table(comparison), _service_table(comparison), _changes_table(comparison),
        "<footer>Files of this comparison: compare_summary.csv, compare_service.csv, "
        "stock_changes.csv.</footer>"])
    return page(title, body)
