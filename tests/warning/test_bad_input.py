"""Bad input: exit 2 with a message naming file, row, field and value; state untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from warning_helpers import digest, write

GOOD_RECEIPTS = "part,location,due_date,quantity,kind,reference\n"


@pytest.fixture
def recorded(scenario_dir: Path, tmp_path: Path, cli) -> tuple[Path, Path, str]:
    """A state database holding one good run, and its hash."""
    state = tmp_path / "state.sqlite"
    result = cli(scenario_dir, "--out", tmp_path / "first", "--state", state)
    assert result.exit_code == 0, result.output
    return scenario_dir, state, digest(state)


@pytest.mark.parametrize(("table", "row", "expected"), [
    ("scheduled_receipts.csv", "P-PUMP,F1,2025-13-45,10,purchase,PO-9",
     ["scheduled_receipts.csv", "row 3, column due_date", "must be a date YYYY-MM-DD",
      "'2025-13-45'"]),
    ("scheduled_receipts.csv", "P-GHOST,F1,2025-04-16,10,purchase,PO-9",
     ["scheduled_receipts.csv", "row 3, column part", "must name an existing part",
      "'P-GHOST'"]),
    ("scheduled_receipts.csv", "P-PUMP,F1,2025-04-16,-4,purchase,PO-9",
     ["scheduled_receipts.csv", "row 3, column quantity", "must be > 0", "'-4'"]),
    ("customer_orders.csv", "P-PUMP,F1,2025-04-31,1,S1,SO-9",
     ["customer_orders.csv", "row 3, column due_date", "'2025-04-31'"]),
    ("current_stock.csv", "P-SEAL,F2,-1,0",
     ["current_stock.csv", "row 7, column on_hand", "must be >= 0", "'-1'"]),
])
def test_bad_table_exits_2_state_unchanged(recorded, tmp_path: Path, cli, table: str,
                                           row: str, expected: list[str]) -> None:
    scenario_dir, state, before = recorded
    path = scenario_dir / table
    path.write_text(path.read_text() + row + "\n")
    out = tmp_path / "out"
    result = cli(scenario_dir, "--out", out, "--state", state)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert "Traceback" not in result.output
    assert digest(state) == before
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(("args", "expected"), [
    (["--as-of", "2025-02-30"], ["parameter --as-of", "must be a date YYYY-MM-DD",
                                 "'2025-02-30'"]),
    (["--horizon-weeks", "0"], ["parameter horizon_weeks", "must be between 1 and 520"]),
])
def test_bad_parameter_exits_2(recorded, tmp_path: Path, cli, args: list[str],
                               expected: list[str]) -> None:
    scenario_dir, state, before = recorded
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", state, *args)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert digest(state) == before


def test_bad_plan_exits_2(recorded, tmp_path: Path, cli) -> None:
    scenario_dir, state, before = recorded
    plan = tmp_path / "recommendations.csv"
    plan.write_text("part,location,stock,current_stock,delta\n"
                    "P-PUMP,F1,2,2,0\nP-NOPE,F1,1,0,1\nP-SEAL,ZZ,-3,0,0\n")
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", state, "--plan", plan)
    assert result.exit_code == 2, result.output
    for text in ("recommendations.csv: row 3, column part: must name an existing part "
                 "(received 'P-NOPE')",
                 "row 4, column location: must name an existing location (received 'ZZ')",
                 "row 4, column stock: must be >= 0"):
        assert text in result.output
    assert digest(state) == before


@pytest.mark.parametrize(("stock", "rule"), [
    ("0.5", "must be a whole number"),           # issue 10: simulate rejected it, warn not
    ("1e20", "must be <= 1000000"),              # an overflow before
    ("inf", "must be finite"),
    ("two", "must be a number"),
])
def test_plan_stock_rules(recorded, tmp_path: Path, cli, stock: str, rule: str) -> None:
    scenario_dir, state, before = recorded
    plan = tmp_path / "recommendations.csv"
    plan.write_text(f"part,location,stock\nP-PUMP,F1,2\nP-FUSE,F2,{stock}\n")
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", state, "--plan", plan)
    assert result.exit_code == 2, result.output
    assert (f"recommendations.csv: row 3, column stock: {rule} (received '{stock}')"
            in result.output)
    assert "Traceback" not in result.output
    assert digest(state) == before
    assert not (tmp_path / "out").exists()


def test_state_file_that_is_not_a_history(scenario_dir: Path, tmp_path: Path, cli) -> None:
    state = tmp_path / "notes.txt"
    state.write_text("this is not a database, it is a shopping list\n" * 20)
    before = digest(state)
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", state)
    assert result.exit_code == 2, result.output
    assert "must be a SQLite database" in result.output
    assert digest(state) == before


def test_missing_current_stock_table(scenario_dir: Path, tmp_path: Path, cli) -> None:
    toml = scenario_dir / "scenario.toml"
    toml.write_text(toml.read_text().replace('current_stock = "current_stock.csv"\n', ""))
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", tmp_path / "s.db")
    assert result.exit_code == 2, result.output
    assert "field tables.current_stock" in result.output
    assert not (tmp_path / "s.db").exists()


def test_bad_input_on_first_run_creates_no_state(scenario_dir: Path, tmp_path: Path,
                                                  cli) -> None:
    write(scenario_dir, "scheduled_receipts.csv",
          GOOD_RECEIPTS + "P-PUMP,F1,someday,10,purchase,PO-9")
    result = cli(scenario_dir, "--out", tmp_path / "out", "--state", tmp_path / "s.db")
    assert result.exit_code == 2
    assert not (tmp_path / "s.db").exists()
