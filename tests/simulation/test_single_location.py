"""Simulation against closed forms at one location (Palm's theorem, Erlang loss).

References: Palm (1938) / Sherbrooke (2004) §2.3 for fill rate and EBO under (S-1, S);
Erlang loss B(S, m) for the lost-sales (emergency) case; Caggiano et al. (2007) for the
time-window fill rate with a deterministic lead time. Tolerance: 3 standard errors
across replications (plus a tiny absolute slack for zero-variance estimates).
"""

from __future__ import annotations

import numpy as np
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.evaluation.poisson import (
    erlang_loss,
    expected_backorders,
    fill_rate,
    fill_rate_within,
)
from spareplan.network import EMERGENCY
from spareplan.simulation import Estimate, simulate_network

REPLICATIONS, YEARS = 12, 15.0


def _agrees(simulated: Estimate, exact: float) -> None:
    assert simulated.replications == REPLICATIONS
    assert abs(simulated.mean - exact) <= 3 * simulated.std_error + 1e-3, (simulated, exact)


@pytest.mark.parametrize(("stock", "rate_per_day", "lead_days", "cv"),
                         [(0, 0.2, 10.0, 0.0), (3, 0.2, 10.0, 0.0), (2, 0.05, 30.0, 0.5)])
def test_palm_fill_rate_and_backorders(stock: int, rate_per_day: float, lead_days: float,
                                       cv: float) -> None:
    # central warehouse (procurement, deterministic) feeding one FSL with ample stock
    # would mix two echelons: use the FSL itself with a parent that never runs out.
    network = make_network([-1, 0], [0.0, lead_days], [1], lead_time_cv=[0.0, cv])
    parts = make_parts(np.array([[rate_per_day * 365.0]]), procurement_days=1.0)
    result = simulate_network(network, parts, np.array([[10_000, stock]]),
                              replications=REPLICATIONS, years=YEARS, warmup_years=0.5,
                              seed=1)
    mean = rate_per_day * lead_days
    _agrees(result.site_estimate("fill_rate_primary"), fill_rate(stock, mean))
    _agrees(result.location_estimate("expected_backorders", locations=[1]),
            expected_backorders(stock, mean))
    _agrees(result.location_estimate("average_on_hand", locations=[1]),
            stock - mean + expected_backorders(stock, mean))
    assert result.conservation_residual == 0


@pytest.mark.parametrize("window_hours", [0.0, 48.0, 120.0])
def test_time_window_fill_rate_deterministic_lead_time(window_hours: float) -> None:
    rate_per_day, lead_days, stock = 0.3, 8.0, 2
    network = make_network([-1], [0.0], [0])
    parts = make_parts(np.array([[rate_per_day * 365.0]]), procurement_days=lead_days)
    result = simulate_network(network, parts, np.array([[stock]]),
                              window_hours=np.array([window_hours]),
                              replications=REPLICATIONS, years=YEARS, seed=2)
    exact = fill_rate_within(stock, rate_per_day, lead_days, window_hours / 24.0)
    _agrees(result.site_estimate("fill_rate_within_window", sites=[0]), exact)
    # mean wait: E[W] = EBO / lambda (Little), in hours
    _agrees(result.site_estimate("mean_wait_hours"),
            expected_backorders(stock, rate_per_day * lead_days) / rate_per_day * 24.0)


@pytest.mark.parametrize("stock", [1, 3])
def test_emergency_shipments_follow_erlang_loss(stock: int) -> None:
    rate_per_day, lead_days = 0.2, 10.0
    network = make_network([-1, 0], [0.0, lead_days], [1], rule=EMERGENCY)
    parts = make_parts(np.array([[rate_per_day * 365.0]]), procurement_days=5.0)
    result = simulate_network(network, parts, np.array([[10_000, stock]]),
                              window_hours=np.array([1.0]), replications=REPLICATIONS,
                              years=YEARS, seed=3)
    loss = erlang_loss(stock, rate_per_day * lead_days)
    _agrees(result.site_estimate("emergency_fraction"), loss)
    _agrees(result.site_estimate("fill_rate_primary"), 1.0 - loss)
    # served from the FSL (0 h) within 1 h, emergencies (24 h) not
    _agrees(result.site_estimate("fill_rate_within_window"), 1.0 - loss)


def test_repairable_root_resupply_is_the_condemnation_mixture() -> None:
    rate_per_day, repair, procurement, condemned = 0.1, 20.0, 90.0, 0.25
    network = make_network([-1], [0.0], [0])
    parts = make_parts(np.array([[rate_per_day * 365.0]]), repairable=True,
                       repair_days=repair, procurement_days=procurement,
                       condemnation=condemned)
    result = simulate_network(network, parts, np.array([[5]]), replications=REPLICATIONS,
                              years=YEARS, seed=4)
    mean = rate_per_day * ((1 - condemned) * repair + condemned * procurement)
    _agrees(result.site_estimate("fill_rate_primary"), fill_rate(5, mean))


def test_compound_poisson_keeps_the_mean_and_lowers_the_fill_rate() -> None:
    rate = np.array([[0.1 * 365.0]])
    network = make_network([-1], [0.0], [0])
    base = make_parts(rate, procurement_days=20.0)
    lumpy = make_parts(rate, procurement_days=20.0, variance_to_mean=np.array([[3.0]]))
    plain = simulate_network(network, base, np.array([[3]]), replications=REPLICATIONS,
                             years=YEARS, seed=5)
    batchy = simulate_network(network, lumpy, np.array([[3]]), replications=REPLICATIONS,
                              years=YEARS, seed=5)
    _agrees(batchy.site_estimate("requests_per_year"), rate[0, 0])
    assert (batchy.site_estimate("fill_rate_primary").mean
            < plain.site_estimate("fill_rate_primary").mean)


def test_capacity_overflow_reruns_the_part_and_keeps_little() -> None:
    """Lumpy demand (variance-to-mean 40) with no stock outgrows the initial event heap and
    queue pool: the part is rerun from its seed with larger arrays, and at S = 0 the
    backorders still equal the pipeline lambda T (Little's law)."""
    rate_per_day, lead_days = 4.0, 60.0
    network = make_network([-1], [0.0], [0])
    parts = make_parts(np.array([[rate_per_day * 365.0]]), procurement_days=lead_days,
                       variance_to_mean=np.array([[40.0]]))
    result = simulate_network(network, parts, np.array([[0]]), replications=4, years=4.0,
                              seed=6)
    assert result.part_field("reruns").min() >= 1
    assert result.conservation_residual == 0
    backorders = result.location_estimate("expected_backorders")
    assert abs(backorders.mean - rate_per_day * lead_days) <= 3 * backorders.std_error
    again = simulate_network(network, parts, np.array([[0]]), replications=4, years=4.0,
                             seed=6)
    np.testing.assert_array_equal(result.location_parts, again.location_parts)
