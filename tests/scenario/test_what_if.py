"""What-ifs in Python: ``Scenario.replace`` / ``with_table`` / ``with_document`` run the rules
of loading again, leave the original alone, and give the copy the hash of what it holds."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from _scenario_paths import TINY, copy_tiny

from spareplan.errors import ScenarioError
from spareplan.scenario import ScenarioDocument, load_scenario
from spareplan.scenario.model import scenario_hash


@pytest.fixture(scope="module")
def tiny():  # type: ignore[no-untyped-def]
    return load_scenario(TINY)


def test_a_negative_lead_time_is_refused(tiny) -> None:  # type: ignore[no-untyped-def]
    locations = tiny.locations
    locations.loc[locations["location"] == "F1", "lead_time_days"] = -3.0
    with pytest.raises(ScenarioError) as caught:
        tiny.with_table("locations", locations)
    assert ("tables['locations']: row 3, column lead_time_days: must be >= 0 "
            "(received '-3.0')") in str(caught.value)


@pytest.mark.parametrize(("table", "column", "row", "value", "rule"), [
    ("parts", "unit_cost", 0, float("inf"), "must be finite"),
    ("parts", "min_stock", 1, 1e19, "must be <= 1e+09"),
    ("parts", "kind", 0, "magic", "must be one of consumable, repairable"),
    ("reach", "site", 2, "S9", "must name an existing site"),
    ("sites", "site", 1, "S1", "must be unique"),
    ("installed_base", "machines", 0, 2.5, "must be a whole number"),
])
def test_every_table_rule_applies_to_a_replaced_table(tiny, table: str, column: str, row: int,
                                                      value: object, rule: str) -> None:
    frame = tiny.table(table)
    frame[column] = frame[column].astype(object)
    frame.iloc[row, frame.columns.get_loc(column)] = value
    with pytest.raises(ScenarioError, match=re.escape(rule)):
        tiny.replace(tables={table: frame})


def test_a_valid_change_is_applied_and_the_original_is_unchanged(tiny) -> None:
    before = tiny.parts.copy()
    parts = tiny.parts
    parts.loc[parts["part"] == "P-FUSE", "unit_cost"] = 55.0
    changed = tiny.with_table("parts", parts)
    assert changed.parts.set_index("part").loc["P-FUSE", "unit_cost"] == 55.0
    pd.testing.assert_frame_equal(tiny.parts, before)
    assert changed.input_hash != tiny.input_hash
    assert changed.input_hash == scenario_hash(changed.document, changed.tables)


def test_a_change_back_gives_the_hash_of_the_loaded_scenario(tiny) -> None:
    parts = tiny.parts
    parts.loc[parts["part"] == "P-FUSE", "unit_cost"] = 55.0
    there = tiny.with_table("parts", parts)
    back = there.with_table("parts", tiny.parts)
    assert back.input_hash == tiny.input_hash
    pd.testing.assert_frame_equal(back.parts, tiny.parts)


def test_a_text_frame_like_the_csv_is_accepted(tiny) -> None:
    text = pd.read_csv(TINY / "reach.csv", dtype=str, keep_default_na=False)
    assert tiny.with_table("reach", text).input_hash == tiny.input_hash


def test_document_changes_are_merged_and_validated(tiny) -> None:
    lateral = tiny.with_document(policy={"stockout_rule": "lateral"})
    assert lateral.document.policy.stockout_rule == "lateral"
    assert lateral.document.policy.max_stock_per_location == 3  # merged, not replaced
    assert tiny.document.policy.stockout_rule == "emergency"
    assert lateral.input_hash != tiny.input_hash
    with pytest.raises(ScenarioError, match=r"field costs.emergency_shipment_cost: must be a "
                                            r"finite number"):
        tiny.with_document(costs={"emergency_shipment_cost": float("inf")})
    with pytest.raises(ScenarioError, match=r"field policy\.teleport: is not a known field"):
        tiny.with_document(policy={"teleport": True})


def test_a_document_change_is_checked_against_the_tables(tiny) -> None:
    data = tiny.document.model_dump()
    del data["sla_classes"]["gold"]  # a mapping would be merged: a whole document replaces
    with pytest.raises(ScenarioError, match="row 2, column sla_class: must name an existing "
                                            "SLA class"):
        tiny.replace(document=ScenarioDocument.model_validate(data))


def test_tables_can_be_added_and_dropped_but_not_required_ones(tiny) -> None:
    demand = pd.DataFrame({"part": ["P-PUMP"], "site": ["S1"], "rate_per_year": [2.0]})
    with_demand = tiny.replace(tables={"demand": demand})
    assert with_demand.summary()["demand"] == 1
    assert "current_stock" not in tiny.replace(tables={"current_stock": None}).tables
    with pytest.raises(ScenarioError, match="a required table cannot be dropped"):
        tiny.replace(tables={"sites": None})
    with pytest.raises(ScenarioError, match="must name a table of the format"):
        tiny.replace(tables={"partz": demand})
    with pytest.raises(ScenarioError, match="unknown column 'colour'"):
        tiny.with_table("demand", demand.assign(colour="red"))


def test_the_planned_hash_is_the_hash_of_the_what_if(tmp_path: Path) -> None:
    from spareplan import plan

    scenario = load_scenario(copy_tiny(tmp_path / "tiny"))
    faster = scenario.with_document(costs={"emergency_shipment_cost": 150.0})
    result = plan(faster, seed=0, verify=False)
    assert result.summary["input_hash"] == faster.input_hash != scenario.input_hash


def test_dataclasses_replace_skips_the_rules(tiny) -> None:
    """Documented: only ``replace`` re-validates (this is why it exists)."""
    locations = tiny.locations.assign(lead_time_days=-3.0)
    unchecked = dataclasses.replace(tiny, tables={**tiny.tables, "locations": locations})
    assert unchecked.input_hash == tiny.input_hash  # the stale hash: don't do this
    with pytest.raises(ScenarioError, match="must be >= 0"):
        tiny.with_table("locations", locations)
