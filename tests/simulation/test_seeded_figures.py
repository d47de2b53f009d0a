"""Seeded regression: recorded figures at fixed seeds, so a change of the random draws is
noticed on purpose.

The kernels promise a fixed order of random draws per part (their module docstring): same
seed, same figures, whatever the thread count or the layout of the code. The figures below
were recorded at commit e132007 (before the kernels were split into inlined helpers and
NamedTuples, issue 11) and are unchanged since.
If a change alters them on purpose (a new draw, another generator), record the new values
here and say so in the commit; ``benchmarks/simulation_identity.py`` compares every array.

Counts are exact; sums of real numbers (waits, time integrals) are compared to 1e-12
relative, enough to catch any change of the draws while allowing for another libm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.network import BACKORDER, EMERGENCY, LATERAL
from spareplan.scenario import load_scenario
from spareplan.simulation import EmpiricalDemand, simulate_network, simulate_plan

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"

# rule -> (requests, filled_primary, within_window, emergency, lateral), wait hours,
# backorder unit-days, on-hand unit-days, location demand, demand units, events
RECORDED = {
    BACKORDER: ((454, 138, 138, 0, 0), 127738.65293613327, 12073.535731320362,
                17513.24695434615, 908, 595, 1707),
    EMERGENCY: ((531, 198, 198, 333, 0), 147951.47325528928, 8037.293815679499,
                17341.525378340826, 729, 697, 1554),
    LATERAL: ((531, 198, 280, 189, 144), 93816.32780624487, 8037.293815679499,
              14400.050046344873, 873, 697, 1738),
}


@pytest.mark.parametrize("rule", [BACKORDER, EMERGENCY, LATERAL])
def test_three_level_network_figures_are_the_recorded_ones(rule: int) -> None:
    """A central warehouse and three FSLs, two sites, three parts (repairable with
    condemnation, gamma transit, compound demand, one empirical history): every kind of
    draw of the kernel."""
    network = make_network([-1, 0, 0, 0], [0.0, 4.0, 6.0, 3.0], [1, 3],
                           response_hours=np.array([[30.0, 2.0, 6.0, np.inf],
                                                    [30.0, np.inf, 3.0, 2.0]]),
                           lead_time_cv=[0.0, 0.3, 0.0, 0.5], rule=rule)
    parts = make_parts(np.array([[20.0, 12.0], [3.0, 1.0], [0.5, 0.8]]),
                       repairable=[True, False, True], repair_days=[15.0, 0.0, 30.0],
                       procurement_days=[60.0, 20.0, 90.0], condemnation=[0.3, 1.0, 0.1],
                       variance_to_mean=np.array([[1.0, 2.5], [1.0, 1.0], [4.0, 1.0]]))
    history = EmpiricalDemand.from_series(3, 2, {(1, 1): np.array([0, 0, 2, 1, 0, 3.5])},
                                          period_days=30.0)
    result = simulate_network(network, parts, np.array([[2, 1, 1, 0], [0, 0, 1, 1],
                                                        [1, 0, 0, 1]]),
                              window_hours=np.array([4.0, 8.0]), replications=3, years=3.0,
                              seed=7, empirical=history)
    counts, wait, backorder, on_hand, demand, units, events = RECORDED[rule]
    fields = ("requests", "filled_primary", "within_window", "emergency", "lateral")
    assert tuple(int(result.site_field(f).sum()) for f in fields) == counts
    assert result.site_field("wait_hours").sum() == pytest.approx(wait, rel=1e-12)
    assert result.location_field("backorder_days").sum() == pytest.approx(backorder, rel=1e-12)
    assert result.location_field("on_hand_days").sum() == pytest.approx(on_hand, rel=1e-12)
    assert int(result.location_field("demand").sum()) == demand
    assert int(result.part_field("demand_units").sum()) == units
    assert int(result.part_field("events").sum()) == events
    assert result.conservation_residual == 0


def test_tiny_verification_is_the_recorded_one() -> None:
    result = simulate_plan(load_scenario(TINY), replications=4, years=2.0, seed=3)
    np.testing.assert_allclose(result.rows["value"],
                               [1.0, 0.830477461770368, 0.9921966567398346], rtol=1e-12)
    np.testing.assert_allclose(result.rows["std_error"],
                               [0.0, 0.03427860037764288, 0.002533346772993594], rtol=1e-12)
