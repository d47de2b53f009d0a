"""Helpers of the early-warning tests (importable by name; pytest puts this folder on the path)."""

from __future__ import annotations

import hashlib
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "scenarios" / "warning_fixture"


def write(folder: Path, name: str, text: str) -> None:
    """Replace one table of a scenario copy (surrounding whitespace of each line removed)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def set_as_of(folder: Path, as_of: str) -> None:
    """Change ``[early_warning] as_of`` of a scenario copy."""
    toml = folder / "scenario.toml"
    lines = [f"as_of = {as_of}" if line.startswith("as_of =") else line
             for line in toml.read_text(encoding="utf-8").splitlines()]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hand_input(parent: list[int], *, lead_weeks: list[int], net0: list[int],
               target: list[int], weekly_mean: list[float], horizon: int,
               receipts: dict[tuple[int, int], int] | None = None,
               firm: dict[tuple[int, int], int] | None = None,
               on_order: list[int] | None = None, vtm: list[float] | None = None,
               copies: int = 1):
    """A one-part :class:`ProjectionInput` for a hand-made tree (``copies`` identical parts).

    ``receipts`` and ``firm`` map (location, week) to units; ``on_order`` defaults to the
    receipts' total per location.
    """
    import numpy as np

    from spareplan.warning.projection import ProjectionInput

    n = len(parent)
    rec = np.zeros((1, n, horizon), dtype=np.int64)
    for (loc, week), units in (receipts or {}).items():
        rec[0, loc, week - 1] += units
    orders = np.zeros((1, n, horizon), dtype=np.int64)
    for (loc, week), units in (firm or {}).items():
        orders[0, loc, week - 1] += units
    ordered = rec.sum(axis=2) if on_order is None else np.array([on_order], dtype=np.int64)

    def rows(values: object, dtype: type) -> np.ndarray:
        return np.repeat(np.array([values], dtype=dtype), copies, axis=0)

    return ProjectionInput(
        part_ids=tuple(f"P{i}" for i in range(copies)),
        location_ids=tuple(f"L{i}" for i in range(n)),
        parent=np.array(parent, dtype=np.int64),
        lead_weeks=rows(lead_weeks, np.int64), net0=rows(net0, np.int64),
        pending=np.zeros((copies, n), dtype=np.int64), on_order=np.repeat(ordered, copies, 0),
        target=rows(target, np.int64), receipts=np.repeat(rec, copies, 0),
        firm=np.repeat(orders, copies, 0), own_mean=rows(weekly_mean, np.float64),
        own_vtm=rows(vtm or [1.0] * n, np.float64))


def pump_story(folder: Path, pumps: int = 1) -> None:
    """The escalation story's tables: pumps at F1 with 26 a year at S1, no orders, no receipts.

    The central warehouse holds none and a new buy takes 90 days: F1 is not resupplied
    within the horizon, so its P(short) is P(Poisson(26 x 7 / 365 x t) > on hand).
    """
    write(folder, "demand.csv", """
        part,site,rate_per_year
        P-PUMP,S1,26
        P-FUSE,S3,52
    """)
    write(folder, "customer_orders.csv", "part,location,due_date,quantity,site,reference")
    write(folder, "scheduled_receipts.csv", "part,location,due_date,quantity,kind,reference")
    write(folder, "current_stock.csv", f"""
        part,location,on_hand,on_order
        P-PUMP,F1,{pumps},0
        P-FUSE,F1,10,0
        P-FUSE,F2,3,0
    """)
