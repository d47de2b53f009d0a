"""``report.html``: one self-contained page a planner can send to a manager.

Rendered from the files of a plan folder (:class:`~spareplan.reports.plan_folder.PlanFiles`)
so that ``spareplan plan`` and ``spareplan report DIR`` write the same bytes. No network:
inline CSS, inline SVG figures, no script, and a Content-Security-Policy of
``default-src 'none'`` (styles and images inline only). No timestamp beyond what
``summary.json`` holds.

Sections: the headline (yearly cost, investment, the bound and the model it bounds, a
verdict per SLA row with its confidence interval), the KPIs, the figures, the buy,
redeployment and excess lists (:mod:`~spareplan.reports.stock_moves`), the explanation of
every recommended unit and of every part stocked nowhere
(:mod:`~spareplan.reports.explain`), and the tables per SLA row, per location and per
part.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from spareplan.reports.plan_folder import PlanFiles
from spareplan.reports.price_sources import price_source_words
from spareplan.reports.report_plots import (
    VERDICT_COLOURS,
    cost_figure_svg,
    service_figure_svg,
)
from spareplan.reports.stock_moves import StockMoves, stock_moves
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME

__all__ = ["render_report"]

#: Content-Security-Policy of the page: nothing may be fetched.
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

#: Most rows of one table in the page (the files of the plan hold every line).
MAX_TABLE_ROWS = 5000

_VERDICT_CLASS = {"met": "met", "not met": "notmet", "no demand": "nodemand"}


# ---------------------------------------------------------------------- formatting

def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _money(value: Any, currency: str, digits: int = 0) -> str:
    if not _finite(value):
        return "–"
    return f"{float(value):,.{digits}f}" + (f" {currency}" if currency else "")


def _number(value: Any, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}" if _finite(value) else "–"


def _share(value: Any, digits: int = 2) -> str:
    return f"{100 * float(value):.{digits}f}%" if _finite(value) else "–"


def _verdict_of(row: Any) -> str:
    verdict = getattr(row, "verdict", None)
    if isinstance(verdict, str) and verdict:
        return verdict
    return "met" if bool(row.meets_target) else "not met"


Cell = tuple[str, str]  # (html, css class)


def _table(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
           total: Sequence[Cell] | None = None, table_id: str = "") -> str:
    out = [f'<table{f" id={chr(34)}{table_id}{chr(34)}" if table_id else ""}><thead><tr>']
    out += [f"<th>{_e(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        # HTML5 lets a cell and a row end where the next begins: no closing tags
        out.append("<tr>" + "".join(f"<td class={c}>{v}" if c else f"<td>{v}"
                                    for v, c in row))
    if total is not None:
        out.append('<tr class="total">' + "".join(
            f"<td class={c}>{v}" if c else f"<td>{v}" for v, c in total)
            + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _t(value: object) -> Cell:
    return _e(value), ""


#: Text of a number cell that needs no escaping (digits, separators, signs, brackets).
_PLAIN = re.compile(r"[0-9,.%+\-– \[\]]*")


def _n(text: str) -> Cell:
    return (text if _PLAIN.fullmatch(text) else _e(text)), "n"


def _listing(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], *,
             total: Sequence[Cell] | None = None, table_id: str = "",
             shown: int = 25, source: str = "", count: int | None = None) -> str:
    """A table whose first ``shown`` rows are always visible; the others (up to
    :data:`MAX_TABLE_ROWS` in all; ``source`` names the file holding every line) and the
    total follow in a ``<details>`` that opens on a click. ``count``: the number of lines
    when ``rows`` holds only the first of them."""
    count = len(rows) if count is None else count
    if count <= shown:
        return _table(header, rows, total=total, table_id=table_id)
    head = _table(header, rows[:shown], table_id=table_id)
    kept = rows[shown:MAX_TABLE_ROWS]
    rest = _table(header, kept, total=total, table_id=f"{table_id}-rest")
    cut = count - shown - len(kept)
    note = (f'<p class="note">The other {cut:,} lines are in {_e(source)}.</p>'
            if cut > 0 else "")
    return (f"{head}<details><summary>{_e(title)}: the other {len(kept):,} of "
            f"{count:,} rows{' and the total' if total is not None else ''}</summary>"
            f"{rest}{note}</details>")


# ---------------------------------------------------------------------- sections

def _bound_text(summary: dict[str, Any], currency: str) -> str:
    bound, gap, model = summary["lower_bound"], summary["gap"], summary["bound_model"]
    goal = summary.get("service_goal")
    if goal is not None:  # the budget question: the bound is on the weighted service
        budget = summary.get("inventory_budget")
        text = ("Goal: the best service for a budget"
                + (f" of {_money(budget, currency)}" if _finite(budget) else "")
                + f": weighted service {goal['weighted_service']:.6f} (SLA rows weighted by "
                f"their requests, the optimizer's model)")
        if _finite(goal.get("weighted_service_bound")):
            text += (f"; no plan within the budget reaches more than "
                     f"{goal['weighted_service_bound']:.6f} in the model {model or ''}")
        return text + ". The SLA targets judge this plan; they did not bind it."
    if model and _finite(bound):
        text = (f"Lower bound {_money(bound, currency)}, gap {_share(gap or 0.0, 3)}; the "
                f"model it bounds: {model}.")
    else:
        text = (f"No lower bound is claimed for the model optimized "
                f"({summary['service_model']}).")
    analytic = summary["analytic_bound"]
    premium = summary["premium_over_analytic_bound"]
    if summary["service_model"] == "simulation" and _finite(analytic):
        text += (f" The analytic (METRIC-type) model's lower bound is "
                 f"{_money(analytic, currency)}")
        text += (f"; this plan costs {_share(premium, 1)} more (what the simulated service "
                 f"asks beyond the formulas)." if _finite(premium) else
                 ": its column generation did not converge"
                 + (" within the time limit" if summary.get("time_limit") else "")
                 + "; the plan may cost much more than needed (allow more time).")
    if summary.get("service_model_note"):
        text += (" The analytic model planned instead of the simulation feed: "
                 f"{summary['service_model_note']}.")
    return text


def _verification_text(summary: dict[str, Any]) -> str:
    check = summary["verification"]
    if check is None:
        return "Not verified (--no-verify): the values are the optimizer's model."
    if not check.get("done", False):
        return f"NOT VERIFIED: {check.get('note', '')}"
    text = (f"Verified by an independent simulation ({check.get('replications')} "
            f"replications x {check.get('years')} years, random numbers other than those "
            f"that chose the plan): {check.get('rows_below_target', 0)} SLA row(s) below "
            f"target.")
    blunt = check.get("rows_not_sharp") or []
    if blunt:
        text += (f" The check is too small to judge {len(blunt)} row(s) (95% half-width "
                 f"above a quarter of 1 - target).")
    return text


def _headline(files: PlanFiles, moves: StockMoves) -> str:
    s, currency = files.summary, files.currency
    service = files.service
    verdicts = [_verdict_of(r) for r in service.itertuples()]
    met = sum(v == "met" for v in verdicts)
    missed = sum(v == "not met" for v in verdicts)
    buy = float(moves.buys["cost"].sum())
    moved = float(moves.redeployments["value"].sum())
    cards = [
        ("Yearly cost", _money(s["objective"], currency) + "/yr",
         f"holding {_money(s['holding_cost'], currency)}, shipments "
         f"{_money(s['shipping_cost'], currency)}"
         + (f", fixed {_money(s.get('fixed_location_cost'), currency)}"
            if _finite(s.get("fixed_location_cost")) and s.get("fixed_location_cost") else "")
         + (f", expected contract penalties {_money(s.get('penalty_cost'), currency)}"
            if _finite(s.get("penalty_cost")) and s.get("penalty_cost") else "")),
        ("Investment (stock at unit cost)", _money(s["inventory_value"], currency),
         f"to buy {_money(buy, currency)}; redeployed {_money(moved, currency)}"),
        ("SLA rows met", f"{met} of {len(verdicts)}",
         ("every SLA row met" if s["meets_every_sla"] else
          f"{missed} row(s) not met" if missed else "not every row verified")
         + ("" if s["verification"] is not None else " (planned values, not verified)")),
        ("Status", str(s["status"]), f"optimizer's model: {s['service_model']}"),
    ]
    card_html = "".join(
        f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div>'
        f'<div class="n">{_e(n)}</div></div>' for k, v, n in cards)
    chips = "".join(
        f'<span class="chip {_VERDICT_CLASS.get(v, "nodemand")}" title="{_e(v)}">'
        f"{_e(r.sla_row)}: {_e(v)}</span>"
        for r, v in zip(service.itertuples(), verdicts, strict=True))
    verdict_class = "good" if s["meets_every_sla"] else "bad"
    verdict_word = ("The plan meets every SLA row." if s["meets_every_sla"] else
                    "The plan does NOT meet every SLA row.")
    return (f'<section id="headline"><h2>Headline</h2><div class="cards">{card_html}</div>'
            f'<p class="{verdict_class}">{_e(verdict_word)}</p>'
            f'<p class="note">{_e(_bound_text(s, currency))}</p>'
            f'<p class="note">{_e(_verification_text(s))}</p>'
            f'<div class="verdicts">{chips}</div></section>')


def _per_point(price: float, row: Any) -> float:
    """A row's shadow price per unit of service from its price per unit of activity: the
    same for fill and uptime rows; an availability row's activity is -log A, so
    dA = -A d(activity) and the price per unit of A is price / A (at the planned A)."""
    planned = getattr(row, "planned", None)
    if row.kind == AVAILABILITY and _finite(planned) and planned > 0:
        return float(price) / float(planned)
    return float(price)


def _sla_table(files: PlanFiles) -> str:
    rows = []
    has_sim = "simulated" in files.service
    prices = files.context.get("shadow_prices")
    prices = prices if isinstance(prices, dict) else {}
    for r in files.service.itertuples():
        verdict = _verdict_of(r)
        ci = (f"[{_share(r.ci_low)}, {_share(r.ci_high)}]"
              if has_sim and _finite(getattr(r, "ci_low", None)) else "–")
        rows.append([_t(r.sla_row), _t(r.kind), _t(getattr(r, "sla_class", "")),
                     _n(_share(r.target)), _n(_share(r.planned)),
                     _n(_share(getattr(r, "simulated", None))), _n(ci),
                     (_e(verdict), _VERDICT_CLASS.get(verdict, "nodemand")),
                     _n(_number(getattr(r, "demand_per_year", None), 1)),
                     _n(_money(0.01 * _per_point(prices[r.sla_row], r), files.currency)
                        if _finite(prices.get(r.sla_row)) else "–")])
    table = _table(["SLA row", "kind", "class", "target", "planned", "simulated",
                    "95% CI", "verdict", "requests/yr", "shadow price per pt/yr"], rows,
                   table_id="sla-rows")
    return (f'<section id="sla"><h2>Verdict per SLA row</h2>'
            f'<p class="note">planned: what the optimizer\'s model promised; simulated: the '
            f"independent verification, with its 95% confidence interval. A row is met when "
            f"the simulated value is at or above its target. Shadow price: what one more "
            f"percentage point of the row's service costs a year at the margin of this plan "
            f"(see the explanations).</p>{table}</section>")


def _kpis(files: PlanFiles) -> str:
    s, currency = files.summary, files.currency
    parts = files.part_kpis
    network = files.context.get("network") or {}
    cards: list[tuple[str, str, str]] = []
    service = files.service
    for kind, label in ((FILL_RATE, "Fill rate within window"), (UPTIME, "Uptime"),
                        (AVAILABILITY, "Availability (product form)")):
        rows = service[service["kind"] == kind]
        values = rows["simulated"] if "simulated" in rows else rows["planned"]
        values = values.dropna()
        if len(values):
            cards.append((f"{label} (SLA rows)", f"{_share(values.min())} – "
                          f"{_share(values.max())}", f"lowest to highest of {len(values)} "
                          f"row(s)"))
    if parts is not None and parts["requests_per_year"].notna().any():
        weight = parts["requests_per_year"].fillna(0.0)
        total = float(weight.sum())
        for column, label in (("fill_rate_within_window", "Fill within window, all requests"),
                              ("fill_rate_primary", "Fill at the primary location")):
            value = float((parts[column].fillna(0.0) * weight).sum() / total) if total else None
            cards.append((label, _share(value), f"{total:,.1f} requests/yr"))
        on_hand = float(parts["average_on_hand"].fillna(0.0).sum())
        cards.append(("Expected backorders", _number(parts["expected_backorders"].sum(), 2),
                      "units backordered on average, all parts and locations"))
        cards.append(("Stock turns", _number(total / on_hand if on_hand > 0 else None, 2),
                      f"requests per year / average on hand ({on_hand:,.1f} units)"))
        cards.append(("Repair pipeline", _number(parts["repair_pipeline_units"].sum(), 1)
                      + " units", f"{_number(parts['condemnations_per_year'].sum(), 1)} "
                      "condemnations/yr replaced by procurement"))
    if network:
        cards.append(("Emergency shipments", _number(
            network.get("emergency_shipments_per_year"), 1) + "/yr",
            f"± {_number(network.get('emergency_shipments_per_year_se'), 1)} (std. error)"))
        cards.append(("Lateral shipments", _number(
            network.get("lateral_shipments_per_year"), 1) + "/yr",
            f"± {_number(network.get('lateral_shipments_per_year_se'), 1)} (std. error)"))
    cards.append(("Investment", _money(s["inventory_value"], currency),
                  f"{int(files.recommendations['stock'].sum()):,} units planned"))
    body = "".join(
        f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div>'
        f'<div class="n">{_e(n)}</div></div>' for k, v, n in cards)
    note = ("" if parts is not None else
            '<p class="note">kpis_parts.csv is not in this plan folder: only the SLA rows '
            "and the investment are shown.</p>")
    return f'<section id="kpis"><h2>Key figures</h2><div class="cards">{body}</div>{note}</section>'


def _figures(files: PlanFiles) -> str:
    service_svg = service_figure_svg(files.service) if len(files.service) else ""
    recs = files.recommendations
    cost = recs.groupby("location")["yearly_holding_cost"].sum()
    investment = (recs["stock"] * recs["unit_cost"]).groupby(recs["location"]).sum()
    cost_svg = cost_figure_svg(cost, investment, files.currency) if len(cost) else ""
    return (f'<section id="figures"><h2>Figures</h2><figure>{service_svg}</figure>'
            f"<figure>{cost_svg}</figure></section>")


def _largest_first(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows by ``column`` descending, then by their other columns (deterministic)."""
    keys = [column] + [c for c in frame.columns if c != column]
    return frame.sort_values(keys, ascending=[False] + [True] * (len(keys) - 1),
                             kind="stable", ignore_index=True)


