"""Supplier-continuity register: gaps in the contact data of suppliers of critical parts.

A supplier is checked when it supplies at least one *critical* part: a part whose
``criticality`` is in ``[early_warning] critical_levels`` (default ``high`` and
``critical``). The optional supplier register (``[early_warning] supplier_register``, a
CSV beside the scenario: :data:`REGISTER_SPEC`) gives each supplier's contact record an
owner (a role in our company), a review cadence and the next contact session (when, with
whom). Findings, one row each:

=============================  =============================================================
``no_supplier``                a critical part names no supplier.
``no_role_contact``            the contact is empty, or looks like a person's mailbox: an
                               e-mail whose local part is ``first.last``, ``first_last`` or
                               ``f.last`` and holds no role word (orders, sales, service…).
``no_escalation_path``         the escalation path is empty.
``no_record_owner``            nobody owns the supplier's contact record (no register row,
                               or its ``owner`` is empty).
``contact_not_reviewed``       the contact data was never reviewed, or last reviewed longer
                               ago than the supplier's ``review_every_months`` (default
                               ``contact_review_months``) before ``as_of``.
``session_overdue``            the contact session scheduled (``next_session``) is past and
                               was not held (``last_session`` is earlier).
``no_session_scheduled``       no session is scheduled within ``session_interval_months``.
``session_scheduled``          a session is scheduled within the horizon: when and with whom
                               (for the calendar, not a gap).
``contract_renewal_due``       the contract must be renewed within the horizon.
``contract_renewal_overdue``   the renewal date is already past.
``order_window_closing``       an order window for a critical part closes within the horizon.
``order_window_missed``        an order window closed in the 12 months before ``as_of`` and
                               no later window of the same supplier and part is listed.
=============================  =============================================================
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from spareplan.errors import Problem
from spareplan.scenario.model import Scenario
from spareplan.scenario.tables import Column, TableSpec, parse_table

__all__ = ["FINDINGS", "REGISTER_COLUMNS", "REGISTER_SPEC", "is_personal_mailbox",
           "load_supplier_register", "register_findings"]

REGISTER_COLUMNS = ["supplier", "supplier_name", "finding", "parts", "date", "owner",
                    "detail"]
FINDINGS = ("no_supplier", "no_role_contact", "no_escalation_path", "no_record_owner",
            "contact_not_reviewed", "session_overdue", "no_session_scheduled",
            "session_scheduled", "contract_renewal_due", "contract_renewal_overdue",
            "order_window_closing", "order_window_missed")
#: Largest supplier register file read (bytes).
MAX_REGISTER_BYTES = 50_000_000

REGISTER_SPEC = TableSpec(
    "supplier_register",
    "Who owns each supplier's contact record, how often it is reviewed, the next session.",
    (
        Column("supplier", "id", "Supplier id (see the suppliers table)."),
        Column("owner", "text", "Role in our company that owns the contact record.",
               nullable=True),
        Column("review_every_months", "int", "Review cadence of the contact record.",
               unit="months", required=False, nullable=True, minimum=1.0, maximum=120.0),
        Column("next_session", "date", "Next contact session scheduled (YYYY-MM-DD).",
               required=False, nullable=True),
        Column("session_with", "text", "Who meets: their role and ours.", required=False,
               nullable=True),
        Column("last_session", "date", "Last contact session held (YYYY-MM-DD).",
               required=False, nullable=True),
    ),
    key=("supplier",),
)

ROLE_WORDS = ("order", "sales", "service", "support", "info", "purchas", "procure", "supply",
              "supplies", "logistic", "dispatch", "spare", "parts", "team", "desk", "office",
              "account", "customer", "contact", "help", "ops", "operations", "quality",
              "escalation", "hotline", "shop", "admin", "kam", "export", "import")
_PERSONAL = re.compile(r"^[a-z]+[._][a-z]+\d*$|^[a-z][._]?[a-z]{2,}\.[a-z]+$")
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-]+)@[A-Za-z0-9.\-]+")


def is_personal_mailbox(contact: str) -> bool:
    """Whether ``contact`` holds an e-mail address that looks like a person's mailbox.

    ``first.last@``, ``first_last@`` and ``f.last@`` are personal unless the local part
    contains a role word (``spare-parts@``, ``order.desk@`` are role-based). A contact
    without an address (a phone number, a function name) is not judged here.

    Examples
    --------
    >>> is_personal_mailbox("jane.doe@bolt.example")
    True
    >>> is_personal_mailbox("spare-parts@acme.example")
    False
    """
    for local in _EMAIL.findall(contact):
        lowered = local.lower()
        if any(word in lowered for word in ROLE_WORDS):
            continue
        if _PERSONAL.match(lowered):
            return True
    return False


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    days_in_month = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                     31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, days_in_month))


def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def load_supplier_register(scenario: Scenario) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The supplier register named by ``[early_warning] supplier_register``, validated.

    The path is relative to the scenario's TOML file and must stay inside its folder
    (a regular file, at most :data:`MAX_REGISTER_BYTES`); every supplier must be in the
    suppliers table. Returns the table (``None`` when none is named) and the problems.
    """
    relative = scenario.document.early_warning.supplier_register
    if relative is None:
        return None, []
    field = "field early_warning.supplier_register"
    toml = scenario.path if scenario.path is not None else Path("scenario.toml")
    folder = toml.parent.resolve()
    path = (toml.parent / relative)
    try:
        resolved = path.resolve()
        inside = resolved.is_relative_to(folder)
    except (OSError, RuntimeError):
        inside = False
    if Path(relative).is_absolute() or not inside:
        return None, [Problem(toml.name, field, "must be a file inside the scenario folder",
                              relative)]
    if not resolved.is_file():
        rule = "file must exist" if not resolved.exists() else "must be a regular file"
        return None, [Problem(toml.name, field, rule, relative)]
    if resolved.stat().st_size > MAX_REGISTER_BYTES:
        return None, [Problem(toml.name, field, f"must be at most {MAX_REGISTER_BYTES} bytes",
                              resolved.stat().st_size)]
    problems: list[Problem] = []
    frame = parse_table(resolved.read_bytes(), REGISTER_SPEC, path.name, problems)
    if frame is not None:
        suppliers = scenario.table("suppliers")
        known = set() if suppliers is None else set(suppliers["supplier"])
        for position, supplier in enumerate(frame["supplier"]):
            if supplier not in known and len(problems) < 50:
                problems.append(Problem(path.name, f"row {position + 2}, column supplier",
                                        "must name a supplier of the suppliers table",
                                        supplier))
    return frame, problems


