"""The numba policy of the whole package, set once.

Every kernel in spareplan is compiled through :func:`njit` (or :func:`njit_parallel`
where a ``prange`` over parts pays), so caching, ``nogil`` and fastmath choices live
in one place. Kernels take NumPy arrays and scalars only.

Where the compiled kernels are cached: in a user cache folder
(:func:`user_cache_dir`: ``$XDG_CACHE_HOME/spareplan/numba`` or
``~/.cache/spareplan/numba`` on Linux, ``~/Library/Caches/spareplan/numba`` on macOS,
``%LOCALAPPDATA%\\spareplan\\Cache\\numba`` on Windows), never inside the installed
package. Numba's default writes ``__pycache__/*.nbi|*.nbc`` beside the source files;
``pip`` does not know those files, so after ``pip install .`` and a run, a later
``pip install -e .`` removed the package's own files and left a folder of cache files
behind, which Python then imported as an empty namespace package. A cache folder the user
chose (``NUMBA_CACHE_DIR``, or ``cache_dir`` in ``.numba_config.yaml``) is respected.
Numba reads ``config.CACHE_DIR`` when a cached function is decorated, so
:func:`configure_cache` runs when this module is imported — before any kernel is defined
— and works whether or not numba was imported first. When no cache folder can be
written, kernels are compiled without a cache rather than into the package.

This module does not import numba itself until a kernel is decorated: ``import
spareplan`` imports it first (``spareplan/__init__.py``) to set ``NUMBA_CACHE_DIR``, which
numba reads when it is imported later; a numba imported before spareplan has its
configuration reloaded instead. Commands that compile nothing (``spareplan validate``,
``--help``) then never load numba (0.3-0.4 s of imports; ``benchmarks/import_time.py``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["configure_cache", "njit", "njit_parallel", "user_cache_dir"]

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True}


def user_cache_dir() -> Path:
    """The platform's per-user cache folder for spareplan's compiled kernels."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "spareplan" / "Cache" / "numba"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "spareplan" / "numba"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "spareplan" / "numba"


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def _cache_candidates() -> Iterator[Path]:
    """The user cache folder, then a per-user folder in the temporary folder (looked up
    only when the first cannot be written: :mod:`tempfile` imports random, shutil and
    more, which ``validate`` and ``--help`` do not need)."""
    try:
        yield user_cache_dir()
    except (RuntimeError, KeyError):  # no home folder
        pass
    import tempfile

    user = getattr(os, "getuid", lambda: "user")()
    yield Path(tempfile.gettempdir()) / f"spareplan-numba-{user}"


def configure_cache() -> str | None:
    """Point numba's cache at :func:`user_cache_dir` unless the user chose a folder.

    Sets ``NUMBA_CACHE_DIR`` (so that numba's own re-reading of its configuration keeps
    it) and numba's ``config.CACHE_DIR``; falls back to a per-user folder in the system's
    temporary folder, and turns caching off when neither can be written.

    Returns
    -------
    str or None
        The cache folder in use, or ``None`` when kernels are not cached.
    """
    loaded = sys.modules.get("numba.core.config")  # numba imported before spareplan
    chosen = os.environ.get("NUMBA_CACHE_DIR") or getattr(loaded, "CACHE_DIR", "")
    if chosen:
        return str(chosen)
    for folder in _cache_candidates():
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            if loaded is not None:  # else numba reads the variable when it is imported
                loaded.reload_config()
                loaded.CACHE_DIR = str(folder)
            return str(folder)
    _OPTIONS["cache"] = False
    return None


def _import_numba() -> Any:
    """numba itself, imported when the first kernel is decorated."""
    import numba

    return numba


CACHE_DIR = configure_cache()


def njit(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with the package policy (cache on, nogil)."""
    return _import_numba().njit(*args, **{**_OPTIONS, **kwargs})


def njit_parallel(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit(parallel=True)`` with the package policy, for kernels with ``prange``."""
    return _import_numba().njit(*args, **{**_OPTIONS, "parallel": True, **kwargs})


def njit_no_refcount(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with the package policy and numba's reference counting (NRT) off.

    For hot kernels that allocate nothing and only work on the arrays they are given (an
    allocation then fails at compile time, not at run time). Without NRT, numba emits no
    atomic increment/decrement when an ``inline="always"`` helper binds an array or a
    NamedTuple of arrays, which its pruning pass does not always remove: the simulation's
    event loop, split into such helpers, ran 1.7-2.2x slower with NRT on (demo scenario,
    measured; see the kernels of :mod:`spareplan.simulation`).
    """
    return _import_numba().njit(*args, **{**_OPTIONS, "_nrt": False, **kwargs})
