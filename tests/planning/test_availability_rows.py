"""Availability rows (Sherbrooke's product form) in the planning model (issue 13, item 2).

No published numeric example of the product form was found to cite (see
tests/evaluation/test_availability.py); the rows are checked against closed forms, brute
force and the simulation:

- one part at one location with complete backordering and no response time: the pipeline
  is Poisson with mean lambda L (Palm's theorem), EBO(S) = E[(X - S)^+], and the row's
  value is (1 - EBO / (N Z))^Z (Sherbrooke's product form with one part);
- two parts over a depot and two bases: the least cost meeting an availability target,
  by enumeration of every pair of stock vectors, equals the planner's (enumeration path
  and column generation with the tangent pricing, whose bound must stay below);
- availability never falls when stock rises, under every stock-out rule (hypothesis);
- the product form is at least the additive uptime row of the same scenario;
- the simulation measures the analytic value where the assumptions coincide (complete
  backordering, one location, no response time);
- ``plan`` meets the row in its model, analytic or the simulation feed, and the feed's
  estimator is the verification's product form.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from single_part_cases import write_scenario

import solvers
from spareplan import load_scenario, plan
from spareplan.errors import ParameterError
from spareplan.planning import optimize as optimize_module
from spareplan.planning.model import SERVICE, PlanningModel
from spareplan.planning.optimize import optimize
from spareplan.simulation.verify import simulate_plan

LEAD_DAYS = 30.0


def write_single_location(folder: Path, *, rates: tuple[float, ...], units: tuple[int, ...],
                          machines: int, target: float, extra: str = "") -> Path:
    """One central location serving one site with response 0, consumable parts bought in
    ``LEAD_DAYS`` days, complete backordering: each part's pipeline is Poisson."""
    parts = "".join(f"P{k + 1},{100 * (k + 1)},consumable,{LEAD_DAYS},,\n"
                    for k in range(len(rates)))
    failures = "".join(f"m,P{k + 1},{rate / machines!r},1,{units[k]}\n"
                       for k, rate in enumerate(rates))
    tables = {
        "locations": "location,kind,parent,lead_time_days\nD,central,,\n",
        "parts": "part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
                 "condemnation_fraction\n" + parts,
        "sites": "site,sla_class,primary_location\nS1,fleet,D\n",
        "reach": "site,location,response_hours\nS1,D,0\n",
        "installed_base": f"site,machine_type,machines\nS1,m,{machines}\n",
        "failure_rates": "machine_type,part,failures_per_machine_year,parts_per_failure,"
                         "units_per_machine\n" + failures,
    }
    return write_scenario(folder, name="single-location", tables=tables, settings=f"""[costs]
holding_rate_per_year = 0.2
[policy]
stockout_rule = "backorder"
max_stock_per_location = 8
[sla_classes.fleet]
scope = "site"
availability = {{ target = {target!r} }}
{extra}""")


def write_depot_two_bases(folder: Path, *, target: float, max_stock: int = 2,
                          rule: str = "backorder", uptime: bool = False) -> Path:
    """A depot and two bases, two repairable parts (2 and 3 units per machine), one
    class-scope availability row over both bases' sites."""
    tables = {
        "locations": "location,kind,parent,lead_time_days\nD,central,,\nB1,fsl,D,2\n"
                     "B2,fsl,D,4\n",
        "parts": "part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
                 "condemnation_fraction\nP1,5000,repairable,90,30,0.1\n"
                 "P2,800,repairable,60,20,0.2\n",
        "sites": "site,sla_class,primary_location\nS1,fleet,B1\nS2,fleet,B2\n",
        "reach": "site,location,response_hours\nS1,B1,1\nS1,D,24\nS2,B2,1\nS2,D,24\n",
        "installed_base": "site,machine_type,machines\nS1,m,6\nS2,m,4\n",
        "failure_rates": "machine_type,part,failures_per_machine_year,parts_per_failure,"
                         "units_per_machine\nm,P1,1.5,1,2\nm,P2,3.0,1,3\n",
    }
    up = "uptime = { target = 0.5, repair_hours = 0.0 }\n" if uptime else ""
    return write_scenario(folder, name="depot-two-bases", tables=tables, settings=f"""[costs]
holding_rate_per_year = 0.2
[policy]
stockout_rule = "{rule}"
max_stock_per_location = {max_stock}
[sla_classes.fleet]
scope = "class"
availability = {{ target = {target!r} }}
{up}""")