class _Findings:
    """The findings collected so far, one row each (see :data:`REGISTER_COLUMNS`)."""

    def __init__(self, owners: dict[str, Any]) -> None:
        self.owners = owners  # supplier -> its supplier-register row
        self.rows: list[dict[str, object]] = []

    def add(self, supplier: str, name: object, finding: str, part_list: list[str],
            date: dt.date | None, detail: str) -> None:
        """A finding about ``supplier``, with the owner of its contact record."""
        entry = self.owners.get(supplier)
        owner = entry.owner if entry is not None and isinstance(entry.owner, str) else None
        self.rows.append({"supplier": supplier, "supplier_name": name, "finding": finding,
                          "parts": ";".join(part_list),
                          "date": date.isoformat() if date else None, "owner": owner,
                          "detail": detail})

    def frame(self) -> pd.DataFrame:
        """The findings sorted by supplier, finding (in :data:`FINDINGS` order), date."""
        frame = pd.DataFrame(self.rows, columns=REGISTER_COLUMNS)
        frame["owner"] = frame["owner"].astype(object)
        order = {finding: i for i, finding in enumerate(FINDINGS)}
        frame["_order"] = frame["finding"].map(order)
        frame = frame.sort_values(["supplier", "_order", "date", "parts"],
                                  na_position="first", ignore_index=True)
        return frame.drop(columns="_order")


def _sessions(findings: _Findings, supplier: str, name: object, part_list: list[str],
              entry: object, as_of: dt.date, end: dt.date, interval_months: int) -> None:
    """Session findings of one critical supplier (see the module docstring)."""
    add = findings.add
    planned = _date(getattr(entry, "next_session", None)) if entry is not None else None
    held = _date(getattr(entry, "last_session", None)) if entry is not None else None
    with_whom = getattr(entry, "session_with", None) if entry is not None else None
    who = f" with {with_whom}" if isinstance(with_whom, str) and with_whom else ""
    if planned is not None and planned < as_of and (held is None or held < planned):
        add(supplier, name, "session_overdue", part_list, planned,
            f"contact session{who} planned for {planned.isoformat()} was not held")
    elif planned is None or planned > _add_months(as_of, interval_months):
        add(supplier, name, "no_session_scheduled", part_list, planned,
            f"no contact session scheduled within {interval_months} months"
            + (f" (next: {planned.isoformat()})" if planned else ""))
    if planned is not None and as_of <= planned <= end:
        add(supplier, name, "session_scheduled", part_list, planned,
            f"contact session{who} on {planned.isoformat()}")


