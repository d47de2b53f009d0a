"""Cases of the planning boundary: an infinite time limit refused by name, and a valid
all-zero-demand scenario planned to an empty plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import TINY, copy_scenario, invoke

from spareplan.errors import ParameterError


def test_plan_refuses_an_infinite_time_limit_with_a_parameter_error() -> None:
    from spareplan import load_scenario, plan

    with pytest.raises(ParameterError, match="time_limit"):
        plan(load_scenario(TINY), time_limit=float("inf"), verify=False)


def test_an_all_zero_demand_scenario_plans_to_an_empty_plan(tmp_path: Path) -> None:
    folder = copy_scenario(TINY, tmp_path / "scenario")
    (folder / "failure_rates.csv").write_text(
        "machine_type,part,failures_per_machine_year,parts_per_failure\n"
        "scanner,P-PUMP,0,1\nscanner,P-FUSE,0,1\n")
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace(
        "uptime = { target = 0.995, repair_hours = 4.0 }\n", ""))
    code, output = invoke(["plan", str(folder), "--out", str(tmp_path / "out"), "--no-verify"])
    assert code == 0, output
    assert "Traceback" not in output
    lines = (tmp_path / "out" / "recommendations.csv").read_text().splitlines()
    assert all(line.split(",")[2] == "0" for line in lines[1:])  # nothing to stock
