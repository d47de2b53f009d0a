"""Supplier-continuity register: one fixture supplier per gap, each flag asserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from warning_helpers import write

from spareplan.scenario import load_scenario
from spareplan.warning import register_findings
from spareplan.warning.register import is_personal_mailbox, load_supplier_register

REGISTER = """
    supplier,owner,review_every_months,next_session,session_with,last_session
    ACME,purchasing lead,12,2025-04-02,key account manager and our service manager,2025-01-08
    BOLT,purchasing lead,,,,
    CORP,purchasing lead,12,2025-06-10,order desk,
    DYNA,spare parts planner,12,2025-05-20,sales director,2024-11-20
"""


@pytest.fixture
def with_register(scenario_dir: Path) -> Path:
    """The fixture with a supplier register that owns every record and plans sessions."""
    write(scenario_dir, "supplier_register.csv", REGISTER)
    toml = scenario_dir / "scenario.toml"
    toml.write_text(toml.read_text().replace(
        "confirm_weeks = 1", 'confirm_weeks = 1\nsupplier_register = "supplier_register.csv"'))
    return scenario_dir


def _findings(folder: Path, as_of: dt.date = dt.date(2025, 3, 3), *,
              sessions: bool = False) -> set[tuple]:
    scenario = load_scenario(folder)
    register, problems = load_supplier_register(scenario)
    assert problems == []
    frame = register_findings(scenario, as_of=as_of, horizon_weeks=12, register=register)
    return {(None if pd.isna(row.supplier) else row.supplier, row.finding, row.parts)
            for row in frame.itertuples()
            if sessions or row.finding != "session_scheduled"}


def test_without_a_register_nobody_owns_a_record(scenario_dir: Path) -> None:
    found = _findings(scenario_dir)
    for supplier, part in (("ACME", "P-PUMP"), ("CORP", "P-VALVE"), ("DYNA", "P-SEAL")):
        assert (supplier, "no_record_owner", part) in found
        assert (supplier, "no_session_scheduled", part) in found


def test_fixture_flags(with_register: Path) -> None:
    scenario_dir = with_register
    assert _findings(scenario_dir) == {
        ("CORP", "no_role_contact", "P-VALVE"),          # john.smith@
        ("CORP", "no_escalation_path", "P-VALVE"),
        ("CORP", "contact_not_reviewed", "P-VALVE"),     # 2023-06-01 > 12 months ago
        ("CORP", "contract_renewal_due", "P-VALVE"),     # 2025-04-30 within 12 weeks
        ("DYNA", "contact_not_reviewed", "P-SEAL"),      # never reviewed
        ("DYNA", "contract_renewal_overdue", "P-SEAL"),  # 2024-12-31 passed
        ("DYNA", "order_window_closing", "P-SEAL"),      # yearly buy window ends 2025-03-31
        ("DYNA", "order_window_missed", "P-SEAL"),       # early-order deadline 2025-02-15
    }


def test_clean_supplier_and_non_critical_supplier_not_flagged(with_register: Path) -> None:
    suppliers = {s for s, _, _ in _findings(with_register)}
    assert "ACME" not in suppliers  # role mailbox, path, reviewed, renewal far, window far
    assert "BOLT" not in suppliers  # personal mailbox, but supplies only a medium part


def test_critical_levels_setting(scenario_dir: Path) -> None:
    toml = scenario_dir / "scenario.toml"
    toml.write_text(toml.read_text().replace(
        "confirm_weeks = 1", 'confirm_weeks = 1\ncritical_levels = ["medium"]'))
    found = _findings(scenario_dir)
    assert {s for s, _, _ in found} == {"BOLT"}
    assert ("BOLT", "no_role_contact", "P-FUSE") in found
    assert ("BOLT", "contract_renewal_due", "P-FUSE") in found


def test_missing_contact_and_missing_supplier(with_register: Path) -> None:
    scenario_dir = with_register
    write(scenario_dir, "suppliers.csv", """
        supplier,name,contact,escalation,contact_reviewed,contract_renewal
        ACME,Acme Pumps,,Account manager,2025-01-10,2026-06-30
        BOLT,Bolt Electric,orders@bolt.example,Desk,2025-01-10,
        CORP,Corp Valves,Order desk +49 30 1234,Desk; Director,2025-01-10,
        DYNA,Dyna Seals,orders@dyna.example,Desk,2025-01-10,
    """)
    write(scenario_dir, "parts.csv", """
        part,unit_cost,kind,procurement_lead_time_days,supplier,criticality
        P-PUMP,1200,consumable,90,ACME,critical
        P-FUSE,40,consumable,14,BOLT,medium
        P-VALVE,300,consumable,60,CORP,high
        P-SEAL,25,consumable,120,,critical
    """)
    write(scenario_dir, "order_windows.csv", "supplier,part,opens,closes,description")
    found = _findings(scenario_dir)
    assert found == {("ACME", "no_role_contact", "P-PUMP"), (None, "no_supplier", "P-SEAL")}


def test_sessions_owner_and_cadence(with_register: Path) -> None:
    """Owner, review cadence and the contact sessions of the register, each flag asserted."""
    scenario_dir = with_register
    found = _findings(scenario_dir, sessions=True)
    assert ("ACME", "session_scheduled", "P-PUMP") in found  # 2025-04-02, in the horizon
    assert not {f for f in found if f[0] == "ACME" and f[1] != "session_scheduled"}
    write(scenario_dir, "supplier_register.csv", """
        supplier,owner,review_every_months,next_session,session_with,last_session
        ACME,,1,2025-02-20,key account,2025-01-08
        CORP,purchasing lead,12,2026-01-10,order desk,
        DYNA,spare parts planner,12,2025-05-20,sales director,2025-02-21
    """)
    frame = register_findings(load_scenario(scenario_dir), as_of=dt.date(2025, 3, 3),
                              horizon_weeks=12,
                              register=load_supplier_register(load_scenario(scenario_dir))[0])
    acme = frame[frame["supplier"] == "ACME"].set_index("finding")
    assert set(acme.index) == {"no_record_owner", "contact_not_reviewed", "session_overdue"}
    assert "planned for 2025-02-20 was not held" in acme.at["session_overdue", "detail"]
    assert "more than 1 months" in acme.at["contact_not_reviewed", "detail"]  # cadence 1
    corp = frame[frame["supplier"] == "CORP"]
    assert "no_session_scheduled" in set(corp["finding"])  # next one is 10 months away
    assert set(corp["owner"].dropna()) == {"purchasing lead"}


@pytest.mark.parametrize(("text", "expected"), [
    ("supplier,owner,review_every_months\nACME,lead,0\n",
     ["supplier_register.csv", "row 2, column review_every_months", "must be >= 1", "'0'"]),
    ("supplier,owner\nNOPE,lead\n",
     ["row 2, column supplier", "must name a supplier of the suppliers table", "'NOPE'"]),
    ("supplier,owner,next_session\nACME,lead,soon\n",
     ["row 2, column next_session", "must be a date YYYY-MM-DD", "'soon'"]),
])
def test_bad_register_exit_2(with_register: Path, tmp_path: Path, cli, text: str,
                             expected: list[str]) -> None:
    (with_register / "supplier_register.csv").write_text(text)
    result = cli(with_register, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    for item in expected:
        assert item in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/hostname"])
def test_register_must_stay_in_the_scenario_folder(with_register: Path, tmp_path: Path,
                                                   cli, path: str) -> None:
    (tmp_path / "outside.csv").write_text("supplier,owner\nACME,lead\n")
    toml = with_register / "scenario.toml"
    toml.write_text(toml.read_text().replace('"supplier_register.csv"', f'"{path}"'))
    result = cli(with_register, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "must be a file inside the scenario folder" in result.output


def test_window_missed_only_without_a_later_window(scenario_dir: Path) -> None:
    write(scenario_dir, "order_windows.csv", """
        supplier,part,opens,closes,description
        DYNA,P-SEAL,2025-01-15,2025-02-15,Early-order deadline
        DYNA,P-SEAL,2025-08-01,2025-08-15,Next early-order deadline
        DYNA,,2023-01-01,2023-01-31,Old buy window
    """)
    found = _findings(scenario_dir)
    assert not {f for f in found if f[1].startswith("order_window")}


@pytest.mark.parametrize(("contact", "personal"), [
    ("jane.doe@bolt.example", True),
    ("John_Smith@corp.example", True),
    ("j.smith@corp.example", True),
    ("Jane Doe <jane.doe@x.example>", True),
    ("spare-parts@acme.example", False),
    ("order.desk@acme.example", False),
    ("customer.service@acme.example", False),
    ("info@acme.example", False),
    ("Order desk, +49 30 1234", False),
])
def test_personal_mailbox_pattern(contact: str, personal: bool) -> None:
    assert is_personal_mailbox(contact) is personal
