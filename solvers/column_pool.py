"""The columns generated so far, packed for the master LP and the MILPs.

Rows are kept in ``>=`` form: a ``<=`` row is negated (``-a x >= -u``), so that every
multiplier is :math:`\\pi \\ge 0` and one sign vector converts back to the rows' own
orientation. Columns are deduplicated on (group, payload) and evaluated in batches by the
:class:`~solvers.column_source.ColumnSource`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.column_source import ColumnSource
from solvers.errors import InvalidProblemError
from solvers.problem import ChoiceProblem

__all__ = ["ColumnPool"]


class ColumnPool:
    """Every column of every group generated so far.

    Parameters
    ----------
    source : ColumnSource
    row_lower, row_upper : float64 (n_rows,)
        One-sided rows: each has exactly one finite bound.
    row_names : tuple of str, optional
    facility_cost : float64 (n_facilities,), optional
        Fixed cost of each facility (problems with facility decisions).
    """

    def __init__(self, source: ColumnSource, row_lower: npt.ArrayLike, row_upper: npt.ArrayLike,
                 row_names: tuple[str, ...] | None = None,
                 facility_cost: npt.ArrayLike | None = None) -> None:
        lower = np.asarray(row_lower, dtype=np.float64)
        upper = np.asarray(row_upper, dtype=np.float64)
        two_sided = np.isfinite(lower) & np.isfinite(upper)
        free = ~np.isfinite(lower) & ~np.isfinite(upper)
        if two_sided.any() or free.any():
            row = int(np.flatnonzero(two_sided | free)[0])
            raise InvalidProblemError(
                f"column generation needs one-sided rows (one finite bound each); received "
                f"[{lower[row]!r}, {upper[row]!r}] at row {row}")
        self.source = source
        self.n_groups = int(source.n_groups)
        self.row_names = row_names
        self.sign = np.where(np.isfinite(lower), 1.0, -1.0)
        self.lower = np.where(np.isfinite(lower), lower, -upper)
        self.facility_cost = (None if facility_cost is None
                              else np.asarray(facility_cost, dtype=np.float64))
        self.details: list[Any] = []
        self._payloads: list[np.ndarray] = []
        self._groups: list[np.ndarray] = []
        self._blocks: list[np.ndarray] = []  # (n_rows, k) signed coefficients
        self._costs: list[np.ndarray] = []
        self._index: dict[tuple[int, bytes], int] = {}
        self._matrix: np.ndarray | None = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def n_rows(self) -> int:
        return int(self.lower.shape[0])

    def add(self, groups: npt.ArrayLike, payloads: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Add the (group, payload) pairs not yet in the pool (evaluated in one batch);
        return the pool index of every pair, new or not."""
        groups = np.asarray(groups, dtype=np.int64)
        payloads = np.ascontiguousarray(payloads, dtype=np.int64).reshape(
            groups.shape[0], int(self.source.width))
        index = np.empty(groups.shape[0], dtype=np.int64)
        new: list[int] = []
        pending: dict[tuple[int, bytes], int] = {}
        for k in range(groups.shape[0]):
            key = (int(groups[k]), payloads[k].tobytes())
            found = self._index.get(key, pending.get(key))
            if found is None:
                found = self._size + len(new)
                pending[key] = found
                new.append(k)
            index[k] = found
        if not new:
            return index
        groups, payloads = groups[new], payloads[new]
        evaluation = self.source.evaluate(groups, payloads)
        coefficients = np.asarray(evaluation.coefficients, dtype=np.float64).reshape(
            len(new), self.n_rows)
        self.details.extend(evaluation.details if evaluation.details is not None
                            else [None] * len(new))
        self._index.update(pending)
        self._groups.append(groups.copy())
        self._payloads.append(payloads.copy())
        self._costs.append(np.asarray(evaluation.cost, dtype=np.float64).reshape(len(new)))
        self._blocks.append((coefficients * self.sign).T)
        self._matrix = None
        self._size += len(new)
        return index

    def costs(self) -> npt.NDArray[np.float64]:
        if len(self._costs) > 1:
            self._costs = [np.concatenate(self._costs)]
        return self._costs[0] if self._costs else np.zeros(0)

    def groups(self) -> npt.NDArray[np.int64]:
        """Group of every column."""
        if len(self._groups) > 1:
            self._groups = [np.concatenate(self._groups)]
        return self._groups[0] if self._groups else np.zeros(0, dtype=np.int64)

    def payloads(self, options: npt.ArrayLike | None = None) -> npt.NDArray[np.int64]:
        """Payloads of ``options`` (every column by default), int64 ``(k, width)``."""
        if len(self._payloads) > 1:
            self._payloads = [np.concatenate(self._payloads)]
        every = (self._payloads[0] if self._payloads
                 else np.zeros((0, int(self.source.width)), dtype=np.int64))
        return every if options is None else every[np.asarray(options, dtype=np.int64)]

    def signed_coefficients(self) -> np.ndarray:
        """Coefficients of every column in ``>=`` form, ``(n_rows, n_columns)``."""
        if self._matrix is None:
            self._matrix = (np.hstack(self._blocks) if self._blocks
                            else np.zeros((self.n_rows, 0)))
            self._blocks = [self._matrix]
        return self._matrix

    def reduced_costs(self, pi: npt.NDArray[np.float64], group_duals: npt.NDArray[np.float64],
                      options: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """:math:`c_o - \\pi^\\top a_o - \\mu_{g(o)}` (``>=`` form, ``pi >= 0``)."""
        if options is None:
            return self.costs() - pi @ self.signed_coefficients() - group_duals[self.groups()]
        options = np.asarray(options, dtype=np.int64)
        return (self.costs()[options] - pi @ self.signed_coefficients()[:, options]
                - group_duals[self.groups()[options]])

    def problem(self, with_facilities: bool = False,
                options: npt.ArrayLike | None = None) -> ChoiceProblem:
        """The problem (``>=`` form) over every column or over ``options``;
        ``with_facilities`` adds the facility decisions (the master LP is solved without)."""
        keep = (np.arange(len(self)) if options is None
                else np.asarray(options, dtype=np.int64))
        facilities: dict[str, Any] = {}
        if with_facilities and self.facility_cost is not None:
            facilities = {"facility_cost": self.facility_cost,
                          "option_facilities": self.source.option_facilities(
                              self.payloads(keep))}
        return ChoiceProblem(
            group_of_option=self.groups()[keep], cost=self.costs()[keep],
            coefficients=sp.csc_array(self.signed_coefficients()[:, keep]),
            row_lower=self.lower, row_upper=np.full(self.n_rows, np.inf),
            row_names=self.row_names, n_groups=self.n_groups, **facilities)
