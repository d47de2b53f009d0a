"""Valid scenarios load: the bundled ones, generated ones, and random in-range edits of tiny."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from _scenario_paths import DEMO, TINY, copy_tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spareplan.errors import ParameterError
from spareplan.scenario import load_scenario
from spareplan.scenario.generator import generate_scenario, main

#: The arguments that wrote scenarios/demo (see scenarios/README.md).
DEMO_ARGS = {"n_parts": 200, "n_fsls": 12, "n_dcs": 2, "sites_per_fsl": 3,
             "n_machine_types": 6, "seed": 2026, "profile": "demo"}


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_tiny_loads() -> None:
    scenario = load_scenario(TINY)
    assert scenario.summary()["parts"] == 2
    assert set(scenario.document.sla_classes) == {"gold", "silver"}


def test_demo_loads_with_its_documented_shape() -> None:
    scenario = load_scenario(DEMO)
    counts = scenario.locations["kind"].value_counts().to_dict()
    assert counts == {"central": 1, "dc": 2, "fsl": 12}
    assert len(scenario.sites) == 40
    assert len(scenario.parts) == 200
    assert 0.3 <= (scenario.parts["kind"] == "repairable").mean() <= 0.5
    assert set(scenario.sites["sla_class"]) == {"gold", "silver", "bronze"}
    assert scenario.document.policy.stockout_rule == "emergency"
    assert str(scenario.document.early_warning.as_of) == "2026-11-23"
    for table in ("current_stock", "suppliers", "order_windows", "scheduled_receipts",
                  "customer_orders", "installed_base", "failure_rates"):
        assert scenario.table(table) is not None, table
    size = sum(path.stat().st_size for path in DEMO.iterdir())
    assert size < 1_000_000


def test_demo_is_reproduced_by_the_generator(tmp_path: Path) -> None:
    out = generate_scenario(tmp_path / "demo", **DEMO_ARGS)
    assert _files(out) == _files(DEMO)


def test_generator_is_deterministic_and_loads(tmp_path: Path) -> None:
    args = {"n_parts": 300, "n_fsls": 6, "seed": 7, "with_history": True}
    first = generate_scenario(tmp_path / "a", **args)
    second = generate_scenario(tmp_path / "b", **args)
    assert _files(first).keys() >= {"scenario.toml", "demand.csv", "demand_history.csv"}
    assert {k: v for k, v in _files(first).items() if k != "scenario.toml"} == \
        {k: v for k, v in _files(second).items() if k != "scenario.toml"}
    # The TOML differs only in the name (the folder's name).
    assert (first / "scenario.toml").read_text().replace('"a"', '"b"').replace("# a:", "# b:") \
        == (second / "scenario.toml").read_text()
    other = generate_scenario(tmp_path / "c", **{**args, "seed": 8})
    assert (other / "demand.csv").read_bytes() != (first / "demand.csv").read_bytes()
    scenario = load_scenario(first)
    assert len(scenario.parts) == 300
    assert len(scenario.sites) == 18
    history = scenario.table("demand_history")
    assert history is not None and history["period"].nunique() <= 36
    assert not list(tmp_path.glob(".*")), "staging folders left behind"


@pytest.mark.parametrize("args", [
    {"n_parts": 5, "n_fsls": 1, "n_dcs": 0},
    {"n_parts": 40, "n_fsls": 3, "n_dcs": 3, "sites_per_fsl": 1, "n_machine_types": 1},
    {"n_parts": 60, "n_fsls": 4, "profile": "demo", "stockout_rule": "lateral",
     "with_history": True, "history_months": 6},
    {"n_parts": 30, "n_fsls": 9, "n_dcs": 1, "n_machine_types": 8, "profile": "demo"},
], ids=["one-fsl-no-dc", "dc-per-fsl", "demo-lateral-history", "many-types"])
def test_generator_edge_sizes_load(args: dict[str, object], tmp_path: Path) -> None:
    out = generate_scenario(tmp_path / "s", **args)  # type: ignore[arg-type]
    scenario = load_scenario(out)
    assert len(scenario.parts) == args["n_parts"]


def test_generator_rejects_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="n_parts"):
        generate_scenario(tmp_path / "x", n_parts=0, n_fsls=2)
    with pytest.raises(ParameterError, match="profile"):
        generate_scenario(tmp_path / "x", n_parts=5, n_fsls=2, profile="huge")
    (tmp_path / "taken").mkdir()
    with pytest.raises(ParameterError, match="out_dir"):
        generate_scenario(tmp_path / "taken", n_parts=5, n_fsls=2)
    out = generate_scenario(tmp_path / "s", n_parts=5, n_fsls=2)
    generate_scenario(out, n_parts=6, n_fsls=2, overwrite=True)
    assert len(load_scenario(out).parts) == 6


def test_generator_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "cli"), "--parts", "20", "--fsls", "3", "--seed", "4"]) == 0
    assert load_scenario(tmp_path / "cli").summary()["parts"] == 20
    assert main([str(tmp_path / "cli"), "--parts", "20", "--fsls", "3"]) == 2
    assert "out_dir" in capsys.readouterr().err


def test_former_generator_module_still_runs(tmp_path: Path) -> None:
    """``spareplan.scenario_generator`` (the generator's former home) re-exports it and
    still runs as ``python -m`` for users' scripts."""
    import spareplan.scenario_generator as former

    assert former.generate_scenario is generate_scenario and former.main is main
    done = subprocess.run([sys.executable, "-m", "spareplan.scenario_generator",
                           str(tmp_path / "old"), "--parts", "5", "--fsls", "2"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert load_scenario(tmp_path / "old").summary()["parts"] == 5


# Numeric cells of tiny that may take any value in their documented range.
_CSV_EDITS = {
    ("parts.csv", 0, "unit_cost"): st.floats(0.01, 1e6),
    ("parts.csv", 1, "procurement_lead_time_days"): st.floats(0.0, 400.0),
    ("parts.csv", 0, "repair_turnaround_days"): st.floats(0.0, 120.0),
    ("parts.csv", 0, "condemnation_fraction"): st.floats(0.0, 1.0),
    ("locations.csv", 1, "lead_time_days"): st.floats(0.0, 60.0),
    ("reach.csv", 2, "response_hours"): st.floats(0.0, 100.0),
    ("failure_rates.csv", 1, "failures_per_machine_year"): st.floats(0.0, 50.0),
    ("installed_base.csv", 2, "machines"): st.integers(1, 500),
    ("current_stock.csv", 0, "on_hand"): st.integers(0, 1000),
}
_TOML_EDITS = {
    "holding_rate_per_year = 0.25": ("holding_rate_per_year = {}", st.floats(0.0, 10.0)),
    "target = 0.80": ("target = {}", st.floats(0.0, 1.0)),
    "target = 0.995": ("target = {}", st.floats(0.0, 0.999)),
    "max_stock_per_location = 3": ("max_stock_per_location = {}", st.integers(1, 1000)),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_values=st.fixed_dictionaries(_CSV_EDITS),
       toml_values=st.fixed_dictionaries({k: v[1] for k, v in _TOML_EDITS.items()}))
def test_in_range_numeric_edits_load(csv_values: dict[tuple[str, int, str], float],
                                     toml_values: dict[str, float]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_tiny(Path(tmp) / "tiny")
        for (file, row, column), value in csv_values.items():
            frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
            frame.loc[row, column] = repr(value)
            frame.to_csv(folder / file, index=False)
        text = (folder / "scenario.toml").read_text()
        for old, value in toml_values.items():
            text = text.replace(old, _TOML_EDITS[old][0].format(repr(value)), 1)
        (folder / "scenario.toml").write_text(text)
        scenario = load_scenario(folder)
        assert scenario.summary()["parts"] == 2
