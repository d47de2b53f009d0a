"""The ``warn`` command: the files it writes, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from warning_helpers import write

from spareplan.cli.warn import warn_command


def test_writes_every_output(scenario_dir: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli(scenario_dir, "--out", out, "--as-of", "2025-03-24", "--horizon-weeks", "8")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".spareplan-output", "alerts.csv", "countermeasures.csv", "notices", "pab.csv",
                     "register_findings.csv", "summary.json"]
    assert sorted(p.name for p in (out / "notices").iterdir()) == ["S1.md", "S2.md"]
    pab = pd.read_csv(out / "pab.csv")
    assert pab["week"].max() == 8 and len(pab) == 8 * 5
    summary = json.loads((out / "summary.json").read_text())
    assert summary["command"] == "warn" and summary["as_of"] == "2025-03-24"
    assert summary["alerts"]["customer_notice"] == 1
    assert summary["notices"] == ["S1", "S2"]
    findings = pd.read_csv(out / "register_findings.csv")
    assert {"supplier", "finding", "parts", "date", "detail"} <= set(findings.columns)


def test_old_notices_replaced_and_error_leaves_previous_output(scenario_dir: Path,
                                                               tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    assert cli(scenario_dir, "--out", out, "--as-of", "2025-03-24").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-04-16,ten,purchase,PO-100
    """)
    result = cli(scenario_dir, "--out", out, "--as-of", "2025-03-03")
    assert result.exit_code == 2
    assert "row 2, column quantity: must be a number (received 'ten')" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".spareplan-output"]
    # A later good run with no customer-facing alert leaves no stale notices behind.
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-04-01,10,purchase,PO-100
    """)
    assert cli(scenario_dir, "--out", out, "--as-of", "2025-03-24").exit_code == 0
    assert list((out / "notices").iterdir()) == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".spareplan-output"]


def test_function_returns_zero_with_alerts(scenario_dir: Path, tmp_path: Path) -> None:
    code = warn_command(scenario_dir, out=tmp_path / "out", plan=None, state=None,
                        as_of="2025-04-07", horizon_weeks=None)
    assert code == 0
    alerts = pd.read_csv(tmp_path / "out" / "alerts.csv")
    assert "confirmed_shortage" in set(alerts["level"])


def test_plan_file_as_safety_stock(scenario_dir: Path, tmp_path: Path, cli) -> None:
    plan = tmp_path / "recommendations.csv"
    plan.write_text("part,location,stock,current_stock,delta,unit_cost,yearly_holding_cost\n"
                    "P-FUSE,F1,4,10,-6,40,40\nP-FUSE,F2,2,3,-1,40,20\n")
    out = tmp_path / "out"
    assert cli(scenario_dir, "--out", out, "--plan", plan).exit_code == 0
    alerts = pd.read_csv(out / "alerts.csv")
    fuse = alerts[alerts["part"] == "P-FUSE"].iloc[0]
    assert fuse["first_week_at_risk"] == 2  # 3 - 2 = 1 < safety stock 2
    measures = pd.read_csv(out / "countermeasures.csv")
    # F1 can give only what it holds above its own safety stock of 4.
    fuse_measures = measures.loc[measures["part"] == "P-FUSE", ["kind", "source", "quantity"]]
    # ... and a new buy (14 days, arrives in week 3) covers the rest of the 9 units short.
    assert fuse_measures.values.tolist() == [["transfer", "F1", 6.0], ["new_order", "BOLT", 3.0]]
    assert fuse["level"] == "internal_risk"
    assert json.loads((out / "summary.json").read_text())["safety_stock_source"] == "plan"
