"""Choice per class (exact multiple-choice knapsack) and cross-validation across series."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spareplan.demand.backtest import BacktestResult, recommend
from spareplan.demand.selection import cross_validate, select_by_class
from spareplan.errors import ParameterError

CLASSES = ("intermittent", "lumpy", "smooth")


def _result(filled: np.ndarray, stock: np.ndarray, demand: np.ndarray, classes: list[str],
            target: float = 0.95) -> BacktestResult:
    """A backtest result from per-series figures: filled/stock are (methods, series)."""
    methods = [f"m{j}" for j in range(filled.shape[0])]
    frames = []
    for j, name in enumerate(methods):
        frames.append(pd.DataFrame({
            "method": name, "part": [f"P{i}" for i in range(demand.size)], "site": "",
            "class": classes, "mae": 0.0, "mase_scale": 1.0, "mean_error": 0.0,
            "demand": demand, "filled": filled[j], "average_stock": stock[j]}))
    summary = pd.DataFrame({"method": methods, "target_fill_rate": target,
                            "fill_rate": filled.sum(axis=1) / demand.sum(),
                            "fill_rate_low": np.nan,
                            "average_stock": stock.mean(axis=1)})
    return BacktestResult(summary=summary, per_series=pd.concat(frames, ignore_index=True),
                          target_fill_rate=target, lead_time_periods=1, origins=12)


def _brute_force(result: BacktestResult) -> float:
    """Least total stock over every assignment of a method to each class (or inf)."""
    per = result.per_series
    totals = per.groupby(["method", "class"])[["filled", "average_stock"]].sum()
    classes = sorted(set(per["class"]))
    methods = sorted(set(per["method"]))
    demand = per[per["method"] == methods[0]]["demand"].sum()
    best = np.inf
    for combo in itertools.product(methods, repeat=len(classes)):
        filled = sum(totals.at[(m, c), "filled"] for m, c in zip(combo, classes, strict=True))
        if filled >= result.target_fill_rate * demand - 1e-9:
            best = min(best, sum(totals.at[(m, c), "average_stock"]
                                 for m, c in zip(combo, classes, strict=True)))
    return best


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_methods=st.integers(2, 5),
       target=st.sampled_from([0.8, 0.9, 0.95]))
def test_point_rule_is_the_brute_force_optimum(seed: int, n_methods: int,
                                               target: float) -> None:
    rng = np.random.default_rng(seed)
    n = 12
    demand = rng.integers(1, 10, n).astype(float)
    share = rng.uniform(0.6, 1.0, (n_methods, n))
    filled = np.floor(share * demand)
    stock = rng.uniform(0.5, 5.0, (n_methods, n)) + 3.0 * share  # more fill, more stock
    classes = [CLASSES[i % 3] for i in range(n)]
    result = _result(filled, stock, demand, classes, target)
    best = _brute_force(result)
    chosen = select_by_class(result, "point", baseline="m0", n_boot=50)
    if np.isfinite(best):
        assert chosen.reaches_target
        assert chosen.fill_rate >= target - 1e-12
        assert chosen.average_stock * n == pytest.approx(best)
    else:
        assert not chosen.reaches_target
    one = select_by_class(result, "point", baseline="m0", per_class=False, n_boot=50)
    assert len(set(one.choice.values())) == 1
    assert one.average_stock >= chosen.average_stock - 1e-9 or not one.reaches_target


def _two_option_result() -> BacktestResult:
    # m0 fills 90 % of everything at stock 1; m1 fills 100 % at stock 2 per series.
    n = 40
    demand = np.full(n, 10.0)
    filled = np.vstack([np.full(n, 9.0), np.full(n, 10.0)])
    stock = np.vstack([np.ones(n), np.full(n, 2.0)])
    classes = ["intermittent"] * 30 + ["lumpy"] * 10
    return _result(filled, stock, demand, classes)


def test_choice_by_hand_and_its_cost() -> None:
    # intermittent: 30 series, 300 units; lumpy: 10 series, 100 units. Pooled fill and
    # stock of the four assignments (intermittent, lumpy): (m0, m0) 360/400 = 0.900;
    # (m0, m1) 370/400 = 0.925; (m1, m0) 390/400 = 0.975 at 30 x 2 + 10 = 70;
    # (m1, m1) 1.0 at 80. Cheapest reaching 95 %: (m1, m0).
    chosen = select_by_class(_two_option_result(), "point", baseline="m0", n_boot=50)
    assert chosen.choice == {"intermittent": "m1", "lumpy": "m0"}
    assert chosen.fill_rate == pytest.approx(0.975)
    assert chosen.average_stock == pytest.approx(70 / 40)
    assert chosen.extra_stock_vs_baseline == pytest.approx(70 / 40 - 1.0)
    table = chosen.table.set_index("class")
    assert table.loc["intermittent", "extra_stock"] == pytest.approx(1.0)
    assert table.loc["lumpy", "extra_stock"] == pytest.approx(0.0)


def test_ci_rule_is_at_least_as_safe_as_the_point_rule() -> None:
    rng = np.random.default_rng(4)
    n = 300
    demand = rng.integers(1, 6, n).astype(float)
    levels = np.linspace(0.85, 1.0, 6)
    filled = np.vstack([np.minimum(demand, rng.binomial(demand.astype(int), p))
                        for p in levels]).astype(float)
    stock = np.vstack([np.full(n, 1.0 + 4 * p) for p in levels])
    classes = [CLASSES[i % 3] for i in range(n)]
    result = _result(filled, stock, demand, classes)
    point = select_by_class(result, "point", baseline="m0", n_boot=200)
    low = select_by_class(result, "ci_low", baseline="m0", n_boot=200)
    assert low.reaches_target and low.fill_rate_low >= 0.95  # same seed as the bisection
    assert low.average_stock >= point.average_stock
    assert low.fill_rate >= point.fill_rate


def test_cross_validation_scores_each_series_by_a_choice_made_without_it() -> None:
    result = _two_option_result()
    cv = cross_validate(result, folds=5, seed=3, baseline="m0", n_boot=50)
    assert sorted(cv.per_series["fold"].unique()) == [0, 1, 2, 3, 4]
    # stratified: each fold holds 6 intermittent and 2 lumpy series
    counts = cv.per_series.groupby(["fold", "class"]).size()
    assert set(counts.loc[(slice(None), "intermittent")]) == {6}
    for f in range(5):
        train = cv.per_series.loc[cv.per_series["fold"] != f, "part"]
        sub = dataclasses.replace(result, per_series=result.per_series[
            result.per_series["part"].isin(set(train))])
        expected = select_by_class(sub, "point", baseline="m0", n_boot=50).choice
        held = cv.per_series[cv.per_series["fold"] == f]
        assert {c: m for c, m in zip(held["class"], held["method"], strict=True)} == expected
    assert cv.final.choice == {"intermittent": "m1", "lumpy": "m0"}
    assert cv.fill_rate == pytest.approx(0.975)  # the same choice in every fold here
    assert set(cv.by_class["class"]) == {"intermittent", "lumpy"}


def test_one_candidate_out_of_sample_equals_in_sample() -> None:
    result = _two_option_result()
    cv = cross_validate(result, folds=4, seed=0, candidates=["m0"], baseline="m0",
                        n_boot=50)
    assert cv.fill_rate == pytest.approx(0.9) and cv.extra_stock_vs_baseline == 0.0
    assert not cv.final.reaches_target


def test_recommend_rules() -> None:
    summary = pd.DataFrame({
        "method": ["cheap", "middle", "dear"], "target_fill_rate": 0.95,
        "fill_rate": [0.949, 0.951, 0.97], "fill_rate_low": [0.93, 0.935, 0.955],
        "average_stock": [1.0, 2.0, 3.0]})
    assert recommend(summary, "point") == "middle"   # least stock with point >= target
    assert recommend(summary, "ci_low") == "dear"    # least stock with CI low >= target
    short = summary.assign(fill_rate=[0.90, 0.92, 0.91], fill_rate_low=0.8)
    assert recommend(short) == "middle"              # none reaches it: the highest fill
    with pytest.raises(ParameterError, match="rule"):
        recommend(summary, "ci_high")


def test_bad_selection_parameters() -> None:
    result = _two_option_result()
    with pytest.raises(ParameterError, match="candidates"):
        select_by_class(result, candidates=["m9"])
    with pytest.raises(ParameterError, match="baseline"):
        select_by_class(result, baseline="tsb")
    with pytest.raises(ParameterError, match="confidence"):
        select_by_class(result, "ci_low", baseline="m0", confidence=0.3)
    with pytest.raises(ParameterError, match="folds"):
        cross_validate(result, folds=1, baseline="m0")
    with pytest.raises(ParameterError, match="margin"):
        cross_validate(result, baseline="m0", margin=-0.1)


def test_class_floor() -> None:
    # the pooled optimum leaves lumpy at 90 %; a floor of 95 % per class moves it to m1
    result = _two_option_result()
    floored = select_by_class(result, "point", baseline="m0", min_class_fill_rate=0.95,
                              n_boot=50)
    assert floored.choice == {"intermittent": "m1", "lumpy": "m1"}
    assert (floored.table["fill_rate"] >= 0.95).all()
    assert floored.average_stock == pytest.approx(2.0)
    # a floor no configuration reaches: the class takes its best-filling configuration
    unreachable = select_by_class(result, "point", baseline="m0", min_class_fill_rate=1.0,
                                  candidates=["m0"], n_boot=50)
    assert unreachable.choice == {"intermittent": "m0", "lumpy": "m0"}
    cv = cross_validate(result, folds=5, baseline="m0", min_class_fill_rate=0.95, n_boot=50)
    assert cv.fill_rate == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="min_class_fill_rate"):
        select_by_class(result, baseline="m0", min_class_fill_rate=1.5)
