"""compare_plans() and `spareplan compare` on plans of scenarios/tiny: two plans that
differ, a plan with itself, rows and lines in one plan only, an older plan folder, two
scenarios planned the same way, determinism and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from spareplan.cli.app import app
from spareplan.planning.plan import plan
from spareplan.reports.compare import CHANGE_COLUMNS, SERVICE_COLUMNS, compare_plans
from spareplan.reports.plan_folder import PlanFolderError
from spareplan.reports.plan_outputs import write_plan
from spareplan.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"
#: A small verification: the plans carry simulated values with confidence intervals.
SMALL = {"replications": 4, "years": 2.0}


def invoke(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A: tiny as it is; B: tiny with 99.5% within the window on both fill-rate rows."""
    scenario = load_scenario(TINY)
    folder = tmp_path_factory.mktemp("plans")
    a = write_plan(plan(scenario, **SMALL), folder / "a", scenario=scenario)
    targets = {"gold/S1/fill_rate_within": 0.995, "silver/fill_rate_within": 0.995}
    b = write_plan(plan(scenario, targets=targets, **SMALL), folder / "b", scenario=scenario)
    return a, b


def test_two_plans_that_differ(plans: tuple[Path, Path]) -> None:
    a, b = plans
    comparison = compare_plans(a, b)
    summary = comparison.summary.set_index("plan")
    first = json.loads((a / "summary.json").read_text())
    second = json.loads((b / "summary.json").read_text())
    assert summary.loc["A", "yearly_cost"] == first["objective"]
    assert summary.loc["B - A", "yearly_cost"] == pytest.approx(second["objective"]
                                                                - first["objective"])
    assert summary.loc["B - A", "investment"] == pytest.approx(
        second["inventory_value"] - first["inventory_value"])
    assert summary.loc["B - A", "yearly_cost"] > 0  # higher targets cost more

    service = comparison.service.set_index("sla_row")
    assert list(comparison.service.columns) == SERVICE_COLUMNS
    assert (service["present"] == "both").all()
    assert service.loc["gold/S1/fill_rate_within", "target_b"] == 0.995
    assert service.loc["gold/S1/fill_rate_within", "target_a"] == 0.8
    assert (service["measure"] == "simulated").all()
    assert (service["difference"] == service["simulated_b"] - service["simulated_a"]).all()
    assert (service["ci_low_a"] <= service["simulated_a"]).all()

    changes = comparison.stock_changes
    assert list(changes.columns) == CHANGE_COLUMNS
    assert len(changes) > 0 and (changes["change"] != 0).all()
    stock_a = pd.read_csv(a / "recommendations.csv").set_index(["part", "location"])["stock"]
    stock_b = pd.read_csv(b / "recommendations.csv").set_index(["part", "location"])["stock"]
    for row in changes.itertuples():
        key = (row.part, row.location)
        assert row.stock_a == stock_a.get(key, 0) and row.stock_b == stock_b.get(key, 0)
        assert row.change == row.stock_b - row.stock_a
        assert row.change_value == pytest.approx(row.change * row.unit_cost)
    assert changes["change_value"].sum() == pytest.approx(
        summary.loc["B - A", "investment"])
    assert comparison.notes == []


def test_a_plan_against_itself_changes_nothing(plans: tuple[Path, Path]) -> None:
    comparison = compare_plans(plans[0], plans[0])
    assert comparison.identical_stock and comparison.stock_changes.empty
    difference = comparison.summary.set_index("plan").loc["B - A"]
    assert difference[["yearly_cost", "investment", "stock_units"]].tolist() == [0, 0, 0]
    assert (comparison.service["difference"] == 0).all()
    assert "0 stock changes" in repr(comparison)


