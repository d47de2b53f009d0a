"""``sweep.html`` and ``sweep.png``: a sweep's summary table and its cost plot.

The page is built like the plan report (:mod:`~spareplan.reports.html_parts`: its shell,
cells and tables): self-contained, no script, no timestamp; each variant links to its own
``report.html``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spareplan.planning.sweep import FAILED, INFEASIBLE, SweepResult
from spareplan.reports.html_parts import (
    Cell,
    escape,
    money,
    number,
    number_cell,
    page,
    share,
    table,
    text_cell,
    verdict_cell,
)
from spareplan.reports.report_plots import VERDICT_COLOURS, styled_pyplot, svg_text

__all__ = ["render_sweep", "save_sweep_png", "sweep_figure_svg"]

_COLOURS = {"met": VERDICT_COLOURS["met"], "not met": VERDICT_COLOURS["not met"],
            "no plan": VERDICT_COLOURS["no demand"]}


def _figure(result: SweepResult) -> object:
    with styled_pyplot():
        axes = result.plot(colours=_COLOURS)
    return axes[0].figure


def sweep_figure_svg(result: SweepResult) -> str:
    """The cost plot (:meth:`SweepResult.plot`) as inline SVG text (deterministic)."""
    return svg_text(_figure(result))


def save_sweep_png(result: SweepResult, path: Path) -> None:
    """The cost plot saved as PNG (no software metadata)."""
    figure = _figure(result)
    with styled_pyplot() as plt:
        figure.savefig(path, dpi=110, metadata={"Software": None})  # type: ignore[attr-defined]
        plt.close(figure)


def render_sweep(result: SweepResult, folders: dict[str, bool]) -> str:
    """The HTML text of ``sweep.html``; ``folders`` tells per variant whether its folder
    holds a report (a link) or not."""
    variants = result.table
    currency = result.currency
    service = [c for c in variants.columns if c.startswith("service[")]
    header = ["variant", *[p.replace("_", " ") for p in result.parameters], "status",
              "verdict", f"yearly cost ({currency})" if currency else "yearly cost",
              "investment", "worst margin", "worst SLA row",
              *[c[len("service["):-1] for c in service], "reason"]
    rows: list[list[Cell]] = []
    for r in variants.to_dict("records"):
        name = str(r["variant"])
        link = (f'<a href="{escape(name)}/report.html">{escape(name)}</a>' if folders.get(name)
                else escape(name))
        no_plan = r["status"] in (INFEASIBLE, FAILED)
        verdict = "no plan" if no_plan else ("met" if r["meets_every_sla"] else "not met")
        cells: list[Cell] = [(link, "")]
        for p in result.parameters:
            value = r[p]
            if p == "scenario":
                cells.append(text_cell(value))
            elif p == "budget":
                cells.append(number_cell(money(value, "")))
            elif p in ("target", "uptime_target"):
                cells.append(number_cell(share(value)))
            else:
                cells.append(number_cell(number(value, 2)))
        cells += [text_cell(r["status"]),
                  verdict_cell(verdict) if not no_plan else text_cell("no plan"),
                  number_cell(money(r["yearly_cost"], "", 2)),
                  number_cell(money(r["investment"], "")),
                  number_cell("–" if not np.isfinite(r["worst_margin"]) else
                              f"{100 * r['worst_margin']:+.2f} pt"),
                  text_cell(r["worst_sla_row"])]
        cells += [number_cell(share(r[c])) for c in service]
        cells.append(text_cell(r["reason"]))
        rows.append(cells)
    planned = int((~variants["status"].isin([INFEASIBLE, FAILED])).sum())
    met = int(variants["meets_every_sla"].sum())
    title = f"Sweep: {result.scenario}"
    body = "".join([
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">spareplan sweep over {escape(", ".join(result.parameters))}: '
        f"{len(variants)} variants, {planned} planned, {met} meet every SLA. Each variant is "
        "a full plan in its own folder (click its name for its report). Service is the "
        "simulated value where the plan was verified, else the planned one; the worst "
        "margin is the least value - target over the SLA rows.</p>",
        f"<figure>{sweep_figure_svg(result)}</figure>",
        f'<section id="variants"><h2>Variants</h2>{table(header, rows)}</section>',
        "<footer>Files of this sweep: sweep.csv, sweep.png and one plan folder per "
        "variant.</footer>"])
    return page(title, body)
