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
