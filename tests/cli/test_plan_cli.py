"""End to end through the command line on scenarios/tiny: outputs, exit codes, atomicity,
determinism, infeasibility diagnosis."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spareplan", *args], capture_output=True,
                          text=True, check=False, cwd=ROOT)


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("plan") / "out"
    done = run("plan", str(TINY), "--out", str(out), "--replications", "4", "--years", "2")
    assert done.returncode == 0, done.stderr
    return out, done.stderr


def test_plan_writes_the_three_outputs(tiny_plan: tuple[Path, str]) -> None:
    out, log = tiny_plan
    recommendations = pd.read_csv(out / "recommendations.csv")
    assert list(recommendations.columns) == ["part", "location", "stock", "current_stock",
                                             "delta", "unit_cost", "yearly_holding_cost"]
    assert (recommendations["delta"] == recommendations["stock"]
            - recommendations["current_stock"]).all()
    service = pd.read_csv(out / "service.csv")
    assert {"sla_row", "kind", "target", "planned", "simulated", "ci_low", "ci_high"} <= set(
        service.columns)
    assert (service["planned"] >= service["target"] - 1e-9).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["gap"] == pytest.approx(0.0, abs=1e-6)
    assert summary["objective"] >= summary["lower_bound"] - 1e-6
    assert len(summary["input_hash"]) == 64
    assert {"numpy", "highspy", "pulp", "spareplan"} <= set(summary["versions"])
    assert "outputs written to" in log
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_same_inputs_and_seed_give_identical_files(tiny_plan: tuple[Path, str],
                                                   tmp_path: Path) -> None:
    first, _ = tiny_plan
    again = run("plan", str(TINY), "--out", str(tmp_path / "again"), "--replications", "4",
                "--years", "2")
    assert again.returncode == 0, again.stderr
    for name in ("recommendations.csv", "service.csv"):
        assert (first / name).read_bytes() == (tmp_path / "again" / name).read_bytes()
    a = json.loads((first / "summary.json").read_text())
    b = json.loads((tmp_path / "again" / "summary.json").read_text())
    a.pop("runtime_seconds"), b.pop("runtime_seconds")
    assert a == b


def test_validate_ok_and_bad_solver_is_exit_2(tmp_path: Path) -> None:
    assert run("validate", str(TINY)).returncode == 0
    done = run("plan", str(TINY), "--out", str(tmp_path / "x"), "--solver", "nope")
    assert done.returncode == 2
    assert "parameter solver" in done.stderr and "'nope'" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "x").exists()


def test_unreachable_sla_exits_1_naming_row_and_best_value(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    shutil.copytree(TINY, scenario)
    toml = (scenario / "scenario.toml").read_text()
    toml = toml.replace("fill_rate_within = { target = 0.80, window_hours = 4.0 }",
                        "fill_rate_within = { target = 0.99, window_hours = 1.0 }")
    (scenario / "scenario.toml").write_text(toml)
    done = run("plan", str(scenario), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "gold/S1/fill_rate_within" in done.stderr
    assert "best reachable 0.0000" in done.stderr
    assert "no location in reach responds within 1 h for site(s) S1" in done.stderr
    # summary.json alone, with the reason and each row's best reachable value
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name[0] != ".")
    assert written == ["summary.json"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible" and not summary["meets_every_sla"]
    assert summary["diagnosis"][0]["sla_row"] == "gold/S1/fill_rate_within"


def test_a_failed_run_keeps_the_previous_complete_output(tiny_plan: tuple[Path, str],
                                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(tiny_plan[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert ".spareplan-output" in before
    done = run("plan", str(tmp_path / "missing"), "--out", str(out))
    assert done.returncode == 2
    assert "scenario file must exist" in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_must_not_be_the_scenario_or_foreign_files(tmp_path: Path) -> None:
    """`plan S --out S` once deleted the scenario: now nothing is touched (exit 2)."""
    scenario = tmp_path / "scenario"
    shutil.copytree(TINY, scenario)
    (scenario / "notes.txt").write_text("mine\n")
    before = {p.name: p.read_bytes() for p in scenario.iterdir()}
    done = run("plan", str(scenario), "--out", str(scenario))
    assert done.returncode == 2, done.stderr
    assert "parameter --out: must not be the scenario folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: p.read_bytes() for p in scenario.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario"]