def test_rows_and_lines_in_one_plan_only(plans: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = plans
    other = tmp_path / "other"
    shutil.copytree(b, other)
    service = pd.read_csv(other / "service.csv")
    service.loc[0, "sla_row"] = "platinum/S9/fill_rate_within"
    service.to_csv(other / "service.csv", index=False)
    recs = pd.read_csv(other / "recommendations.csv")
    extra = recs.iloc[[0]].assign(location="F9", stock=2, current_stock=0, delta=2)
    pd.concat([recs.iloc[1:], extra]).to_csv(other / "recommendations.csv", index=False)
    summary = json.loads((other / "summary.json").read_text())
    summary["scenario"] = "tiny-elsewhere"
    (other / "summary.json").write_text(json.dumps(summary), encoding="utf-8")

    comparison = compare_plans(a, other)
    present = comparison.service.set_index("sla_row")["present"]
    assert present["gold/S1/fill_rate_within"] == "A only"
    assert present["platinum/S9/fill_rate_within"] == "B only"
    assert comparison.service.set_index("sla_row").loc["platinum/S9/fill_rate_within",
                                                        "measure"] == ""
    changes = comparison.stock_changes.set_index(["part", "location"])
    first = (recs.iloc[0]["part"], recs.iloc[0]["location"])
    stock_a = pd.read_csv(a / "recommendations.csv").set_index(
        ["part", "location"])["stock"]
    if stock_a[first] != 0:
        assert changes.loc[first, "present"] == "A only"
        assert changes.loc[first, "stock_b"] == 0
    assert changes.loc[(recs.iloc[0]["part"], "F9"), "present"] == "B only"
    assert changes.loc[(recs.iloc[0]["part"], "F9"), "stock_a"] == 0
    notes = " ".join(comparison.notes)
    assert "SLA rows in plan A only (not compared): gold/S1/fill_rate_within" in notes
    assert "plan B only: counted as stock 0 in plan A" in notes
    assert "different scenarios: A 'tiny', B 'tiny-elsewhere'" in notes


def test_an_older_plan_folder_degrades(plans: tuple[Path, Path], tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(plans[1], old)
    for name in ("plan_context.json", "kpis_parts.csv", "kpis_locations.csv",
                 "explanations.csv"):
        (old / name).unlink()
    service = pd.read_csv(old / "service.csv")
    service.drop(columns=["simulated", "ci_low", "ci_high", "verdict"]).to_csv(
        old / "service.csv", index=False)
    comparison = compare_plans(plans[0], old)
    assert (comparison.service["measure"] == "planned").all()
    assert comparison.service["simulated_b"].isna().all()
    assert comparison.currency == "EUR"  # A's, B has none
    assert any("no plan_context.json" in n for n in comparison.notes)
    assert any("plan B was not verified" in n for n in comparison.notes)
    code, _, stderr = invoke("compare", str(plans[0]), str(old), "--out",
                             str(tmp_path / "cmp"))
    assert code == 0, stderr
    assert (tmp_path / "cmp" / "compare.html").exists()


def test_cli_writes_csv_and_html_deterministically(plans: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    a, b = plans
    outputs = []
    for run in ("one", "two"):
        code, stdout, stderr = invoke("compare", str(a), str(b), "--out",
                                      str(tmp_path / run))
        assert code == 0, stderr
        outputs.append({p.name: p.read_bytes() for p in sorted((tmp_path / run).iterdir())
                        if p.is_file()})
    assert outputs[0] == outputs[1]
    assert {"compare_summary.csv", "compare_service.csv", "stock_changes.csv",
            "compare.html"} <= set(outputs[0])
    assert "yearly cost (EUR)" in stdout and "silver/uptime" in stdout
    page = outputs[0]["compare.html"].decode()
    assert "default-src 'none'" in page and "<script" not in page and "<svg" in page
    assert "Stock changes" in page and "gold/S1/fill_rate_within" in page
    changes = pd.read_csv(tmp_path / "one" / "stock_changes.csv")
    assert len(changes) == len(compare_plans(a, b).stock_changes)


def test_cli_terminal_only_writes_nothing(plans: tuple[Path, Path], tmp_path: Path) -> None:
    code, stdout, _ = invoke("compare", str(plans[0]), str(plans[0]))
    assert code == 0
    assert "stock changes: 0 part-location lines" in stdout


def test_two_scenarios_planned_the_same_way(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, _, stderr = invoke("compare", str(TINY), str(TINY / "scenario.toml"),
                                  "--out", str(out), "--model", "analytic", "--no-verify")
    assert code == 0, stderr
    assert compare_plans(out / "plan_a", out / "plan_b").identical_stock  # same seed
    assert pd.read_csv(out / "stock_changes.csv").empty
    code, _, stderr = invoke("compare", str(TINY), str(TINY), "--model", "analytic")
    assert code == 2 and "--out" in stderr


def test_bad_input_names_the_file_and_writes_nothing(plans: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    a, _ = plans
    out = tmp_path / "out"
    code, _, stderr = invoke("compare", str(a), str(TINY / "parts.csv"), "--out", str(out))
    assert code == 2 and "plan folder" in stderr and "Traceback" not in stderr
    assert not out.exists()

    broken = tmp_path / "broken"
    shutil.copytree(a, broken)
    (broken / "summary.json").write_text('{"scenario": "tiny",', encoding="utf-8")
    code, _, stderr = invoke("compare", str(a), str(broken), "--out", str(out))
    assert code == 2 and "summary.json" in stderr and "valid JSON" in stderr
    assert not out.exists()
    with pytest.raises(PlanFolderError, match=r"summary\.json"):
        compare_plans(a, broken)

    code, _, stderr = invoke("compare", str(a), str(TINY), "--out", str(out))
    assert code == 2 and "both be plan folders or both be scenarios" in stderr
    code, _, stderr = invoke("compare", str(a), str(a), "--out", str(a))
    assert code == 2 and "--out" in stderr
    assert (a / "summary.json").exists()
    assert not out.exists()


def test_two_results_in_memory_compare_like_their_folders(tmp_path: Path) -> None:
    """The analyst's form: compare_plans of two spareplan.plan results (tiny, the second
    with stricter targets through Scenario.with_targets), the same figures as of their
    plan folders, the folder column empty."""
    import spareplan

    scenario = spareplan.load_scenario(TINY)
    stricter = scenario.with_targets(gold=0.99, silver={"fill_rate_within": 0.99})
    base = spareplan.plan(scenario, **SMALL)
    high = spareplan.plan(stricter, **SMALL)
    comparison = spareplan.compare_plans(base, high)
    summary = comparison.summary.set_index("plan")
    assert list(comparison.service.columns) == SERVICE_COLUMNS
    assert list(comparison.stock_changes.columns) == CHANGE_COLUMNS
    cost_difference = high.summary["objective"] - base.summary["objective"]
    assert cost_difference > 0  # stricter targets cost more
    assert summary.loc["B - A", "yearly_cost"] == pytest.approx(cost_difference, abs=0.01)
    assert summary.loc["A", "folder"] == "" and summary.loc["B", "scenario"] == "tiny"
    assert not comparison.identical_stock
    row = comparison.service.set_index("sla_row").loc["gold/S1/fill_rate_within"]
    assert (row["target_a"], row["target_b"]) == (0.8, 0.99)
    assert not any("plan_context" in note for note in comparison.notes)  # currency known
    # a result and its folder: the same comparison but for the folder's name
    folder = write_plan(high, tmp_path / "high", scenario=stricter)
    mixed = compare_plans(base, folder)
    pd.testing.assert_frame_equal(mixed.service, comparison.service)
    pd.testing.assert_frame_equal(mixed.stock_changes, comparison.stock_changes)
    pd.testing.assert_frame_equal(mixed.summary.drop(columns="folder"),
                                  comparison.summary.drop(columns="folder"))
    with pytest.raises(spareplan.ParameterError, match="PlanResult"):
        compare_plans(base, 42)  # type: ignore[arg-type]
