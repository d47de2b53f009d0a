"""Helpers of the reliability tests: scenario copies with one change, the CLI in-process,
snapshots of a folder tree (to prove that a refused run wrote nothing)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
TINY = SCENARIOS / "tiny"
DEMO = SCENARIOS / "demo"
WARNING = SCENARIOS / "warning_fixture"

Change = Callable[[Path], None]
#: Files larger than this are compared by size and modification time in snapshots.
BIG = 1 << 20


def copy_scenario(source: Path, target: Path) -> Path:
    """A writable copy of the scenario folder ``source`` at ``target``."""
    shutil.copytree(source, target)
    return target


def edit(file: str, old: str, new: str) -> Change:
    """Replace the first ``old`` in ``file`` by ``new`` (``old`` must be there)."""

    def change(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def write(file: str, content: str | bytes) -> Change:
    """Write ``content`` to ``file`` of the scenario (new or replaced)."""

    def change(folder: Path) -> None:
        path = folder / file
        if path.is_symlink() or path.exists():
            path.unlink()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return change


def table_path(name: str, value: str) -> Change:
    """Point ``[tables] name`` of the TOML at ``value`` (a TOML basic string body)."""

    def change(folder: Path) -> None:
        toml = folder / "scenario.toml"
        lines = toml.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.split("=")[0].strip() == name:
                lines[i] = f'{name} = "{value}"\n'
                break
        else:
            raise AssertionError(f"no [tables] entry {name}")
        toml.write_text("".join(lines), encoding="utf-8")

    return change


def chain(*changes: Change) -> Change:
    def change(folder: Path) -> None:
        for one in changes:
            one(folder)

    return change


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under ``root``: relative path -> bytes, link target or kind."""
    found: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            key = str(path.relative_to(root))
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode):
                info = path.lstat()  # a sparse 3 GiB test file is not read
                found[key] = (path.read_bytes() if info.st_size <= BIG
                              else ("big", info.st_size, info.st_mtime_ns))
            elif stat.S_ISDIR(mode):
                found[key] = "dir"
            else:
                found[key] = ("special", stat.S_IFMT(mode))
    return found


def invoke(args: list[str]) -> tuple[int, str]:
    """Run ``spareplan ARGS`` in-process; return the exit code and everything printed."""
    from spareplan.cli.app import app

    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def run_subprocess(args: list[str], *, env: dict[str, str] | None = None,
                   cwd: Path = REPO, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m spareplan ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "spareplan", *args], capture_output=True,
                          text=True, check=False, cwd=cwd, timeout=timeout,
                          env={**os.environ, **(env or {})})


def previous_output(out: Path, command: str) -> dict[str, object]:
    """Write an earlier complete output of ``command`` into ``out``; return its snapshot."""
    from spareplan.reports.atomic import atomic_folder, write_json

    with atomic_folder(out, command=command) as staging:
        (staging / "previous.csv").write_text("part,stock\nP-1,3\n", encoding="utf-8")
        write_json(staging / "summary.json", {"command": command, "previous": True})
    return snapshot(out)


def hidden_leftovers(folder: Path) -> list[str]:
    """Staging or previous folders left beside outputs in ``folder``."""
    return sorted(p.name for p in folder.iterdir()
                  if ".staging-" in p.name or ".previous-" in p.name)
