"""``spareplan report DIR``: rebuild ``report.html`` of a plan folder from its files.

Every file the report reads is checked first (:func:`~spareplan.reports.plan_folder.
read_plan_folder`); nothing is written when one breaks a rule. The page is then written
into ``DIR`` itself (a hidden temporary file renamed over ``report.html`` in one step,
so a reader sees the old page or the new one, never half of one), and the folder's
marker lists it. Nothing outside ``DIR`` is touched. The bytes are those ``spareplan
plan`` wrote for the same files.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from spareplan.progress import NO_PROGRESS, Progress
from spareplan.reports.atomic import MARKER
from spareplan.reports.html_report import render_report
from spareplan.reports.plan_folder import read_plan_folder

__all__ = ["REPORT_FILE", "rebuild_report"]

#: The report's file, beside the plan.
REPORT_FILE = "report.html"


def _replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    partial = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def rebuild_report(folder: str | Path, *, progress: Progress = NO_PROGRESS) -> Path:
    """Rebuild ``report.html`` in the plan folder ``folder``; returns its path.

    ``progress`` hears the stages (plan folder, report, writing outputs;
    :mod:`spareplan.progress`).

    Raises
    ------
    PlanFolderError
        When ``folder`` is not a plan folder or one of its files breaks a rule (nothing
        is written).
    """
    folder = Path(folder)
    progress.stage("plan folder", detail=f"reading and checking {folder}")
    files = read_plan_folder(folder)
    progress.stage("report", detail="tables, plots and explanations")
    text = render_report(files)
    progress.stage("writing outputs", detail=f"{folder / REPORT_FILE}")
    target = folder / REPORT_FILE
    _replace_text(target, text)
    marker_path = folder / MARKER
    marker = json.loads(marker_path.read_text(encoding="utf-8"))
    listed = marker.get("files")
    if isinstance(listed, list) and REPORT_FILE not in listed:
        marker["files"] = sorted([*listed, REPORT_FILE])
        _replace_text(marker_path, json.dumps(marker, indent=2, sort_keys=True) + "\n")
    return target
