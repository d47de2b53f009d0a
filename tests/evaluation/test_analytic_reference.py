"""Analytic layer against published and closed-form values.

References
----------
- Sherbrooke, C. C. (2004). *Optimal Inventory Modeling of Systems*, 2nd ed., Springer,
  ch. 2: with Poisson demand and mean pipeline m, EBO(s) = sum_{x>s} (x - s) p(x); for
  m = 1 the table gives EBO(0..3) = 1.0000, 0.3679, 0.1036, 0.0233.
- Erlang loss tables (e.g. Kleinrock 1975, *Queueing Systems I*, §3.7): B(5 servers,
  3 Erlang) = 0.1101, B(2, 1) = 0.2000.
- Sherbrooke, C. C. (1968). METRIC: a multi-echelon technique for recoverable item
  control. *Operations Research* 16(1): base resupply time = transit + depot EBO /
  depot demand rate; base pipeline Poisson with that mean.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from spareplan.evaluation.metric import evaluate_stock
from spareplan.evaluation.poisson import (
    erlang_loss,
    expected_backorders,
    fill_rate,
    fill_rate_within,
    poisson_cdf,
)


@pytest.mark.parametrize(("stock", "published"), [(0, 1.0), (1, 0.3679), (2, 0.1036),
                                                  (3, 0.0233)])
def test_ebo_matches_sherbrooke_table_for_mean_one(stock: int, published: float) -> None:
    assert expected_backorders(stock, 1.0) == pytest.approx(published, abs=5e-5)


@pytest.mark.parametrize("mean", [0.05, 0.7, 2.0, 8.5])
@pytest.mark.parametrize("stock", [0, 1, 3, 10])
def test_ebo_and_fill_rate_against_scipy(mean: float, stock: int) -> None:
    x = np.arange(0, 200)
    pmf = stats.poisson.pmf(x, mean)
    assert expected_backorders(stock, mean) == pytest.approx(
        float(np.sum(np.maximum(x - stock, 0) * pmf)), rel=1e-9, abs=1e-12)
    assert fill_rate(stock, mean) == pytest.approx(float(stats.poisson.cdf(stock - 1, mean)),
                                                   abs=1e-12)
    assert poisson_cdf(stock, mean) == pytest.approx(float(stats.poisson.cdf(stock, mean)),
                                                     abs=1e-12)


@pytest.mark.parametrize(("servers", "load", "published"), [(5, 3.0, 0.1101), (2, 1.0, 0.2),
                                                            (1, 1.0, 0.5), (0, 2.0, 1.0)])
def test_erlang_loss_matches_tables(servers: int, load: float, published: float) -> None:
    assert erlang_loss(servers, load) == pytest.approx(published, abs=5e-5)


def test_time_window_fill_rate_closed_form() -> None:
    # Deterministic lead time 10 days, 0.3/day: filled within 2 days iff at most S-1
    # demands in the last 8 days (Caggiano et al. 2007, single location).
    assert fill_rate_within(2, 0.3, 10.0, 2.0) == pytest.approx(
        float(stats.poisson.cdf(1, 0.3 * 8.0)))
    assert fill_rate_within(0, 0.3, 10.0, 12.0) == 1.0
    assert fill_rate_within(3, 0.3, 10.0, 0.0) == pytest.approx(fill_rate(3, 3.0))


def _depot_two_bases(rule: int, stock: np.ndarray) -> tuple[np.ndarray, ...]:
    parent = np.array([-1, 0, 0], dtype=np.int64)
    lead = np.array([0.0, 5.0, 5.0])
    holding = np.full(3, 0.2)
    is_leaf = np.array([False, True, True])
    site_primary = np.array([1, 2], dtype=np.int64)
    response = np.array([[24.0, 2.0, np.inf], [24.0, np.inf, 2.0]])
    window = np.array([4.0, 4.0])
    within, wait, fill = np.empty(2), np.empty(2), np.empty(3)
    rate = np.array([0.05 * 365, 0.05 * 365])  # 0.05 per day at each base
    costs = evaluate_stock(stock.astype(np.int64), parent, lead, holding, is_leaf,
                           site_primary, response, window, rule, 48.0,
                           np.zeros(3, dtype=np.int64), np.zeros(0, dtype=np.int64), 100.0,
                           60.0, rate, within, wait, fill)
    return costs, within, wait, fill


def test_metric_depot_base_relations() -> None:
    depot_stock, base_stock = 3, 2
    costs, _within, wait, fill = _depot_two_bases(0, np.array([depot_stock, base_stock,
                                                              base_stock]))
    depot_rate, base_rate = 0.1, 0.05
    depot_ebo = expected_backorders(depot_stock, depot_rate * 60.0)
    resupply = 5.0 + depot_ebo / depot_rate  # METRIC: transit + depot delay
    assert fill[0] == pytest.approx(float(stats.poisson.cdf(depot_stock - 1, 6.0)))
    assert fill[1] == pytest.approx(float(stats.poisson.cdf(base_stock - 1,
                                                            base_rate * resupply)))
    base_ebo = expected_backorders(base_stock, base_rate * resupply)
    assert wait[0] == pytest.approx(2.0 + 24.0 * base_ebo / base_rate)
    assert costs[0] == pytest.approx(100.0 * 0.2 * (depot_stock + 2 * base_stock))
    assert costs[1] == 0.0


def test_emergency_rule_uses_erlang_loss_at_the_base() -> None:
    costs, within, wait, fill = _depot_two_bases(1, np.array([3, 2, 2]))
    depot_ebo = expected_backorders(3, 6.0)
    resupply = 5.0 + depot_ebo / 0.1
    availability = 1.0 - erlang_loss(2, 0.05 * resupply)
    assert fill[1] == pytest.approx(availability)
    depot_fill = float(stats.poisson.cdf(2, 6.0))
    # In stock at the base: 2 h (within 4 h); else the depot ships in 24 h (not within 4 h).
    assert within[0] == pytest.approx(availability)
    emergency_share = (1 - availability)
    expected_wait = availability * 2.0 + emergency_share * depot_fill * 24.0
    assert wait[0] > expected_wait - 1e-9  # plus the wait when the depot is also out
    assert costs[1] == pytest.approx(2 * 0.05 * 365 * emergency_share)
    assert math.isfinite(wait[0])
