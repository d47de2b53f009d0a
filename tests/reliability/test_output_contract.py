"""The output contract and the atomic swap (spareplan/reports/atomic.py), in-process.

What an output folder may be (absent, empty, written by spareplan for the same command),
what is refused before any work, how a swap replaces the previous output, how leftovers of
an interrupted run are repaired, and the permissions of what is created."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from reliability_helpers import TINY, copy_scenario, hidden_leftovers, previous_output, snapshot

from spareplan.errors import ParameterError
from spareplan.reports import atomic
from spareplan.reports.atomic import (
    MARKER,
    atomic_folder,
    check_output_folder,
    command_scope,
    recover_leftovers,
)


def _write(out: Path, command: str | None = "plan", text: str = "new\n") -> None:
    with atomic_folder(out, command=command) as staging:
        (staging / "result.csv").write_text(text)


def test_absent_and_empty_folders_are_written_with_a_marker(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "b" / "out")
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty)
    for out in (tmp_path / "a" / "b" / "out", empty):
        assert sorted(p.name for p in out.iterdir()) == [MARKER, "result.csv"]
        marker = json.loads((out / MARKER).read_text())
        assert marker == {"command": "plan", "files": ["result.csv"], "version": marker["version"],
                          "written_by": "spareplan"}
    assert hidden_leftovers(tmp_path) == []


def test_a_spareplan_output_is_replaced_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_folder(out, command="plan") as staging:
        (staging / "old.csv").write_text("old\n")
        (staging / "sub").mkdir()
    _write(out, text="second\n")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "result.csv"]
    assert (out / "result.csv").read_text() == "second\n"
    assert hidden_leftovers(tmp_path) == []


def test_the_marker_bytes_do_not_depend_on_the_run(tmp_path: Path) -> None:
    _write(tmp_path / "one")
    _write(tmp_path / "two")
    assert (tmp_path / "one" / MARKER).read_bytes() == (tmp_path / "two" / MARKER).read_bytes()


@pytest.mark.parametrize("kind", ["file", "foreign", "extra", "other_command", "symlink",
                                  "broken_marker"])
def test_refused_destinations_are_left_untouched(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    expect = {"file": "it is a file", "foreign": "which spareplan did not write",
              "extra": "'notes.txt', which spareplan did not write there",
              "other_command": "holds the output of `spareplan warn`",
              "symlink": "must not be a symbolic link",
              "broken_marker": "which spareplan did not write"}[kind]
    if kind == "file":
        out.write_text("precious\n")
    elif kind == "foreign":
        out.mkdir()
        (out / "thesis.tex").write_text("precious\n")
    elif kind == "extra":
        previous_output(out, "plan")
        (out / "notes.txt").write_text("precious\n")
    elif kind == "other_command":
        previous_output(out, "warn")
    elif kind == "symlink":
        (tmp_path / "target").mkdir()
        out.symlink_to(tmp_path / "target")
    else:
        out.mkdir()
        (out / MARKER).write_text("{not json")
        (out / "thesis.tex").write_text("precious\n")
    before = snapshot(tmp_path)
    with pytest.raises(ParameterError, match="destination") as caught:
        _write(out)
    assert expect in str(caught.value)
    assert snapshot(tmp_path) == before


def test_current_folder_and_its_parents_are_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for given in (".", "..", str(work), "./"):
        with pytest.raises(ParameterError, match="current folder"):
            check_output_folder(given, command="plan")


def test_the_root_and_unwritable_places_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="below the file-system root"):
        check_output_folder("/", command="plan")
    with pytest.raises(ParameterError, match="where files can be written"):
        check_output_folder("/proc/spareplan-out", command="plan")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="is a file"):
        check_output_folder(tmp_path / "file" / "out", command="plan")
    with pytest.raises(ParameterError, match="NUL"):
        check_output_folder(str(tmp_path / "a\0b"), command="plan")
    with pytest.raises(ParameterError, match="at most 200 characters"):
        check_output_folder(tmp_path / ("x" * 240), command="plan")


def test_read_only_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder where mkdir fails (read-only mount, no permission; root bypasses chmod, so
    the failure is simulated at the probe)."""
    parent = tmp_path / "ro"
    parent.mkdir()
    real_mkdir = os.mkdir

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        if Path(str(path)).parent == parent:
            raise OSError(30, "Read-only file system", str(path))
        real_mkdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", refuse)
    with pytest.raises(ParameterError, match=r"Read-only file system"):
        check_output_folder(parent / "out", command="plan")
    assert list(parent.iterdir()) == []


