"""Short views of result objects for a notebook: a few lines of text, a small HTML table.

The result objects (:class:`~spareplan.planning.plan.PlanResult`,
:class:`~spareplan.simulation.verify.SimulationResult`,
:class:`~spareplan.warning.WarningResult`, :class:`~spareplan.scenario.model.Scenario`)
print what a person asks first (name, status, cost, verdict) and point at the attributes
that hold the tables; they never print a DataFrame. Jupyter shows ``_repr_html_``: the same
lines as a table, plus at most :data:`MAX_ROWS_SHOWN` SLA rows. Every text that comes from
the input (a scenario name, an SLA row, a part id) is escaped, so a hostile name shows as
text and never runs.

Examples
--------
>>> print(html_table([("scenario", "<b>x</b>")], title="Plan"))  # doctest: +ELLIPSIS
<div class="spareplan"><table><caption>Plan</caption>...<td>&lt;b&gt;x&lt;/b&gt;</td>...
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["MAX_ROWS_SHOWN", "SERVICE_HEADER", "clip", "html_table", "money", "service_rows_html",
           "service_rows_text", "share"]

#: SLA rows shown by a repr (the rows below target first).
MAX_ROWS_SHOWN = 12
#: Longest text (a name) shown in a repr before it is cut.
MAX_TEXT = 60
#: Longest value of a key-value line of an HTML view.
MAX_VALUE = 160


def clip(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters (with ``…``); line breaks shown as spaces."""
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def money(value: object, currency: str = "") -> str:
    """``1,234.50 EUR``; ``–`` for a missing or non-finite value."""
    if not isinstance(value, int | float) or isinstance(value, bool) \
            or not math.isfinite(value):
        return "–"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def share(value: object) -> str:
    """A service value (fill rate, availability) to four decimals; ``–`` when missing."""
    if not isinstance(value, int | float) or isinstance(value, bool) \
            or not math.isfinite(value):
        return "–"
    return f"{value:.4f}"


def _cell(value: object, limit: int = MAX_TEXT) -> str:
    return html.escape(clip(value, limit), quote=True)


def html_table(pairs: Sequence[tuple[str, object]], *, title: str = "",
               header: Sequence[str] = (), rows: Sequence[Sequence[object]] = (),
               note: str = "") -> str:
    """A key-value table (``pairs``), then an optional table of ``rows`` under ``header``
    and a note; every cell escaped."""
    out = ['<div class="spareplan"><table>']
    if title:
        out.append(f"<caption>{_cell(title)}</caption>")
    out += [f'<tr><th style="text-align:left">{_cell(k)}</th><td>{_cell(v, MAX_VALUE)}</td></tr>'
            for k, v in pairs]
    out.append("</table>")
    if header:
        out.append("<table><tr>" + "".join(f"<th>{_cell(h)}</th>" for h in header)
                   + "</tr>")
        out += ["<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                for row in rows]
        out.append("</table>")
    if note:
        out.append(f"<p>{_cell(note, MAX_VALUE)}</p>")
    out.append("</div>")
    return "".join(out)


def _worst_first(service: pd.DataFrame) -> pd.DataFrame:
    """The rows below target first (then the others), in their own order."""
    if "meets_target" not in service or service.empty:
        return service
    below = ~service["meets_target"].astype(bool)
    return pd.concat([service[below], service[~below]])


SERVICE_HEADER = ("SLA row", "target", "planned", "simulated [95% CI]", "verdict")


def _verdict(row: pd.Series) -> str:
    verdict = row.get("verdict")
    if isinstance(verdict, str):
        return verdict
    return "met" if bool(row.get("meets_target", True)) else "not met"


def _service_cells(row: pd.Series) -> list[str]:
    simulated = row.get("simulated")
    measured = "–"
    if isinstance(simulated, float) and math.isfinite(simulated):
        measured = (f"{simulated:.4f} [{share(row.get('ci_low'))}, "
                    f"{share(row.get('ci_high'))}]")
    return [clip(row["sla_row"]), share(row.get("target")), share(row.get("planned")),
            measured, _verdict(row)]


def service_rows_html(service: pd.DataFrame, limit: int = MAX_ROWS_SHOWN,
                      attribute: str = ".service") -> tuple[list[list[str]], str]:
    """The first ``limit`` SLA rows (below target first) as table cells, and a note
    naming how many more there are (in ``attribute``)."""
    shown = _worst_first(service).head(limit)
    rows = [_service_cells(row) for _, row in shown.iterrows()]
    more = len(service) - len(shown)
    return rows, (f"… {more} more SLA row(s) in {attribute}" if more > 0 else "")


def service_rows_text(service: pd.DataFrame, limit: int = 3) -> list[str]:
    """Up to ``limit`` rows below target, one line each (nothing when all are met)."""
    if "meets_target" not in service:
        return []
    below = service[~service["meets_target"].astype(bool)]
    lines = []
    for _, row in below.head(limit).iterrows():
        cells = _service_cells(row)
        lines.append(f"  below: {cells[0]} target {cells[1]}, planned {cells[2]}, "
                     f"simulated {cells[3]}")
    if len(below) > limit:
        lines.append(f"  … {len(below) - limit} more below target")
    return lines