def _moves_section(files: PlanFiles, moves: StockMoves) -> str:
    currency = files.currency
    buys = _largest_first(moves.buys, "cost")
    buy_rows = [[_t(r.part), _t(r.location), _n(f"{r.units:,}"),
                 _n(_money(r.unit_cost, "", 2)), _n(_money(r.cost, ""))]
                for r in buys.head(MAX_TABLE_ROWS).itertuples()]
    buy_total = [_t("total"), _t(""), _n(f"{int(buys['units'].sum()):,}"), _t(""),
                 _n(_money(buys["cost"].sum(), currency))]
    unit = f" ({currency})" if currency else ""
    buy_table = _listing("Buy list", ["part", "location", "units to buy", f"unit cost{unit}",
                                       f"cost{unit}"], buy_rows, total=buy_total,
                         table_id="buy-list", source="buy_list.csv", count=len(buys))
    red = _largest_first(moves.redeployments, "value")
    red_rows = [[_t(r.part), _t(r.from_location), _t(r.to_location), _n(f"{r.units:,}"),
                 _n(_money(r.value, ""))] for r in red.head(MAX_TABLE_ROWS).itertuples()]
    red_table = _listing("Redeployment list", ["part", "from (surplus)", "to (needs)",
                                                "units", f"purchase avoided{unit}"],
                         red_rows,
                         total=[_t("total"), _t(""), _t(""),
                                _n(f"{int(red['units'].sum()):,}"),
                                _n(_money(red["value"].sum(), currency))],
                         table_id="redeployment-list", source="redeployments.csv",
                         count=len(red))
    ex = _largest_first(moves.excess, "value")
    ex_rows = [[_t(r.part), _t(r.location), _n(f"{r.units:,}"), _n(_money(r.value, ""))]
               for r in ex.head(MAX_TABLE_ROWS).itertuples()]
    ex_table = _listing("Excess list", ["part", "location", "units beyond the plan",
                                        f"value{unit}"],
                        ex_rows,
                      total=[_t("total"), _t(""), _n(f"{int(ex['units'].sum()):,}"),
                             _n(_money(ex["value"].sum(), currency))], table_id="excess-list",
                        source="excess.csv", count=len(ex))
    return (
        '<section id="moves"><h2>From today\'s stock to the plan</h2>'
        '<p class="note">First move surplus stock of a part to the locations of the same part '
        "that need units (closest in the location tree first), then buy what is still "
        "missing; what is still surplus is excess.</p>"
        f'<h3 id="buy">Buy list: {len(buys):,} line(s), {_e(_money(buys["cost"].sum(), currency))}'
        f"</h3>{buy_table}"
        f'<h3 id="redeploy">Redeployment list: {len(red):,} move(s), '
        f"{_e(_money(red['value'].sum(), currency))} of purchases avoided</h3>"
        f"{red_table}"
        f'<h3 id="excess">Excess list: {len(ex):,} line(s), '
        f"{_e(_money(ex['value'].sum(), currency))}</h3>"
        f"{ex_table}</section>")


