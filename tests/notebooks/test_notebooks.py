"""Every notebook in notebooks/ executes from top to bottom without error."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    # First, in the notebook's folder: spareplan is the package, not an empty namespace
    # package left in site-packages (what numba's cache once made of it).
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import spareplan\nassert spareplan.__file__ is not None and hasattr(spareplan, "
        "'load_scenario'), f'spareplan is a hollow namespace package: {spareplan.__path__}'"))
    # The timeout guards against a hang, it is no speed test: the demo plan takes minutes
    # of CPU, more on a loaded machine with a cold numba cache (15 min were seen).
    client = NotebookClient(notebook, timeout=3600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS, "notebooks/ should hold at least the demo notebook"
