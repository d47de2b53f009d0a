"""The real car-parts data (Hyndman et al. 2008): skipped when the file is absent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spareplan.demand.backtest import BacktestResult, backtest
from spareplan.demand.classify import classify_series
from spareplan.demand.history import prepare_history
from spareplan.demand.intermittent import rates_from_history
from spareplan.demand.selection import cross_validate


def test_carparts_packs_classifies_and_backtests(carparts: pd.DataFrame) -> None:
    packed = prepare_history(carparts)
    assert packed.n_series == 1337 and packed.n_periods == 51
    classes = classify_series(packed)["class"].value_counts()
    assert classes.get("intermittent", 0) + classes.get("lumpy", 0) > 0.9 * 1337
    rates = rates_from_history(packed, method="sba")
    assert np.isfinite(rates["rate_per_year"]).all() and (rates["variance_to_mean"] >= 1).all()
    result = backtest(packed, methods=("poisson", "tsb"), origins=12, seed=0).to_frame()
    # a stock set for 95 % on these series achieves something in the 90s
    assert (result["fill_rate"] > 0.85).all() and (result["fill_rate"] < 1.0).all()


@pytest.fixture(scope="module")
def grid(carparts: pd.DataFrame) -> BacktestResult:
    """Every configuration the selection chooses among (the CLI's default search)."""
    return backtest(prepare_history(carparts), target_fill_rate=0.95, lead_time_periods=1,
                    origins=12, seed=0, alpha=(0.1, 0.2, 0.3), beta=(0.1, 0.2, 0.3),
                    parameter_uncertainty=(0.6, 0.7, 0.8, 0.9), priors=("none", "similar"))


def test_acceptance_recommended_configuration_out_of_sample(grid: BacktestResult) -> None:
    # Issue 16: under five-fold cross-validation across series, the recommended
    # configuration (one per ADI/CV² class, rule: the fill rate reaches 95 % with 75 %
    # confidence) achieves >= 95 % at its point estimate on the series it was not
    # chosen on. Plain TSB (alpha = beta = 0.1) achieves 94.57 % on the same series.
    cv = cross_validate(grid, folds=5, seed=0, rule="ci_low", confidence=0.75)
    assert cv.baseline == "tsb" and cv.baseline_fill_rate == pytest.approx(0.9457, abs=5e-4)
    assert cv.fill_rate >= 0.95
    assert cv.fill_rate_low <= cv.fill_rate <= cv.fill_rate_high
    # the extra stock against plain TSB is reported (measured +0.2 %; keep it cheap)
    assert np.isfinite(cv.extra_stock_vs_baseline) and abs(cv.extra_stock_vs_baseline) < 0.05
    assert set(cv.by_class["class"]) == {"intermittent", "lumpy", "smooth", "erratic",
                                         "no_demand"}
    assert set(cv.final.table["class"]) == set(cv.by_class["class"])
    # the point-estimate rule alone is the coin flip the margin is there for
    point = cross_validate(grid, folds=5, seed=0, rule="point")
    assert point.fill_rate < cv.fill_rate
    assert point.average_stock < cv.average_stock


def test_prior_gives_new_parts_stock(grid: BacktestResult) -> None:
    # six series had no demand before the first evaluated month (new parts): plain TSB
    # fills 19 % of their 58 units, the similar-parts prior gives them a stock at once
    by_class = grid.by_class().set_index(["method", "class"])
    assert by_class.loc[("tsb", "no_demand"), "n_series"] == 6
    assert by_class.loc[("tsb", "no_demand"), "fill_rate"] == pytest.approx(11 / 58)
    assert by_class.loc[("tsb+prior", "no_demand"), "fill_rate"] > 0.25
    summary = grid.to_frame().set_index("method")
    assert summary.loc["tsb+prior", "average_stock"] < summary.loc["tsb", "average_stock"]
