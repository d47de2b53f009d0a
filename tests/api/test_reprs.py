"""Short reprs: a few lines of text, a small escaped HTML table, never a DataFrame dump."""

from __future__ import annotations

import pandas as pd
import pytest
from api_paths import DEMO, WARNING_FIXTURE

import spareplan
from spareplan.display import MAX_ROWS_SHOWN, service_rows_html
from spareplan.network import compile_network
from spareplan.planning.plan import PlanResult
from spareplan.scenario.model import Scenario
from spareplan.sla import sla_rows

HOSTILE = '<script>alert("x")</script>'


def _short(text: str, lines: int) -> None:
    assert len(text.splitlines()) <= lines
    assert all(len(line) <= 200 for line in text.splitlines())
    assert "rows x" not in text and "[3 rows" not in text  # no DataFrame dump
    assert "yearly_holding_cost" not in text and "ci_high" not in text


def test_a_plan_prints_its_headline_in_a_few_lines(verified: PlanResult,
                                                   unverified: PlanResult) -> None:
    text = repr(verified)
    _short(text, 10)
    first = text.splitlines()[0]
    assert first.startswith("PlanResult 'tiny': optimal")
    assert f"yearly cost {verified.summary['objective']:,.2f} EUR" in first
    assert f"investment {verified.summary['inventory_value']:,.2f} EUR" in first
    assert "gap 0.00%" in text
    assert "SLA rows: 3 met, 0 below target — simulated (4 replications x 1 year(s)" in text
    assert "9 units at 6 part-locations" in text
    assert "planned values (not verified)" in repr(unverified)
    assert ".explain(part)" in text


def test_a_plan_below_target_names_its_rows(verified: PlanResult) -> None:
    service = verified.service.copy()
    service.loc[0, ["verdict", "meets_target"]] = ["not met", False]
    worse = PlanResult(verified.recommendations, service, verified.summary,
                       verified.verification, verified.scenario)
    text = repr(worse)
    assert "SLA rows: 2 met, 1 below target" in text
    assert "  below: gold/S1/fill_rate_within target 0.8000" in text
    html = worse._repr_html_()
    assert html.index("gold/S1/fill_rate_within") < html.index("silver/uptime")


def test_a_plan_shows_as_a_small_html_table(verified: PlanResult) -> None:
    html = verified._repr_html_()
    assert html.startswith('<div class="spareplan"><table>') and html.endswith("</div>")
    assert len(html) < 4000
    for row in verified.service["sla_row"]:
        assert row in html
    assert "<th>simulated [95% CI]</th>" in html
    assert f"{verified.service['simulated'].iloc[0]:.4f} [" in html


def test_a_hostile_scenario_name_is_escaped(tiny: Scenario) -> None:
    hostile = tiny.with_document(name=HOSTILE)
    result = spareplan.plan(hostile, seed=0, verify=False)
    for html in (result._repr_html_(), hostile._repr_html_()):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert repr(hostile).startswith(f"Scenario {HOSTILE!r}")


def test_a_hostile_site_id_is_escaped_in_the_sla_rows(tiny: Scenario) -> None:
    site = "<img src=x onerror=alert(1)>"
    tables = {}
    for name in ("sites", "reach", "installed_base"):
        frame = tiny.table(name)
        frame["site"] = frame["site"].replace("S1", site)
        tables[name] = frame
    scenario = tiny.replace(tables=tables)
    result = spareplan.simulate(scenario, replications=2, years=0.5, seed=0)
    html = result._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_long_names_are_cut(tiny: Scenario) -> None:
    text = repr(tiny.with_document(name="x" * 500))
    assert "x" * 59 + "…" in text and "x" * 61 not in text


def test_the_rows_shown_are_capped_and_the_rest_counted() -> None:
    service = pd.DataFrame({"sla_row": [f"c/S{i}/uptime" for i in range(100)],
                            "target": 0.99, "planned": 0.995, "meets_target": True})
    service.loc[70, "meets_target"] = False
    rows, note = service_rows_html(service)
    assert len(rows) == MAX_ROWS_SHOWN
    assert rows[0][0] == "c/S70/uptime" and rows[0][-1] == "not met"  # below target first
    assert note == f"… {100 - MAX_ROWS_SHOWN} more SLA row(s) in .service"


@pytest.mark.parametrize("path", ["tiny", "demo"])
def test_a_scenario_prints_its_counts(tiny: Scenario, path: str) -> None:
    scenario = tiny if path == "tiny" else spareplan.load_scenario(DEMO)
    text = repr(scenario)
    _short(text, 9)
    network, _ = compile_network(scenario)
    assert scenario.sla_row_count() == len(sla_rows(scenario.document, network))
    if path == "demo":
        assert "200 parts, 15 locations (1 central, 2 dc, 12 fsl), 40 sites" in text
        assert f"{scenario.sla_row_count()} SLA rows" in text
    assert "<table>" in scenario._repr_html_()


def test_a_simulation_prints_its_verdict(verified: PlanResult) -> None:
    simulation = verified.verification
    text = repr(simulation)
    _short(text, 8)
    assert text.startswith("SimulationResult: 4 replications x 1 year(s), seed 0")
    assert "SLA rows: 3 met, 0 below target" in text
    assert "emergency" in text and "±" in text
    assert "silver/uptime" in simulation._repr_html_()


def test_the_summary_prints_its_headline_fields(verified: PlanResult) -> None:
    text = repr(verified.summary)
    assert text.startswith("PlanSummary(scenario='tiny', status='optimal'")
    assert len(text) < 400 and "versions" not in text and "stage_seconds" not in text


def test_an_early_warning_prints_what_the_command_prints() -> None:
    result = spareplan.warn(spareplan.load_scenario(WARNING_FIXTURE))
    text = repr(result)
    _short(text, 10)
    assert text.splitlines()[0] == f"WarningResult: {result.console_lines()[0]}"
    assert "alerts:" in text
    html = result._repr_html_()
    assert "<th style=\"text-align:left\">alerts</th>" in html and len(html) < 4000
