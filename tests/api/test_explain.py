"""``PlanResult.explain(part[, location])``: the lines of explanations.csv for one part."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import spareplan
from spareplan.errors import ParameterError
from spareplan.planning.plan import PlanResult
from spareplan.reports.explain import explain_plan
from spareplan.result_columns import EXPLANATION_COLUMNS
from spareplan.scenario.model import Scenario


def test_one_line_per_stocked_location_as_in_explanations_csv(verified: PlanResult,
                                                               tiny: Scenario) -> None:
    lines = verified.explain("P-PUMP")
    recommendations = verified.recommendations
    stocked = recommendations[(recommendations["part"] == "P-PUMP")
                              & (recommendations["stock"] > 0)]
    assert list(lines.columns) == list(EXPLANATION_COLUMNS)
    assert lines["location"].tolist() == stocked["location"].tolist()
    assert lines["stock"].tolist() == stocked["stock"].tolist()
    assert (lines["kind"] == "stocked").all()
    assert lines["explanation"].str.contains("the last unit adds").all()
    every = explain_plan(tiny, recommendations).frame  # what `spareplan plan` writes
    expected = every[every["part"] == "P-PUMP"].reset_index(drop=True)
    pd.testing.assert_frame_equal(lines, expected)


def test_one_location(verified: PlanResult) -> None:
    [line] = verified.explain("P-FUSE", "F1").itertuples()
    assert (line.part, line.location) == ("P-FUSE", "F1")
    assert line.holding_cost_per_year == pytest.approx(40 * 0.25)
    assert line.sla_row in set(verified.service["sla_row"])


def test_the_explanations_are_computed_once(verified: PlanResult) -> None:
    assert verified.explanations is verified.explanations
    verified.explain("P-PUMP")
    assert verified.explanations.shadow_prices.keys() == set(verified.service["sla_row"])


def test_an_unknown_part_names_the_close_matches(verified: PlanResult) -> None:
    with pytest.raises(ParameterError) as caught:
        verified.explain("P-PUMPS")
    assert str(caught.value) == ("parameter part: must be a part of the plan (close "
                                 "matches: P-PUMP, P-FUSE) (received 'P-PUMPS')")
    with pytest.raises(ParameterError, match=r"\(2 parts, e\.g\. P-FUSE, P-PUMP\) "
                                             r"\(received 'valve'\)"):
        verified.explain("valve")


def test_a_location_without_stock_names_where_the_part_is(tiny: Scenario,
                                                          verified: PlanResult) -> None:
    with pytest.raises(ParameterError) as caught:
        verified.explain("P-PUMP", "F9")
    assert "must be a location where the plan stocks P-PUMP (stocked at: CW, F1, F2" \
        in str(caught.value)
    assert "(received 'F9')" in str(caught.value)


def test_a_part_stocked_nowhere_gets_its_reason(tiny: Scenario) -> None:
    lenient = tiny.with_costs(emergency_shipment_cost=0.0, lateral_shipment_cost=0.0) \
        .with_targets(gold=0.0, silver={"fill_rate_within": 0.0, "uptime": 0.0})
    result = spareplan.plan(lenient, seed=0, verify=False)
    [line] = result.explain("P-FUSE").itertuples()
    assert line.kind == "zero stock" and line.stock == 0
    assert line.explanation.startswith("stocked nowhere")
    with pytest.raises(ParameterError, match=r"stocked at: nowhere"):
        result.explain("P-FUSE", "F1")


def test_a_result_without_its_scenario_says_so(verified: PlanResult) -> None:
    bare = dataclasses.replace(verified, scenario=None)
    with pytest.raises(ParameterError, match="explain needs the scenario the plan was made "
                                             "for"):
        bare.explain("P-PUMP")


def test_a_part_that_may_not_be_stocked_is_not_said_to_have_no_demand(tiny: Scenario
                                                                      ) -> None:
    parts = tiny.parts
    parts["max_stock"] = parts["part"].map({"P-FUSE": 0, "P-PUMP": 3})
    capped = tiny.with_table("parts", parts).with_targets(
        gold=0.2, silver={"fill_rate_within": 0.2, "uptime": 0.9})
    [line] = spareplan.plan(capped, seed=0, verify=False).explain("P-FUSE").itertuples()
    assert line.explanation.startswith("stocked nowhere: no location may hold it (13.50 "
                                       "requests/yr; its max_stock")


def test_a_part_in_the_wrong_case_is_found_among_the_close_matches(verified: PlanResult
                                                                   ) -> None:
    with pytest.raises(ParameterError, match=r"close matches: P-PUMP\b"):
        verified.explain("p-pump")
