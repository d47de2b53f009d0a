"""``stock_curve``: every stock level of one location from one pass, against Palm.

Palm's theorem (Palm 1938; Sherbrooke 2004 §2.3): X ~ Poisson(lambda T) whatever the
resupply-time distribution, so FR(S) = P(X <= S - 1), EBO(S) = E[(X - S)^+]; with a
deterministic T the fill rate within w is P(Poisson(lambda (T - w)) <= S - 1) (Caggiano
et al. 2007). Tolerance: 3 standard errors across replications plus 1e-3.
"""

from __future__ import annotations

import numpy as np
import pytest

from spareplan.errors import InputError
from spareplan.evaluation.poisson import expected_backorders, fill_rate, fill_rate_within
from spareplan.evaluation.varimetric import negative_binomial_backorders
from spareplan.simulation import stock_curve


def _agree(simulated: np.ndarray, se: np.ndarray, exact: np.ndarray) -> None:
    assert np.all(np.abs(simulated - exact) <= 3 * se + 1e-3), (simulated, se, exact)


@pytest.mark.parametrize(("rate_per_day", "lead_days", "cv"), [(0.2, 10.0, 0.0),
                                                                (0.05, 30.0, 0.6)])
def test_curve_matches_palm_at_every_stock_level(rate_per_day: float, lead_days: float,
                                                 cv: float) -> None:
    curve = stock_curve(rate_per_day * 365.0, lead_days, max_stock=7, lead_time_cv=cv,
                        replications=12, years=15.0, warmup_years=0.5, seed=3)
    mean = rate_per_day * lead_days
    se = curve.standard_errors
    _agree(curve.fill_rate, se["fill_rate"],
           np.array([fill_rate(s, mean) for s in curve.stock]))
    _agree(curve.expected_backorders, se["expected_backorders"],
           np.array([expected_backorders(s, mean) for s in curve.stock]))
    _agree(curve.average_on_hand, se["average_on_hand"],
           np.array([s - mean + expected_backorders(s, mean) for s in curve.stock]))
    # Little: mean wait = EBO / lambda (days -> hours)
    _agree(curve.mean_wait_hours, se["mean_wait_hours"] + 1e-3 * 24,
           np.array([24.0 * expected_backorders(s, mean) / rate_per_day for s in curve.stock]))
    assert np.all(np.diff(curve.fill_rate) >= 0) and np.all(np.diff(curve.expected_backorders)
                                                             <= 0)
    frame = curve.to_frame()
    assert list(frame["stock"]) == list(range(8)) and "fill_rate_se" in frame


def test_curve_time_window_with_deterministic_lead_time() -> None:
    rate_per_day, lead_days, window = 0.3, 8.0, 48.0
    curve = stock_curve(rate_per_day * 365.0, lead_days, max_stock=5, window_hours=window,
                        replications=12, years=15.0, seed=4)
    exact = np.array([fill_rate_within(s, rate_per_day, lead_days, window / 24.0)
                      for s in curve.stock])
    _agree(curve.fill_rate_within, curve.standard_errors["fill_rate_within"], exact)
    assert np.all(curve.fill_rate_within >= curve.fill_rate)


def test_curve_with_lumpy_demand_keeps_little_and_the_two_moment_backorders() -> None:
    # variance-to-mean 3: the pipeline has the variance 3 lambda T; the negative binomial
    # with those moments is a close (not exact) fit, checked loosely
    curve = stock_curve(0.1 * 365.0, 20.0, max_stock=6, variance_to_mean=3.0,
                        replications=12, years=20.0, seed=5)
    assert abs(curve.expected_backorders[0] - 2.0) <= 3 * curve.standard_errors[
        "expected_backorders"][0] + 1e-3
    nb = np.array([negative_binomial_backorders(int(s), 2.0, 6.0) for s in curve.stock])
    assert np.all(np.abs(curve.expected_backorders - nb) <= 0.1)
    # lumps: more often no unit out (S = 1 fills more), but a batch is filled only in part
    poisson = np.array([fill_rate(s, 2.0) for s in curve.stock])
    assert np.all(curve.fill_rate[2:] < poisson[2:]) and curve.fill_rate[1] > poisson[1]


def test_curve_parameter_errors_name_the_parameter() -> None:
    with pytest.raises(InputError, match="rate_per_year"):
        stock_curve(-1.0, 10.0, max_stock=3)
    with pytest.raises(InputError, match="max_stock"):
        stock_curve(5.0, 10.0, max_stock=-1)
    with pytest.raises(InputError, match="replications"):
        stock_curve(5.0, 10.0, max_stock=3, replications=1)