def poisson_backorders(mean: float, stock: int) -> float:
    """E[(X - S)^+] for X ~ Poisson(mean)."""
    k = np.arange(stock)
    return float(mean - stock + np.sum((stock - k) * stats.poisson.pmf(k, mean)))


# ------------------------------------------------------------------ closed form
@pytest.mark.parametrize("units", [1, 3])
def test_one_part_poisson_pipeline_closed_form(tmp_path: Path, units: int) -> None:
    machines, rate = 4, 12.0
    model = PlanningModel.build(load_scenario(write_single_location(
        tmp_path / "case", rates=(rate,), units=(units,), machines=machines, target=0.9)))
    assert [r.kind for r in model.rows] == ["availability"]
    mean = rate * LEAD_DAYS / 365.0  # Palm: lambda x L
    for stock in range(6):
        column = model.column(0, np.array([stock]))
        ebo = poisson_backorders(mean, stock)
        expected = (1.0 - ebo / (machines * units)) ** units
        assert model.row_value(column.coefficients)[0] == pytest.approx(expected, rel=1e-9)


def test_two_parts_one_unit_each_is_the_product(tmp_path: Path) -> None:
    machines, rates = 5, (6.0, 20.0)
    model = PlanningModel.build(load_scenario(write_single_location(
        tmp_path / "case", rates=rates, units=(1, 1), machines=machines, target=0.9)))
    for s1, s2 in [(0, 0), (1, 2), (2, 3), (3, 5)]:
        activity = (model.column(0, np.array([s1])).coefficients
                    + model.column(1, np.array([s2])).coefficients)
        expected = math.prod(
            1.0 - poisson_backorders(rate * LEAD_DAYS / 365.0, s) / machines
            for rate, s in zip(rates, (s1, s2), strict=True))
        assert model.row_value(activity)[0] == pytest.approx(expected, rel=1e-9)


def test_product_form_is_at_least_the_additive_uptime(tmp_path: Path) -> None:
    model = PlanningModel.build(load_scenario(write_depot_two_bases(
        tmp_path / "case", target=0.9, uptime=True)))
    kinds = [r.kind for r in model.rows]
    availability, uptime = kinds.index("availability"), kinds.index("uptime")
    lo, hi = model.service.bounds(0)
    for stock in itertools.product(*(range(a, b + 1) for a, b in zip(lo, hi, strict=True))):
        stock = np.array(stock)
        activity = model.column(0, stock).coefficients + model.column(1, stock).coefficients
        value = model.row_value(activity)
        assert value[availability] >= value[uptime] - 1e-12


# ------------------------------------------------------------------ brute force
def _every_pair(model: PlanningModel) -> tuple[np.ndarray, np.ndarray]:
    """Cost and activity of the availability row of every pair of stock vectors."""
    per_part = []
    for part in range(2):
        lo, hi = model.service.bounds(part)
        vectors = [np.array(v) for v in itertools.product(
            *(range(a, b + 1) for a, b in zip(lo, hi, strict=True)))]
        columns = [model.column(part, v) for v in vectors]
        per_part.append((np.array([c.cost for c in columns]),
                         np.array([c.coefficients[0] for c in columns])))
    (c1, a1), (c2, a2) = per_part
    return (c1[:, None] + c2[None, :]).ravel(), (a1[:, None] + a2[None, :]).ravel()


