"""simulate_jobs: the figures of simulate_network on the same seeds, compactly; common
random numbers across the stock vectors of a part."""

from __future__ import annotations

import numpy as np
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.errors import ParameterError
from spareplan.network import BACKORDER, EMERGENCY, LATERAL
from spareplan.simulation import part_seeds, simulate_jobs, simulate_network

WINDOWS = np.array([4.0, 8.0, 24.0])
FIGURES = ("requests", "within_window", "wait_hours")


def _network(rule: int, cv: float = 0.3):  # type: ignore[no-untyped-def]
    return make_network([-1, 0, 0, 0], [0.0, 4.0, 6.0, 3.0], [1, 3, 2],
                        response_hours=np.array([[30.0, 2.0, 6.0, np.inf],
                                                 [30.0, np.inf, 3.0, 2.0],
                                                 [30.0, 5.0, 1.0, np.inf]]),
                        lead_time_cv=[0.0, cv, 0.0, cv], rule=rule)


def _parts():  # type: ignore[no-untyped-def]
    # part 1 has no demand at site 2, part 2 none at site 0: fewer entries for them
    return make_parts(np.array([[20.0, 12.0, 5.0], [3.0, 1.0, 0.0], [0.0, 0.8, 2.0]]),
                      repairable=[True, False, True], repair_days=[15.0, 0.0, 30.0],
                      procurement_days=[60.0, 20.0, 90.0], condemnation=[0.3, 1.0, 0.1],
                      variance_to_mean=np.array([[1.0, 2.5, 1.0], [1.0, 1.0, 1.0],
                                                 [4.0, 1.0, 1.0]]))


JOB_PART = np.array([0, 0, 2, 1, 0, 2])
JOB_STOCK = np.array([[2, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 1], [5, 3, 3, 3],
                      [0, 1, 1, 0]])


@pytest.mark.parametrize("rule", [BACKORDER, EMERGENCY, LATERAL])
def test_jobs_are_simulate_network_on_the_same_seeds(rule: int) -> None:
    network, parts = _network(rule), _parts()
    jobs = simulate_jobs(network, parts, JOB_PART, JOB_STOCK, window_hours=WINDOWS,
                         replications=3, years=2.0, seed=11, stream=4, chunk_size=4)
    reference = simulate_network(network, parts.subset(JOB_PART), JOB_STOCK,
                                 window_hours=WINDOWS, replications=3, years=2.0,
                                 seeds=part_seeds(11, parts.n_parts, 4)[JOB_PART])
    demand = parts.demand_rate[JOB_PART] > 0
    np.testing.assert_array_equal(np.diff(jobs.indptr), demand.sum(axis=1))
    np.testing.assert_array_equal(jobs.site, np.nonzero(demand)[1])
    job, site = np.nonzero(demand)
    for name in FIGURES:
        expected = reference.site_field(name, per_part=True)[job, :, site]  # (M, R)
        np.testing.assert_array_equal(getattr(jobs, f"{name}_by_replication"), expected)
        np.testing.assert_array_equal(getattr(jobs, name), expected.sum(axis=1))
        # the sites left out have no requests at all
        np.testing.assert_array_equal(jobs.dense(f"{name}_by_replication"),
                                      reference.site_field(name, per_part=True))
    assert jobs.conservation_residual == 0
    for j in range(jobs.n_jobs):
        np.testing.assert_array_equal(jobs.site[jobs.entries(j)], np.nonzero(demand[j])[0])


def test_stream_zero_with_one_job_per_part_is_the_verification_run() -> None:
    network, parts = _network(EMERGENCY), _parts()
    stock = JOB_STOCK[:3]
    jobs = simulate_jobs(network, parts, np.arange(3), stock, window_hours=WINDOWS,
                         replications=2, years=1.0, seed=5, stream=0)
    plain = simulate_network(network, parts, stock, window_hours=WINDOWS, replications=2,
                             years=1.0, seed=5)
    np.testing.assert_array_equal(jobs.dense("within_window"),
                                  plain.site_field("within_window", per_part=True).sum(axis=1))


@pytest.mark.parametrize("rule", [BACKORDER, EMERGENCY, LATERAL])
@pytest.mark.parametrize("cv", [0.0, 0.3])
def test_common_random_numbers_same_demand_for_every_stock_vector(rule: int,
                                                                  cv: float) -> None:
    """Random transit and condemnation under every rule: the location that reorders
    depends on the stock, but its draws are keyed by the demand unit and the location, so
    the demand paths never part ways."""
    network = _network(rule, cv)
    parts = make_parts(np.array([[20.0, 12.0, 5.0]]), repairable=True, repair_days=15.0,
                       condemnation=0.3, variance_to_mean=np.array([[1.0, 2.5, 1.0]]))
    stocks = np.array([[0, 0, 0, 0], [1, 1, 0, 2], [4, 2, 2, 2]])
    jobs = simulate_jobs(network, parts, np.zeros(3, dtype=np.int64), stocks,
                         window_hours=WINDOWS, replications=4, years=2.0, seed=3)
    requests = jobs.dense("requests_by_replication")
    assert requests.sum() > 0
    np.testing.assert_array_equal(requests[0], requests[1])
    np.testing.assert_array_equal(requests[0], requests[2])
    # same demand, more stock: more requests within the window, less waiting
    within, wait = jobs.dense("within_window"), jobs.dense("wait_hours")
    assert within[2].sum() > within[0].sum()
    assert wait[2].sum() < wait[0].sum()


def test_same_order_same_transit_whatever_the_stock() -> None:
    """Under complete backordering with stock only at the root, every unit's order into
    its FSL is the same order in both runs: one more unit at the root changes waits, not
    the transit times, so each wait can only shrink."""
    network = _network(BACKORDER, 0.5)
    parts = make_parts(np.array([[20.0, 12.0, 5.0]]), repairable=True, repair_days=15.0,
                       condemnation=0.3)
    jobs = simulate_jobs(network, parts, np.zeros(2, dtype=np.int64),
                         np.array([[3, 0, 0, 0], [4, 0, 0, 0]]), replications=4,
                         years=2.0, seed=3)
    wait = jobs.dense("wait_hours_by_replication")
    assert wait.sum() > 0
    assert np.all(wait[1] <= wait[0] + 1e-9)


def test_bad_jobs_name_the_parameter() -> None:
    network, parts = _network(BACKORDER), _parts()
    with pytest.raises(ParameterError, match=r"job_part.*0\.\.2.*\[3\]"):
        simulate_jobs(network, parts, np.array([0, 3]), JOB_STOCK[:2], replications=2)
    with pytest.raises(ParameterError, match=r"job_stock.*\(jobs, locations\) = \(2, 4\)"):
        simulate_jobs(network, parts, np.array([0, 1]), JOB_STOCK[:3], replications=2)
    with pytest.raises(ParameterError, match=r"job_stock.*integers >= 0"):
        simulate_jobs(network, parts, np.array([0]), -JOB_STOCK[:1] - 1, replications=2)
    with pytest.raises(ParameterError, match="figure"):
        simulate_jobs(network, parts, np.array([0]), JOB_STOCK[:1], replications=2,
                      years=0.5).dense("fill_rate")


def test_no_jobs() -> None:
    network, parts = _network(BACKORDER), _parts()
    jobs = simulate_jobs(network, parts, np.zeros(0, dtype=np.int64),
                         np.zeros((0, 4), dtype=np.int64), replications=2, years=0.5)
    assert jobs.n_jobs == 0 and jobs.site.size == 0
    assert jobs.requests_by_replication.shape == (0, 2)
