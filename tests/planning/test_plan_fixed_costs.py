"""The plan's yearly cost includes the fixed cost of the locations it keeps open."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import spareplan

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


def test_objective_counts_fixed_location_costs(tmp_path: Path) -> None:
    folder = tmp_path / "fixed"
    shutil.copytree(TINY, folder)
    (folder / "locations.csv").write_text(
        "location,kind,parent,lead_time_days,fixed_cost_per_year\n"
        "CW,central,,,\nF1,fsl,CW,3,300\nF2,fsl,CW,5,\n")
    result = spareplan.plan(spareplan.load_scenario(folder), verify=False)
    summary = result.summary
    assert summary["locations_open"] == {"F1": True}
    assert summary["fixed_location_cost"] == pytest.approx(300.0)
    assert summary["objective"] == pytest.approx(
        summary["holding_cost"] + summary["shipping_cost"] + 300.0, abs=0.02)
    assert summary["objective"] >= summary["lower_bound"] - 1e-6
