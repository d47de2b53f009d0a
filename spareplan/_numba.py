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