@pytest.fixture(scope="module")
def two_bases(tmp_path_factory) -> tuple[PlanningModel, np.ndarray, np.ndarray]:
    model = PlanningModel.build(load_scenario(write_depot_two_bases(
        tmp_path_factory.mktemp("avail") / "case", target=0.9)))
    cost, activity = _every_pair(model)
    return model, cost, activity


@pytest.mark.parametrize("quantile", [0.2, 0.5, 0.8, 0.95])
def test_least_cost_equals_brute_force(two_bases, quantile: float, monkeypatch) -> None:
    model, cost, activity = two_bases
    value = np.exp(-activity)
    target = float(np.quantile(value, quantile))
    at = model.with_targets(np.array([target]))
    optimum = float(cost[value >= target - 1e-12].min())
    result = optimize(at)
    assert result.method == "enumeration"
    assert result.solution.status is solvers.SolveStatus.OPTIMAL
    assert sum(c.cost for c in result.chosen) == pytest.approx(optimum, rel=1e-9)
    chosen = model.row_value(np.sum([c.coefficients for c in result.chosen], axis=0))[0]
    assert chosen >= target - 1e-9
    # column generation with the tangent pricing: its bound stays below the optimum
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    generated = optimize(at, exhaustive_limit=0)
    assert generated.method == "column_generation"
    assert generated.solution.lower_bound <= optimum * (1 + 1e-9) + 1e-9
    assert math.isfinite(generated.solution.lower_bound)
    if generated.solution.status.has_solution:
        assert sum(c.cost for c in generated.chosen) >= optimum * (1 - 1e-9) - 1e-9


# ------------------------------------------------------------------ monotone in stock
@pytest.fixture(scope="module")
def models_by_rule(tmp_path_factory) -> dict[str, PlanningModel]:
    folder = tmp_path_factory.mktemp("rules")
    return {rule: PlanningModel.build(load_scenario(write_depot_two_bases(
        folder / rule, target=0.9, rule=rule, max_stock=3)))
        for rule in ("backorder", "emergency", "lateral")}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_availability_never_falls_when_stock_rises(models_by_rule, data) -> None:
    model = models_by_rule[data.draw(st.sampled_from(sorted(models_by_rule)))]
    part = data.draw(st.integers(0, 1))
    lo, hi = model.service.bounds(part)
    stock = np.array([data.draw(st.integers(int(a), int(b) - 1)) for a, b in
                      zip(lo, hi, strict=True)])
    where = data.draw(st.integers(0, len(stock) - 1))
    more = stock.copy()
    more[where] += 1
    before = model.row_value(model.column(part, stock).coefficients)[0]
    after = model.row_value(model.column(part, more).coefficients)[0]
    assert 0.0 < before <= after + 1e-12 <= 1.0 + 1e-12


# ------------------------------------------------------------------ the simulation
def test_simulation_agrees_with_the_analytic_value(tmp_path: Path) -> None:
    scenario = load_scenario(write_single_location(
        tmp_path / "case", rates=(6.0, 20.0), units=(1, 2), machines=5, target=0.9))
    model = PlanningModel.build(scenario)
    stock = {"P1": 1, "P2": 2}
    activity = sum(model.column(k, np.array([s])).coefficients
                   for k, s in enumerate(stock.values()))
    analytic = float(model.row_value(activity)[0])
    frame = simulate_plan(scenario, _plan_frame(stock), replications=30, years=10.0,
                          seed=5).rows
    row = frame.set_index("sla_row").loc["fleet/S1/availability"]
    assert row["kind"] == "availability"
    assert abs(row["simulated"] - analytic) <= 4.0 * row["std_error"] + 2e-3, (
        row["simulated"], analytic, row["std_error"])


def _plan_frame(stock: dict[str, int]):
    import pandas as pd
    return pd.DataFrame({"part": list(stock), "location": "D", "stock": list(stock.values())})


