"""Willemain, Smart & Schwarz (2004) bootstrap of lead-time demand."""

from __future__ import annotations

import numpy as np
import pytest
from demand_helpers import history
from scipy import stats

from spareplan.demand.intermittent import bootstrap_lead_time_demand

Y = [0, 3, 0, 0, 5, 1, 0, 0, 0, 2, 0, 4]


def test_reproducible_with_seed_and_different_with_another() -> None:
    a = bootstrap_lead_time_demand(history(Y), horizon=3, n_draws=400, seed=7)
    b = bootstrap_lead_time_demand(history(Y), horizon=3, n_draws=400, seed=7)
    c = bootstrap_lead_time_demand(history(Y), horizon=3, n_draws=400, seed=8)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    gen = bootstrap_lead_time_demand(history(Y), horizon=3, n_draws=400,
                                     seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a.draws, gen.draws)


def test_distribution_sums_to_one_and_is_non_negative() -> None:
    ltd = bootstrap_lead_time_demand(history(Y, [0] * 12), horizon=2, n_draws=300, seed=1)
    pmf = ltd.pmf()
    np.testing.assert_allclose(pmf.sum(axis=1), 1.0)
    assert (pmf >= 0).all()
    np.testing.assert_allclose(ltd.pmf(max_units=3).sum(axis=1), 1.0)  # tail in last bin
    assert pmf[1, 0] == 1.0  # no demand in the history: no demand ahead
    frame = ltd.to_frame()
    assert list(frame.columns) == ["part", "site", "horizon", "mean", "variance", "q50",
                                   "q90", "q95"]
    assert (frame["q95"] >= frame["q50"]).all()


def test_markov_chain_and_jitter_properties() -> None:
    # Demand every period: P(1|1) = 1, every period of the horizon has demand, and a
    # jittered size is >= 1 (X* = 1 + INT(X + Z sqrt(X)), or X when that is <= 0).
    ltd = bootstrap_lead_time_demand(history([2, 2, 2, 2, 2, 2]), horizon=4, n_draws=2000,
                                     seed=3)
    assert ltd.draws.min() >= 4
    # E[X*] for X = 2, from the normal cdf: sum over m = floor(2 + Z sqrt 2)
    m = np.arange(-20, 30)
    p_m = stats.norm.cdf((m + 1 - 2) / np.sqrt(2)) - stats.norm.cdf((m - 2) / np.sqrt(2))
    expected = float(np.where(m >= 0, 1 + m, 2) @ p_m)  # about 2.7: the jitter's upward bias
    assert ltd.draws.mean() / 4 == pytest.approx(expected, abs=0.05)
