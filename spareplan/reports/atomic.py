"""Atomic output folders and the output contract of every command.

Every file of a run is written into a staging folder beside the destination
(``.<name>.staging-<pid>-<token>``), which replaces the destination only when all of it
is written: on Linux by one ``renameat2(RENAME_EXCHANGE)`` (the old and the new folder
swap in one step, so there is no moment without a complete output), elsewhere by two
renames through ``.<name>.previous-<pid>-<token>``. An error, Ctrl-C or SIGTERM leaves no
partial output and the earlier complete output in place.

The output contract (:func:`check_output_folder`): a destination must be absent, an
empty folder, or a folder that spareplan wrote itself — it holds the marker file
:data:`MARKER` recording the command and the files written, and nothing else. Anything
else (a file, a folder with other content, the current folder, a folder holding an
input of the run) is refused before any work, so that ``--out`` can never delete a
scenario or a user's files. The check runs again just before the swap.

What an interrupted run left (``kill -9``, a power cut) is repaired by the next run that
writes the same destination (:func:`recover_leftovers`): stale staging folders are
removed, and when the destination is missing but a complete previous copy survives (a
kill between the two renames of the fallback), that copy is put back first. Leftovers
of a process that is still running are left alone.

Folders are created with the ordinary permissions (``0o777 & ~umask``), like ``mkdir``.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import errno
import json
import math
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from spareplan.errors import ParameterError

if TYPE_CHECKING:  # pandas only where a table is written: the output contract, checked
    import pandas as pd  # by every command (``validate`` too), does not need it

__all__ = ["MARKER", "Terminated", "atomic_folder", "check_output_folder",
           "command_scope", "csv_text", "handle_termination", "json_text", "pause_point",
           "recover_leftovers", "write_csv", "write_json"]

#: Name of the marker file in every folder spareplan writes.
MARKER = ".spareplan-output"
#: Longest destination name (the staging name adds about 40 characters; NAME_MAX is 255).
MAX_NAME_LENGTH = 200
_MARKER_MAX_BYTES = 1 << 20
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|previous)-(?P<rest>.*)$")
_PID = re.compile(r"^(\d+)(?:-|$)")

#: The command writing outputs in this context ("plan", "warn", …), set by the CLI.
_COMMAND: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "spareplan_output_command", default=None)
#: Staging folders of this process that are in use (not leftovers).
_ACTIVE: set[Path] = set()


# ---------------------------------------------------------------------- signals

class Terminated(BaseException):
    """SIGTERM (or SIGHUP) received: raised in the main thread so clean-up code runs."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"terminated by {signal.Signals(signum).name}")


_DEFERRING = 0
_PENDING: list[int] = []


def _interruption(signum: int) -> BaseException:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _DEFERRING:
        _PENDING.append(signum)
        return
    raise _interruption(signum)


@contextlib.contextmanager
def handle_termination() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into exceptions while the block runs (main thread).

    Python's default for SIGTERM ends the process at once, without running ``finally``
    blocks, which would leave a staging folder behind; with this handler the exception
    unwinds through :func:`atomic_folder`, which removes its staging folder. During the
    swap of a staging folder the signal is held and raised right after it, so an output
    is never half replaced. The previous handlers are restored on exit. Outside the main
    thread (where handlers cannot be set) this does nothing.
    """
    names = ("SIGTERM", "SIGHUP", "SIGINT")
    wanted = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous: dict[int, Any] = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, _on_signal)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold the signals of :func:`handle_termination` for the block; raise them after."""
    global _DEFERRING
    _DEFERRING += 1
    try:
        yield
    finally:
        _DEFERRING -= 1
    if not _DEFERRING and _PENDING:
        signum = _PENDING[0]
        _PENDING.clear()
        raise _interruption(signum)


