"""A scenario reads only regular files inside its folder, unless the person running
spareplan allows more; a refused file's content never appears in a message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reliability_helpers import TINY, copy_scenario, invoke, table_path

from spareplan.errors import ScenarioError
from spareplan.scenario import load_scenario

SECRET = "TOP-SECRET-7f3a"


def _outside(tmp_path: Path, how: str) -> Path:
    folder = copy_scenario(TINY, tmp_path / "scenario")
    secret = tmp_path / "secret.csv"
    secret.write_text((TINY / "parts.csv").read_text() + f"{SECRET},1,consumable,1,,,low,x\n")
    if how == "absolute":
        table_path("parts", str(secret))(folder)
    elif how == "dotdot":
        table_path("parts", "../secret.csv")(folder)
    elif how == "dotdot_inside_first":
        (folder / "sub").mkdir()
        table_path("parts", "sub/../../secret.csv")(folder)
    else:
        (folder / "parts.csv").unlink()
        (folder / "parts.csv").symlink_to(secret)
    return folder


@pytest.mark.parametrize("how", ["absolute", "dotdot", "dotdot_inside_first", "symlink"])
def test_outside_tables_are_refused_without_reading_them(tmp_path: Path, how: str) -> None:
    folder = _outside(tmp_path, how)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert "field tables.parts" in message and "--allow-outside-tables" in message
    assert SECRET not in message
    code, output = invoke(["validate", str(folder)])
    assert code == 2 and SECRET not in output


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_outside_tables_load_when_allowed(tmp_path: Path, how: str) -> None:
    folder = _outside(tmp_path, how)
    scenario = load_scenario(folder, allow_outside_tables=True)
    assert SECRET in set(scenario.parts["part"])
    code, output = invoke(["--allow-outside-tables", "validate", str(folder)])
    assert code == 0, output
    # The option lasts for one command only.
    code, output = invoke(["validate", str(folder)])
    assert code == 2


def test_links_and_subfolders_inside_the_scenario_are_fine(tmp_path: Path) -> None:
    folder = copy_scenario(TINY, tmp_path / "scenario")
    (folder / "data").mkdir()
    (folder / "parts.csv").rename(folder / "data" / "parts.csv")
    table_path("parts", "data/parts.csv")(folder)
    (folder / "reach.csv").rename(folder / "data" / "reach-v2.csv")
    (folder / "reach.csv").symlink_to(Path("data") / "reach-v2.csv")
    assert load_scenario(folder).input_hash == load_scenario(TINY).input_hash


def test_a_scenario_reached_through_a_linked_folder_is_inside_itself(tmp_path: Path) -> None:
    folder = copy_scenario(TINY, tmp_path / "real")
    (tmp_path / "link").symlink_to(folder)
    assert load_scenario(tmp_path / "link").input_hash == load_scenario(TINY).input_hash


def test_a_named_pipe_never_blocks(tmp_path: Path) -> None:
    """Nobody writes to the pipe: reading it would wait forever."""
    folder = copy_scenario(TINY, tmp_path / "scenario")
    (folder / "sites.csv").unlink()
    os.mkfifo(folder / "sites.csv")
    with pytest.raises(ScenarioError, match="named pipe"):
        load_scenario(folder)
