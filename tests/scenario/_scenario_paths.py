"""Paths of the bundled scenarios and fixtures, and a helper to copy the tiny scenario."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "scenarios" / "tiny"
DEMO = REPO / "scenarios" / "demo"
BROKEN_FIXTURES = REPO / "tests" / "fixtures" / "broken"


def copy_tiny(target: Path) -> Path:
    """A fresh copy of ``scenarios/tiny`` at ``target`` (created with its parents)."""
    shutil.copytree(TINY, target)
    return target