def test_inputs_are_protected(tmp_path: Path) -> None:
    scenario = copy_scenario(TINY, tmp_path / "scenario")
    plan_file = tmp_path / "runs" / "plan" / "recommendations.csv"
    plan_file.parent.mkdir(parents=True)
    plan_file.write_text("part,location,stock\n")
    inputs = [("the scenario folder", scenario), ("the plan file", plan_file)]
    for out, rule in ((scenario, "must not be the scenario folder"),
                      (tmp_path, "must not hold the scenario folder"),
                      (scenario / "out", "must not lie inside the scenario folder"),
                      (plan_file.parent, "must not hold the plan file")):
        with pytest.raises(ParameterError, match=rule):
            check_output_folder(out, command="plan", inputs=inputs)
    check_output_folder(tmp_path / "runs" / "other", command="plan", inputs=inputs)


def test_the_command_of_the_scope_is_recorded_and_checked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with command_scope("frontier"):
        _write(out, command=None)
    assert json.loads((out / MARKER).read_text())["command"] == "frontier"
    with command_scope("plan"), pytest.raises(ParameterError, match="`spareplan frontier`"):
        check_output_folder(out)
    # Outside any command (the Python API), any spareplan output may be replaced.
    _write(out, command=None)
    assert json.loads((out / MARKER).read_text())["command"] is None


def test_an_error_in_the_block_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = previous_output(out, "plan")
    with pytest.raises(KeyboardInterrupt), atomic_folder(out, command="plan") as staging:
        (staging / "half.csv").write_text("half")
        raise KeyboardInterrupt
    assert snapshot(out) == before
    assert hidden_leftovers(tmp_path) == []


def test_a_contract_broken_during_the_run_is_refused_at_the_swap(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="which spareplan did not write"):
        with atomic_folder(out, command="plan") as staging:
            (staging / "result.csv").write_text("new")
            out.mkdir()
            (out / "arrived.txt").write_text("someone else's")
    assert (out / "arrived.txt").read_text() == "someone else's"
    assert hidden_leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two_renames"])
def test_both_swaps_replace_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(atomic, "_EXCHANGE", None)
    elif atomic._EXCHANGE is None:
        pytest.skip("renameat2 is not available on this platform")
    out = tmp_path / "out"
    _write(out, text="one\n")
    _write(out, text="two\n")
    assert (out / "result.csv").read_text() == "two\n"
    assert hidden_leftovers(tmp_path) == []


def test_a_failed_second_rename_puts_the_previous_output_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_EXCHANGE", None)
    out = tmp_path / "out"
    before = previous_output(out, "plan")
    real_rename = os.rename

    def failing(source: object, target: object) -> None:
        if ".staging-" in str(source):
            raise OSError(5, "Input/output error")
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "rename", failing)
    with pytest.raises(OSError, match="Input/output"):
        _write(out)
    assert snapshot(out) == before
    assert hidden_leftovers(tmp_path) == []


def _dead_pid() -> int:
    """A pid that is not running (a child that has exited and been reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_leftovers_of_a_dead_run_are_repaired(tmp_path: Path) -> None:
    dead = _dead_pid()
    out = tmp_path / "out"
    # A run killed between the fallback's two renames: no out, a complete previous copy.
    previous = tmp_path / f".out.previous-{dead}-abcd1234"
    previous_output(tmp_path / "saved", "plan")
    (tmp_path / "saved").rename(previous)
    saved = snapshot(previous)
    stale = tmp_path / f".out.staging-{dead}-0000ffff"
    stale.mkdir()
    (stale / "half.csv").write_text("half")
    old_style = tmp_path / ".out.staging-k2j3h4"  # the name of an earlier release
    old_style.mkdir()
    unrelated = tmp_path / ".other.staging-1-aaaa"
    unrelated.mkdir()
    removed = recover_leftovers(out)
    assert snapshot(out) == saved
    assert sorted(p.name for p in removed) == sorted([stale.name, old_style.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".other.staging-1-aaaa", "out"])


def test_leftovers_of_a_live_run_are_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".out.staging-{os.getppid()}-1234abcd"
    live.mkdir()
    previous_output(tmp_path / "out", "plan")
    _write(tmp_path / "out")
    assert live.exists()


def test_a_previous_copy_is_not_restored_over_an_existing_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    current = previous_output(out, "plan")
    stale = tmp_path / f".out.previous-{_dead_pid()}-00000000"
    stale.mkdir()
    recover_leftovers(out)
    assert snapshot(out) == current
    assert not stale.exists()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_folders_get_the_ordinary_permissions(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        _write(tmp_path / "new" / "out")
    finally:
        os.umask(old)
    for folder in (tmp_path / "new", tmp_path / "new" / "out"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
