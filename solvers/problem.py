"""The multiple-choice problem solved by :mod:`solvers`.

Pick exactly one option per group so that linear rows hold, at least cost, with optional
binary facility decisions:

.. math::

    \\min \\sum_o c_o x_o + \\sum_f F_f y_f
    \\quad\\text{s.t.}\\quad
    \\sum_{o \\in g} x_o = 1 \\;\\forall g, \\qquad
    l_r \\le \\sum_o a_{ro} x_o \\le u_r \\;\\forall r, \\qquad
    \\sum_{o \\in g,\\, o \\text{ uses } f} x_o \\le y_f \\;\\forall (f, g), \\qquad
    x, y \\in \\{0, 1\\}.

In the spare-parts setting of van Houtum & Kranenburg (2015) a group is a part, an option is
one stock vector of that part, and a row is a service constraint; this module knows nothing
of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from solvers.errors import InvalidProblemError

__all__ = ["ChoiceProblem"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _describe(value: Any) -> str:
    """Short description of a received value for error messages."""
    if isinstance(value, np.ndarray) or sp.issparse(value):
        return f"{type(value).__name__} of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _as_vector(name: str, value: Any, length: int | None, *, allow_inf: bool) -> FloatArray:
    """Convert ``value`` to a float64 vector and check its length and finiteness."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidProblemError(
            f"{name} must be convertible to a float64 array; received {_describe(value)}"
        ) from exc
    if array.ndim != 1:
        raise InvalidProblemError(
            f"{name} must be one-dimensional; received an array of shape {array.shape}"
        )
    if length is not None and array.shape[0] != length:
        raise InvalidProblemError(
            f"{name} must have length {length}; received length {array.shape[0]}"
        )
    bad = np.isnan(array) if allow_inf else ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        rule = "must not contain NaN" if allow_inf else "must be finite"
        raise InvalidProblemError(f"{name} {rule}; received {array[first]!r} at index {first}")
    return array