def _idle_note(stocked: pd.DataFrame, currency: str) -> str:
    """A warning when stocked lines show no measurable service (an unfinished plan)."""
    idle = stocked[(stocked["value_per_year"].fillna(0.0) == 0)
                   & (stocked["marginal_service"].fillna(0.0).abs() < 1e-7)]
    if idle.empty:
        return ""
    holding = float(idle["holding_cost_per_year"].sum()) if "holding_cost_per_year" in idle \
        else math.nan
    css = "bad" if len(idle) > 0.1 * len(stocked) else "note"
    return (f'<p class="{css}">{len(idle):,} of {len(stocked):,} stocked lines '
            f"({_e(_money(holding, currency))}/yr of holding) show no measurable service "
            "from their last unit in the analytic model.</p>")


def _explanations(files: PlanFiles) -> str:
    frame = files.explanations
    if frame is None:
        return ('<section id="explanations"><h2>Why each unit</h2><p class="note">'
                "explanations.csv is not in this plan folder (plans written before the "
                "report existed): run `spareplan plan` again for the explanations.</p>"
                "</section>")
    source = files.context.get("shadow_price_source")  # constant words: not escaped
    currency = files.currency
    stocked = frame[frame["kind"] == "stocked"]
    zero = frame[frame["kind"] != "stocked"]

    def rows(part: pd.DataFrame, with_stock: bool, sentences: int) -> list[list[Cell]]:
        """Table rows; past the first ``sentences`` the rows served with their marginal
        service stand for the sentence (explanations.csv has every sentence)."""
        out = []
        for i, r in enumerate(part.head(MAX_TABLE_ROWS).itertuples()):
            cells = [_t(r.part), _t(r.location)]
            if with_stock:
                cells.append(_n(f"{r.stock:,}"))
            why = (r.explanation if i < sentences else
                   f"{100 * float(r.marginal_service):+.3g} pts on its main row"
                   if _finite(r.marginal_service) else "")
            cells += [_t(r.sla_row), _n(_money(r.value_per_year, "")),
                      _n(_money(r.cost_per_year, "")), _t(why)]
            out.append(cells)
        return out

    unit = f" ({currency})" if currency else ""
    stocked_table = _listing("Explanations", ["part", "location", "stock", "main SLA row",
                                              f"value/yr{unit}", f"net cost/yr{unit}", "why"],
                             rows(stocked, True, 200), table_id="explanations-stocked",
                             shown=15, source="explanations.csv", count=len(stocked))
    zero_table = _listing("Parts stocked nowhere", ["part", "best location", "main SLA row",
                                                    f"value/yr{unit}",
                                                    f"net cost/yr{unit}", "why not stocked"],
                          rows(zero, False, len(zero)), table_id="explanations-zero",
                          shown=15, source="explanations.csv", count=len(zero))
    return (
        '<section id="explanations"><h2>Why each unit, and why not</h2>'
        '<p class="note">For the last unit of every part at every stocked location: the '
        "service it adds to each SLA row it serves (percentage points, analytic METRIC-type "
        f"model), its value at the rows' shadow prices ({price_source_words(source)}) and "
        "its net yearly cost (holding minus the emergency and lateral shipments it saves). "
        "For every part stocked nowhere: the best single unit and why the plan does "
        "without it. Past the first 200 lines the marginal service on the main row stands "
        "for the sentence; explanations.csv holds every sentence.</p>"
        f"<h3>Recommended stock ({len(stocked):,})</h3>{_idle_note(stocked, currency)}"
        f"{stocked_table}"
        f"<h3>Parts stocked nowhere ({len(zero):,})</h3>"
        f"{zero_table if len(zero) else '<p>Every part is stocked somewhere.</p>'}"
        "</section>")