def pause_point(name: str) -> None:
    """A wait point for the tests that kill a run at a chosen moment (no effect otherwise).

    When the environment variable ``SPAREPLAN_TEST_PAUSE_AT`` equals ``name``, the
    process writes its pid to ``SPAREPLAN_TEST_PAUSE_FILE`` and waits (at most
    ``SPAREPLAN_TEST_PAUSE_SECONDS``, default 600) so that a test can send it a signal
    at exactly this point. Points: ``output-checked`` (contract checked, no work done),
    ``staging-created``, ``staging-written`` (every file written, not yet swapped),
    ``swapped`` (new output in place, old one not yet removed) and ``between-renames``
    (the fallback's destination moved aside, the new one not yet renamed).
    """
    if os.environ.get("SPAREPLAN_TEST_PAUSE_AT") != name:
        return
    announce = os.environ.get("SPAREPLAN_TEST_PAUSE_FILE")
    if announce:
        partial = f"{announce}.{os.getpid()}.part"
        Path(partial).write_text(f"{os.getpid()}\n", encoding="utf-8")
        os.replace(partial, announce)
    deadline = time.monotonic() + float(os.environ.get("SPAREPLAN_TEST_PAUSE_SECONDS", "600"))
    while time.monotonic() < deadline and not _PENDING:  # a held signal ends the wait
        time.sleep(0.02)


# ---------------------------------------------------------------------- the contract

@contextlib.contextmanager
def command_scope(command: str | None) -> Iterator[None]:
    """Name the command whose outputs are written in this block (the marker records it)."""
    token = _COMMAND.set(command)
    try:
        yield
    finally:
        _COMMAND.reset(token)


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved)."""
    return path == folder or folder in path.parents


def _read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder`` (a small regular JSON file), or ``None`` when not valid."""
    path = folder / MARKER
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MARKER_MAX_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("written_by") != "spareplan":
        return None
    return data


def _writable_probe(folder: Path, name: str) -> str | None:
    """Why a folder cannot be created in ``folder`` (read-only, no permission), or None."""
    probe = folder / f".{name[:40]}.probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.mkdir(probe)
    except OSError as error:
        return os.strerror(error.errno) if error.errno else str(error)
    os.rmdir(probe)
    return None


def _listing(names: Iterable[str], limit: int = 5) -> str:
    names = sorted(names)
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


#: An input of a run: a path, or a ``(label, path)`` pair naming it in messages.
InputPath = str | Path | None
Inputs = Iterable[InputPath | tuple[str, InputPath]]


def check_output_folder(destination: str | Path, *, command: str | None = None,
                        inputs: Inputs = (), name: str = "--out") -> Path:
    """Check ``destination`` against the output contract; return it as an absolute path.

    Parameters
    ----------
    destination : str or pathlib.Path
        The output folder of a run.
    command : str, optional
        The command about to write it (default: the one of :func:`command_scope`). A
        folder spareplan wrote for another command is refused (it would be lost).
    inputs : iterable of paths or (label, path) pairs
        Files and folders the run reads (the scenario folder, a plan file, a state
        file): the destination must not be one of them, hold one, or lie inside one.
        A label (``"the scenario folder"``) names the input in the message.
    name : str
        How the destination is called in the message (``--out``, ``destination``).

    Raises
    ------
    ParameterError
        When ``destination`` is a file, a symbolic link, a folder with content spareplan
        did not write (or wrote for another command), the current folder or one that
        holds it, a folder holding or inside an input, a path whose parent is a file, or
        lies in a folder where nothing can be created (read-only, no permission).
    """
    command = command if command is not None else _COMMAND.get()
    given = str(destination)
    if "\0" in given or not given.strip():
        raise ParameterError(name, "must be a folder path (not empty, no NUL character)",
                             given)
    path = Path(os.path.abspath(destination))
    if path.parent == path:
        raise ParameterError(name, "must be a folder below the file-system root", given)
    if len(path.name) > MAX_NAME_LENGTH:
        raise ParameterError(name, f"must have a name of at most {MAX_NAME_LENGTH} "
                             "characters", f"{path.name[:40]}… ({len(path.name)} characters)")
    if path.is_symlink():
        raise ParameterError(name, "must not be a symbolic link (it would be replaced by a "
                             "folder); give the folder it points to", given)
    real = path.resolve()
    try:
        here = Path.cwd().resolve()
    except OSError:  # the current folder was removed
        here = None
    if here is not None and _within(here, real):
        raise ParameterError(name, "must not be the current folder or a folder holding it "
                             "(it is replaced as a whole); give a new folder such as "
                             "out/run1", given)
    for item in inputs:
        label, where = item if isinstance(item, tuple) else ("an input of the run", item)
        if where is None:
            continue
        try:
            source = Path(where).resolve()
        except (OSError, ValueError):  # not a usable path: the reader reports it
            continue
        if source == real:
            raise ParameterError(name, f"must not be {label} ({str(where)!r}): an output "
                                 "folder is replaced as a whole", given)
        if _within(source, real):
            raise ParameterError(name, f"must not hold {label} ({str(where)!r}): an output "
                                 "folder is replaced as a whole", given)
        if source.is_dir() and _within(real, source):
            raise ParameterError(name, f"must not lie inside {label} ({str(where)!r}); "
                                 "write outputs beside it", given)
    if os.path.lexists(path):
        if not path.is_dir():
            raise ParameterError(name, "must be a folder (absent, empty or written by "
                                 "spareplan); it is a file", given)
        _check_existing(path, command, name, given)
        parent = path.parent
    else:
        parent = path.parent
        while not os.path.lexists(parent):
            parent = parent.parent
        if not parent.is_dir():
            raise ParameterError(name, f"must lie in a folder; {str(parent)!r} is a file",
                                 given)
    why = _writable_probe(parent, path.name)
    if why is not None:
        raise ParameterError(name, f"must lie in a folder where files can be written "
                             f"({str(parent)!r}: {why})", given)
    return path


