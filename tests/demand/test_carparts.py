"""The real car-parts data (Hyndman et al. 2008): skipped when the file is absent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spareplan.demand.backtest import backtest
from spareplan.demand.classify import classify_series
from spareplan.demand.history import prepare_history
from spareplan.demand.intermittent import rates_from_history


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
