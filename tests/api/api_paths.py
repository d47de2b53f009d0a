"""Paths of the analyst-API tests (a module of its own: ``conftest`` is a name every test
folder has, so test modules import their constants from here)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "scenarios" / "tiny"
DEMO = REPO / "scenarios" / "demo"
WARNING_FIXTURE = REPO / "scenarios" / "warning_fixture"
