"""Small cases of the simulation-fed optimizer against brute force (issue 12).

- A depot with two bases under complete backordering: the feed's plan costs exactly the
  brute-force optimum over every stock vector, each evaluated by the same feed (common
  random numbers), at target plus margin; and its fill rate under the exact two-echelon
  model (Graves 1985, :func:`spareplan.evaluation.two_echelon_exact.two_echelon_exact`)
  is at or above target.
- One FSL with emergency shipments: the same brute-force equality, and the shipping cost
  the feed charges is the simulated one.
- The lateral rule: the analytic model's Lagrangian bound (column generation, every part
  priced by enumeration) is at most the brute-force optimum over every stock vector, and
  the plan costs that optimum up to the reported gap.

Each case has one or two parts and a box of at most 7^3 stock vectors; the feed is small
(10 replications x 3 years) so every test runs in seconds, and every figure is seeded.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
from single_part_cases import write_scenario

import solvers
from spareplan import load_scenario
from spareplan.evaluation.two_echelon_exact import two_echelon_exact
from spareplan.planning import optimize as optimize_module
from spareplan.planning.diagnosis import best_reachable
from spareplan.planning.feed import FeedSettings
from spareplan.planning.feed_plan import optimize_with_feed
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import optimize
from spareplan.planning.pricing import StockVectorSource
from spareplan.planning.simulated import SimulatedSource

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
SMALL_FEED = FeedSettings(replications=10, years=3.0)

#: Depot + 2 bases: Poisson demand 0.05 / day at each base, depot resupply 60 days,
#: deterministic transit 5 days (the instance of tests/simulation/test_two_echelon.py).
BASE_RATE_PER_DAY, DEPOT_DAYS, TRANSIT_DAYS = 0.05, 60.0, 5.0


def _write(folder: Path, *, rule: str, locations: str, sites: str, reach: str,
           installed: str, failures: str, parts: str, classes: str,
           max_stock: int) -> Path:
    return write_scenario(folder, name="small-case", tables={
        "locations": locations, "parts": parts, "sites": sites, "reach": reach,
        "installed_base": installed, "failure_rates": failures,
    }, settings=f"""[costs]
holding_rate_per_year = 0.25
emergency_shipment_cost = 300.0
lateral_shipment_cost = 100.0

[policy]
stockout_rule = "{rule}"
emergency_response_hours = 24.0
max_stock_per_location = {max_stock}

