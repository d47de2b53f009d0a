"""Hypothesis properties: forecasts non-negative, rates finite, classification total."""

from __future__ import annotations

import numpy as np
import pandas as pd
from demand_helpers import history
from hypothesis import given, settings
from hypothesis import strategies as st

from spareplan.demand.classify import CLASSES, classify_series
from spareplan.demand.intermittent import METHODS, forecast_intermittent, rates_from_history

demand = st.lists(
    st.one_of(st.just(0.0), st.integers(0, 50).map(float), st.floats(0, 1e4)),
    min_size=1, max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(series=st.lists(demand, min_size=1, max_size=4), method=st.sampled_from(METHODS),
       alpha=st.floats(0.01, 1.0), beta=st.floats(0.01, 1.0))
def test_forecasts_non_negative_and_finite(series: list[list[float]], method: str,
                                           alpha: float, beta: float) -> None:
    out = forecast_intermittent(history(*series), method=method, alpha=alpha, beta=beta,
                                seed=0)
    rate = out["rate_per_period"].to_numpy()
    assert np.isfinite(rate).all() and (rate >= 0).all()
    assert (out["variance_to_mean"] >= 1.0).all()
    assert set(out["class"]) <= set(CLASSES)


@settings(max_examples=40, deadline=None)
@given(series=st.lists(demand, min_size=1, max_size=4), q=st.floats(0.5, 0.99))
def test_upper_quantile_rates_finite_and_above_estimate(series: list[list[float]],
                                                        q: float) -> None:
    out = rates_from_history(history(*series), method="poisson", parameter_uncertainty=q)
    assert np.isfinite(out["rate_per_year"]).all()
    assert (out["rate_per_year"] >= out["rate_per_year_estimate"] - 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(series=st.lists(demand, min_size=1, max_size=5))
def test_classification_total(series: list[list[float]]) -> None:
    out = classify_series(history(*series), min_periods=3)
    assert len(out) == len(series)
    assert out["class"].isin(CLASSES).all()
    assert not pd.isna(out["class"]).any()
    assert (out["all_zero"] == (out["class"] == "no_demand")).all()
