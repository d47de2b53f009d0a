"""History and installed base together: the Gamma-Poisson blend, the modes, rate_quantile."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spareplan import load_scenario
from spareplan.demand.intermittent import rates_from_history
from spareplan.demand.rates import demand_rates, with_demand_settings
from spareplan.errors import ParameterError

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
# tiny's installed base (4, 2, 3 scanners at S1, S2, S3; 0.5 P-PUMP and 1.5 P-FUSE
# failures per machine-year): P-PUMP 2.0 / 1.0 / 1.5 and P-FUSE 6.0 / 3.0 / 4.5 a year.


def _history_frame() -> pd.DataFrame:
    months = pd.period_range("2024-01", periods=6, freq="M").astype(str)
    return pd.DataFrame({"period": months, "part": "P-PUMP", "site": "S1",
                         "quantity": [0.0, 1.0, 0.0, 0.0, 2.0, 0.0]})


def test_blend_by_hand() -> None:
    # 6 months (T = 0.5 y), sum 3: r = 6 a year; prior lambda0 = 2 a year worth w = 2 y.
    # rate = (lambda0 w + r T / phi) / (w + T / phi)  (Gamma-Poisson, quasi-Poisson phi)
    history = _history_frame()
    plain = rates_from_history(history, method="poisson")
    phi = float(plain["variance_to_mean"].iloc[0])
    prior = pd.DataFrame({"part": ["P-PUMP", "P-PUMP"], "site": ["S1", "S2"],
                          "rate_per_year": [2.0, 1.0]})
    out = rates_from_history(history, method="poisson", prior=prior, prior_weight_years=2.0)
    s1 = out.set_index("site").loc["S1"]
    assert s1["rate_per_year"] == pytest.approx((2.0 * 2.0 + 6.0 * 0.5 / phi)
                                                / (2.0 + 0.5 / phi))
    assert s1["history_weight"] == pytest.approx((0.5 / phi) / (2.0 + 0.5 / phi))
    # S2 has no history row: an all-zero series over the 6-month calendar (phi = 1)
    s2 = out.set_index("site").loc["S2"]
    assert s2["rate_per_year"] == pytest.approx(1.0 * 2.0 / 2.5)
    assert s2["variance_to_mean"] == 1.0
    # w = 0: the history alone
    alone = rates_from_history(history, method="poisson", prior=prior, prior_weight_years=0.0)
    assert alone.set_index("site").loc["S1", "rate_per_year"] == pytest.approx(6.0)
    assert alone.set_index("site").loc["S2", "rate_per_year"] == 0.0


def test_blend_quantile_is_the_posterior_quantile() -> None:
    history = _history_frame()
    prior = pd.DataFrame({"part": ["P-PUMP"], "site": ["S1"], "rate_per_year": [2.0]})
    out = rates_from_history(history, method="poisson", prior=prior, parameter_uncertainty=0.9)
    phi = float(out["variance_to_mean"].iloc[0])
    shape, rate = 2.0 * 2.0 + 6.0 * 0.5 / phi, 2.0 + 0.5 / phi
    assert out["rate_per_year_estimate"].iloc[0] == pytest.approx(shape / rate)
    assert out["rate_per_year"].iloc[0] == pytest.approx(stats.gamma.ppf(0.9, shape,
                                                                         scale=1 / rate))


def test_pair_without_prior_keeps_history_estimate() -> None:
    history = pd.concat([_history_frame(), _history_frame().assign(site="S3")])
    prior = pd.DataFrame({"part": ["P-PUMP"], "site": ["S1"], "rate_per_year": [2.0]})
    out = rates_from_history(history, method="poisson", prior=prior).set_index("site")
    assert out.loc["S3", "rate_per_year"] == pytest.approx(6.0)
    assert out.loc["S3", "history_weight"] == 1.0
    assert np.isnan(out.loc["S3", "rate_per_year_prior"])


def test_prior_validated() -> None:
    history = _history_frame()
    with pytest.raises(ParameterError, match="prior_weight_years"):
        rates_from_history(history, prior=history.assign(rate_per_year=1.0),
                           prior_weight_years=-1.0)
    with pytest.raises(ParameterError, match=r"prior.*rate_per_year"):
        rates_from_history(history, prior=history[["part", "site"]])
    with pytest.raises(ParameterError, match="site column"):
        rates_from_history(history.drop(columns="site"),
                           prior=history.assign(rate_per_year=1.0))


@pytest.fixture
def tiny_with_history(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny_history"
    shutil.copytree(TINY, folder)
    months = pd.period_range("2024-01", periods=24, freq="M").astype(str)
    rows = [("P-PUMP", "S1", months[i], 1.0) for i in range(2, 24, 3)]   # 8 in 2 y = 4 / y
    rows += [("P-FUSE", "S3", months[i], 2.0) for i in range(0, 24, 4)]  # 12 in 2 y = 6 / y
    pd.DataFrame(rows, columns=["part", "site", "period", "quantity"]).to_csv(
        folder / "demand_history.csv", index=False)
    toml = (folder / "scenario.toml").read_text()
    toml = toml.replace('current_stock = "current_stock.csv"',
                        'current_stock = "current_stock.csv"\n'
                        'demand_history = "demand_history.csv"')
    (folder / "scenario.toml").write_text(toml + '\n[demand]\nhistory_method = "poisson"\n')
    return folder


def test_demand_rates_modes(tiny_with_history: Path) -> None:
    scenario = load_scenario(tiny_with_history)
    by_mode = {mode: demand_rates(with_demand_settings(
        scenario, history_and_installed_base=mode)).set_index(["part", "site"])
        for mode in ("blend", "history", "installed_base")}
    key = ("P-PUMP", "S1")  # installed base 2.0, history 4.0 a year over T = 2 years
    assert by_mode["installed_base"].loc[key, "rate_per_year"] == pytest.approx(2.0)
    assert by_mode["history"].loc[key, "rate_per_year"] == pytest.approx(4.0)
    phi = by_mode["history"].loc[key, "variance_to_mean"]
    expected = (2.0 * 2.0 + 4.0 * 2.0 / phi) / (2.0 + 2.0 / phi)
    assert by_mode["blend"].loc[key, "rate_per_year"] == pytest.approx(expected)
    assert by_mode["blend"].loc[key, "source"] == "blend_poisson_installed_base"
    # P-PUMP at S2: no history row. blend: zero series, 1.0 x 2 / (2 + 2); history mode:
    # the installed base fills the gap; every installed-base pair keeps a rate.
    assert by_mode["blend"].loc[("P-PUMP", "S2"), "rate_per_year"] == pytest.approx(0.5)
    assert by_mode["history"].loc[("P-PUMP", "S2"), "source"] == "installed_base"
    for frame in by_mode.values():
        assert len(frame) == 6


def test_rate_quantile_raises_history_rates_only(tiny_with_history: Path) -> None:
    scenario = load_scenario(tiny_with_history)
    plain = demand_rates(scenario).set_index(["part", "site"])
    protected = demand_rates(with_demand_settings(scenario, rate_quantile=0.9)).set_index(
        ["part", "site"])
    assert (protected["rate_per_year"] > plain["rate_per_year"]).all()
    only_base = demand_rates(with_demand_settings(
        scenario, rate_quantile=0.9, history_and_installed_base="installed_base"))
    assert (only_base.set_index(["part", "site"]).loc[("P-PUMP", "S1"), "rate_per_year"]
            == pytest.approx(2.0))


def test_with_demand_settings_validates_and_leaves_input(tiny_with_history: Path) -> None:
    scenario = load_scenario(tiny_with_history)
    with pytest.raises(ParameterError, match="settings"):
        with_demand_settings(scenario, rate_quantile=1.5)
    changed = with_demand_settings(scenario, rate_quantile=0.8)
    assert scenario.document.demand.rate_quantile is None
    assert changed.document.demand.rate_quantile == 0.8
    assert changed.input_hash != scenario.input_hash
