"""``simulate_plan(demand="empirical")``: each part x site resamples its own demand history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spareplan.errors import InputError
from spareplan.network import compile_network
from spareplan.scenario import load_scenario
from spareplan.simulation.verify import simulate_plan

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
# P-FUSE at S3: 0 or 12 units a month, mean 4 a month = 48 a year (the model says 4.5)
LUMPY = [0.0, 0.0, 12.0] * 8


def _with_history(folder: Path, history: pd.DataFrame) -> Path:
    target = folder / "tiny"
    shutil.copytree(TINY, target)
    history.to_csv(target / "demand_history.csv", index=False)
    toml = (target / "scenario.toml").read_text()
    toml = toml.replace('current_stock = "current_stock.csv"\n',
                        'current_stock = "current_stock.csv"\n'
                        'demand_history = "demand_history.csv"\n')
    (target / "scenario.toml").write_text(toml)
    return target


def _history(site: bool = True) -> pd.DataFrame:
    months = [f"20{20 + i // 12:02d}-{i % 12 + 1:02d}" for i in range(len(LUMPY))]
    frame = pd.DataFrame({"period": months, "part": "P-FUSE", "site": "S3",
                          "quantity": LUMPY})
    return frame if site else frame.drop(columns="site")


def _requests(result, part: str, site: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    row = result.parts[(result.parts["part"] == part) & (result.parts["site"] == site)]
    return float(row["requests_per_year"].iloc[0]), float(row["requests_per_year_se"].iloc[0])


def test_empirical_mode_resamples_the_history_and_keeps_other_rates(tmp_path: Path) -> None:
    scenario = load_scenario(_with_history(tmp_path, _history()))
    result = simulate_plan(scenario, replications=6, years=5.0, seed=4, demand="empirical")
    assert result.summary["demand"] == "empirical"
    mean, se = _requests(result, "P-FUSE", "S3")
    assert abs(mean - 48.0) <= 3 * se + 1e-9, (mean, se)
    # a pair without history is simulated at the model's rate: the installed base's 2 a
    # year (0.5 x 4 scanners) shrunk by the history's 24 months without a demand of it
    _, parts = compile_network(scenario)
    rate = float(parts.demand_rate[parts.part_ids.index("P-PUMP"), 0])
    assert 0.5 < rate < 2.0
    pump, pump_se = _requests(result, "P-PUMP", "S1")
    assert abs(pump - rate) <= 3 * pump_se + 1e-9, (pump, pump_se, rate)
    again = simulate_plan(scenario, replications=6, years=5.0, seed=4, demand="empirical")
    pd.testing.assert_frame_equal(result.rows, again.rows)
    pd.testing.assert_frame_equal(result.parts, again.parts)


def test_model_mode_is_the_default_and_ignores_the_replay(tmp_path: Path) -> None:
    scenario = load_scenario(_with_history(tmp_path, _history()))
    model = simulate_plan(scenario, replications=4, years=3.0, seed=4)
    assert model.summary["demand"] == "model"
    mean, _ = _requests(model, "P-FUSE", "S3")
    assert mean < 30.0  # the fitted rate (SBA on the history) is not the replayed lumps


def test_empirical_demand_needs_a_history_with_sites(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"demand.*demand_history.*'empirical'"):
        simulate_plan(load_scenario(TINY), replications=2, years=1.0, demand="empirical")
    with pytest.raises(InputError, match="demand: must be one of model, empirical"):
        simulate_plan(load_scenario(TINY), replications=2, years=1.0, demand="history")
    no_site = load_scenario(_with_history(tmp_path, _history(site=False)))
    with pytest.raises(InputError, match="column site"):
        simulate_plan(no_site, replications=2, years=1.0, demand="empirical")


def test_empirical_counts_are_over_dispersed(tmp_path: Path) -> None:
    """Month totals of 0 or 12 (variance 32 a month): a yearly count of variance ~ 390,
    against 48 for a Poisson count of the same mean."""
    from spareplan.network import compile_network
    from spareplan.simulation import simulate_network
    from spareplan.simulation.verify import empirical_demand

    scenario = load_scenario(_with_history(tmp_path, _history()))
    network, parts = compile_network(scenario)
    stock = np.zeros((parts.n_parts, network.n_locations), dtype=np.int64)
    arrays = simulate_network(network, parts, stock, replications=40, years=1.0,
                              warmup_years=0.0, seed=2,
                              empirical=empirical_demand(scenario, network, parts))
    site = network.site_ids.index("S3")
    part = parts.part_ids.index("P-FUSE")
    counts = arrays.site_figure("requests", sites=[site], parts=[part])
    assert abs(counts.mean() - 48.0) < 4 * np.sqrt(390.0 / counts.size)
    assert counts.var(ddof=1) > 2 * 48.0


def test_cli_demand_option(tmp_path: Path) -> None:
    from spareplan.cli.simulate import simulate_command

    folder = _with_history(tmp_path, _history())
    out = tmp_path / "out"
    simulate_command(folder, plan=None, out=out, replications=2, years=1.0, demand="empirical")
    assert json.loads((out / "summary.json").read_text())["demand"] == "empirical"
    with pytest.raises(InputError, match="demand"):
        simulate_command(TINY, plan=None, out=tmp_path / "bad", replications=2, years=1.0,
                         demand="empirical")
