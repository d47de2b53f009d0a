"""Acceptance (issue 6): planning from a generated demand history meets the SLAs.

The scenario is a small demo-profile network generated with a 36-month history drawn
from its installed-base rates (30 parts, 4 FSLs, 9 sites; planning takes ~2 s, the
committed 200-part demo ~4 min at the time of writing, too slow for the default run).
``truth`` plans from the installed base (the rates the history was drawn from);
``history`` removes ``failure_rates`` from ``[tables]`` so the rates come from the
history alone (``history_method = "poisson"``). The history plan is simulated both
against its own estimates (what ``plan`` verifies) and against the true rates.
"""

from __future__ import annotations

import inspect
import shutil

import numpy as np
import pandas as pd
import pytest

import spareplan
from spareplan.demand.rates import (
    demand_rates,
    installed_base_rates,
    with_demand_settings,
)
from spareplan.planning.protection import protection_cost
from spareplan.scenario.generator import generate_scenario

REPLICATIONS, YEARS, MONTHS = 10, 3.0, 36
# The analytic METRIC model alone is optimistic for uptime rows (measured at commit
# 2ab65f5: even the plan from the TRUE rates missed gold uptime, 0.985 simulated for 0.995
# planned); the planner's default model is the simulated system (issue 12). Should that
# default ever be removed, the service assertions are expected to fail.
CALIBRATED = "service_model" in inspect.signature(spareplan.plan).parameters
needs_calibration = pytest.mark.xfail(
    not CALIBRATED, strict=False,
    reason="planner without the simulation feed is optimistic for uptime rows")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, spareplan.Scenario]:
    root = tmp_path_factory.mktemp("from_history")
    generated = generate_scenario(root / "generated", n_parts=30, n_fsls=4, n_dcs=1,
                                  sites_per_fsl=2, n_machine_types=3, seed=7,
                                  profile="demo", with_history=True, history_months=MONTHS)
    toml = (generated / "scenario.toml").read_text()
    folders = {"truth": root / "truth", "history": root / "history"}
    for folder in folders.values():
        shutil.copytree(generated, folder)
    (folders["truth"] / "scenario.toml").write_text(
        toml.replace('demand_history = "demand_history.csv"\n', ""))
    (folders["history"] / "scenario.toml").write_text(
        toml.replace('failure_rates = "failure_rates.csv"\n', "")
        .replace('history_method = "sba"', 'history_method = "poisson"'))
    return {name: spareplan.load_scenario(folder) for name, folder in folders.items()}


@pytest.fixture(scope="module")
def history_plan(scenarios: dict[str, spareplan.Scenario]) -> spareplan.PlanResult:
    return spareplan.plan(scenarios["history"], seed=0, replications=REPLICATIONS,
                          years=YEARS)


def test_rates_from_history_are_close_to_the_true_rates(
        scenarios: dict[str, spareplan.Scenario]) -> None:
    truth = scenarios["truth"]
    true = installed_base_rates(truth.table("installed_base"), truth.table("failure_rates"))
    estimated = demand_rates(scenarios["history"])
    assert set(estimated["source"]) == {"history_poisson"}
    per_part = true.groupby("part")["rate_per_year"].sum().to_frame("true").join(
        estimated.groupby("part")["rate_per_year"].sum().rename("estimated")).fillna(0.0)
    # Poisson counts over T = 3 years: the part's estimate has standard error sqrt(rate/T)
    years = MONTHS / 12.0
    z = (per_part["estimated"] - per_part["true"]) / np.sqrt(per_part["true"] / years)
    assert (z.abs() < 4.0).all(), z.sort_values().to_string()
    relative = (per_part["estimated"] / per_part["true"] - 1.0).abs()
    assert relative.median() < 0.25
    total = per_part.sum()
    assert total["estimated"] == pytest.approx(total["true"], rel=0.05)


@needs_calibration
def test_plan_from_history_meets_its_slas(history_plan: spareplan.PlanResult) -> None:
    service = history_plan.service
    assert len(service) == 7
    assert (service["ci_high"] >= service["target"]).all(), service.to_string()
    assert (service["simulated"] >= service["target"]).mean() >= 0.8


@needs_calibration
def test_protected_plan_from_history_meets_slas_under_the_true_demand(
        scenarios: dict[str, spareplan.Scenario]) -> None:
    # A plan from point estimates of the rates meets its SLAs against those estimates
    # (test above) but not always against the true rates: with 36 months of a slow mover
    # the estimate is often low, and an uptime row then also sees more repair downtime
    # than planned (measured: gold/S-005 uptime 0.983 for 0.995). Planning against the
    # 0.8 upper quantile of each rate (parameter uncertainty, [demand] rate_quantile)
    # restores the SLAs under the truth, at a reported extra cost.
    protected = with_demand_settings(scenarios["history"], rate_quantile=0.8)
    protected_plan = spareplan.plan(protected, seed=0, replications=REPLICATIONS,
                                    years=YEARS)
    stock = protected_plan.recommendations[["part", "location", "stock"]]
    measured = spareplan.simulate(scenarios["truth"], stock, replications=REPLICATIONS,
                                  years=YEARS, seed=1).rows
    targets = protected_plan.service.set_index("sla_row")["target"]
    rows = measured.set_index("sla_row")
    assert (rows["ci_high"] >= targets.loc[rows.index]).all(), rows.to_string()
    fill = rows[rows.index.str.endswith("fill_rate_within")]
    assert (fill["simulated"] >= targets.loc[fill.index]).all()


def test_protection_cost_is_reported(scenarios: dict[str, spareplan.Scenario]) -> None:
    cost = protection_cost(scenarios["history"], 0.9, seed=0)
    frame = cost.to_frame()
    assert list(frame["plan"]) == ["estimate", "protected"]
    assert cost.protected_demand_per_year > cost.demand_per_year
    assert cost.protected_holding_cost >= cost.holding_cost
    assert cost.extra_holding_cost == pytest.approx(
        cost.protected_holding_cost - cost.holding_cost)
    # a plan against the installed base only has nothing to protect
    flat = protection_cost(with_demand_settings(scenarios["truth"]), 0.9, seed=0)
    assert flat.extra_holding_cost == pytest.approx(0.0)
    assert isinstance(frame, pd.DataFrame)