# ------------------------------------------------------------------ plan and goals
@pytest.mark.parametrize("service_model", ["analytic", "simulation"])
def test_plan_meets_the_availability_row_in_its_model(tmp_path: Path,
                                                      service_model: str) -> None:
    scenario = load_scenario(write_depot_two_bases(tmp_path / "case", target=0.95))
    result = plan(scenario, replications=4, years=1.0, service_model=service_model)
    summary = result.summary
    assert summary["service_model"] == service_model
    assert summary.get("service_model_note") is None
    row = result.service.set_index("sla_row").loc["fleet/availability"]
    assert row["kind"] == "availability"
    assert row["planned"] >= 0.95 - 1e-9  # the analytic value, or the feed's
    assert 0.0 < row["simulated"] <= 1.0


def test_feed_availability_activity_is_the_verification_estimator(tmp_path: Path) -> None:
    """The feed's uncontrolled availability of a plan per replication equals the
    verification's product form over the same simulated waits."""
    from spareplan.planning.feed import FeedSettings, availability_activity, simulate_columns

    scenario = load_scenario(write_single_location(
        tmp_path / "case", rates=(6.0, 20.0), units=(1, 2), machines=5, target=0.9))
    model = PlanningModel.build(scenario)
    settings = FeedSettings(replications=6, years=2.0)
    groups = np.array([0, 1])
    figures = simulate_columns(model, groups, np.array([[1], [2]]), seed=3,
                               settings=settings, per_replication=True)
    requests, _, wait = figures.by_replication
    activity = availability_activity(model, groups, requests, wait, figures.years,
                                     controlled=False).sum(axis=0)[:, 0]
    hours = wait.sum(axis=2)  # (K, R): the one site
    ebo = hours / (8760.0 * figures.years)
    expected = (1 - ebo[0] / 5.0) * (1 - ebo[1] / 10.0) ** 2
    assert np.allclose(np.exp(-activity), expected, rtol=1e-12)


def test_service_goal_refuses_availability_rows(tmp_path: Path) -> None:
    model = PlanningModel.build(load_scenario(write_depot_two_bases(tmp_path / "case",
                                                                    target=0.9)))
    with pytest.raises(ParameterError, match="availability rows"):
        model.with_goal(SERVICE)


def test_installed_units_by_machine_type(tmp_path: Path) -> None:
    """Q_i over a row: machines x units_per_machine of the types that list the part; a
    part no type lists counts one unit per machine; a superseded part's units count for
    its successor (the larger count, the same positions)."""
    from spareplan.evaluation.availability import installed_positions
    from spareplan.network import compile_network

    tables = {
        "locations": "location,kind,parent,lead_time_days\nD,central,,\n",
        "parts": "part,unit_cost,kind,procurement_lead_time_days,replaced_by\n"
                 "P1,100,consumable,30,\nP2,100,consumable,30,\nP3,100,consumable,30,P4\n"
                 "P4,100,consumable,30,\n",
        "sites": "site,sla_class,primary_location\nS1,fleet,D\n",
        "reach": "site,location,response_hours\nS1,D,0\n",
        "installed_base": "site,machine_type,machines\nS1,a,3\nS1,b,2\n",
        "failure_rates": "machine_type,part,failures_per_machine_year,parts_per_failure,"
                         "units_per_machine\na,P1,1,1,4\nb,P1,1,1,1\na,P3,1,1,2\n"
                         "a,P4,1,1,3\n",
        "demand": "part,site,rate_per_year\nP2,S1,5\n",
    }
    scenario = load_scenario(write_scenario(tmp_path / "case", name="types", tables=tables,
                                            settings="""[costs]
holding_rate_per_year = 0.2
[sla_classes.fleet]
availability = { target = 0.9 }
"""))
    network, parts = compile_network(scenario)
    positions = dict(zip(parts.part_ids, installed_positions(scenario, network, parts)[:, 0],
                         strict=True))
    assert positions["P1"] == 3 * 4 + 2 * 1
    assert positions["P2"] == 5  # listed by no type: one per machine
    assert positions["P4"] == 3 * 3  # P3 -> P4 in type a: max(2, 3) per machine
