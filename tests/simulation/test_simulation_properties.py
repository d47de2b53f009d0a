"""Hypothesis properties: service non-decreasing in stock (common random numbers) and
probabilities in [0, 1].

Under complete backordering with deterministic transit the random draws of a run do not
depend on the stock levels (transit times are drawn when an order is placed), so the same
seed gives the same demand path and one more unit anywhere can only fill requests earlier.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from simulation_helpers import make_network, make_parts

from spareplan.network import BACKORDER, EMERGENCY
from spareplan.simulation import simulate_network

NETWORK = make_network([-1, 0, 0], [0.0, 4.0, 7.0], [1, 2, 1],
                       response_hours=np.array([[30.0, 2.0, np.inf], [30.0, np.inf, 3.0],
                                                [30.0, 6.0, np.inf]]))
WINDOWS = np.array([4.0, 4.0, 48.0])


def _run(stock: list[int], rates: list[float], seed: int, rule: int = BACKORDER):  # type: ignore[no-untyped-def]
    network = NETWORK if rule == BACKORDER else make_network(
        [-1, 0, 0], [0.0, 4.0, 7.0], [1, 2, 1], response_hours=NETWORK.response_hours,
        rule=rule)
    parts = make_parts(np.array([rates]), procurement_days=30.0)
    return simulate_network(network, parts, np.array([stock]), window_hours=WINDOWS,
                            replications=2, years=1.0, warmup_years=0.2, seed=seed)


stock_vectors = st.lists(st.integers(0, 3), min_size=3, max_size=3)
rate_vectors = st.lists(st.floats(0.0, 40.0), min_size=3, max_size=3)


@settings(max_examples=25, deadline=None)
@given(stock=stock_vectors, rates=rate_vectors, where=st.integers(0, 2),
       seed=st.integers(0, 2**31))
def test_service_non_decreasing_in_stock(stock: list[int], rates: list[float], where: int,
                                         seed: int) -> None:
    more = list(stock)
    more[where] += 1
    low, high = _run(stock, rates, seed), _run(more, rates, seed)
    np.testing.assert_array_equal(low.site_field("requests"), high.site_field("requests"))
    assert np.all(high.site_field("within_window") >= low.site_field("within_window"))
    assert np.all(high.site_field("wait_hours") <= low.site_field("wait_hours") + 1e-6)
    low_bo = low.location_field("backorder_days").sum()
    high_bo = high.location_field("backorder_days").sum()
    assert high_bo <= low_bo + 1e-6


@settings(max_examples=25, deadline=None)
@given(stock=stock_vectors, rates=rate_vectors, seed=st.integers(0, 2**31),
       rule=st.sampled_from([BACKORDER, EMERGENCY]))
def test_probabilities_in_unit_interval(stock: list[int], rates: list[float], seed: int,
                                        rule: int) -> None:
    result = _run(stock, rates, seed, rule)
    requests = result.site_field("requests")
    for field in ("filled_primary", "within_window", "emergency"):
        counts = result.site_field(field)
        assert np.all(counts >= 0) and np.all(counts <= requests)
    for figure in ("fill_rate_primary", "fill_rate_within_window", "emergency_fraction"):
        values = result.site_figure(figure)
        finite = values[np.isfinite(values)]
        assert np.all((finite >= 0) & (finite <= 1))
    assert result.conservation_residual == 0
    assert np.all(result.location_parts >= 0)
