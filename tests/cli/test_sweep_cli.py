"""`spareplan sweep` on scenarios/tiny: one readable plan folder per variant, sweep.csv,
sweep.png and sweep.html, the same bytes twice, exit codes, an infeasible variant's
summary.json, and bad options refused before anything is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from spareplan.cli.app import app
from spareplan.reports.compare import compare_plans
from spareplan.reports.plan_folder import read_plan_folder

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"
FAST = ("--model", "analytic", "--no-verify")


def invoke(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "summary.json"}  # summary.json holds the runtime


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sweep") / "out"
    code, stderr = invoke("sweep", str(TINY), "--out", str(out), "--targets", "0.9,0.99",
                          "--lead-time-factor", "1,2", *FAST)
    assert code == 0, stderr
    return out, stderr


def test_every_variant_is_a_readable_plan_folder(swept: tuple[Path, str]) -> None:
    out, stderr = swept
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["variant"]) == ["target-0.9_leadtime-x1", "target-0.9_leadtime-x2",
                                      "target-0.99_leadtime-x1",
                                      "target-0.99_leadtime-x2"]
    for row in table.itertuples():
        folder = read_plan_folder(out / row.variant)
        assert folder.summary["objective"] == pytest.approx(row.yearly_cost, rel=1e-5)
        assert (folder.service.loc[folder.service["kind"] == "fill_rate_within",
                                   "target"] == row.target).all()
    assert (out / "sweep.png").read_bytes()[:4] == b"\x89PNG"
    page = (out / "sweep.html").read_text()
    assert "default-src 'none'" in page and "<script" not in page and "<svg" in page
    assert 'href="target-0.9_leadtime-x1/report.html"' in page
    assert "planned target-0.99_leadtime-x2" in stderr
    # a variant folder is what compare reads
    comparison = compare_plans(out / "target-0.9_leadtime-x1",
                               out / "target-0.9_leadtime-x2")
    assert not comparison.identical_stock


def test_cost_grows_with_the_target_and_the_lead_times(swept: tuple[Path, str]) -> None:
    table = pd.read_csv(swept[0] / "sweep.csv").set_index(["target", "lead_time_factor"])
    cost = table["yearly_cost"]
    assert cost[(0.99, 1.0)] >= cost[(0.9, 1.0)]
    assert cost[(0.99, 2.0)] >= cost[(0.9, 2.0)]
    assert cost[(0.9, 2.0)] >= cost[(0.9, 1.0)]


def test_same_inputs_same_bytes(swept: tuple[Path, str], tmp_path: Path) -> None:
    again = tmp_path / "again"
    code, stderr = invoke("sweep", str(TINY), "--out", str(again), "--targets",
                          "0.9,0.99", "--lead-time-factor", "1,2", *FAST)
    assert code == 0, stderr
    assert files(again) == files(swept[0])


def test_an_infeasible_variant_exits_1_and_keeps_its_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stderr = invoke("sweep", str(TINY), "--out", str(out), "--uptime-targets",
                          "0.995,0.9995", *FAST)
    assert code == 1, stderr
    table = pd.read_csv(out / "sweep.csv", keep_default_na=False).set_index("variant")
    assert table.loc["uptime-0.9995", "status"] == "infeasible"
    assert "silver/uptime" in table.loc["uptime-0.9995", "reason"]
    summary = json.loads((out / "uptime-0.9995" / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["diagnosis"]
    assert sorted(p.name for p in (out / "uptime-0.9995").iterdir()) == [
        ".spareplan-output", "summary.json"]
    read_plan_folder(out / "uptime-0.995")
    assert "no plan" in stderr


def test_scenario_variants_are_named_by_their_folder(tmp_path: Path) -> None:
    fast = tmp_path / "fast"
    shutil.copytree(TINY, fast)
    locations = pd.read_csv(fast / "locations.csv")
    locations["lead_time_days"] = locations["lead_time_days"] / 3
    locations.to_csv(fast / "locations.csv", index=False)
    out = tmp_path / "out"
    code, stderr = invoke("sweep", str(TINY), "--variant", str(fast), "--out", str(out),
                          *FAST)
    assert code == 0, stderr
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["variant"]) == ["tiny", "fast"]
    assert list(table["scenario"]) == ["tiny", "fast"]
    read_plan_folder(out / "fast")


@pytest.mark.parametrize(("options", "message"), [
    (("--targets", "0.9,1.0"), "--targets: must hold targets above 0 and below 1"),
    (("--targets", ""), "--targets: must hold at least one value"),
    (("--targets", "0.9,high"), "--targets: must be a comma-separated list of numbers"),
    (("--lead-time-factor", "-1"), "--lead-time-factor: must hold finite numbers > 0"),
    (("--lead-time-factor", "nan"), "--lead-time-factor: must hold finite numbers"),
    (("--budget", "0"), "--budget: must hold finite numbers > 0"),
    ((), "sweep: needs at least one of --targets"),
    (("--targets", "0.9", "--replications", "1"), "--replications"),
    (("--targets", "0.9", "--variant", str(TINY)), "--variant"),
])
def test_bad_options_exit_2_and_write_nothing(tmp_path: Path, options: tuple[str, ...],
                                              message: str) -> None:
    out = tmp_path / "out"
    code, stderr = invoke("sweep", str(TINY), "--out", str(out), *options, *FAST)
    assert code == 2, stderr
    assert message in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_out_must_not_be_the_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny"
    shutil.copytree(TINY, scenario)
    code, stderr = invoke("sweep", str(scenario), "--out", str(scenario), "--targets",
                          "0.9", *FAST)
    assert code == 2 and "--out" in stderr
    assert (scenario / "scenario.toml").exists()
