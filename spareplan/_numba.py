"""The numba policy of the whole package, set once.

Every kernel in spareplan is compiled through :func:`njit` (or :func:`njit_parallel`
where a ``prange`` over parts pays), so caching, ``nogil`` and fastmath choices live
in one place. Kernels take NumPy arrays and scalars only.
"""

from __future__ import annotations

from typing import Any

import numba

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True}


def njit(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with the package policy (cache on, nogil)."""
    return numba.njit(*args, **{**_OPTIONS, **kwargs})


def njit_parallel(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit(parallel=True)`` with the package policy, for kernels with ``prange``."""
    return numba.njit(*args, **{**_OPTIONS, "parallel": True, **kwargs})


def njit_no_refcount(*args: Any, **kwargs: Any) -> Any:
    """``numba.njit`` with the package policy and numba's reference counting (NRT) off.

    For hot kernels that allocate nothing and only work on the arrays they are given (an
    allocation then fails at compile time, not at run time). Without NRT, numba emits no
    atomic increment/decrement when an ``inline="always"`` helper binds an array or a
    NamedTuple of arrays, which its pruning pass does not always remove: the simulation's
    event loop, split into such helpers, ran 1.7-2.2x slower with NRT on (demo scenario,
    measured; see the kernels of :mod:`spareplan.simulation`).
    """
    return numba.njit(*args, **{**_OPTIONS, "_nrt": False, **kwargs})
