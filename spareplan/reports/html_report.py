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
part. The page shell, its style and the cells and tables are
:mod:`~spareplan.reports.html_parts`, shared with ``compare.html`` and ``sweep.html``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from spareplan.reports.html_parts import (
    MAX_TABLE_ROWS,
    VERDICT_CLASS,
    Cell,
    escape,
    is_finite,
    listing,
    money,
    number,
    number_cell,
    page,
    share,
    table,
    text_cell,
)
from spareplan.reports.plan_folder import PlanFiles
from spareplan.reports.price_sources import price_source_words
from spareplan.reports.report_plots import cost_figure_svg, service_figure_svg
from spareplan.reports.stock_moves import StockMoves, stock_moves
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME

__all__ = ["render_report"]


def _verdict_of(row: Any) -> str:
    verdict = getattr(row, "verdict", None)
    if isinstance(verdict, str) and verdict:
        return verdict
    return "met" if bool(row.meets_target) else "not met"


# ---------------------------------------------------------------------- sections

def _bound_text(summary: dict[str, Any], currency: str) -> str:
    bound, gap, model = summary["lower_bound"], summary["gap"], summary["bound_model"]
    goal = summary.get("service_goal")
    if goal is not None:  # the budget question: the bound is on the weighted service
        budget = summary.get("inventory_budget")
        text = ("Goal: the best service for a budget"
                + (f" of {money(budget, currency)}" if is_finite(budget) else "")
                + f": weighted service {goal['weighted_service']:.6f} (SLA rows weighted by "
                f"their requests, the optimizer's model)")
        if is_finite(goal.get("weighted_service_bound")):
            text += (f"; no plan within the budget reaches more than "
                     f"{goal['weighted_service_bound']:.6f} in the model {model or ''}")
        return text + ". The SLA targets judge this plan; they did not bind it."
    if model and is_finite(bound):
        text = (f"Lower bound {money(bound, currency)}, gap {share(gap or 0.0, 3)}; the "
                f"model it bounds: {model}.")
    else:
        text = (f"No lower bound is claimed for the model optimized "
                f"({summary['service_model']}).")
    analytic = summary["analytic_bound"]
    premium = summary["premium_over_analytic_bound"]
    if summary["service_model"] == "simulation" and is_finite(analytic):
        text += (f" The analytic (METRIC-type) model's lower bound is "
                 f"{money(analytic, currency)}")
        text += (f"; this plan costs {share(premium, 1)} more (what the simulated service "
                 f"asks beyond the formulas)." if is_finite(premium) else
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
        ("Yearly cost", money(s["objective"], currency) + "/yr",
         f"holding {money(s['holding_cost'], currency)}, shipments "
         f"{money(s['shipping_cost'], currency)}"
         + (f", fixed {money(s.get('fixed_location_cost'), currency)}"
            if is_finite(s.get("fixed_location_cost")) and s.get("fixed_location_cost") else "")
         + (f", expected contract penalties {money(s.get('penalty_cost'), currency)}"
            if is_finite(s.get("penalty_cost")) and s.get("penalty_cost") else "")),
        ("Investment (stock at unit cost)", money(s["inventory_value"], currency),
         f"to buy {money(buy, currency)}; redeployed {money(moved, currency)}"),
        ("SLA rows met", f"{met} of {len(verdicts)}",
         ("every SLA row met" if s["meets_every_sla"] else
          f"{missed} row(s) not met" if missed else "not every row verified")
         + ("" if s["verification"] is not None else " (planned values, not verified)")),
        ("Status", str(s["status"]), f"optimizer's model: {s['service_model']}"),
    ]
    card_html = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div>'
        f'<div class="n">{escape(n)}</div></div>' for k, v, n in cards)
    chips = "".join(
        f'<span class="chip {VERDICT_CLASS.get(v, "nodemand")}" title="{escape(v)}">'
        f"{escape(r.sla_row)}: {escape(v)}</span>"
        for r, v in zip(service.itertuples(), verdicts, strict=True))
    verdict_class = "good" if s["meets_every_sla"] else "bad"
    verdict_word = ("The plan meets every SLA row." if s["meets_every_sla"] else
                    "The plan does NOT meet every SLA row.")
    return (f'<section id="headline"><h2>Headline</h2><div class="cards">{card_html}</div>'
            f'<p class="{verdict_class}">{escape(verdict_word)}</p>'
            f'<p class="note">{escape(_bound_text(s, currency))}</p>'
            f'<p class="note">{escape(_verification_text(s))}</p>'
            f'<div class="verdicts">{chips}</div></section>')


