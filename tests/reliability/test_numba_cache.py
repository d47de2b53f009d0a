"""numba's cache lives in a user cache folder, never inside the installed package
(spareplan/_numba.py): what ``pip install .`` then ``pip install -e .`` left behind was a
folder of cache files that Python imported as an empty namespace package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import REPO

PROBE = ("import {first}; import spareplan; from numba.core import config; "
         "print(config.CACHE_DIR); print(spareplan.__file__)")


def _run(code: str, cwd: Path = REPO, **env: str) -> list[str]:
    """Run ``code`` in a fresh interpreter with ``env`` (and no numba cache setting)."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, cwd=cwd, env={**environment, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


@pytest.mark.parametrize("first", ["os", "numba"], ids=["spareplan_first", "numba_first"])
def test_the_cache_goes_to_the_user_cache_folder(tmp_path: Path, first: str) -> None:
    lines = _run(PROBE.format(first=first), HOME=str(tmp_path))
    assert lines[0] == str(tmp_path / ".cache" / "spareplan" / "numba")
    if first == "os":
        lines = _run(PROBE.format(first=first), HOME=str(tmp_path),
                     XDG_CACHE_HOME=str(tmp_path / "xdg"))
        assert lines[0] == str(tmp_path / "xdg" / "spareplan" / "numba")


def test_a_folder_the_user_chose_is_kept(tmp_path: Path) -> None:
    lines = _run(PROBE.format(first="os"), NUMBA_CACHE_DIR=str(tmp_path / "mine"))
    assert lines[0] == str(tmp_path / "mine")


def test_an_unwritable_home_falls_back_to_the_temporary_folder(tmp_path: Path) -> None:
    lines = _run(PROBE.format(first="os"), HOME="/proc/no-such-home",
                 TMPDIR=str(tmp_path))
    assert lines[0] == str(tmp_path / f"spareplan-numba-{os.getuid()}")


def test_compiled_kernels_are_written_to_the_cache_not_the_package(tmp_path: Path) -> None:
    package_cache = REPO / "spareplan" / "evaluation" / "__pycache__"
    before = {p.name: p.stat().st_mtime_ns for p in package_cache.glob("*.nb[ic]")} \
        if package_cache.exists() else {}
    _run("from spareplan.evaluation.poisson import poisson_pmf; print(poisson_pmf(2, 1.5))",
         HOME=str(tmp_path))
    cached = list((tmp_path / ".cache" / "spareplan" / "numba").rglob("poisson.poisson_pmf-*"))
    assert {p.suffix for p in cached} == {".nbi", ".nbc"}
    after = {p.name: p.stat().st_mtime_ns for p in package_cache.glob("*.nb[ic]")} \
        if package_cache.exists() else {}
    assert after == before


def test_spareplan_imported_from_another_folder_is_the_package(tmp_path: Path) -> None:
    lines = _run("import spareplan; print(spareplan.__file__); print(spareplan.load_scenario)",
                 cwd=tmp_path)
    assert lines[0] == str(REPO / "spareplan" / "__init__.py")
