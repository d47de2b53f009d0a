"""Contract penalties traded against holding cost (issue 13).

**Newsvendor.** One location, Poisson demand, a deterministic lead time L and complete
backordering: the time-average cost of base stock S is the newsvendor cost
g(S) = h E[(S - X)^+] + p E[(X - S)^+] with X ~ Poisson(lambda L) (Snyder & Shen,
*Fundamentals of Supply Chain Theory*, 2nd ed. 2019, ch. 4; the base-stock/newsvendor
equivalence of §4.3). spareplan charges holding on the stock S itself and a penalty P per
downtime hour; downtime waiting for the part is 8760 EBO(S) machine-hours a year, and
S = E(S - X)^+ - E(X - S)^+ + lambda L, so with P = (p + h) / 8760 its yearly objective is

    h S + P 8760 EBO(S) = g(S) + h lambda L,

the newsvendor cost plus the holding of the units in resupply. Two textbook examples:

- Example 4.7: lambda L = 6, h = 1, p = 4 -> S* = 8, g(S*) = 3.5701069457709416
  (and g(5) = 6.590296024616343);
- Example 4.1 with Poisson demand: lambda L = 50, h = 0.18, p = 0.70 -> S* = 56,
  g(S*) = 1.797235211809178

(values as stockpyl's doctests of ``newsvendor_discrete`` / ``newsvendor_poisson`` give
them for the book's examples).

**Penalties in a network.** On a depot + 5 bases case the plan equals brute force over every
stock vector of yearly cost + expected penalties.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from single_part_cases import every_column, load_model, write_depot_bases, write_scenario

from spareplan import load_scenario, plan
from spareplan.planning.feed import FeedSettings
from spareplan.planning.model import PlanningModel
from spareplan.planning.optimize import optimize

HOURS_PER_YEAR = 8760.0


def _newsvendor(folder: Path, *, mean: float, holding: float, shortage: float) -> Path:
    """One central location serving one site; lambda = ``mean`` per year, L = 1 year."""
    penalty = (shortage + holding) / HOURS_PER_YEAR
    return write_scenario(folder, name="newsvendor", tables={
        "locations": "location,kind,parent,lead_time_days\nC,central,,\n",
        "parts": "part,unit_cost,kind,procurement_lead_time_days\nP1,1,consumable,365\n",
        "sites": "site,sla_class,primary_location\nS1,contract,C\n",
        "reach": "site,location,response_hours\nS1,C,0\n",
        "installed_base": "site,machine_type,machines\nS1,m,1\n",
        "failure_rates": f"machine_type,part,failures_per_machine_year\nm,P1,{mean!r}\n",
    }, settings=f"""[costs]
holding_rate_per_year = {holding!r}
[policy]
stockout_rule = "backorder"
max_stock_per_location = 90
[sla_classes.contract]
uptime = {{ target = 0.0, penalty_per_downtime_hour = {penalty!r} }}
""")


@pytest.mark.parametrize(("mean", "holding", "shortage", "stock", "cost", "other"), [
    (6.0, 1.0, 4.0, 8, 3.5701069457709416, (5, 6.590296024616343)),   # Example 4.7
    (50.0, 0.18, 0.70, 56, 1.797235211809178, None),                    # Example 4.1
])
def test_newsvendor_textbook_examples(tmp_path: Path, mean: float, holding: float,
                                      shortage: float, stock: int, cost: float,
                                      other: tuple[int, float] | None) -> None:
    scenario = load_scenario(_newsvendor(tmp_path / "nv", mean=mean, holding=holding,
                                         shortage=shortage))
    result = plan(scenario, service_model="analytic", verify=False)
    assert int(result.recommendations["stock"].sum()) == stock
    pipeline_holding = holding * mean
    # summary.json rounds the objective to 6 decimals
    assert result.summary["objective"] - pipeline_holding == pytest.approx(cost, abs=2e-6)
    assert result.summary["penalty_cost"] > 0
    if other is not None:  # the cost of another base stock, from the model's objective
        model = PlanningModel.build(scenario)
        column = model.column(0, np.array([other[0]]))
        value = model.objective(np.array([0]), np.array([column.service.holding_cost]),
                                np.array([column.service.shipping_cost]),
                                column.coefficients[None, :])[0]
        assert value - pipeline_holding == pytest.approx(other[1], rel=1e-9)


@pytest.mark.parametrize("kind", ["uptime", "fill"])
def test_network_plan_with_penalties_equals_brute_force(tmp_path: Path, kind: str) -> None:
    penalty = 2.0 if kind == "uptime" else 900.0
    model = load_model(write_depot_bases(tmp_path / "case", kind=kind, target=0.0,
                                         penalty=penalty))
    stock, cost, activity = every_column(model)
    parts = np.zeros(len(stock), dtype=np.int64)
    services = model.service.evaluate_many(parts, stock)
    objective = model.objective(parts, np.array([s.holding_cost for s in services]),
                                np.array([s.shipping_cost for s in services]), activity)
    best = int(np.argmin(objective))
    # the penalty matters: the cheapest stock is not the least-cost-and-penalty one
    assert cost[best] > cost.min()
    result = optimize(model)
    assert result.solution.objective == pytest.approx(objective[best], rel=1e-9)
    found = result.chosen[0]
    assert objective[np.all(stock == found.stock, axis=1)][0] == pytest.approx(
        objective[best], rel=1e-9)


def test_penalties_with_the_simulation_feed_are_reported(tmp_path: Path) -> None:
    scenario = load_scenario(_newsvendor(tmp_path / "nv", mean=6.0, holding=1.0,
                                         shortage=4.0))
    result = plan(scenario, feed=FeedSettings(replications=8, years=3.0), replications=4,
                  years=3.0, seed=2)
    summary = result.summary
    assert summary["service_model"] == "simulation"
    assert summary["penalty_cost"] > 0 and summary["simulated_penalty_cost"] > 0
    # the simulated plan stays near the newsvendor optimum
    assert 6 <= int(result.recommendations["stock"].sum()) <= 10
