"""The report's figures: service per SLA row (fill and uptime on their own axes) and cost.

Figures are drawn with matplotlib's Agg backend and returned as inline SVG text (for
``report.html``) or saved as PNG (``service.png``). The bytes are deterministic: the SVG
ids come from a fixed ``svg.hashsalt``, text stays text (``svg.fonttype = "none"``) and
no date or software metadata is written.

Verdict colours (shared with the HTML): met green, not met red, no demand or unverified
grey.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME

__all__ = ["VERDICT_COLOURS", "cost_figure_svg", "save_service_png", "service_figure",
           "service_figure_svg", "styled_pyplot", "svg_text"]

#: Colour of each verdict of service.csv.
VERDICT_COLOURS = {"met": "#1a7f37", "not met": "#c62828", "no demand": "#8c8c8c",
                   "planned": "#1f5fa8"}
_STYLE = {"svg.hashsalt": "spareplan-report", "svg.fonttype": "none",
          "font.family": "DejaVu Sans", "font.size": 9.0, "axes.titlesize": 10.0}


@contextmanager
def styled_pyplot() -> Iterator[Any]:
    """``matplotlib.pyplot`` on the Agg backend within the report's style (fonts, sizes,
    the fixed SVG hash salt that makes the SVG ids deterministic): every figure of the
    report, compare and sweep pages is drawn and saved inside this block. matplotlib is
    imported here, when a figure is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(_STYLE):
        yield plt


def _verdict(frame: pd.DataFrame) -> pd.Series:
    if "verdict" in frame:
        return frame["verdict"].fillna("no demand").astype(str)
    return pd.Series(np.where(frame["meets_target"], "met", "not met"), index=frame.index)


def _panel(ax: Any, rows: pd.DataFrame, title: str, label: str) -> None:
    """One axis of SLA rows: target tick, planned point, simulated value with its CI."""
    rows = rows.reset_index(drop=True)
    y = np.arange(len(rows))[::-1].astype(float)
    verdict = _verdict(rows)
    colours = [VERDICT_COLOURS.get(v, VERDICT_COLOURS["no demand"]) for v in verdict]
    values = [rows["target"].to_numpy(dtype=float), rows["planned"].to_numpy(dtype=float)]
    ax.scatter(rows["target"], y, marker="|", s=260, color="black", label="target",
               zorder=3)
    ax.scatter(rows["planned"], y + 0.18, marker="o", s=18, facecolors="none",
               edgecolors=VERDICT_COLOURS["planned"], label="planned (optimizer's model)",
               zorder=3)
    if "simulated" in rows and rows["simulated"].notna().any():
        simulated = rows["simulated"].to_numpy(dtype=float)
        low = rows["ci_low"].to_numpy(dtype=float)
        high = rows["ci_high"].to_numpy(dtype=float)
        values += [low, high]
        finite_sim = np.isfinite(simulated)
        for colour in sorted(set(colours)):
            pick = finite_sim & (np.array(colours) == colour)
            if pick.any():
                ax.errorbar(simulated[pick], y[pick] - 0.18,
                            xerr=np.vstack([simulated[pick] - low[pick],
                                            high[pick] - simulated[pick]]),
                            fmt="s", ms=4, color=colour, capsize=2, zorder=2,
                            linestyle="none")
        ax.scatter([], [], marker="s", color=VERDICT_COLOURS["met"],
                   label="simulated, 95% CI: met")
        ax.scatter([], [], marker="s", color=VERDICT_COLOURS["not met"],
                   label="simulated, 95% CI: not met")
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
    low_edge = float(finite.min()) if finite.size else 0.0
    span = max(1.0 - low_edge, 1e-3)
    ax.set_xlim(max(0.0, low_edge - 0.08 * span), 1.0 + 0.02 * span)
    ax.set_yticks(y, rows["sla_row"].astype(str))
    for tick, colour in zip(ax.get_yticklabels(), colours, strict=True):
        tick.set_color(colour)
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_title(title)
    ax.set_xlabel(label)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


def service_figure(service: pd.DataFrame) -> Any:
    """Figure with one axis per kind of SLA row (fill rate within window, uptime)."""
    with styled_pyplot() as plt:
        kinds = [(k, service[service["kind"] == k]) for k in (FILL_RATE, UPTIME,
                                                               AVAILABILITY)]
        kinds = [(k, rows) for k, rows in kinds if len(rows)]
        other = service[~service["kind"].isin([FILL_RATE, UPTIME, AVAILABILITY])]
        if len(other):
            kinds.append(("other", other))
        heights = [0.32 * len(rows) + 1.4 for _, rows in kinds]
        figure, axes = plt.subplots(len(kinds), 1, figsize=(10, sum(heights) + 0.3),
                                    gridspec_kw={"height_ratios": heights}, squeeze=False)
        titles = {FILL_RATE: ("Fill rate within the SLA window per SLA row",
                                "share of part requests filled within the window"),
                  UPTIME: ("Machine uptime per SLA row",
                             "availability: 1 - downtime / time"),
                  AVAILABILITY: ("System availability per SLA row (Sherbrooke's product "
                                 "form)", "prod over parts of (1 - EBO / (N Z))^Z"),
                  "other": ("Other SLA rows", "service")}
        for ax, (kind, rows) in zip(axes[:, 0], kinds, strict=True):
            _panel(ax, rows, *titles[kind])
        figure.tight_layout()
        return figure


def svg_text(figure: Any) -> str:
    """``figure`` as inline SVG text (from ``<svg``: no XML header, no date, no creator),
    deterministic for the same figure; the figure is closed."""
    with styled_pyplot() as plt:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def service_figure_svg(service: pd.DataFrame) -> str:
    """:func:`service_figure` as inline SVG text (deterministic)."""
    return svg_text(service_figure(service))


def save_service_png(service: pd.DataFrame, path: Path) -> None:
    """:func:`service_figure` saved as PNG (``service.png``, no software metadata)."""
    figure = service_figure(service)
    with styled_pyplot() as plt:
        figure.savefig(path, dpi=110, metadata={"Software": None})
        plt.close(figure)


def cost_figure_svg(location_cost: pd.Series, investment: pd.Series, currency: str,
                    top: int = 25) -> str:
    """Yearly holding cost and investment per location (the ``top`` largest), as SVG."""
    order = location_cost.sort_values(ascending=True, kind="stable").tail(top)
    with styled_pyplot() as plt:
        figure, axes = plt.subplots(1, 2, figsize=(9, 0.25 * len(order) + 1.5), sharey=True)
        y = np.arange(len(order))
        unit = f" ({currency})" if currency else ""
        axes[0].barh(y, order.to_numpy(dtype=float), color="#1f5fa8")
        axes[0].set_yticks(y, order.index.astype(str))
        axes[0].set_title("Yearly holding cost per location")
        axes[0].set_xlabel(f"per year{unit}")
        axes[1].barh(y, investment.reindex(order.index).fillna(0.0).to_numpy(dtype=float),
                     color="#6b8e23")
        axes[1].set_title("Investment (unit cost x stock) per location")
        axes[1].set_xlabel(f"capital tied up{unit}")
        from matplotlib.ticker import FuncFormatter

        for ax in axes:
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.tick_params(axis="x", labelrotation=30)
        figure.tight_layout()
    return svg_text(figure)
