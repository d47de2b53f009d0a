"""The batch interface (issue 14, item 4, in part): ``--version``, ``--quiet`` and
``plan --json`` for jobs that run unattended."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from spareplan import __version__
from spareplan.cli.app import app

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


def test_version_prints_and_exits_zero() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"spareplan {__version__}"


def test_quiet_json_plan_prints_only_the_summary_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["--quiet", "plan", str(TINY), "--out", str(out),
                                      "--model", "analytic", "--no-verify", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads((out / "summary.json").read_text())
    assert printed["status"] == "optimal"
    assert result.stderr == ""  # --quiet: no progress or account lines


def test_quiet_still_shows_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--quiet", "plan", str(TINY), "--out",
                                      str(tmp_path / "p"), "--goal", "servic"])
    assert result.exit_code == 2
    assert "--goal" in result.stderr and "servic" in result.stderr
    assert result.stdout == ""


def test_help_documents_every_exit_code() -> None:
    text = " ".join(CliRunner().invoke(app, ["--help"]).stdout.split())
    for code in ("0 ok", "1 an SLA is not met", "2 bad input", "3 an internal error"):
        assert code in text
