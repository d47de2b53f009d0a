"""sweep(): variants of scenarios/tiny over targets, lead times and budgets; cost monotone
in the targets and in the lead times; infeasible variants kept as rows; bad grids refused
before anything is planned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spareplan.errors import ParameterError
from spareplan.planning.sweep import SweepResult, scale_lead_times, sweep, sweep_variants
from spareplan.scenario.load import load_scenario
from spareplan.scenario.model import Scenario

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
#: The analytic model, unverified: an exact optimum per variant (tiny is enumerated).
FAST = {"service_model": "analytic", "verify": False}


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def by_target(tiny: Scenario) -> SweepResult:
    return sweep(tiny, {"targets": [0.9, 0.98, 0.9999]}, **FAST)


def test_one_row_per_variant_with_its_parameters(by_target: SweepResult) -> None:
    table = by_target.to_frame()
    assert list(table["variant"]) == ["target-0.9", "target-0.98", "target-0.9999"]
    assert list(table["target"]) == [0.9, 0.98, 0.9999]
    assert by_target.parameters == ("target",)
    assert set(by_target.plans) == set(table["variant"])
    # every fill-rate row got the variant's target, the uptime row kept its own
    for name, result in by_target.plans.items():
        service = result.service.set_index("sla_row")
        wanted = float(table.set_index("variant").loc[name, "target"])
        assert service.loc["gold/S1/fill_rate_within", "target"] == wanted
        assert service.loc["silver/fill_rate_within", "target"] == wanted
        assert service.loc["silver/uptime", "target"] == 0.995
    assert "3 variants" in repr(by_target)


def test_cost_is_monotone_in_the_target(by_target: SweepResult) -> None:
    cost = by_target.table["yearly_cost"].to_numpy()
    assert np.all(np.diff(cost) >= -1e-4 * cost[:-1])  # up to the MILP's relative gap
    assert cost[-1] > cost[0]  # 99.99% within the window needs more stock than 90%


def test_the_table_reads_the_plans(by_target: SweepResult) -> None:
    row = by_target.table.iloc[0]
    result = by_target.plans[row["variant"]]
    assert row["yearly_cost"] == result.summary["objective"]
    assert row["investment"] == result.summary["inventory_value"]
    margin = result.service["planned"] - result.service["target"]
    assert row["worst_margin"] == pytest.approx(margin.min())
    assert row["worst_sla_row"] == result.service["sla_row"].iloc[int(margin.argmin())]
    assert row["service[silver/uptime]"] == pytest.approx(
        float(result.service.set_index("sla_row").loc["silver/uptime", "planned"]))


def test_cost_is_monotone_in_the_lead_times(tiny: Scenario) -> None:
    result = sweep(tiny, {"lead_time_factor": [0.5, 1.0, 2.0]}, **FAST)
    cost = result.table["yearly_cost"].to_numpy()
    assert np.all(np.diff(cost) >= -1e-4 * cost[:-1])
    assert cost[-1] > cost[0]
    slow = result.variants[2].scenario
    assert slow.locations["lead_time_days"].dropna().tolist() == [6.0, 10.0]
    assert slow.parts["procurement_lead_time_days"].tolist() == [120.0, 28.0]
    assert result.variants[1].scenario is tiny  # factor 1: the scenario itself


def test_an_infeasible_variant_is_a_row_and_the_sweep_goes_on(tiny: Scenario) -> None:
    result = sweep(tiny, {"uptime_targets": [0.9995, 0.995]}, **FAST)
    table = result.table.set_index("variant")
    assert table.loc["uptime-0.9995", "status"] == "infeasible"
    assert "silver/uptime" in table.loc["uptime-0.9995", "reason"]
    assert not table.loc["uptime-0.9995", "meets_every_sla"]
    assert np.isnan(table.loc["uptime-0.9995", "yearly_cost"])
    assert table.loc["uptime-0.995", "status"] == "optimal"
    assert set(result.failures) == {"uptime-0.9995"}
    assert not result.meets_every_sla


def test_budgets_and_variants_combine(tiny: Scenario) -> None:
    slower = scale_lead_times(tiny, 3.0)
    result = sweep(tiny, {"budget": [3000.0, 6000.0]}, variants={"slow": slower},
                   name="base", verify=False)
    table = result.table
    assert list(table["variant"]) == ["base_budget-3000", "base_budget-6000",
                                      "slow_budget-3000", "slow_budget-6000"]
    assert result.parameters == ("scenario", "budget")
    assert (table["investment"] <= table["budget"] + 1e-6).all()
    for result_plan in result.plans.values():
        assert result_plan.summary["goal"] == "service"


@pytest.mark.parametrize(("grid", "name"), [
    ({"targets": [1.0]}, "targets"),
    ({"targets": [0.9, 0.0]}, "targets"),
    ({"targets": []}, "targets"),
    ({"targets": [0.9, 0.9]}, "targets"),
    ({"uptime_targets": ["high"]}, "uptime_targets"),
    ({"lead_time_factor": [-1.0]}, "lead_time_factor"),
    ({"lead_time_factor": [float("inf")]}, "lead_time_factor"),
    ({"lead_time_factor": [1e6]}, "lead_time_factor"),  # lead times beyond 100 years
    ({"budget": [0.0]}, "budget"),
    ({"horizon": [1.0]}, "grid"),
    ({}, "grid"),
    (None, "grid"),
])
def test_bad_grids_are_refused_before_planning(tiny: Scenario, grid: dict | None,
                                                name: str) -> None:
    with pytest.raises(ParameterError) as caught:
        sweep_variants(tiny, grid)
    assert caught.value.name == name


def test_bad_plan_options_are_refused(tiny: Scenario) -> None:
    with pytest.raises(ParameterError, match="targets are set by the grid"):
        sweep(tiny, {"lead_time_factor": [1.0]}, targets={"silver/uptime": 0.99})
    with pytest.raises(ParameterError, match="budget"):
        sweep(tiny, {"budget": [1000.0]}, budget=2000.0)
    with pytest.raises(ParameterError, match="variants"):
        sweep(tiny, {"lead_time_factor": [1.0]}, variants={"tiny": tiny})
