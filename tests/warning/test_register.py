"""Supplier-continuity register: one fixture supplier per gap, each flag asserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from warning_helpers import write

from spareplan.scenario import load_scenario
from spareplan.warning import register_findings
from spareplan.warning.register import is_personal_mailbox


def _findings(folder: Path, as_of: dt.date = dt.date(2025, 3, 3)) -> set[tuple]:
    frame = register_findings(load_scenario(folder), as_of=as_of, horizon_weeks=12)
    return {(None if pd.isna(row.supplier) else row.supplier, row.finding, row.parts)
            for row in frame.itertuples()}


def test_fixture_flags(scenario_dir: Path) -> None:
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


def test_clean_supplier_and_non_critical_supplier_not_flagged(scenario_dir: Path) -> None:
    suppliers = {s for s, _, _ in _findings(scenario_dir)}
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


def test_missing_contact_and_missing_supplier(scenario_dir: Path) -> None:
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