def _location_table(files: PlanFiles) -> str:
    currency = files.currency
    kpis = files.location_kpis
    recs = files.recommendations
    unit = f" ({currency})" if currency else ""
    if kpis is None:
        kpis = _stock_totals(recs, "location")
    columns: list[tuple[str, str, Callable[[Any], str]]] = [
        ("stock", "stock", lambda v: _number(v, 0)),
        ("current_stock", "today", lambda v: _number(v, 0)),
        ("investment", f"investment{unit}", lambda v: _money(v, "")),
        ("yearly_holding_cost", f"holding/yr{unit}", lambda v: _money(v, "")),
        ("requests_per_year", "requests/yr", lambda v: _number(v, 1)),
        ("fill_rate_within_window", "fill within window", _share),
        ("fill_rate_primary", "fill at location", _share),
        ("expected_backorders", "exp. backorders", lambda v: _number(v, 3)),
        ("average_on_hand", "avg on hand", lambda v: _number(v, 1)),
        ("stock_turns", "turns", lambda v: _number(v, 2)),
        ("emergency_per_year", "emergency/yr", lambda v: _number(v, 1)),
        ("lateral_per_year", "lateral/yr", lambda v: _number(v, 1)),
    ]
    present = [c for c in columns if c[0] in kpis]
    head = ["location"] + (["kind", "parent"] if "kind" in kpis else [])
    rows = []
    for r in kpis.to_dict("records"):
        cells = [_t(r["location"])] + ([_t(r["kind"]), _t(r["parent"])] if "kind" in kpis
                                       else [])
        cells += [_n(fmt(r[name])) for name, _, fmt in present]
        rows.append(cells)
    table = _listing("Locations", head + [label for _, label, _ in present], rows,
                     table_id="per-location", shown=60, source="kpis_locations.csv")
    return f'<section id="locations"><h2>Per location</h2>{table}</section>'


