"""What-ifs without files: each helper re-validates like loading, keeps the path and gives
the copy the input hash of what it holds; a bad value gets the error a bad file gets."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from api_paths import TINY

import spareplan
from spareplan.errors import ParameterError, Problem, ScenarioError
from spareplan.scenario.model import Scenario, scenario_hash


def _file_problem(tmp_path: Path, old: str, new: str) -> Problem:
    """The one problem loading tiny with ``old`` replaced by ``new`` in its TOML gives."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new))
    with pytest.raises(ScenarioError) as caught:
        spareplan.load_scenario(folder)
    [problem] = caught.value.problems
    return problem


def _what_if_problem(call) -> Problem:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as caught:
        call()
    [problem] = caught.value.problems
    return problem


def _same_rule(a: Problem, b: Problem) -> None:
    assert (a.location, a.rule, a.value) == (b.location, b.rule, b.value)


def test_a_target_what_if_changes_the_target_keeps_the_path_and_rehashes(
        tiny: Scenario) -> None:
    stricter = tiny.with_targets(gold=0.9, silver={"uptime": 0.996})
    classes = stricter.document.sla_classes
    assert classes["gold"].fill_rate_within.target == 0.9
    assert classes["silver"].uptime.target == 0.996
    assert classes["silver"].fill_rate_within.target == 0.7  # merged, not replaced
    assert classes["silver"].uptime.repair_hours == 4.0
    assert tiny.document.sla_classes["gold"].fill_rate_within.target == 0.8  # untouched
    assert stricter.path == tiny.path
    assert stricter.input_hash == scenario_hash(stricter.document, stricter.tables)
    assert stricter.input_hash != tiny.input_hash


def test_a_bad_target_gets_the_error_of_a_bad_file(tiny: Scenario, tmp_path: Path) -> None:
    from_file = _file_problem(tmp_path, "target = 0.80", "target = 1.5")
    from_what_if = _what_if_problem(lambda: tiny.with_targets(gold=1.5))
    _same_rule(from_file, from_what_if)
    assert from_what_if.location == "field sla_classes.gold.fill_rate_within.target"
    assert from_what_if.value == 1.5
    assert "less than or equal to 1" in from_what_if.rule


def test_a_bad_cost_and_a_bad_policy_get_the_errors_of_a_bad_file(tiny: Scenario,
                                                                   tmp_path: Path) -> None:
    _same_rule(_file_problem(tmp_path / "a", "holding_rate_per_year = 0.25",
                             "holding_rate_per_year = 12"),
               _what_if_problem(lambda: tiny.with_costs(holding_rate_per_year=12)))
    _same_rule(_file_problem(tmp_path / "b", 'stockout_rule = "emergency"',
                             'stockout_rule = "teleport"'),
               _what_if_problem(lambda: tiny.with_policy(stockout_rule="teleport")))
    unknown = _what_if_problem(lambda: tiny.with_costs(holding_rate=0.2))
    assert unknown.location == "field costs.holding_rate"
    assert "not a known field" in unknown.rule


def test_costs_and_policy_what_ifs_apply(tiny: Scenario) -> None:
    budgeted = tiny.with_costs(inventory_budget=5000.0, lateral_shipment_cost=50.0)
    assert budgeted.document.costs.inventory_budget == 5000.0
    assert budgeted.document.costs.holding_rate_per_year == 0.25
    assert budgeted.with_costs(inventory_budget=None).input_hash == \
        tiny.with_costs(lateral_shipment_cost=50.0).input_hash
    lateral = tiny.with_policy(stockout_rule="lateral", emergency_response_hours=12.0)
    assert lateral.document.policy.stockout_rule == "lateral"
    assert lateral.document.policy.max_stock_per_location == 3


def test_target_what_ifs_refuse_what_the_class_does_not_hold(tiny: Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        tiny.with_targets(platinum=0.99, silver=0.9, gold={"uptime": 0.99})
    text = str(caught.value)
    assert "field sla_classes.platinum: must name an SLA class of the scenario (gold, " \
           "silver) (received 'platinum')" in text
    assert "field sla_classes.silver: the class has fill_rate_within and uptime" in text
    assert "(received 0.9)" in text
    assert "field sla_classes.gold.uptime: must be a commitment of the class " \
           "(fill_rate_within; with_sla adds one)" in text
    assert len(caught.value.problems) == 3  # every problem, not the first


def test_an_sla_what_if_merges_into_its_class(tiny: Scenario) -> None:
    tighter = tiny.with_sla("gold", fill_rate_within={"window_hours": 2.0})
    gold = tighter.document.sla_classes["gold"]
    assert gold.fill_rate_within.window_hours == 2.0 and gold.fill_rate_within.target == 0.8
    with_uptime = tiny.with_sla("gold", uptime={"target": 0.99, "repair_hours": 2.0})
    assert with_uptime.document.sla_classes["gold"].uptime.target == 0.99
    assert with_uptime.sla_row_count() == tiny.sla_row_count() + 1
    problem = _what_if_problem(lambda: tiny.with_sla("gold", fill_rate_within={
        "window_hours": -1.0}))
    assert problem.location == "field sla_classes.gold.fill_rate_within.window_hours"
    assert problem.value == -1.0
    with pytest.raises(ScenarioError, match=r"sla_classes\.bronze: must name an SLA class"):
        tiny.with_sla("bronze", scope="class")


def test_lead_time_what_ifs_scale_the_chosen_lead_times(tiny: Scenario) -> None:
    half = tiny.with_lead_times(0.5)
    assert half.locations["lead_time_days"].tolist()[1:] == [1.5, 2.5]
    assert math.isnan(half.locations["lead_time_days"].iloc[0])  # the central warehouse
    parts = half.parts.set_index("part")
    assert parts.loc["P-PUMP", "procurement_lead_time_days"] == 30.0
    assert parts.loc["P-PUMP", "repair_turnaround_days"] == 10.0
    only_parts = tiny.with_lead_times(2.0, replenishment=False, repair=False)
    assert only_parts.locations.equals(tiny.locations)
    assert only_parts.parts.set_index("part").loc["P-PUMP", "repair_turnaround_days"] == 20.0
    assert only_parts.parts.set_index("part").loc["P-FUSE",
                                                  "procurement_lead_time_days"] == 28.0
    assert tiny.with_lead_times(1.0).input_hash == tiny.input_hash


@pytest.mark.parametrize("factor", [-1.0, float("nan"), float("inf"), "2", True])
def test_a_bad_lead_time_factor_is_named(tiny: Scenario, factor: object) -> None:
    with pytest.raises(ParameterError, match=r"parameter factor: must be a finite number >= 0"):
        tiny.with_lead_times(factor)  # type: ignore[arg-type]


def test_a_scaled_lead_time_out_of_range_names_table_row_and_column(tiny: Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        tiny.with_lead_times(20_000.0)
    text = str(caught.value)
    assert ("tables['locations']: row 4, column lead_time_days: must be <= 36525 "
            "(received '100000.0')") in text
    assert "tables['parts']: row 2, column procurement_lead_time_days" in text


def test_a_target_what_if_is_what_gets_planned(tiny: Scenario) -> None:
    stricter = tiny.with_targets(gold=0.9)
    result = spareplan.plan(stricter, seed=0, verify=False)
    target = result.service.set_index("sla_row").loc["gold/S1/fill_rate_within", "target"]
    assert target == 0.9
    assert result.summary["input_hash"] == stricter.input_hash
