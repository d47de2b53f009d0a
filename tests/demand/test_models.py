"""Croston, SBA, TSB, Poisson and the stocking formula against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from demand_helpers import history
from scipy import stats

from spareplan.demand import _kernels as k
from spareplan.demand.history import prepare_history
from spareplan.demand.intermittent import forecast_intermittent, rates_from_history
from spareplan.errors import ParameterError

Y = [0, 2, 0, 0, 4]


def _fitted(method: str, alpha: float, beta: float = 0.1) -> tuple[np.ndarray, float]:
    packed = prepare_history(history(Y))
    fitted = np.empty(5)
    rate = np.empty(1)
    if method == "tsb":
        k._tsb(packed.values, packed.indptr, alpha, beta, fitted, rate)
    else:
        factor = 1.0 if method == "croston" else 1.0 - alpha / 2.0
        k._croston(packed.values, packed.indptr, alpha, factor, fitted, rate)
    return fitted, float(rate[0])


def test_croston_by_hand() -> None:
    # Croston (1972): at a demand, z <- z + a(y - z), p <- p + a(q - p); rate z/p.
    # Demand 2 at period 2 (interval 2): z = 2, p = 2. Demand 4 after 3 periods, a = 0.5:
    # z = 2 + 0.5 * (4 - 2) = 3, p = 2 + 0.5 * (3 - 2) = 2.5, rate = 3 / 2.5 = 1.2.
    fitted, rate = _fitted("croston", 0.5)
    assert rate == pytest.approx(1.2)
    np.testing.assert_allclose(fitted, [0, 0, 1.0, 1.0, 1.0])


def test_sba_factor() -> None:
    # Syntetos & Boylan (2005): (1 - a/2) z/p = 0.75 * 1.2 = 0.9.
    _, rate = _fitted("sba", 0.5)
    assert rate == pytest.approx(0.9)
    out = forecast_intermittent(history(Y), method="sba", alpha=0.5)
    assert out["rate_per_period"].iloc[0] == pytest.approx(0.9)
    assert out["rate_per_year"].iloc[0] == pytest.approx(0.9 * 12)


def test_tsb_by_hand() -> None:
    # Teunter, Syntetos & Babai (2011): pi <- pi + b(d - pi) every period,
    # z <- z + a(y - z) at a demand, rate pi z; a = b = 0.5, pi_1 = d_1 = 0.
    # t2: pi = .5, z = 2 -> 1.0; t3: pi = .25 -> .5; t4: pi = .125 -> .25;
    # t5: pi = .125 + .5 * .875 = .5625, z = 3 -> 1.6875.
    fitted, rate = _fitted("tsb", 0.5, 0.5)
    assert rate == pytest.approx(1.6875)
    np.testing.assert_allclose(fitted, [0, 0, 1.0, 0.5, 0.25])


def test_poisson_moments() -> None:
    # mean 6/5 = 1.2; s^2 = 12.8 / 4 = 3.2; VMR = 3.2 / 1.2
    out = rates_from_history(history(Y), method="poisson")
    assert out["rate_per_year"].iloc[0] == pytest.approx(1.2 * 12)
    assert out["variance_to_mean"].iloc[0] == pytest.approx(3.2 / 1.2)
    under = rates_from_history(history([1, 1, 1, 1]), method="poisson")
    assert under["variance_to_mean"].iloc[0] == 1.0  # floored at Poisson


def test_edge_cases_all_zero_one_demand_leading_zeros() -> None:
    frame = history([0, 0, 0, 0], [0, 0, 3, 0])
    for method in ("croston", "sba", "tsb", "poisson", "bootstrap"):
        out = forecast_intermittent(frame, method=method, seed=1)
        assert out["rate_per_period"].iloc[0] == 0.0
        assert out["class"].iloc[0] == "no_demand"
        assert np.isfinite(out["rate_per_period"]).all()
    # one demand of 3 at period 3: z = 3, p = 3 (leading zeros count in the interval)
    croston = forecast_intermittent(frame, method="croston")
    assert croston["rate_per_period"].iloc[1] == pytest.approx(1.0)


def test_parameter_uncertainty_upper_quantile() -> None:
    frame = history([0, 1, 0, 0, 2, 0])
    plain = rates_from_history(frame, method="poisson")
    upper = rates_from_history(frame, method="poisson", parameter_uncertainty=0.9)
    vmr = upper["variance_to_mean"].iloc[0]
    shape, scale = (0.5 + 3) / vmr, vmr / 6
    expected = 0.5 + stats.gamma.ppf(0.9, shape, scale=scale) - shape * scale
    assert upper["rate_per_year"].iloc[0] == pytest.approx(expected * 12)
    assert upper["rate_per_year_estimate"].iloc[0] == pytest.approx(
        plain["rate_per_year"].iloc[0])
    # the margin shrinks with longer history
    long = rates_from_history(history([0, 1, 0, 0, 2, 0] * 20), method="poisson",
                              parameter_uncertainty=0.9)
    assert (long["rate_per_year"] / long["rate_per_year_estimate"]).iloc[0] < (
        upper["rate_per_year"] / upper["rate_per_year_estimate"]).iloc[0]


def test_parameters_validated() -> None:
    with pytest.raises(ParameterError, match="method"):
        forecast_intermittent(history(Y), method="holt")
    with pytest.raises(ParameterError, match="alpha"):
        forecast_intermittent(history(Y), alpha=0.0)
    with pytest.raises(ParameterError, match="parameter_uncertainty"):
        rates_from_history(history(Y), parameter_uncertainty=1.0)


@pytest.mark.parametrize(("rate", "vmr", "lead"), [(1.0, 1.0, 0), (0.3, 1.0, 1),
                                                   (2.0, 3.0, 2), (0.05, 4.0, 1)])
def test_base_stock_level_matches_brute_force(rate: float, vmr: float, lead: int) -> None:
    def dist(n: int):
        mean = rate * n
        if vmr == 1.0:
            return stats.poisson(mean)
        return stats.nbinom(mean / (vmr - 1.0), 1.0 / vmr)

    def loss(n: int, s: int) -> float:
        if n == 0:
            return 0.0
        ks = np.arange(s, 400)
        return float(((ks - s) * dist(n).pmf(ks)).sum())

    def fill(s: int) -> float:
        return 1.0 - (loss(lead + 1, s) - loss(lead, s)) / rate

    expected = next(s for s in range(400) if fill(s) >= 0.95)
    got = k._base_stock_parametric(rate, vmr, lead, 0.95, 399, np.empty((2, 400)))
    assert got == expected


def test_replay_by_hand() -> None:
    # S = 2, L = 0. t0: 2 on hand, demand 2 (filled 2). t1: up to 2, demand 0.
    # t2: demand 3, filled 2, net -1. t3: order 3, net 2, demand 1 filled, net 1.
    values = np.array([2.0, 0.0, 3.0, 1.0])
    levels = np.full(4, 2.0)
    out = [np.empty(1), np.empty(1), np.empty(1), np.empty(1, dtype=np.int64)]
    k._simulate_base_stock(values, np.array([0, 4]), levels, 0, 0, 0, *out)
    assert [float(o[0]) for o in out] == [6.0, 5.0, 3.0, 4.0]
    # L = 1: the order placed at t1 (for demand of t0) arrives at t2
    k._simulate_base_stock(values, np.array([0, 4]), levels, 0, 0, 1, *out)
    # t0: fill 2, net 0; t1: order 2 (arrives t2), demand 0; t2: +2 -> 2, demand 3: fill 2,
    # net -1; t3: order 3 (arrives t4), demand 1: nothing on hand -> fill 0.
    assert float(out[1][0]) == 4.0
