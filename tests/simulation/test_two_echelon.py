"""Depot + bases: METRIC understates base backorders; the simulation matches the exact result.

Exact two-echelon result for Poisson demand and deterministic transit (Graves 1985;
Axsäter 1990): base outstanding orders = binomial thinning of the depot backorders plus
the transit demand.
"""

from __future__ import annotations

import numpy as np
from simulation_helpers import make_network, make_parts

from spareplan.evaluation.poisson import expected_backorders
from spareplan.evaluation.two_echelon_exact import metric_two_echelon, two_echelon_exact
from spareplan.evaluation.varimetric import (
    negative_binomial_backorders,
    varimetric_two_echelon,
)
from spareplan.simulation import simulate_network

RATE = np.array([0.05, 0.05])  # per day at each base
DEPOT_DAYS, TRANSIT, DEPOT_STOCK, BASE_STOCK = 60.0, np.array([5.0, 5.0]), 3, np.array([2, 2])


def test_metric_underestimates_and_simulation_matches_exact() -> None:
    exact = two_echelon_exact(DEPOT_STOCK, BASE_STOCK, RATE, DEPOT_DAYS, TRANSIT)
    metric = metric_two_echelon(DEPOT_STOCK, BASE_STOCK, RATE, DEPOT_DAYS, TRANSIT)
    vari = varimetric_two_echelon(DEPOT_STOCK, BASE_STOCK, RATE, DEPOT_DAYS, TRANSIT)
    assert np.all(metric.base_backorders < exact.base_backorders - 0.05)
    # VARI-METRIC has the exact two moments, so it is much closer than METRIC
    np.testing.assert_allclose(vari.base_pipeline_mean, exact.base_pipeline_mean, rtol=1e-9)
    np.testing.assert_allclose(vari.base_pipeline_variance, exact.base_pipeline_variance,
                               rtol=1e-9)
    assert np.all(np.abs(vari.base_backorders - exact.base_backorders)
                  < np.abs(metric.base_backorders - exact.base_backorders))

    years, replications = 40.0, 16
    network = make_network([-1, 0, 0], [0.0, *TRANSIT], [1, 2])
    parts = make_parts(np.array([RATE * 365.0]), procurement_days=DEPOT_DAYS)
    result = simulate_network(network, parts, np.array([[DEPOT_STOCK, *BASE_STOCK]]),
                              replications=replications, years=years, seed=11)
    # both bases pooled: one estimate per replication
    bases = result.location_estimate("expected_backorders", locations=[1, 2])
    assert bases.replications == replications
    assert abs(bases.mean - exact.base_backorders.sum()) <= 3 * bases.std_error
    # METRIC's underestimate is visible
    assert bases.mean - metric.base_backorders.sum() > 3 * bases.std_error
    depot = result.location_estimate("expected_backorders", locations=[0])
    assert abs(depot.mean - exact.depot_backorders) <= 3 * depot.std_error
    fill = result.site_estimate("fill_rate_primary")
    assert abs(fill.mean - exact.base_fill_rate.mean()) <= 3 * fill.std_error


def test_exact_reduces_to_palm_when_the_depot_never_runs_out() -> None:
    exact = two_echelon_exact(200, BASE_STOCK, RATE, DEPOT_DAYS, TRANSIT)
    for i in range(2):
        assert abs(exact.base_backorders[i]
                   - expected_backorders(int(BASE_STOCK[i]), RATE[i] * TRANSIT[i])) < 1e-9


def test_negative_binomial_reduces_to_poisson() -> None:
    assert abs(negative_binomial_backorders(2, 1.5, 1.5) - expected_backorders(2, 1.5)) < 1e-12
    assert negative_binomial_backorders(2, 1.5, 4.0) > expected_backorders(2, 1.5)
