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
from spareplan.simulation import _kernels as k
from spareplan.simulation.engine import simulate_network

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
    np.testing.assert_array_equal(low.site_totals[..., k.SITE_REQUESTS],
                                  high.site_totals[..., k.SITE_REQUESTS])
    assert np.all(high.site_totals[..., k.SITE_WITHIN_WINDOW]
                  >= low.site_totals[..., k.SITE_WITHIN_WINDOW])
    assert np.all(high.site_totals[..., k.SITE_WAIT_HOURS]
                  <= low.site_totals[..., k.SITE_WAIT_HOURS] + 1e-6)
    low_bo = low.location_parts[0, :, :, k.LOCATION_BACKORDER_DAYS].sum()
    high_bo = high.location_parts[0, :, :, k.LOCATION_BACKORDER_DAYS].sum()
    assert high_bo <= low_bo + 1e-6


@settings(max_examples=25, deadline=None)
@given(stock=stock_vectors, rates=rate_vectors, seed=st.integers(0, 2**31),
       rule=st.sampled_from([BACKORDER, EMERGENCY]))
def test_probabilities_in_unit_interval(stock: list[int], rates: list[float], seed: int,
                                        rule: int) -> None:
    result = _run(stock, rates, seed, rule)
    totals = result.site_totals
    requests = totals[..., k.SITE_REQUESTS]
    for field in (k.SITE_FILLED_PRIMARY, k.SITE_WITHIN_WINDOW, k.SITE_EMERGENCY):
        assert np.all(totals[..., field] >= 0) and np.all(totals[..., field] <= requests)
    assert result.part_out[..., k.PART_CONSERVATION].max() == 0
    assert np.all(result.location_parts >= 0)
