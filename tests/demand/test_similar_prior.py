"""The prior of new and sparse series from similar series (empirical Bayes by group)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from demand_helpers import history

from spareplan.demand.backtest import backtest
from spareplan.demand.intermittent import rates_from_history
from spareplan.demand.similar import gamma_prior_by_group


def test_buhlmann_straub_by_hand() -> None:
    # Four Poisson series (phi = 1) of 10 periods with totals 0, 2, 4, 10 and one of
    # 20 periods with total 8 (weights w = n / phi = 10, 10, 10, 10, 20; W = 60).
    # M = sum w r / W = (0 + 2 + 4 + 10 + 8) / 60 = 0.4.
    # sum w (r - M)^2 = 10 (0.16 + 0.04 + 0 + 0.36) + 20 * 0 = 5.6; (K - 1) M = 1.6;
    # W - sum w^2 / W = 60 - 800 / 60 = 46.667: tau^2 = 4.0 / 46.667 = 0.085714,
    # k = M / tau^2 = 4.6667 periods.
    totals = np.array([0.0, 2.0, 4.0, 10.0, 8.0])
    exposure = np.array([10.0, 10.0, 10.0, 10.0, 20.0])
    mean, weight = gamma_prior_by_group(totals, exposure, np.ones(5), np.zeros(5, int),
                                        np.zeros(5, int), max_weight=1e6)
    assert mean == pytest.approx(np.full(5, 0.4))
    assert weight == pytest.approx(np.full(5, 0.4 / (4.0 / (60 - 800 / 60))))


def test_estimates_the_gamma_prior_it_was_drawn_from() -> None:
    # lambda ~ Gamma(shape 2, scale 0.25): mean 0.5, variance 0.125, so the prior is worth
    # k = b = mean / variance = 4 periods; 20,000 series of 24 Poisson periods.
    rng = np.random.default_rng(11)
    rate = rng.gamma(2.0, 0.25, 20_000)
    totals = rng.poisson(rate * 24).astype(float)
    mean, weight = gamma_prior_by_group(totals, np.full(rate.size, 24.0), np.ones(rate.size),
                                        np.zeros(rate.size, int), np.zeros(rate.size, int),
                                        max_weight=1e6)
    assert mean[0] == pytest.approx(0.5, rel=0.02)
    assert weight[0] == pytest.approx(4.0, rel=0.08)


def test_fallbacks_small_groups_and_groups_without_demand() -> None:
    totals = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 6.0, 1.0, 2.0, 9.0, 5.0, 4.0])
    exposure = np.full(totals.size, 12.0)
    group = np.array([0] * 6 + [1] * 5 + [2] * 2)      # group 0 has no demand at all,
    fallback = np.zeros(totals.size, dtype=int)        # group 2 has 2 < 5 series
    mean, _ = gamma_prior_by_group(totals, exposure, np.ones(totals.size), group, fallback,
                                   max_weight=1e6)
    site_mean = totals.sum() / exposure.sum()
    assert mean[0] == pytest.approx(site_mean) and mean[12] == pytest.approx(site_mean)
    assert mean[6] == pytest.approx(totals[6:11].sum() / 60.0)
    none, _ = gamma_prior_by_group(np.zeros(3), np.full(3, 5.0), np.ones(3),
                                   np.zeros(3, int), np.zeros(3, int), max_weight=1e6)
    assert np.isnan(none).all()  # nothing to borrow from: no prior


def _site_history() -> pd.DataFrame:
    """Six parts at one site over 24 months; P-NEW never demanded (an all-zero series)."""
    months = pd.period_range("2023-01", periods=24, freq="M").astype(str)
    rows = []
    counts = {"P1": 2, "P2": 3, "P3": 4, "P4": 6, "P5": 12}
    for part, count in counts.items():
        for i in range(count):
            rows.append((months[(i * 24) // count], part, "S1", 1.0))
    rows += [(months[0], "P-NEW", "S1", 0.0), (months[23], "P-NEW", "S1", 0.0)]
    return pd.DataFrame(rows, columns=["period", "part", "site", "quantity"])


def test_prior_for_a_part_without_history() -> None:
    frame = _site_history()
    out = rates_from_history(frame, method="poisson", similar_parts=True).set_index("part")
    plain = rates_from_history(frame, method="poisson").set_index("part")
    assert plain.loc["P-NEW", "rate_per_year"] == 0.0
    # P-NEW has no class of its own (no demand): it borrows from every series of S1.
    years = 2.0
    totals = np.array([0.0, 2, 3, 4, 6, 12])  # P-NEW, P1..P5 (sorted: P-NEW first)
    phi = plain.loc[["P-NEW", "P1", "P2", "P3", "P4", "P5"], "variance_to_mean"].to_numpy()
    m, k = gamma_prior_by_group(totals, np.full(6, years), phi, np.zeros(6, int),
                                np.zeros(6, int), max_weight=100.0)
    expected = k[0] * m[0] / (k[0] + years / phi[0])  # (k M + r T / phi) / (k + T / phi)
    assert out.loc["P-NEW", "rate_per_year"] == pytest.approx(expected)
    assert 0.0 < out.loc["P-NEW", "rate_per_year"] < m[0]
    assert out.loc["P-NEW", "prior_source"] == "similar_parts"
    assert out.loc["P-NEW", "rate_per_year_prior"] == pytest.approx(m[0])
    # a busy series hardly moves, a sparse one moves towards the group
    assert abs(out.loc["P5", "rate_per_year"] - 6.0) < abs(out.loc["P1", "rate_per_year"]
                                                           - 1.0) + 1.0


def test_installed_base_prior_comes_first() -> None:
    frame = _site_history()
    prior = pd.DataFrame({"part": ["P-NEW"], "site": ["S1"], "rate_per_year": [3.0]})
    out = rates_from_history(frame, method="poisson", prior=prior, prior_weight_years=2.0,
                             similar_parts=True).set_index("part")
    assert out.loc["P-NEW", "prior_source"] == "installed_base"
    assert out.loc["P-NEW", "rate_per_year"] == pytest.approx(3.0 * 2.0 / (2.0 + 2.0))
    assert out.loc["P1", "prior_source"] == "similar_parts"


def test_backtest_stocks_a_new_part_with_the_prior() -> None:
    # 20 steady parts and one that is new: no demand for 30 months, then 2 a month.
    rng = np.random.default_rng(2)
    series = [list(rng.poisson(1.0, 42)) for _ in range(20)]
    series.append([0] * 30 + [2] * 12)
    result = backtest(history(*series), methods=("tsb",), origins=12, seed=0,
                      priors=("none", "similar"), n_boot=50)
    per = result.per_series.set_index(["method", "part"])
    assert per.loc[("tsb", "P20"), "filled"] < per.loc[("tsb+prior", "P20"), "filled"]
    assert result.per_series.loc[result.per_series["part"] == "P20", "class"].iloc[0] == \
        "no_demand"
    frame = result.to_frame().set_index("method")
    assert frame.loc["tsb+prior", "prior"] == "similar" and frame.loc["tsb", "prior"] == "none"
