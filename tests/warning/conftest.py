"""Fixtures of the early-warning tests: a writable copy of the fixture scenario, the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner
from warning_helpers import FIXTURE

from spareplan.cli.common import guarded
from spareplan.cli.warn import warn_command


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A writable copy of ``scenarios/warning_fixture``."""
    target = tmp_path / "scenario"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def cli() -> Callable[..., object]:
    """Invoke ``warn`` through a throwaway typer app wrapped like the real one."""
    app = typer.Typer()
    app.command("warn")(guarded(warn_command))

    @app.callback()
    def _root() -> None:
        """Test application."""

    runner = CliRunner()

    def invoke(*args: object) -> object:
        return runner.invoke(app, ["warn", *[str(a) for a in args]])

    return invoke
