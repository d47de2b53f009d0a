"""The ``warn`` command: the files it writes (atomically), its console summary, names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from warning_helpers import write

from spareplan.cli.warn import warn_command
from spareplan.warning.notices import notice_file_names


def test_writes_every_output(scenario_dir: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli(scenario_dir, "--out", out, "--as-of", "2025-04-07", "--horizon-weeks", "8")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [".spareplan-output", "alerts.csv", "countermeasures.csv", "notices", "pab.csv",
                     "register_findings.csv", "summary.json"]
    assert sorted(p.name for p in (out / "notices").iterdir()) == ["S1.md", "S2.md",
                                                                   "index.csv"]
    index = pd.read_csv(out / "notices" / "index.csv")
    assert index.values.tolist() == [["S1", "S1.md"], ["S2", "S2.md"]]
    pab = pd.read_csv(out / "pab.csv")
    assert pab["week"].max() == 8 and len(pab) == 8 * 5
    assert {"p_short", "expected_shortfall", "pab", "target", "replenishment"} <= set(pab)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["command"] == "warn" and summary["as_of"] == "2025-04-07"
    assert summary["alerts"]["confirmed_shortage"] == 1
    assert summary["customers_to_notify"] == ["S1", "S2"]
    assert summary["thresholds"]["internal_risk_probability"] == 0.05
    findings = pd.read_csv(out / "register_findings.csv")
    assert {"supplier", "finding", "parts", "date", "owner", "detail"} <= set(findings.columns)
    # the console summary (stderr): counts per level, changes, customers to notify
    assert "alerts: 1 internal risk, 0 customer notice, 1 confirmed shortage, 0 all clear" \
        in result.output
    assert "changes: 2 new," in result.output
    assert "customers to notify: 2 (S1, S2)" in result.output


def test_old_notices_replaced_and_error_leaves_previous_output(scenario_dir: Path,
                                                               tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    assert cli(scenario_dir, "--out", out, "--as-of", "2025-04-07").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert Path("notices/S1.md") in before
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-04-16,ten,purchase,PO-100
    """)
    result = cli(scenario_dir, "--out", out, "--as-of", "2025-03-03")
    assert result.exit_code == 2
    assert "row 2, column quantity: must be a number (received 'ten')" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".spareplan-output"]
    # A later good run with no customer-facing alert leaves no stale notices behind.
    write(scenario_dir, "scheduled_receipts.csv", """
        part,location,due_date,quantity,kind,reference
        P-PUMP,F1,2025-04-01,10,purchase,PO-100
    """)
    assert cli(scenario_dir, "--out", out, "--as-of", "2025-03-24").exit_code == 0
    assert [p.name for p in (out / "notices").iterdir()] == ["index.csv"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".spareplan-output"]


def test_function_returns_zero_with_alerts(scenario_dir: Path, tmp_path: Path) -> None:
    code = warn_command(scenario_dir, out=tmp_path / "out", plan=None, state=None,
                        as_of="2025-04-07", horizon_weeks=None)
    assert code == 0
    alerts = pd.read_csv(tmp_path / "out" / "alerts.csv")
    assert "confirmed_shortage" in set(alerts["level"])


def test_plan_file_as_base_stock(scenario_dir: Path, tmp_path: Path, cli) -> None:
    plan = tmp_path / "recommendations.csv"
    plan.write_text("part,location,stock,current_stock,delta,unit_cost,yearly_holding_cost\n"
                    "P-FUSE,F1,4,10,-6,40,40\nP-FUSE,F2,2,3,-1,40,20\n")
    out = tmp_path / "out"
    assert cli(scenario_dir, "--out", out, "--plan", plan).exit_code == 0
    alerts = pd.read_csv(out / "alerts.csv")
    assert set(alerts["part"]) == {"P-FUSE"}  # the plan stocks nothing else: nothing judged
    fuse = alerts.iloc[0]
    assert (fuse["location"], fuse["level"], fuse["target"]) == ("F2", "internal_risk", 2)
    measures = pd.read_csv(out / "countermeasures.csv")
    # F1 holds 10 for a base stock of 4 and has no demand: it can spare 6, F2 needs 4
    assert measures[["kind", "source", "quantity", "cost"]].values.tolist() == [
        ["transfer", "F1", 4, 400.0]]
    assert json.loads((out / "summary.json").read_text())["target_source"] == "plan"


def test_state_inside_out_is_refused(scenario_dir: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli(scenario_dir, "--out", out, "--state", out / "alerts.sqlite")
    assert result.exit_code == 2, result.output
    assert "parameter --out: must not hold an input file of the run" in result.output
    assert not out.exists()


def test_distinct_sites_get_distinct_notice_files(scenario_dir: Path, tmp_path: Path,
                                                  cli) -> None:
    """Issue 10: sites S/1 and S_1 both wrote notices/S_1.md; one notice was lost."""
    write(scenario_dir, "sites.csv", """
        site,sla_class,primary_location,name
        S/1,gold,F1,=HYPERLINK("http://evil.example")
        S_1,silver,F1,Lab North
        S3,silver,F2,Plant South
    """)
    write(scenario_dir, "reach.csv", """
        site,location,response_hours
        S/1,F1,2
        S_1,F1,3
        S3,F2,2
        S3,F1,7
    """)
    write(scenario_dir, "customer_orders.csv", """
        part,location,due_date,quantity,site,reference
        P-PUMP,F1,2025-04-09,5,S/1,SO-7
    """)
    out = tmp_path / "out"
    result = cli(scenario_dir, "--out", out, "--as-of", "2025-04-07")
    assert result.exit_code == 0, result.output
    names = notice_file_names(["S/1", "S_1"])
    assert names["S_1"] == "S_1.md" and names["S/1"] != "S_1.md"
    files = sorted(p.name for p in (out / "notices").glob("*.md"))
    assert files == sorted(names.values())
    index = pd.read_csv(out / "notices" / "index.csv")
    assert dict(zip(index["site"], index["file"], strict=True)) == names
    evil = (out / "notices" / names["S/1"]).read_text()
    assert "'=HYPERLINK" in evil and "for =HYPERLINK" not in evil  # neutralized
    assert "Lab North (S_1)" in (out / "notices" / "S_1.md").read_text()


def test_file_names_are_distinct_case_blind() -> None:
    names = notice_file_names(["ab", "AB", "con", "x.y", "../up", "ok-1"])
    assert len({n.casefold() for n in names.values()}) == 6
    assert names["ok-1"] == "ok-1.md" and names["x.y"] == "x.y.md"
    assert all("/" not in n and not n.startswith(".") for n in names.values())