def _check_existing(path: Path, command: str | None, name: str, given: str) -> None:
    try:
        entries = set(os.listdir(path))
    except OSError as error:
        raise ParameterError(name, f"must be a readable folder ({error.strerror})",
                             given) from None
    if not entries:
        return
    marker = _read_marker(path) if MARKER in entries else None
    if marker is None:
        raise ParameterError(name, f"must be absent, empty or a folder written by spareplan; "
                             f"it holds {_listing(entries)}, which spareplan did not write "
                             "(choose a new folder, or empty this one)", given)
    written = marker.get("command")
    if command is not None and written is not None and written != command:
        raise ParameterError(name, f"holds the output of `spareplan {written}`; choose "
                             f"another folder for `spareplan {command}`", given)
    files = marker.get("files")
    known = set(files) if isinstance(files, list) else set()
    foreign = entries - known - {MARKER}
    if foreign:
        raise ParameterError(name, f"holds {_listing(foreign)}, which spareplan did not "
                             "write there; move it away or choose another folder", given)


# ---------------------------------------------------------------------- leftovers

def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def recover_leftovers(destination: str | Path) -> list[Path]:
    """Repair what an interrupted run left beside ``destination``; return what was removed.

    Stale ``.<name>.staging-*`` folders are removed. When ``destination`` is missing and
    a ``.<name>.previous-*`` copy survives (the fallback was killed between its two
    renames), the newest copy is renamed back to ``destination`` first; other previous
    copies are removed. Leftovers of a live process (another run writing the same
    folder) are left alone.
    """
    path = Path(os.path.abspath(destination))
    parent = path.parent
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    stale: list[tuple[str, Path]] = []
    for entry in names:
        match = _LEFTOVER.match(entry)
        if not match or match["name"] != path.name:
            continue
        candidate = parent / entry
        if candidate in _ACTIVE:
            continue
        pid = _PID.match(match["rest"])
        if pid is not None and _alive(int(pid.group(1))):
            continue
        stale.append((match["kind"], candidate))
    previous = sorted((p for kind, p in stale if kind == "previous" and p.is_dir()),
                      key=lambda p: p.lstat().st_mtime_ns, reverse=True)
    if previous and not os.path.lexists(path):
        with contextlib.suppress(OSError):
            os.rename(previous[0], path)
    removed = []
    for _, candidate in stale:
        if os.path.lexists(candidate):
            _remove(candidate)
            removed.append(candidate)
    return removed