def _stock_totals(recs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Stock, today's stock, investment and holding per ``key`` from recommendations.csv
    alone (a plan folder written before the KPI files)."""
    return recs.assign(investment=recs["stock"] * recs["unit_cost"]).groupby(key)[
        ["stock", "current_stock", "investment", "yearly_holding_cost"]].sum().reset_index()


def _part_table(files: PlanFiles) -> str:
    currency = files.currency
    kpis = files.part_kpis
    unit = f" ({currency})" if currency else ""
    if kpis is None:
        kpis = _stock_totals(files.recommendations, "part")
    columns: list[tuple[str, str, Callable[[Any], str]]] = [
        ("unit_cost", f"unit cost{unit}", lambda v: _money(v, "", 2)),
        ("stock", "stock", lambda v: _number(v, 0)),
        ("current_stock", "today", lambda v: _number(v, 0)),
        ("investment", f"investment{unit}", lambda v: _money(v, "")),
        ("yearly_holding_cost", f"holding/yr{unit}", lambda v: _money(v, "")),
        ("requests_per_year", "requests/yr", lambda v: _number(v, 2)),
        ("fill_rate_within_window", "fill within window", _share),
        ("expected_backorders", "exp. backorders", lambda v: _number(v, 3)),
        ("stock_turns", "turns", lambda v: _number(v, 2)),
        ("emergency_per_year", "emergency/yr", lambda v: _number(v, 2)),
        ("lateral_per_year", "lateral/yr", lambda v: _number(v, 2)),
        ("repair_pipeline_units", "in repair", lambda v: _number(v, 2)),
        ("condemnations_per_year", "condemned/yr", lambda v: _number(v, 2)),
    ]
    present = [c for c in columns if c[0] in kpis]
    rows = [[_t(r["part"])] + [_n(fmt(r[name])) for name, _, fmt in present]
            for r in kpis.to_dict("records")]
    table = _listing("Parts", ["part"] + [label for _, label, _ in present], rows,
                     table_id="per-part", shown=30, source="kpis_parts.csv")
    return f'<section id="parts"><h2>Per part</h2>{table}</section>'


def _footer(files: PlanFiles) -> str:
    s = files.summary
    versions = s.get("versions") if isinstance(s.get("versions"), dict) else {}
    version_text = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
    return (f"<footer>scenario {_e(s['scenario'])}; seed {_e(s['seed'])}; solver "
            f"{_e(s.get('solver', ''))}; method {_e(s.get('method', ''))}; inputs SHA-256 "
            f"{_e(s['input_hash'])}; {_e(version_text)}. Files of this plan: "
            "recommendations.csv, service.csv, summary.json, explanations.csv, "
            "kpis_parts.csv, kpis_locations.csv, buy_list.csv, redeployments.csv, "
            "excess.csv, plan_context.json. Rebuild this page with "
            "<code>spareplan report DIR</code>.</footer>")


def page(title: str, body: str) -> str:
    """A self-contained HTML page in the report's style (its CSS and verdict colours, a
    Content-Security-Policy that allows no network request): the plan report, compare and
    sweep pages."""
    colours = "".join(f".{_VERDICT_CLASS[k]}{{background:{VERDICT_COLOURS[k]}}}"
                      for k in _VERDICT_CLASS) + (
        f".bad{{color:{VERDICT_COLOURS['not met']};font-weight:bold}}"
        f".good{{color:{VERDICT_COLOURS['met']};font-weight:bold}}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}{colours}</style></head>"
        f"<body><main>{body}</main></body></html>\n")


def render_report(files: PlanFiles) -> str:
    """The HTML text of ``report.html`` (deterministic for the same files)."""
    parent: dict[str, str] = {}
    if files.location_kpis is not None and "parent" in files.location_kpis:
        parent = dict(zip(files.location_kpis["location"].astype(str),
                          files.location_kpis["parent"].astype(str), strict=True))
    moves = stock_moves(files.recommendations, parent)
    s = files.summary
    title = f"Stock plan: {s['scenario']}"
    body = "".join([
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">spareplan plan, status {_e(s["status"])}, seed {_e(s["seed"])}; '
        f"{len(files.recommendations):,} part-location lines, {len(files.service)} SLA rows."
        "</p>",
        _headline(files, moves), _kpis(files), _sla_table(files), _figures(files),
        _moves_section(files, moves), _explanations(files), _location_table(files),
        _part_table(files), _footer(files)])
    return page(title, body)
