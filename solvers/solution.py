"""Result object returned by every solve and heuristic."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from solvers.status import SolveStatus

__all__ = ["Solution", "relative_gap"]


def relative_gap(objective: float, lower_bound: float) -> float:
    """Relative gap :math:`(z - z_{LB}) / \\max(|z|, 10^{-9})`.

    Returns ``inf`` when the bound is ``-inf`` and ``nan`` when there is no objective.
    """
    if math.isnan(objective) or math.isnan(lower_bound) or math.isinf(objective):
        return math.nan
    if lower_bound == -math.inf:
        return math.inf
    return max(0.0, (objective - lower_bound) / max(abs(objective), 1e-9))


@dataclass(frozen=True, eq=False)
class Solution:
    """A (possibly absent) choice of one option per group, with its proof of quality.

    Attributes
    ----------
    status : SolveStatus
        Outcome; ``chosen`` is a checked solution only when ``status.has_solution``.
    chosen : ndarray of int64, shape (n_groups,)
        Option index chosen in each group, ``-1`` where none.
    facility_open : ndarray of bool, shape (n_facilities,), or None
        Open facilities (None for a problem without facilities).
    objective : float
        Cost :math:`\\sum_o c_o x_o + \\sum_f F_f y_f` recomputed from ``chosen``;
        ``nan`` without a solution.
    lower_bound : float
        Proven lower bound on the optimum (MIP dual bound, LP or Lagrangian bound);
        ``-inf`` without proof, ``+inf`` when infeasibility is proven.
    gap : float
        ``(objective - lower_bound) / max(|objective|, 1e-9)``.
    backend : str
        Name of the backend or heuristic that produced the solution.
    runtime_seconds : float
        Wall-clock time of build plus solve.
    row_activity : ndarray of float, shape (n_rows,)
        :math:`\\sum_o a_{ro} x_o` for the chosen options (nan without a solution).
    message : str
        Human-readable detail (solver status, violations, stuck rows).
    """

    status: SolveStatus
    chosen: npt.NDArray[np.int64]
    facility_open: npt.NDArray[np.bool_] | None
    objective: float
    lower_bound: float
    gap: float
    backend: str
    runtime_seconds: float
    row_activity: npt.NDArray[np.float64]
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (lists and floats), e.g. for ``summary.json``."""
        return {
            "status": self.status.value,
            "chosen": self.chosen.tolist(),
            "facility_open": None if self.facility_open is None else self.facility_open.tolist(),
            "objective": float(self.objective),
            "lower_bound": float(self.lower_bound),
            "gap": float(self.gap),
            "backend": self.backend,
            "runtime_seconds": float(self.runtime_seconds),
            "row_activity": self.row_activity.tolist(),
            "message": self.message,
        }