{classes}
""")


def _depot_and_bases(tmp_path: Path) -> Path:
    """One consumable part, a depot and two bases, one site per base (10 machines failing
    1.825 times a year each: 0.05 units a day), complete backordering."""
    return _write(
        tmp_path / "depot-bases", rule="backorder",
        locations=("location,kind,parent,lead_time_days,name\n"
                   "CW,central,,,Depot\n"
                   f"B1,fsl,CW,{TRANSIT_DAYS:g},Base 1\n"
                   f"B2,fsl,CW,{TRANSIT_DAYS:g},Base 2\n"),
        sites="site,sla_class,primary_location,name\nS1,gold,B1,One\nS2,gold,B2,Two\n",
        reach="site,location,response_hours\nS1,B1,2\nS2,B2,2\n",
        installed="site,machine_type,machines\nS1,unit,10\nS2,unit,10\n",
        failures=("machine_type,part,failures_per_machine_year,parts_per_failure\n"
                  f"unit,P-A,{BASE_RATE_PER_DAY * 365.0 / 10.0:g},1\n"),
        parts=("part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
               "condemnation_fraction,criticality,description\n"
               f"P-A,500,consumable,{DEPOT_DAYS:g},,,critical,Board\n"),
        classes=('[sla_classes.gold]\nscope = "class"\n'
                 "fill_rate_within = { target = 0.85, window_hours = 4.0 }\n"),
        max_stock=6)


def _one_fsl_emergency(tmp_path: Path) -> Path:
    """Two parts, a central warehouse and one FSL; a stock-out is served by an emergency
    shipment (24 h) at 300 a unit."""
    return _write(
        tmp_path / "fsl-emergency", rule="emergency",
        locations=("location,kind,parent,lead_time_days,name\n"
                   "CW,central,,,Central\nF1,fsl,CW,4,FSL\n"),
        sites="site,sla_class,primary_location,name\nS1,gold,F1,One\nS2,gold,F1,Two\n",
        reach="site,location,response_hours\nS1,F1,2\nS1,CW,24\nS2,F1,3\nS2,CW,24\n",
        installed="site,machine_type,machines\nS1,unit,6\nS2,unit,4\n",
        failures=("machine_type,part,failures_per_machine_year,parts_per_failure\n"
                  "unit,P-A,0.8,1\nunit,P-B,2.0,1\n"),
        parts=("part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
               "condemnation_fraction,criticality,description\n"
               "P-A,900,repairable,45,15,0.1,critical,Pump\n"
               "P-B,60,consumable,20,,,medium,Fuse\n"),
        classes=('[sla_classes.gold]\nscope = "class"\n'
                 "fill_rate_within = { target = 0.85, window_hours = 4.0 }\n"
                 "uptime = { target = 0.99, repair_hours = 4.0 }\n"),
        max_stock=6)


def _every_vector(model: PlanningModel, part: int) -> np.ndarray:
    lo, hi = model.service.bounds(part)
    levels = itertools.product(*(range(a, b + 1) for a, b in zip(lo, hi, strict=True)))
    return np.array(list(levels), dtype=np.int64)


def _brute_force(model: PlanningModel, margined: PlanningModel,
                 source: StockVectorSource) -> tuple[float, list[np.ndarray]]:
    """The cheapest choice of one stock vector per part (every vector, evaluated by
    ``source``) meeting every row of ``margined``; its cost and stock vectors."""
    vectors = [_every_vector(model, p) for p in range(model.n_parts)]
    costs, rows = [], []
    for part, stock in enumerate(vectors):
        evaluation = source.evaluate(np.full(len(stock), part, dtype=np.int64), stock)
        costs.append(np.asarray(evaluation.cost))
        rows.append(np.asarray(evaluation.coefficients)[:, :len(model.rows)])
    best, best_choice = np.inf, None
    for choice in itertools.product(*(range(len(v)) for v in vectors)):
        activity = sum(rows[p][k] for p, k in enumerate(choice))
        if (np.all(activity >= margined.row_lower - 1e-9)
                and np.all(activity <= margined.row_upper + 1e-9)):
            cost = sum(costs[p][k] for p, k in enumerate(choice))
            if cost < best:
                best, best_choice = cost, choice
    assert best_choice is not None
    return float(best), [vectors[p][k] for p, k in enumerate(best_choice)]


def _feed_plan(model: PlanningModel, seed: int,  # type: ignore[no-untyped-def]
               settings: FeedSettings = SMALL_FEED):
    return optimize_with_feed(model, best_reachable(model), seed=seed, settings=settings,
                              backend=solvers.DEFAULT_BACKEND,
                              budget=solvers.TimeBudget.of(None), mip_rel_gap=1e-9)


def test_depot_and_bases_plan_is_the_brute_force_and_meets_the_exact_model(
        tmp_path: Path) -> None:
    model = PlanningModel.build(load_scenario(_depot_and_bases(tmp_path)))
    assert model.n_parts == 1 and len(model.rows) == 1
    fed = _feed_plan(model, seed=5, settings=FeedSettings())
    assert fed.optimization.method == "enumeration"
    cost, _ = _brute_force(model, fed.model, SimulatedSource(model, seed=5,
                                                             settings=FeedSettings()))
    (chosen,) = fed.optimization.chosen
    assert chosen.cost == pytest.approx(cost, rel=1e-9)
    # the exact two-echelon fill rate of the plan (both bases, equal demand: the mean)
    depot, base_1, base_2 = (int(s) for s in chosen.stock)
    exact = two_echelon_exact(depot, np.array([base_1, base_2]),
                              np.full(2, BASE_RATE_PER_DAY), DEPOT_DAYS,
                              np.full(2, TRANSIT_DAYS))
    assert float(exact.base_fill_rate.mean()) >= model.targets[0]


def test_one_fsl_with_emergency_shipments_is_the_brute_force(tmp_path: Path) -> None:
    model = PlanningModel.build(load_scenario(_one_fsl_emergency(tmp_path)))
    fed = _feed_plan(model, seed=2)
    assert fed.optimization.method == "enumeration"
    source = SimulatedSource(model, seed=2, settings=SMALL_FEED)
    cost, _ = _brute_force(model, fed.model, source)
    assert sum(c.cost for c in fed.optimization.chosen) == pytest.approx(cost, rel=1e-9)
    # a column's cost is its holding cost plus the emergency shipments the feed simulated
    empty = source.evaluate(np.array([0, 1]), np.zeros((2, 2), dtype=np.int64))
    for column in [*fed.optimization.chosen, *empty.details]:
        service = column.service
        assert service.shipping_cost == pytest.approx(300.0 * service.emergency_per_year)
        assert column.cost == pytest.approx(service.holding_cost + service.shipping_cost)
    assert all(c.service.emergency_per_year > 0 for c in empty.details)


def test_lateral_bound_is_checked_against_brute_force(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "tiny-lateral"
    shutil.copytree(TINY, folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace('stockout_rule = "emergency"',
                                             'stockout_rule = "lateral"'))
    model = PlanningModel.build(load_scenario(folder))
    # column generation (not the enumeration path): every part's box (4^3) is priced by
    # enumeration, so the Lagrangian bound is valid for every stock vector
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    result = optimize(model, mip_rel_gap=1e-9, exhaustive_limit=0)
    assert result.method == "column_generation"
    assert result.bound_scope == "all_columns"
    optimum, _ = _brute_force(model, model, StockVectorSource(model))
    bound = result.solution.lower_bound
    cost = float(result.solution.objective)
    assert bound <= optimum * (1 + 1e-9)
    assert cost >= optimum * (1 - 1e-9)
    assert cost - bound <= result.solution.gap * max(abs(cost), 1e-9) * (1 + 1e-6) + 1e-6
