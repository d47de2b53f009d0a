"""Seeded regression: recorded figures at fixed seeds, so a change of the random draws is
noticed on purpose.

The kernels promise a fixed order of random draws per part (their module docstring): same
seed, same figures, whatever the thread count or the layout of the code. The figures below
were recorded when the service draws (transit, condemnation) moved to the keyed generator
(issue 12: common random numbers under every rule); the split of the kernels into inlined
helpers (issue 11) had kept the figures of e132007 bit for bit. Demand no longer depends on
the rule: the three rules see the same 451 requests.
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
    BACKORDER: ((451, 150, 150, 0, 0), 107084.01147259903, 10566.14333504474,
                17771.450190119278, 902, 602, 1740),
    EMERGENCY: ((451, 186, 186, 265, 0), 108900.83512975909, 6141.207796001207,
                18397.71056311771, 637, 602, 1390),
    LATERAL: ((451, 186, 266, 138, 127), 66547.3589040148, 6141.207796001207,
              16000.256426891807, 764, 602, 1553),
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
    np.testing.assert_allclose(result.rows["simulated"],
                               [1.0, 0.8331372549019607, 0.9910337591753792], rtol=1e-12)
    np.testing.assert_allclose(result.rows["std_error"],
                               [0.0, 0.027367520185283278, 0.0029567195319327574], rtol=1e-12)
