"""The README's two lines on a fresh clone in a fresh venv (``.ci/fresh_machine.sh``).

Slow (two installs, the demo plan, both notebooks: several minutes of CPU), so it runs
only with ``SPAREPLAN_FRESH_MACHINE=1``. By default the README's pytest command is limited
to the notebook tests (the suite itself is what this run is part of);
``FRESH_PYTEST_ARGS`` overrides that, ``FRESH_PYTEST_ARGS="-q -n 2"`` runs the README's
line verbatim."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import REPO

SCRIPT = REPO / ".ci" / "fresh_machine.sh"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("SPAREPLAN_FRESH_MACHINE") != "1",
                    reason="set SPAREPLAN_FRESH_MACHINE=1 (fresh clone, two installs, demo "
                           "plan, notebooks: several minutes)")
def test_the_readme_lines_work_in_order_on_a_fresh_machine(tmp_path: Path) -> None:
    env = {**os.environ, "FRESH_PYTEST_ARGS": os.environ.get(
        "FRESH_PYTEST_ARGS", "-q tests/notebooks/test_notebooks.py")}
    done = subprocess.run(["bash", str(SCRIPT), str(tmp_path)], env=env, capture_output=True,
                          text=True, check=False, timeout=3 * 3600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "fresh-machine check passed" in done.stdout


def test_the_script_reads_the_readme_lines() -> None:
    """The two lines the script runs are the README's (cheap: no install)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    lines = [line for line in readme if line.startswith("python3 -m venv .venv")][:2]
    assert len(lines) == 2
    assert "pip install -q ." in lines[0] and "spareplan plan scenarios/demo" in lines[0]
    assert "pip install -q -e '.[test]'" in lines[1] and "-m pytest" in lines[1]
    assert SCRIPT.stat().st_mode & 0o111
