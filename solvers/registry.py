"""Backends chosen by name; nothing probes solvers at import time.

Each name maps to a leaf module following the contract of :mod:`solvers.backend_result`.
A module is imported, and its ``available()`` called, only when asked for. What a backend
can do beyond the contract is a module constant (``SUPPORTS_NODE_LIMIT``), asked through
this registry (:func:`supports_node_limit`) rather than by comparing backend names.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from solvers.errors import BackendUnavailableError

__all__ = ["BACKEND_MODULES", "DEFAULT_BACKEND", "available_backends", "get_backend",
           "supports_node_limit"]

#: Default backend of :func:`solvers.solve` — the fastest in ``benchmarks/solvers_benchmark.py``.
DEFAULT_BACKEND = "highs"

BACKEND_MODULES: dict[str, str] = {
    "highs": "solvers.highs_backend",
    "pulp-highs": "solvers.pulp_highs_backend",
    "pulp-cbc": "solvers.pulp_cbc_backend",
}


def get_backend(name: str) -> ModuleType:
    """The backend module called ``name``.

    Raises
    ------
    BackendUnavailableError
        If ``name`` is unknown or its solver is not installed.
    """
    if name not in BACKEND_MODULES:
        raise BackendUnavailableError(
            f"backend must be one of {sorted(BACKEND_MODULES)}; received {name!r}"
        )
    try:
        module = importlib.import_module(BACKEND_MODULES[name])
    except ImportError as exc:
        raise BackendUnavailableError(f"backend {name!r} cannot be imported: {exc}") from exc
    if not module.available():
        raise BackendUnavailableError(
            f"backend {name!r} is not available here (its solver is not installed)"
        )
    return module


def available_backends() -> tuple[str, ...]:
    """Names of the backends whose solver can run here, in preference order."""
    names: list[str] = []
    for name, module_name in BACKEND_MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if module.available():
            names.append(name)
    return tuple(names)


def supports_node_limit(name: str) -> bool:
    """Whether backend ``name`` stops on a node count (a deterministic work limit).

    Raises
    ------
    BackendUnavailableError
        If ``name`` is unknown or its solver is not installed.
    """
    return bool(getattr(get_backend(name), "SUPPORTS_NODE_LIMIT", False))