def _per_point(price: float, row: Any) -> float:
    """A row's shadow price per unit of service from its price per unit of activity: the
    same for fill and uptime rows; an availability row's activity is -log A, so
    dA = -A d(activity) and the price per unit of A is price / A (at the planned A)."""
    planned = getattr(row, "planned", None)
    if row.kind == AVAILABILITY and is_finite(planned) and planned > 0:
        return float(price) / float(planned)
    return float(price)


def _sla_table(files: PlanFiles) -> str:
    rows = []
    has_sim = "simulated" in files.service
    prices = files.context.get("shadow_prices")
    prices = prices if isinstance(prices, dict) else {}
    for r in files.service.itertuples():
        verdict = _verdict_of(r)
        ci = (f"[{share(r.ci_low)}, {share(r.ci_high)}]"
              if has_sim and is_finite(getattr(r, "ci_low", None)) else "–")
        price = (money(0.01 * _per_point(prices[r.sla_row], r), files.currency)
                 if is_finite(prices.get(r.sla_row)) else "–")
        rows.append([text_cell(r.sla_row), text_cell(r.kind),
                     text_cell(getattr(r, "sla_class", "")),
                     number_cell(share(r.target)), number_cell(share(r.planned)),
                     number_cell(share(getattr(r, "simulated", None))), number_cell(ci),
                     (escape(verdict), VERDICT_CLASS.get(verdict, "nodemand")),
                     number_cell(number(getattr(r, "demand_per_year", None), 1)),
                     number_cell(price)])
    sla_rows = table(["SLA row", "kind", "class", "target", "planned", "simulated",
                      "95% CI", "verdict", "requests/yr", "shadow price per pt/yr"], rows,
                     table_id="sla-rows")
    return (f'<section id="sla"><h2>Verdict per SLA row</h2>'
            f'<p class="note">planned: what the optimizer\'s model promised; simulated: the '
            f"independent verification, with its 95% confidence interval. A row is met when "
            f"the simulated value is at or above its target. Shadow price: what one more "
            f"percentage point of the row's service costs a year at the margin of this plan "
            f"(see the explanations).</p>{sla_rows}</section>")


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
            cards.append((f"{label} (SLA rows)", f"{share(values.min())} – "
                          f"{share(values.max())}", f"lowest to highest of {len(values)} "
                          f"row(s)"))
    if parts is not None and parts["requests_per_year"].notna().any():
        weight = parts["requests_per_year"].fillna(0.0)
        total = float(weight.sum())
        for column, label in (("fill_rate_within_window", "Fill within window, all requests"),
                              ("fill_rate_primary", "Fill at the primary location")):
            value = float((parts[column].fillna(0.0) * weight).sum() / total) if total else None
            cards.append((label, share(value), f"{total:,.1f} requests/yr"))
        on_hand = float(parts["average_on_hand"].fillna(0.0).sum())
        cards.append(("Expected backorders", number(parts["expected_backorders"].sum(), 2),
                      "units backordered on average, all parts and locations"))
        cards.append(("Stock turns", number(total / on_hand if on_hand > 0 else None, 2),
                      f"requests per year / average on hand ({on_hand:,.1f} units)"))
        cards.append(("Repair pipeline", number(parts["repair_pipeline_units"].sum(), 1)
                      + " units", f"{number(parts['condemnations_per_year'].sum(), 1)} "
                      "condemnations/yr replaced by procurement"))
    if network:
        cards.append(("Emergency shipments", number(
            network.get("emergency_shipments_per_year"), 1) + "/yr",
            f"± {number(network.get('emergency_shipments_per_year_se'), 1)} (std. error)"))
        cards.append(("Lateral shipments", number(
            network.get("lateral_shipments_per_year"), 1) + "/yr",
            f"± {number(network.get('lateral_shipments_per_year_se'), 1)} (std. error)"))
    cards.append(("Investment", money(s["inventory_value"], currency),
                  f"{int(files.recommendations['stock'].sum()):,} units planned"))
    body = "".join(
        f'<div class="card"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div>'
        f'<div class="n">{escape(n)}</div></div>' for k, v, n in cards)
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
    buy_rows = [[text_cell(r.part), text_cell(r.location), number_cell(f"{r.units:,}"),
                 number_cell(money(r.unit_cost, "", 2)), number_cell(money(r.cost, ""))]
                for r in buys.head(MAX_TABLE_ROWS).itertuples()]
    buy_total = [text_cell("total"), text_cell(""),
                 number_cell(f"{int(buys['units'].sum()):,}"), text_cell(""),
                 number_cell(money(buys["cost"].sum(), currency))]
    unit = f" ({currency})" if currency else ""
    buy_table = listing("Buy list", ["part", "location", "units to buy", f"unit cost{unit}",
                                      f"cost{unit}"], buy_rows, total=buy_total,
                        table_id="buy-list", source="buy_list.csv", count=len(buys))
    red = _largest_first(moves.redeployments, "value")
    red_rows = [[text_cell(r.part), text_cell(r.from_location), text_cell(r.to_location),
                 number_cell(f"{r.units:,}"), number_cell(money(r.value, ""))]
                for r in red.head(MAX_TABLE_ROWS).itertuples()]
    red_table = listing("Redeployment list", ["part", "from (surplus)", "to (needs)",
                                               "units", f"purchase avoided{unit}"],
                        red_rows,
                        total=[text_cell("total"), text_cell(""), text_cell(""),
                               number_cell(f"{int(red['units'].sum()):,}"),
                               number_cell(money(red["value"].sum(), currency))],
                        table_id="redeployment-list", source="redeployments.csv",
                        count=len(red))
    ex = _largest_first(moves.excess, "value")
    ex_rows = [[text_cell(r.part), text_cell(r.location), number_cell(f"{r.units:,}"),
                number_cell(money(r.value, ""))]
               for r in ex.head(MAX_TABLE_ROWS).itertuples()]
    ex_table = listing("Excess list", ["part", "location", "units beyond the plan",
                                       f"value{unit}"],
                       ex_rows,
                       total=[text_cell("total"), text_cell(""),
                              number_cell(f"{int(ex['units'].sum()):,}"),
                              number_cell(money(ex["value"].sum(), currency))],
                       table_id="excess-list", source="excess.csv", count=len(ex))
    return (
        '<section id="moves"><h2>From today\'s stock to the plan</h2>'
        '<p class="note">First move surplus stock of a part to the locations of the same part '
        "that need units (closest in the location tree first), then buy what is still "
        "missing; what is still surplus is excess.</p>"
        f'<h3 id="buy">Buy list: {len(buys):,} line(s), '
        f'{escape(money(buys["cost"].sum(), currency))}</h3>{buy_table}'
        f'<h3 id="redeploy">Redeployment list: {len(red):,} move(s), '
        f"{escape(money(red['value'].sum(), currency))} of purchases avoided</h3>"
        f"{red_table}"
        f'<h3 id="excess">Excess list: {len(ex):,} line(s), '
        f"{escape(money(ex['value'].sum(), currency))}</h3>"
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
            f"({escape(money(holding, currency))}/yr of holding) show no measurable service "
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
            cells = [text_cell(r.part), text_cell(r.location)]
            if with_stock:
                cells.append(number_cell(f"{r.stock:,}"))
            why = (r.explanation if i < sentences else
                   f"{100 * float(r.marginal_service):+.3g} pts on its main row"
                   if is_finite(r.marginal_service) else "")
            cells += [text_cell(r.sla_row), number_cell(money(r.value_per_year, "")),
                      number_cell(money(r.cost_per_year, "")), text_cell(why)]
            out.append(cells)
        return out

    unit = f" ({currency})" if currency else ""
    stocked_table = listing("Explanations", ["part", "location", "stock", "main SLA row",
                                             f"value/yr{unit}", f"net cost/yr{unit}", "why"],
                            rows(stocked, True, 200), table_id="explanations-stocked",
                            shown=15, source="explanations.csv", count=len(stocked))
    zero_table = listing("Parts stocked nowhere", ["part", "best location", "main SLA row",
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


#: The KPI columns of the per-location and per-part tables, in the order shown.
_LOCATION_COLUMNS = ("stock", "current_stock", "investment", "yearly_holding_cost",
                     "requests_per_year", "fill_rate_within_window", "fill_rate_primary",
                     "expected_backorders", "average_on_hand", "stock_turns",
                     "emergency_per_year", "lateral_per_year")
_PART_COLUMNS = ("unit_cost", "stock", "current_stock", "investment", "yearly_holding_cost",
                 "requests_per_year", "fill_rate_within_window", "expected_backorders",
                 "stock_turns", "emergency_per_year", "lateral_per_year",
                 "repair_pipeline_units", "condemnations_per_year")


def _kpi_columns(names: tuple[str, ...], kpis: pd.DataFrame, currency: str,
                 rate_digits: int) -> list[tuple[str, str, Callable[[Any], str]]]:
    """The columns ``names`` of a KPI table that ``kpis`` holds: each one's file column,
    its label and its format, the one place of both for the two tables. ``rate_digits``:
    the decimals of the counts per year and of the units on hand or in repair (a
    location's are larger than a part's)."""
    unit = f" ({currency})" if currency else ""

    def rate(value: Any) -> str:
        return number(value, rate_digits)

    every: dict[str, tuple[str, Callable[[Any], str]]] = {
        "unit_cost": (f"unit cost{unit}", lambda v: money(v, "", 2)),
        "stock": ("stock", lambda v: number(v, 0)),
        "current_stock": ("today", lambda v: number(v, 0)),
        "investment": (f"investment{unit}", lambda v: money(v, "")),
        "yearly_holding_cost": (f"holding/yr{unit}", lambda v: money(v, "")),
        "requests_per_year": ("requests/yr", rate),
        "fill_rate_within_window": ("fill within window", share),
        "fill_rate_primary": ("fill at location", share),
        "expected_backorders": ("exp. backorders", lambda v: number(v, 3)),
        "average_on_hand": ("avg on hand", rate),
        "stock_turns": ("turns", lambda v: number(v, 2)),
        "emergency_per_year": ("emergency/yr", rate),
        "lateral_per_year": ("lateral/yr", rate),
        "repair_pipeline_units": ("in repair", rate),
        "condemnations_per_year": ("condemned/yr", rate),
    }
    return [(name, *every[name]) for name in names if name in kpis]


def _location_table(files: PlanFiles) -> str:
    kpis = files.location_kpis
    if kpis is None:
        kpis = _stock_totals(files.recommendations, "location")
    present = _kpi_columns(_LOCATION_COLUMNS, kpis, files.currency, 1)
    head = ["location"] + (["kind", "parent"] if "kind" in kpis else [])
    rows = []
    for r in kpis.to_dict("records"):
        cells = [text_cell(r["location"])]
        if "kind" in kpis:
            cells += [text_cell(r["kind"]), text_cell(r["parent"])]
        cells += [number_cell(fmt(r[name])) for name, _, fmt in present]
        rows.append(cells)
    locations = listing("Locations", head + [label for _, label, _ in present], rows,
                        table_id="per-location", shown=60, source="kpis_locations.csv")
    return f'<section id="locations"><h2>Per location</h2>{locations}</section>'


def _stock_totals(recs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Stock, today's stock, investment and holding per ``key`` from recommendations.csv
    alone (a plan folder written before the KPI files)."""
    return recs.assign(investment=recs["stock"] * recs["unit_cost"]).groupby(key)[
        ["stock", "current_stock", "investment", "yearly_holding_cost"]].sum().reset_index()


def _part_table(files: PlanFiles) -> str:
    kpis = files.part_kpis
    if kpis is None:
        kpis = _stock_totals(files.recommendations, "part")
    present = _kpi_columns(_PART_COLUMNS, kpis, files.currency, 2)
    rows = [[text_cell(r["part"])] + [number_cell(fmt(r[name])) for name, _, fmt in present]
            for r in kpis.to_dict("records")]
    per_part = listing("Parts", ["part"] + [label for _, label, _ in present], rows,
                       table_id="per-part", shown=30, source="kpis_parts.csv")
    return f'<section id="parts"><h2>Per part</h2>{per_part}</section>'


def _footer(files: PlanFiles) -> str:
    s = files.summary
    versions = s.get("versions") if isinstance(s.get("versions"), dict) else {}
    version_text = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
    return (f"<footer>scenario {escape(s['scenario'])}; seed {escape(s['seed'])}; solver "
            f"{escape(s.get('solver', ''))}; method {escape(s.get('method', ''))}; inputs "
            "SHA-256 "
            f"{escape(s['input_hash'])}; {escape(version_text)}. Files of this plan: "
            "recommendations.csv, service.csv, summary.json, explanations.csv, "
            "kpis_parts.csv, kpis_locations.csv, buy_list.csv, redeployments.csv, "
            "excess.csv, plan_context.json. Rebuild this page with "
            "<code>spareplan report DIR</code>.</footer>")


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
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">spareplan plan, status {escape(s["status"])}, seed '
        f'{escape(s["seed"])}; '
        f"{len(files.recommendations):,} part-location lines, {len(files.service)} SLA rows."
        "</p>",
        _headline(files, moves), _kpis(files), _sla_table(files), _figures(files),
        _moves_section(files, moves), _explanations(files), _location_table(files),
        _part_table(files), _footer(files)])
    return page(title, body)
