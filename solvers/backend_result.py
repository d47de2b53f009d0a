"""What a backend hands back to :func:`solvers.solve` before the solution check.

Backend contract (PuLP's ``pulp/apis`` pattern): each backend is a leaf module with

- ``NAME: str`` — the name used in ``solve(problem, backend=NAME)``;
- ``available() -> bool`` — whether its solver can run here (called on demand, never at
  import time);
- ``solve(problem, *, time_limit, mip_rel_gap, warm_start, threads, verbose)
  -> BackendResult`` (plus ``node_limit`` where ``SUPPORTS_NODE_LIMIT``);
- ``SUPPORTS_NODE_LIMIT: bool`` — whether ``solve`` takes ``node_limit``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.status import SolveStatus

__all__ = ["BackendResult"]


@dataclass(frozen=True, eq=False)
class BackendResult:
    """Raw outcome of one backend run.

    Attributes
    ----------
    status : SolveStatus
        Status as read from the solver (both model and solution status where there are two).
    chosen : ndarray of int64, shape (n_groups,), or None
        Option per group read from the solver's values (None without a solution).
    facility_open : ndarray of bool or None
        Facility values read from the solver.
    lower_bound : float
        Proven bound reported by the solver (MIP dual bound), ``-inf`` if none.
    message : str
        Solver status text.
    """

    status: SolveStatus
    chosen: npt.NDArray[np.int64] | None
    facility_open: npt.NDArray[np.bool_] | None
    lower_bound: float
    message: str
