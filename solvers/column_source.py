"""What the column-generation engine asks of a problem: the pricing protocol.

The engine (:func:`solvers.column_generation.column_generation`) knows nothing of parts or
stock. It sees groups whose options are integer vectors (*payloads*) inside a box per
group, and a :class:`ColumnSource` that

- gives the box of each group (:meth:`ColumnSource.bounds`);
- evaluates payloads into columns: cost and row coefficients (:meth:`ColumnSource.evaluate`);
- prices a batch of groups at row duals :math:`\\pi`: the payload of each group minimizing
  :math:`c_o - \\pi^\\top a_o`, and whether that minimum is over *all* the group's options
  (:meth:`ColumnSource.price`; exact pricing gives the Lagrangian bound);
- for problems with facility decisions, which facilities a payload needs and extra
  payloads that let the integer phase close facilities
  (:meth:`ColumnSource.option_facilities`, :meth:`ColumnSource.facility_variants`).

Duals are handed over in the rows' own orientation: :math:`\\pi_r \\ge 0` on a ``>=`` row,
:math:`\\pi_r \\le 0` on a ``<=`` row, so that the reduced cost of a column is
:math:`c_o - \\pi^\\top a_o - \\mu_{g(o)}` with its coefficients as evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["ColumnSource", "Evaluation", "Priced"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Columns of ``k`` payloads.

    Attributes
    ----------
    cost : float64 (k,)
    coefficients : float64 (k, n_rows)
        One row per column: its contribution to every problem row.
    details : list, optional
        One object per column that the source wants back with the chosen columns (e.g.
        the service behind a stock vector); kept by the pool in column order.
    """

    cost: FloatArray
    coefficients: FloatArray
    details: list[Any] | None = None


@dataclass(frozen=True, eq=False)
class Priced:
    """Minimizers of a pricing call, one per group priced.

    Attributes
    ----------
    payloads : int64 (k, width)
        The payload of each priced group that minimizes :math:`c - \\pi^\\top a` as far
        as the source searched.
    exact : bool
        True when each payload minimizes over *all* the group's options (then the engine
        reports the Lagrangian bound, valid for every choice).
    lower_values : float64 (k,), optional
        When the source minimized a relaxation (a problem whose value under-estimates
        every option's reduced cost, e.g. a concave coefficient replaced by its
        tangent): a lower bound of each group's least reduced cost
        :math:`\\min_o (c_o - \\pi^\\top a_o)` over all its options, its relaxation's
        minimum. The engine's Lagrangian bound then sums these instead of the reduced
        costs of the payloads (which would bound nothing). ``None``: the payloads'
        own reduced costs are the minima.
    """

    payloads: IntArray
    exact: bool
    lower_values: FloatArray | None = None


class ColumnSource(Protocol):
    """The problem side of column generation (see the module docstring)."""

    @property
    def n_groups(self) -> int:
        """Number of groups (one option is chosen per group)."""

    @property
    def width(self) -> int:
        """Length of every payload."""

    def bounds(self, groups: IntArray) -> tuple[IntArray, IntArray]:
        """Lowest and highest payload of each group, int64 ``(k, width)`` each."""

    def evaluate(self, groups: IntArray, payloads: IntArray) -> Evaluation:
        """Cost and row coefficients of ``payloads`` (one per entry of ``groups``)."""

    def price(self, groups: IntArray, row_duals: FloatArray) -> Priced:
        """Minimizing payload of each group in ``groups`` at ``row_duals``."""

    def option_facilities(self, payloads: IntArray) -> Any:
        """0/1 ``(n_facilities, k)``: facilities each payload needs (facility problems)."""

    def facility_variants(self, groups: IntArray, payloads: IntArray,
                          row_duals: FloatArray) -> tuple[IntArray, IntArray]:
        """Extra ``(groups, payloads)`` for the integer phase of a facility problem."""
