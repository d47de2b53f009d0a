"""Row scaling so that every row handed to a backend has coefficients of order one.

Coverage rows of service-parts problems can carry contributions around ``1e-5``; handed
unscaled to HiGHS they led to a reported cost below the LP bound and a row violated by
``1.7e-7``. Each row :math:`r` is divided by :math:`s_r = \\max_o |a_{ro}|` (1 for an empty
row), and its bounds with it; the solution is then re-checked on the unscaled rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.problem import ChoiceProblem

__all__ = ["ScaledRows", "row_scale", "scale_rows"]


@dataclass(frozen=True, eq=False)
class ScaledRows:
    """Rows divided by their scale: ``matrix = D^{-1} A``, ``lower = l / s``, ``upper = u / s``."""

    matrix: sp.csr_array
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]


def row_scale(coefficients: sp.sparray) -> npt.NDArray[np.float64]:
    """Scale :math:`s_r = \\max_o |a_{ro}|` of each row (1.0 for an empty row)."""
    csr = sp.csr_array(coefficients)
    n_rows = csr.shape[0]
    peak = np.zeros(n_rows, dtype=np.float64)
    row_of_entry = np.repeat(np.arange(n_rows), np.diff(csr.indptr))
    np.maximum.at(peak, row_of_entry, np.abs(csr.data))
    return np.where(peak > 0.0, peak, 1.0)


def scale_rows(problem: ChoiceProblem) -> ScaledRows:
    """Return the problem's rows divided by :func:`row_scale`."""
    scale = row_scale(problem.coefficients)
    inverse = sp.diags_array(1.0 / scale)
    matrix = sp.csr_array(inverse @ problem.coefficients)
    return ScaledRows(
        matrix=matrix,
        lower=problem.row_lower / scale,
        upper=problem.row_upper / scale,
        scale=scale,
    )
