"""Where the explanations' shadow prices come from: the optimizer's last master LP when
the planner passes its duals, else the LP of the plan's neighbourhood
(:mod:`spareplan.reports.explain`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import solvers
import spareplan.planning.optimize as optimize_module
from spareplan import load_scenario
from spareplan.planning.exhaustive import box_vectors
from spareplan.planning.model import PlanningModel
from spareplan.planning.plan import plan
from spareplan.planning.pricing import StockVectorSource
from spareplan.planning.result import master_shadow_prices
from spareplan.reports.explain import explain_plan
from spareplan.reports.plan_outputs import write_plan
from spareplan.reports.price_sources import MASTER_LP, NEIGHBOURHOOD_LP
from spareplan.reports.report_rebuild import REPORT_FILE, rebuild_report
from spareplan.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY)


@pytest.fixture
def column_generation_on_tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """tiny is small enough to enumerate: make the optimizer generate columns instead."""
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 0)
    monkeypatch.setattr(optimize_module, "EXHAUSTIVE_LIMIT", 0)


def _lagrangian(model: PlanningModel, pi: np.ndarray) -> tuple[float, float]:
    """L(pi) over every stock vector of every part, and the LP relaxation's value over
    all of them (van Houtum & Kranenburg 2015, ch. 5: equal at optimal duals)."""
    source = StockVectorSource(model)
    vectors = [box_vectors(*model.service.bounds(p)) for p in range(model.n_parts)]
    groups = np.concatenate([np.full(v.shape[0], p, dtype=np.int64)
                             for p, v in enumerate(vectors)])
    evaluation = source.evaluate(groups, np.vstack(vectors))
    sign, lower = model.at_least_form()
    signed = np.asarray(evaluation.coefficients) * sign  # (K, rows), >= form
    reduced = evaluation.cost - signed @ pi
    minima = np.full(model.n_parts, np.inf)
    np.minimum.at(minima, groups, reduced)
    finite = np.isfinite(lower)
    bound = float(minima.sum() + pi[finite] @ lower[finite])
    problem = solvers.ChoiceProblem(
        group_of_option=groups, cost=evaluation.cost, coefficients=signed.T,
        row_lower=lower, row_upper=np.full(lower.shape, np.inf), n_groups=model.n_parts)
    return bound, float(solvers.solve_master_lp(problem).value)


def test_master_duals_are_optimal_duals_of_the_lp_relaxation(
        tiny: Scenario, column_generation_on_tiny: None) -> None:
    model = PlanningModel.build(tiny)
    result = optimize_module.optimize(model)
    assert result.method == "column_generation"
    assert result.row_duals is not None and result.lp_gap == 0.0
    bound, lp_value = _lagrangian(model, result.row_duals)
    assert bound == pytest.approx(lp_value, rel=1e-7, abs=1e-6)  # strong duality
    prices = master_shadow_prices(result, model.row_names)
    assert prices is not None and list(prices) == list(model.row_names)
    assert all(price >= 0 for price in prices.values())


def test_no_master_duals_on_the_enumeration_path(tiny: Scenario) -> None:
    model = PlanningModel.build(tiny)
    result = optimize_module.optimize(model)
    assert result.method == "enumeration"
    assert master_shadow_prices(result, model.row_names) is None


def test_a_master_far_from_its_bound_gives_no_prices(tiny: Scenario,
                                                     column_generation_on_tiny: None) -> None:
    model = PlanningModel.build(tiny)
    result = optimize_module.optimize(model)
    far = dataclasses.replace(result, lp_gap=0.5)
    assert master_shadow_prices(far, model.row_names) is None


@pytest.fixture(scope="module")
def tiny_recommendations(tiny: Scenario) -> pd.DataFrame:
    return plan(tiny, verify=False, service_model="analytic").recommendations


def test_explanations_are_valued_at_the_prices_passed_in(
        tiny: Scenario, tiny_recommendations: pd.DataFrame) -> None:
    own = explain_plan(tiny, tiny_recommendations)
    assert own.price_source == NEIGHBOURHOOD_LP
    doubled = {row: 2.0 * price for row, price in own.shadow_prices.items()}
    passed = explain_plan(tiny, tiny_recommendations, shadow_prices=doubled)
    assert passed.price_source == MASTER_LP
    assert passed.shadow_prices == pytest.approx(doubled)
    for column in ("part", "location", "kind", "cost_per_year", "holding_cost_per_year",
                   "marginal_service"):
        pd.testing.assert_series_equal(passed.frame[column], own.frame[column])
    stocked = own.frame["kind"] == "stocked"
    assert passed.frame.loc[stocked, "value_per_year"].to_numpy() == pytest.approx(
        2.0 * own.frame.loc[stocked, "value_per_year"].to_numpy(), abs=0.02)
    assert (own.frame.loc[stocked, "value_per_year"] > 0).any()


def test_prices_missing_a_row_fall_back_to_the_neighbourhood(
        tiny: Scenario, tiny_recommendations: pd.DataFrame) -> None:
    own = explain_plan(tiny, tiny_recommendations)
    partial = dict(list(own.shadow_prices.items())[1:])
    fallback = explain_plan(tiny, tiny_recommendations, shadow_prices=partial)
    assert fallback.price_source == NEIGHBOURHOOD_LP
    pd.testing.assert_frame_equal(fallback.frame, own.frame)


def test_plan_folder_records_the_master_duals_and_rebuilds(
        tiny: Scenario, column_generation_on_tiny: None, tmp_path: Path) -> None:
    result = plan(tiny, verify=False, service_model="analytic")
    assert result.shadow_prices is not None
    assert result.explanations.price_source == MASTER_LP
    folder = write_plan(result, tmp_path / "plan", scenario=tiny)
    context = json.loads((folder / "plan_context.json").read_text(encoding="utf-8"))
    assert context["shadow_price_source"] == MASTER_LP
    assert context["shadow_prices"] == pytest.approx(result.shadow_prices, abs=1e-6)
    written = (folder / REPORT_FILE).read_bytes()
    assert b"the optimizer&#x27;s own LP relaxation" not in written
    assert b"the optimizer's own LP relaxation" in written
    rebuild_report(folder)
    assert (folder / REPORT_FILE).read_bytes() == written