# ---------------------------------------------------------------------- the swap

def _renameat2_exchange() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_EXCHANGE = _renameat2_exchange()
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False when the platform cannot."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _commit(staging: Path, destination: Path) -> None:
    """Put ``staging`` in place of ``destination`` (see the module docstring)."""
    if not os.path.lexists(destination):
        os.rename(staging, destination)
        return
    if _exchange(staging, destination):
        pause_point("swapped")
        shutil.rmtree(staging, ignore_errors=True)  # now the old output
        return
    previous = destination.with_name(
        f".{destination.name}.previous-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(destination, previous)
    try:
        pause_point("between-renames")
        os.rename(staging, destination)
    except BaseException:
        os.rename(previous, destination)
        raise
    pause_point("swapped")
    shutil.rmtree(previous, ignore_errors=True)


def _write_marker(staging: Path, command: str | None) -> None:
    from spareplan.versions import __version__

    files = sorted(entry for entry in os.listdir(staging) if entry != MARKER)
    data = {"written_by": "spareplan", "version": __version__, "command": command,
            "files": files}
    (staging / MARKER).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n",
                                  encoding="utf-8")


@contextlib.contextmanager
def atomic_folder(destination: str | Path, *, command: str | None = None,
                  inputs: Inputs = ()) -> Iterator[Path]:
    """Yield a staging folder; when the block succeeds it replaces ``destination``.

    Parameters
    ----------
    destination : str or pathlib.Path
        The output folder. It must meet the output contract
        (:func:`check_output_folder`), checked on entry and again before the swap.
    command : str, optional
        The command writing it, recorded in the marker (default: the one named by
        :func:`command_scope`, which the CLI sets).
    inputs : iterable of paths or (label, path) pairs
        Inputs of the run that the destination must not hold or be.

    Raises
    ------
    ParameterError
        When the destination breaks the output contract (nothing is written).

    Examples
    --------
    >>> with atomic_folder("out/run1", command="plan") as staging:  # doctest: +SKIP
    ...     write_csv(staging / "recommendations.csv", frame)
    """
    command = command if command is not None else _COMMAND.get()
    inputs = tuple(inputs)
    recover_leftovers(destination)
    path = check_output_folder(destination, command=command, inputs=inputs,
                               name="destination")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.staging-{os.getpid()}-{secrets.token_hex(4)}")
    os.mkdir(staging)  # 0o777 & ~umask, like any folder
    _ACTIVE.add(staging)
    try:
        pause_point("staging-created")
        yield staging
        pause_point("staging-written")
        _write_marker(staging, command)
        with _signals_held():
            check_output_folder(path, command=command, inputs=inputs, name="destination")
            _commit(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _ACTIVE.discard(staging)


# ---------------------------------------------------------------------- file writers

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


def json_text(data: dict[str, Any]) -> str:
    """``data`` as the text :func:`write_json` writes: indented, key-sorted JSON, NaN and
    infinities as null, numpy scalars as Python numbers."""
    return json.dumps(_clean(data), indent=2, sort_keys=True) + "\n"


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented, key-sorted JSON (deterministic bytes; :func:`json_text`)."""
    path.write_text(json_text(data), encoding="utf-8")


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as the text :func:`write_csv` writes (the one place of the format)."""
    from spareplan.reports.safe_text import neutralize_frame

    return neutralize_frame(frame).to_csv(index=False, float_format="%.12g",
                                          lineterminator="\n")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` as CSV with a fixed float format (deterministic bytes): 12
    significant digits, so that an amount of ten billion keeps its cents and a fill rate
    its twelfth decimal (``%.6g`` printed a yearly cost of 70,032,336.90 as 7.00323e+07).

    Text cells that a spreadsheet would read as a formula are neutralized
    (:func:`spareplan.reports.safe_text.neutralize_frame`, the OWASP CSV-injection rule).
    The bytes are :func:`csv_text` in UTF-8, with ``\\n`` line ends on every platform.
    """
    path.write_bytes(csv_text(frame).encode("utf-8"))