def register_findings(scenario: Scenario, *, as_of: dt.date, horizon_weeks: int,
                      register: pd.DataFrame | None = None) -> pd.DataFrame:
    """Findings of the supplier-continuity register for the suppliers of critical parts.

    Parameters
    ----------
    scenario : Scenario
        Uses ``parts``, ``suppliers``, ``order_windows`` and ``[early_warning]``.
    register : pandas.DataFrame, optional
        The supplier register (:func:`load_supplier_register`); without it nobody owns a
        contact record and no session is known.
    as_of : datetime.date
        Reference date.
    horizon_weeks : int
        Renewals and windows closing within ``as_of + 7 * horizon_weeks`` days are flagged.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REGISTER_COLUMNS`, sorted by supplier and finding; ``parts`` lists the
        critical parts concerned (``;``-separated), ``date`` the date the finding is about.
    """
    settings = scenario.document.early_warning
    end = as_of + dt.timedelta(weeks=horizon_weeks)
    parts = scenario.parts
    critical = parts[parts["criticality"].isin(settings.critical_levels)]
    findings = _Findings({} if register is None else
                         {row.supplier: row for row in register.itertuples(index=False)})
    for part in critical.loc[critical["supplier"].isna(), "part"]:
        findings.rows.append({"supplier": None, "supplier_name": None,
                              "finding": "no_supplier", "parts": part, "date": None,
                              "detail": f"critical part {part} names no supplier"})
    by_supplier = (critical.dropna(subset=["supplier"]).groupby("supplier")["part"]
                   .apply(lambda s: sorted(s)).to_dict())
    suppliers = scenario.table("suppliers")
    records = ({} if suppliers is None else
               {row.supplier: row for row in suppliers.itertuples(index=False)})
    for supplier, part_list in by_supplier.items():
        record = records.get(supplier)
        if record is None:
            findings.add(supplier, None, "no_role_contact", part_list, None,
                         "supplier has no row in the suppliers table: no contact, no "
                         "escalation path")
            findings.add(supplier, None, "no_escalation_path", part_list, None,
                         "supplier has no row in the suppliers table")
            continue
        name = record.name if isinstance(record.name, str) else None
        entry = findings.owners.get(supplier)
        _contact_findings(findings, supplier, name, part_list, record, entry,
                          settings.contact_review_months, as_of)
        _sessions(findings, supplier, name, part_list, entry, as_of, end,
                  settings.session_interval_months)
        renewal = _date(record.contract_renewal)
        if renewal is not None and renewal < as_of:
            findings.add(supplier, name, "contract_renewal_overdue", part_list, renewal,
                         f"contract renewal was due {renewal.isoformat()}")
        elif renewal is not None and renewal <= end:
            findings.add(supplier, name, "contract_renewal_due", part_list, renewal,
                         f"contract renewal due {renewal.isoformat()}, within the "
                         f"{horizon_weeks}-week horizon")
    windows = scenario.table("order_windows")
    if windows is not None and len(windows):
        _window_findings(findings, windows, by_supplier, records, as_of, end)
    return findings.frame()


def _contact_findings(findings: _Findings, supplier: str, name: str | None,
                      part_list: list[str], record: Any, entry: Any,
                      default_review_months: int, as_of: dt.date) -> None:
    """Contact, escalation path, record owner and review findings of one supplier."""
    contact = record.contact if isinstance(record.contact, str) else ""
    if not contact.strip():
        findings.add(supplier, name, "no_role_contact", part_list, None, "no contact on file")
    elif is_personal_mailbox(contact):
        findings.add(supplier, name, "no_role_contact", part_list, None,
                     f"contact {contact!r} looks like a person's mailbox; use a shared "
                     "mailbox or a function")
    escalation = record.escalation if isinstance(record.escalation, str) else ""
    if not [s for s in escalation.split(";") if s.strip()]:
        findings.add(supplier, name, "no_escalation_path", part_list, None,
                     "no escalation path on file")
    if entry is None or not isinstance(entry.owner, str) or not entry.owner.strip():
        findings.add(supplier, name, "no_record_owner", part_list, None,
                     "nobody owns this supplier's contact record (supplier register)")
    cadence = (int(entry.review_every_months) if entry is not None
               and pd.notna(entry.review_every_months) else default_review_months)
    reviewed = _date(record.contact_reviewed)
    if reviewed is None:
        findings.add(supplier, name, "contact_not_reviewed", part_list, None,
                     "contact data was never reviewed")
    elif reviewed < _add_months(as_of, -cadence):
        findings.add(supplier, name, "contact_not_reviewed", part_list, reviewed,
                     f"contact data last reviewed {reviewed.isoformat()}, more than "
                     f"{cadence} months before {as_of.isoformat()}")


def _window_findings(findings: _Findings, windows: pd.DataFrame,
                     by_supplier: dict[str, list[str]], records: dict[str, Any],
                     as_of: dt.date, end: dt.date) -> None:
    """Order windows of critical parts closing within the horizon, or missed."""
    for index, window in windows.iterrows():
        supplier = window["supplier"]
        scope = by_supplier.get(supplier, [])
        concerned = ([window["part"]] if isinstance(window["part"], str) else scope)
        concerned = [p for p in concerned if p in scope]
        if not concerned:
            continue
        record = records.get(supplier)
        name = record.name if record is not None and isinstance(record.name, str) else None
        opens, closes = _date(window["opens"]), _date(window["closes"])
        assert opens is not None and closes is not None
        what = window["description"] if isinstance(window["description"], str) \
            else "order window"
        if as_of <= closes <= end:
            findings.add(supplier, name, "order_window_closing", concerned, closes,
                         f"{what} ({opens.isoformat()} to {closes.isoformat()}) closes "
                         f"within the horizon")
        elif closes < as_of and (as_of - closes).days <= 365:
            same_scope = windows[(windows["supplier"] == supplier)
                                 & (windows["part"].fillna("") ==
                                    (window["part"] if isinstance(window["part"], str)
                                     else ""))
                                 & (windows.index != index)]
            if not (same_scope["closes"] >= pd.Timestamp(as_of)).any():
                findings.add(supplier, name, "order_window_missed", concerned, closes,
                             f"{what} closed {closes.isoformat()} and no later window is "
                             "listed")
