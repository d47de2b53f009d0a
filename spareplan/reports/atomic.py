"""Atomic output folders: every file is written into a staging folder beside the
destination, which replaces the destination by a rename only when all of it is written.
An error leaves no partial output (and an earlier complete output stays in place)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from spareplan.reports.safe_text import neutralize_frame


@contextlib.contextmanager
def atomic_folder(destination: str | Path) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``destination`` (replacing it)."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.staging-",
                                    dir=destination.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = None
    if destination.exists():
        backup = destination.with_name(f".{destination.name}.previous-{os.getpid()}")
        shutil.rmtree(backup, ignore_errors=True)
        destination.rename(backup)
    try:
        staging.rename(destination)
    except BaseException:
        if backup is not None:
            backup.rename(destination)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented, key-sorted JSON (deterministic bytes)."""
    path.write_text(json.dumps(_clean(data), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` as CSV with a fixed float format (deterministic bytes).

    Text cells that a spreadsheet would read as a formula are neutralized
    (:func:`spareplan.reports.safe_text.neutralize_frame`, the OWASP CSV-injection rule).
    """
    neutralize_frame(frame).to_csv(path, index=False, float_format="%.6g",
                                   lineterminator="\n")