@dataclass(frozen=True, eq=False)
class ChoiceProblem:
    """Multiple-choice problem: one option per group, linear rows, optional facilities.

    The constructor validates and converts its arguments (to float64 / int64 arrays and a
    scipy CSC matrix) and does no other work.

    Parameters
    ----------
    group_of_option : array of int, shape (n_options,)
        Group index :math:`g(o)` in ``0 .. n_groups - 1`` of each option, in any order.
    cost : array of float, shape (n_options,)
        Cost :math:`c_o` of choosing option :math:`o` (e.g. yearly holding cost).
    coefficients : scipy.sparse matrix or array, shape (n_rows, n_options)
        Contribution :math:`a_{ro}` of option :math:`o` to row :math:`r`.
    row_lower, row_upper : array of float, shape (n_rows,)
        Bounds :math:`l_r \\le u_r`; ``-inf`` / ``+inf`` where a side is free.
    row_names : tuple of str, optional
        Names used in diagnostics; default ``"row 0"``, ``"row 1"``, ...
    n_groups : int, optional
        Number of groups; default ``max(group_of_option) + 1``. Every group needs an option.
    facility_cost : array of float, shape (n_facilities,), optional
        Fixed cost :math:`F_f` of opening facility :math:`f`.
    option_facilities : scipy.sparse matrix or array of 0/1, shape (n_facilities, n_options)
        Entry ``(f, o) = 1`` when option :math:`o` needs facility :math:`f` open.

    Raises
    ------
    InvalidProblemError
        When an argument has the wrong shape, a non-finite value or inconsistent bounds.

    Examples
    --------
    >>> import numpy as np
    >>> problem = ChoiceProblem(
    ...     group_of_option=np.array([0, 0, 1, 1]),
    ...     cost=np.array([0.0, 1.0, 0.0, 2.0]),
    ...     coefficients=np.array([[0.0, 1.0, 0.0, 1.0]]),
    ...     row_lower=np.array([1.0]),
    ...     row_upper=np.array([np.inf]),
    ... )
    >>> problem.n_groups, problem.n_options, problem.n_rows
    (2, 4, 1)
    """

    group_of_option: IntArray
    cost: FloatArray
    coefficients: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray
    row_names: tuple[str, ...] | None = None
    n_groups: int | None = None  # always an int after construction
    facility_cost: FloatArray | None = None
    option_facilities: sp.csc_array | None = field(default=None)

    def __post_init__(self) -> None:
        groups = self._validated_groups()
        n_options = groups.shape[0]
        n_groups = self._validated_n_groups(groups)
        cost = _as_vector("cost", self.cost, n_options, allow_inf=False)
        matrix = self._validated_coefficients(n_options)
        n_rows = matrix.shape[0]
        lower = _as_vector("row_lower", self.row_lower, n_rows, allow_inf=True)
        upper = _as_vector("row_upper", self.row_upper, n_rows, allow_inf=True)
        self._check_bounds(lower, upper)
        names = self._validated_names(n_rows)
        facility_cost, option_facilities = self._validated_facilities(n_options)
        for name, value in (
            ("group_of_option", groups),
            ("cost", cost),
            ("coefficients", matrix),
            ("row_lower", lower),
            ("row_upper", upper),
            ("row_names", names),
            ("n_groups", n_groups),
            ("facility_cost", facility_cost),
            ("option_facilities", option_facilities),
        ):
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ validation
    def _validated_groups(self) -> IntArray:
        raw = np.asarray(self.group_of_option)
        if raw.ndim != 1 or raw.shape[0] == 0:
            raise InvalidProblemError(
                "group_of_option must be a non-empty one-dimensional integer array; "
                f"received {_describe(raw)}"
            )
        if raw.dtype.kind not in "iu":
            if raw.dtype.kind == "f" and np.all(np.isfinite(raw)) and np.all(raw == np.round(raw)):
                raw = raw.astype(np.int64)
            else:
                raise InvalidProblemError(
                    f"group_of_option must hold integers; received dtype {raw.dtype}"
                )
        groups = raw.astype(np.int64, copy=True)
        if groups.min() < 0:
            raise InvalidProblemError(f"group_of_option must be >= 0; received {int(groups.min())}")
        return groups

    def _validated_n_groups(self, groups: IntArray) -> int:
        needed = int(groups.max()) + 1
        n_groups = needed if self.n_groups is None else self.n_groups
        if isinstance(n_groups, bool) or not isinstance(n_groups, int | np.integer):
            raise InvalidProblemError(f"n_groups must be an int; received {n_groups!r}")
        n_groups = int(n_groups)
        if n_groups < needed:
            raise InvalidProblemError(
                f"n_groups must be greater than every group index (max {needed - 1}); "
                f"received {n_groups}"
            )
        counts = np.bincount(groups, minlength=n_groups)
        if counts.min() == 0:
            empty = int(np.flatnonzero(counts == 0)[0])
            raise InvalidProblemError(
                f"group_of_option must give every group at least one option; group {empty} "
                f"has none (n_groups={n_groups})"
            )
        return n_groups

    def _validated_coefficients(self, n_options: int) -> sp.csc_array:
        value = self.coefficients
        try:
            if sp.issparse(value):
                matrix = sp.csc_array(value, dtype=np.float64)
            else:
                dense = np.asarray(value, dtype=np.float64)
                if dense.ndim == 1 and dense.shape[0] == n_options:
                    dense = dense.reshape(1, -1)
                if dense.ndim != 2:
                    raise InvalidProblemError(
                        "coefficients must be two-dimensional (n_rows, n_options); "
                        f"received shape {dense.shape}"
                    )
                matrix = sp.csc_array(dense)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InvalidProblemError):
                raise
            raise InvalidProblemError(
                f"coefficients must be a sparse matrix or float array; received {_describe(value)}"
            ) from exc
        if matrix.shape[1] != n_options:
            raise InvalidProblemError(
                f"coefficients must have n_options={n_options} columns; received shape "
                f"{matrix.shape}"
            )
        matrix.sum_duplicates()
        if not np.all(np.isfinite(matrix.data)):
            raise InvalidProblemError("coefficients must be finite; received NaN or inf entries")
        matrix.eliminate_zeros()
        matrix.sort_indices()
        return matrix

    def _check_bounds(self, lower: FloatArray, upper: FloatArray) -> None:
        for name, bad, rule in (
            ("row_lower", lower == np.inf, "must not be +inf"),
            ("row_upper", upper == -np.inf, "must not be -inf"),
        ):
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise InvalidProblemError(f"{name} {rule}; received it at row {first}")
        crossed = lower > upper
        if crossed.any():
            first = int(np.flatnonzero(crossed)[0])
            raise InvalidProblemError(
                f"row_lower must be <= row_upper; received {lower[first]!r} > "
                f"{upper[first]!r} at row {first}"
            )

    def _validated_names(self, n_rows: int) -> tuple[str, ...] | None:
        if self.row_names is None:
            return None
        names = tuple(self.row_names)
        if len(names) != n_rows or not all(isinstance(n, str) for n in names):
            raise InvalidProblemError(
                f"row_names must be {n_rows} strings; received {_describe(self.row_names)}"
            )
        return names

    def _validated_facilities(
        self, n_options: int
    ) -> tuple[FloatArray | None, sp.csc_array | None]:
        if self.facility_cost is None and self.option_facilities is None:
            return None, None
        if self.facility_cost is None or self.option_facilities is None:
            raise InvalidProblemError(
                "facility_cost and option_facilities must be given together; received "
                f"facility_cost={_describe(self.facility_cost)}, "
                f"option_facilities={_describe(self.option_facilities)}"
            )
        facility_cost = _as_vector("facility_cost", self.facility_cost, None, allow_inf=False)
        try:
            links = sp.csc_array(self.option_facilities, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidProblemError(
                "option_facilities must be a 0/1 matrix (n_facilities, n_options); received "
                f"{_describe(self.option_facilities)}"
            ) from exc
        expected = (facility_cost.shape[0], n_options)
        if links.shape != expected:
            raise InvalidProblemError(
                f"option_facilities must have shape {expected}; received {links.shape}"
            )
        links.sum_duplicates()
        links.eliminate_zeros()
        if not np.all(links.data == 1.0):
            raise InvalidProblemError(
                "option_facilities must hold only 0 and 1; received "
                f"{links.data[links.data != 1.0][0]!r}"
            )
        links.sort_indices()
        return facility_cost, links

    # ------------------------------------------------------------------ accessors
    @property
    def n_options(self) -> int:
        """Number of options (columns)."""
        return int(self.group_of_option.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of linear rows."""
        return int(self.coefficients.shape[0])

    @property
    def n_facilities(self) -> int:
        """Number of facilities (0 without facility decisions)."""
        return 0 if self.facility_cost is None else int(self.facility_cost.shape[0])

    def row_label(self, row: int) -> str:
        """Name of ``row`` for messages (``row_names[row]`` or ``"row <index>"``)."""
        return self.row_names[row] if self.row_names is not None else f"row {row}"

    def with_options(
        self,
        group_of_option: npt.ArrayLike,
        cost: npt.ArrayLike,
        coefficients: Any,
        option_facilities: Any | None = None,
    ) -> ChoiceProblem:
        """Return a new problem with extra options appended (the input is not modified).

        Parameters
        ----------
        group_of_option, cost
            Group index and cost of each new option, shape (k,).
        coefficients
            Contributions of the new options, shape (n_rows, k).
        option_facilities
            Facility needs of the new options, shape (n_facilities, k); default none.
        """
        new_groups = np.asarray(group_of_option, dtype=np.int64).reshape(-1)
        k = new_groups.shape[0]
        new_matrix = sp.csc_array(
            coefficients if sp.issparse(coefficients) else np.asarray(coefficients, dtype=float)
        )
        if new_matrix.shape != (self.n_rows, k):
            raise InvalidProblemError(
                f"coefficients of new options must have shape {(self.n_rows, k)}; received "
                f"{new_matrix.shape}"
            )
        links = None
        if self.option_facilities is not None:
            extra = (
                sp.csc_array((self.n_facilities, k))
                if option_facilities is None
                else sp.csc_array(option_facilities, dtype=np.float64)
            )
            links = sp.hstack([self.option_facilities, extra], format="csc")
        elif option_facilities is not None:
            raise InvalidProblemError(
                "option_facilities must be None for a problem without facilities; received "
                f"{_describe(option_facilities)}"
            )
        return ChoiceProblem(
            group_of_option=np.concatenate([self.group_of_option, new_groups]),
            cost=np.concatenate([self.cost, np.asarray(cost, dtype=np.float64).reshape(-1)]),
            coefficients=sp.hstack([self.coefficients, new_matrix], format="csc"),
            row_lower=self.row_lower,
            row_upper=self.row_upper,
            row_names=self.row_names,
            n_groups=self.n_groups,
            facility_cost=self.facility_cost,
            option_facilities=links,
        )
