"""The building blocks of spareplan's HTML pages: escaping, formatted figures, table cells,
tables and the page shell.

``report.html`` (:mod:`~spareplan.reports.html_report`), ``compare.html``
(:mod:`~spareplan.reports.compare_html`) and ``sweep.html``
(:mod:`~spareplan.reports.sweep_html`) are written with these and nothing else, so the
three pages share one style, one way of writing a missing figure (``–``) and one
Content-Security-Policy. Every page is self-contained: inline CSS, inline SVG figures, no
script, no network request (:data:`CSP`), no timestamp.

A table is built from rows of :data:`Cell` (its HTML and its CSS class):
:func:`text_cell` for text, :func:`number_cell` for a right-aligned figure,
:func:`verdict_cell` for an SLA verdict coloured like the report's figures.

Example
-------
>>> table(["part", "stock"], [[text_cell("X-ray tube <A>"), number_cell(number(3, 0))]])
'<table><thead><tr><th>part</th><th>stock</th></tr></thead><tbody><tr><td>X-ray tube &lt;A&gt;<td class=n>3</tbody></table>'
"""  # noqa: E501

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from spareplan.reports.report_plots import VERDICT_COLOURS

__all__ = ["CSP", "MAX_TABLE_ROWS", "VERDICT_CLASS", "Cell", "escape", "is_finite",
           "listing", "money", "number", "number_cell", "page", "share", "table",
           "text_cell", "verdict_cell"]

