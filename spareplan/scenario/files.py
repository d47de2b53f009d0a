"""Reading input files safely: only regular files, of bounded size, where they belong.

A scenario names its tables by path, and a scenario may come from someone else, so a
table path is confined to the scenario folder: no absolute path, no ``..`` leading out,
no symbolic link whose target lies outside (:func:`confined_path`), unless the person
running spareplan allows it explicitly (``load_scenario(..., allow_outside_tables=True)``,
``spareplan --allow-outside-tables``). Whatever the path, only a regular file is read
(:func:`read_regular_file`): a folder, a named pipe (which would block forever), a device
(``/dev/zero`` never ends) or a socket is refused before it is opened for reading, and a
file larger than the limit is refused before it is read. A refused file's content is
never read, so it cannot be echoed in a message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath

__all__ = ["MAX_PLAN_BYTES", "MAX_TABLE_BYTES", "MAX_TOML_BYTES", "FileRefused",
           "confined_path", "read_regular_file"]

#: Largest table file read (2 GiB; a 20-million-row demand history is about 1 GiB).
MAX_TABLE_BYTES = 2 * 1024**3
#: Largest scenario TOML read (16 MiB; a real one is a few KiB).
MAX_TOML_BYTES = 16 * 1024**2
#: Largest plan file read by ``simulate --plan`` and ``warn --plan`` (same as a table).
MAX_PLAN_BYTES = MAX_TABLE_BYTES

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class FileRefused(Exception):
    """A path that is not read: ``rule`` says why (``must be a regular file …``)."""

    def __init__(self, rule: str, value: object) -> None:
        self.rule, self.value = rule, value
        super().__init__(f"{rule} (received {value!r})")


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _kind(mode: int) -> str | None:
    for test, word in _KINDS:
        if test(mode):
            return word
    return None if stat.S_ISREG(mode) else "not a regular file"


def confined_path(folder: Path, relative: str, *, allow_outside: bool = False) -> Path:
    """The file ``relative`` names inside ``folder``, refused when it leads outside.

    Parameters
    ----------
    folder : pathlib.Path
        The scenario folder (the folder of ``scenario.toml``).
    relative : str
        The path as written in ``[tables]``.
    allow_outside : bool
        Accept absolute paths, ``..`` and symbolic links leading outside ``folder``.

    Raises
    ------
    FileRefused
        An absolute path, a path leading out of ``folder`` (``..`` or a symbolic link),
        an empty path or one with a NUL character.
    """
    if not relative.strip() or "\0" in relative:
        raise FileRefused("must be a file name (not empty, no NUL character)", relative)
    candidate = folder / relative
    if allow_outside:
        return candidate
    if PurePath(relative).is_absolute():
        raise FileRefused("must be a path inside the scenario folder, not an absolute path "
                          "(spareplan --allow-outside-tables accepts it)", relative)
    try:
        base = folder.resolve()
        target = candidate.resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop, an unreadable folder
        raise FileRefused(f"must be a readable path ({error.__class__.__name__})",
                          relative) from None
    if target != base and base not in target.parents:
        how = ("a symbolic link to a file outside the scenario folder"
               if ".." not in PurePath(relative).parts else
               "a path leading outside the scenario folder ('..')")
        raise FileRefused(f"must be a file inside the scenario folder; it is {how} "
                          "(spareplan --allow-outside-tables accepts it)", relative)
    return candidate


def read_regular_file(path: Path, limit: int, shown: str | None = None) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    The path is checked with ``stat`` before it is opened (a device is never opened) and
    again on the open descriptor (a file swapped in between is caught); the open does not
    block on a named pipe. ``shown`` is the path as the user wrote it (for messages).

    Raises
    ------
    FileRefused
        The path does not exist, is not a regular file, is larger than ``limit`` or
        cannot be read.
    """
    shown = str(path) if shown is None else shown
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("file must exist", shown) from None
    except (OSError, ValueError) as error:
        raise FileRefused(f"file must be readable ({_reason(error)})", shown) from None
    kind = _kind(info.st_mode)
    if kind is not None:
        raise FileRefused(f"must be a regular file; it is {kind}", shown)
    if info.st_size > limit:
        raise FileRefused(f"must be at most {_size(limit)}; the file has "
                          f"{_size(info.st_size)}", shown)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise FileRefused(f"file must be readable ({_reason(error)})", shown) from None
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        kind = _kind(opened.st_mode)
        if kind is not None:
            raise FileRefused(f"must be a regular file; it is {kind}", shown)
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise FileRefused(f"file must be readable ({_reason(error)})", shown) from None
    if len(data) > limit:
        raise FileRefused(f"must be at most {_size(limit)}; the file grew while read", shown)
    return data


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno:
        return os.strerror(error.errno)
    return error.__class__.__name__