#: Content-Security-Policy of every page: nothing may be fetched.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:14px;color:#1b1b1b;margin:0;
background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:18px 28px 40px;background:#fff}
h1{font-size:24px;margin:8px 0 2px}h2{font-size:19px;margin:30px 0 8px;
border-bottom:2px solid #e3e6ea;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.sub{color:#555;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d8dce1;border-radius:6px;padding:10px 14px;min-width:190px;
flex:1 1 190px;background:#fbfcfd}
.card .k{color:#555;font-size:12px}.card .v{font-size:20px;font-weight:bold;margin-top:2px}
.card .n{color:#555;font-size:12px;margin-top:3px}
.verdicts{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
.chip{border-radius:12px;padding:3px 10px;font-size:12px;color:#fff}
td.met,td.notmet,td.nodemand{color:#fff;font-weight:bold}
table{border-collapse:collapse;margin:6px 0 12px;font-size:12.5px}
th,td{border:1px solid #dfe2e6;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
tr.total td{font-weight:bold;background:#f3f5f7}
details{margin:6px 0 12px}summary{cursor:pointer;font-weight:bold;margin:4px 0}
.note{color:#555;font-size:12.5px;max-width:1000px}
figure{margin:10px 0}figure svg{max-width:100%;height:auto}
footer{margin-top:30px;color:#666;font-size:12px}
"""

#: Most rows of one table in a page (the CSV files beside it hold every line).
MAX_TABLE_ROWS = 5000

#: CSS class of each verdict of ``service.csv`` (its colour: :data:`VERDICT_COLOURS`).
VERDICT_CLASS = {"met": "met", "not met": "notmet", "no demand": "nodemand"}

#: A table cell: its HTML (already escaped) and its CSS class (``""`` for none).
Cell = tuple[str, str]

#: Text of a number cell that needs no escaping (digits, separators, signs, brackets).
_PLAIN = re.compile(r"[0-9,.%+\-– \[\]]*")


# ---------------------------------------------------------------------- figures as text

def escape(value: object) -> str:
    """``str(value)`` with ``&``, ``<``, ``>`` and both quotes escaped for HTML.

    >>> escape('FSL "3" <north>')
    'FSL &quot;3&quot; &lt;north&gt;'
    """
    return html.escape(str(value), quote=True)


def is_finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (``None``, NaN, infinities and text are not).

    >>> is_finite(2), is_finite(float("nan")), is_finite(None), is_finite("x")
    (True, False, False, False)
    """
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def money(value: Any, currency: str, digits: int = 0) -> str:
    """An amount with thousands separators and its currency (none when ``currency`` is
    empty); ``–`` when not finite.

    >>> money(1234567.8, "EUR"), money(42.5, "", 2), money(None, "EUR")
    ('1,234,568 EUR', '42.50', '–')
    """
    if not is_finite(value):
        return "–"
    return f"{float(value):,.{digits}f}" + (f" {currency}" if currency else "")


def number(value: Any, digits: int = 2) -> str:
    """A number with thousands separators and ``digits`` decimals; ``–`` when not finite.

    >>> number(12345.678), number(3, 0), number(float("nan"))
    ('12,345.68', '3', '–')
    """
    return f"{float(value):,.{digits}f}" if is_finite(value) else "–"


def share(value: Any, digits: int = 2) -> str:
    """A fraction as a percentage (``0.9512`` is ``95.12%``); ``–`` when not finite.

    >>> share(0.9512), share(0.5, 0), share(None)
    ('95.12%', '50%', '–')
    """
    return f"{100 * float(value):.{digits}f}%" if is_finite(value) else "–"


# ---------------------------------------------------------------------- cells and tables

def text_cell(value: object) -> Cell:
    """A cell of text (escaped), left-aligned.

    >>> text_cell("A&B")
    ('A&amp;B', '')
    """
    return escape(value), ""


def number_cell(text: str) -> Cell:
    """A right-aligned cell for a formatted figure (:func:`money`, :func:`number`,
    :func:`share`); text other than digits, separators, signs and brackets is escaped.

    >>> number_cell("1,234"), number_cell("<1")
    (('1,234', 'n'), ('&lt;1', 'n'))
    """
    return (text if _PLAIN.fullmatch(text) else escape(text)), "n"


def verdict_cell(verdict: str) -> Cell:
    """A cell coloured by its verdict (``met``, ``not met``, ``no demand``; other text
    uncoloured, ``–`` for none).

    >>> verdict_cell("not met"), verdict_cell("")
    (('not met', 'notmet'), ('–', ''))
    """
    return escape(verdict or "–"), VERDICT_CLASS.get(verdict, "")


def table(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
          total: Sequence[Cell] | None = None, table_id: str = "") -> str:
    """An HTML table: ``header`` (text, escaped), ``rows`` of cells and an optional
    ``total`` row (bold); ``table_id`` its ``id`` attribute when given.

    HTML5 lets a cell and a row end where the next begins, so cells and rows are written
    without their closing tags (a table of 5,000 rows is a quarter smaller).
    """
    out = [f'<table{f" id={chr(34)}{table_id}{chr(34)}" if table_id else ""}><thead><tr>']
    out += [f"<th>{escape(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td class={c}>{v}" if c else f"<td>{v}"
                                    for v, c in row))
    if total is not None:
        out.append('<tr class="total">' + "".join(
            f"<td class={c}>{v}" if c else f"<td>{v}" for v, c in total)
            + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def listing(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], *,
            total: Sequence[Cell] | None = None, table_id: str = "",
            shown: int = 25, source: str = "", count: int | None = None) -> str:
    """A long :func:`table` whose first ``shown`` rows are always visible; the others (up
    to :data:`MAX_TABLE_ROWS` in all) and the total follow in a ``<details>`` that opens
    on a click, titled ``title``.

    ``source`` names the file that holds every line (said when rows are cut); ``count``
    is the number of lines when ``rows`` holds only the first of them.
    """
    count = len(rows) if count is None else count
    if count <= shown:
        return table(header, rows, total=total, table_id=table_id)
    head = table(header, rows[:shown], table_id=table_id)
    kept = rows[shown:MAX_TABLE_ROWS]
    rest = table(header, kept, total=total, table_id=f"{table_id}-rest")
    cut = count - shown - len(kept)
    note = (f'<p class="note">The other {cut:,} lines are in {escape(source)}.</p>'
            if cut > 0 else "")
    return (f"{head}<details><summary>{escape(title)}: the other {len(kept):,} of "
            f"{count:,} rows{' and the total' if total is not None else ''}</summary>"
            f"{rest}{note}</details>")


# ---------------------------------------------------------------------- the page

def page(title: str, body: str) -> str:
    """A self-contained HTML page around ``body`` (HTML): the report's CSS and verdict
    colours and a Content-Security-Policy (:data:`CSP`) that allows no network request;
    ``title`` (text) in the browser's tab."""
    colours = "".join(f".{VERDICT_CLASS[k]}{{background:{VERDICT_COLOURS[k]}}}"
                      for k in VERDICT_CLASS) + (
        f".bad{{color:{VERDICT_COLOURS['not met']};font-weight:bold}}"
        f".good{{color:{VERDICT_COLOURS['met']};font-weight:bold}}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}{colours}</style></head>"
        f"<body><main>{body}</main></body></html>\n")
