"""Demand history: validate a long table and pack it into flat arrays for the kernels.

The demand history of a scenario (``tables.demand_history``) is a long table with one
row per period, part and (optionally) site. :func:`prepare_history` checks it, sums
duplicate rows, fills the periods without a row with zeros and packs every series into
one flat ``float64`` array plus ``indptr`` offsets (series ``i`` is
``values[indptr[i]:indptr[i + 1]]``), the layout every kernel of
:mod:`spareplan.demand` takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from spareplan.errors import InputError, ParameterError

__all__ = ["MAX_HISTORY_CELLS", "PERIODS", "PackedSeries", "prepare_history"]

Period = Literal["month", "week", "day"]
PERIODS: tuple[str, ...] = ("month", "week", "day")
PERIODS_PER_YEAR: dict[str, float] = {"month": 12.0, "week": 365.25 / 7.0, "day": 365.25}
NO_SITE = ""
"""The ``site`` value of every series when the history has no ``site`` column."""

_EPOCH_MONDAY = np.datetime64("1969-12-29", "D")  # a Monday: weeks are counted from it
MAX_HISTORY_CELLS = 50_000_000
"""Most series × periods a packed history may hold (400 MB of ``float64``).

Every series covers the whole calendar, so a history's memory is n_series × n_periods
cells whatever the number of rows; a stray date (1700 instead of 2017) in a daily history
would otherwise ask for gigabytes. :func:`prepare_history` checks the span before it
allocates and names the first and last period with their rows.
"""


@dataclass(frozen=True)
class PackedSeries:
    """Many demand series packed as one flat array plus offsets.

    Parameters
    ----------
    values : numpy.ndarray
        Demand per period of every series, concatenated (``float64``, >= 0).
    indptr : numpy.ndarray
        ``int64`` offsets of length ``n_series + 1``: series ``i`` is
        ``values[indptr[i]:indptr[i + 1]]``.
    parts, sites : numpy.ndarray
        The key of each series (object arrays of ``str``). ``sites`` holds ``""``
        everywhere when the history had no ``site`` column.
    period : {"month", "week", "day"}
        The length of one period.
    period_labels : tuple of str
        The label of each period of the common calendar (``"2001-03"``, ``"2001-03-05"``).
        Every series covers this whole calendar, so ``indptr`` is regular.
    has_site : bool
        Whether the history had a ``site`` column.
    """

    values: np.ndarray
    indptr: np.ndarray
    parts: np.ndarray
    sites: np.ndarray
    period: str
    period_labels: tuple[str, ...]
    has_site: bool = True
    source: str = field(default="demand_history.csv", compare=False)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.indptr.size - 1)

    @property
    def n_periods(self) -> int:
        """Number of periods of the common calendar."""
        return len(self.period_labels)

    @property
    def periods_per_year(self) -> float:
        """Periods per year (12 for months, 365.25/7 for weeks, 365.25 for days)."""
        return PERIODS_PER_YEAR[self.period]

    def series(self, i: int) -> np.ndarray:
        """A read-only view of series ``i``."""
        view = self.values[self.indptr[i] : self.indptr[i + 1]].view()
        view.flags.writeable = False
        return view

    def keys_frame(self) -> pd.DataFrame:
        """One row per series: ``part``, ``site``."""
        return pd.DataFrame({"part": self.parts.copy(), "site": self.sites.copy()})

    def to_frame(self) -> pd.DataFrame:
        """The long table (``period``, ``part``, ``site``, ``quantity``), zeros included."""
        lengths = np.diff(self.indptr)
        labels = np.concatenate(
            [np.asarray(self.period_labels[: int(n)], dtype=object) for n in lengths]
        ) if self.n_series else np.empty(0, dtype=object)
        return pd.DataFrame(
            {
                "period": labels,
                "part": np.repeat(self.parts, lengths),
                "site": np.repeat(self.sites, lengths),
                "quantity": self.values.copy(),
            }
        )

    def tail(self, n_periods: int) -> PackedSeries:
        """A new :class:`PackedSeries` holding the first ``n_periods`` of every series.

        Used for rolling origins: the history known at origin ``n_periods``.
        """
        if not 0 <= n_periods <= self.n_periods:
            raise ParameterError("n_periods", f"must be in 0..{self.n_periods}", n_periods)
        keep = np.concatenate(
            [np.arange(self.indptr[i], self.indptr[i] + n_periods) for i in range(self.n_series)]
        ) if self.n_series else np.empty(0, dtype=np.int64)
        return PackedSeries(
            values=self.values[keep].copy(),
            indptr=np.arange(self.n_series + 1, dtype=np.int64) * n_periods,
            parts=self.parts.copy(),
            sites=self.sites.copy(),
            period=self.period,
            period_labels=self.period_labels[:n_periods],
            has_site=self.has_site,
            source=self.source,
        )


def _period_index(
    raw: pd.Series, period: str, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """Parse the ``period`` column to integer period numbers.

    Returns the period numbers (months since 1970-01, days since 1970-01-01, or weeks
    since the Monday 1969-12-29) and the start date of each as ``datetime64[D]``.
    """
    text = raw.astype("string").str.strip()
    month_like = text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).to_numpy(dtype=bool)
    date_like = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    if period != "month" and month_like.any():
        row = int(np.flatnonzero(month_like)[0])
        raise InputError(
            f"{source}: data row {row + 1} (line {row + 2}), column period: a month "
            f"'YYYY-MM' is not allowed when history_period is {period!r}; give a date "
            f"YYYY-MM-DD (received {raw.iloc[row]!r})"
        )
    filled = text.where(~pd.Series(month_like, index=text.index), text + "-01")
    parsed = pd.to_datetime(filled, format="%Y-%m-%d", errors="coerce")
    bad = (~(month_like | date_like)) | parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source}: data row {row + 1} (line {row + 2}), column period: must be an ISO "
            f"date YYYY-MM-DD or a month YYYY-MM ({int(bad.sum())} bad row(s); "
            f"received {raw.iloc[row]!r})"
        )
    days = parsed.to_numpy().astype("datetime64[D]")
    if period == "month":
        index = days.astype("datetime64[M]").astype(np.int64)
    elif period == "week":
        index = (days - _EPOCH_MONDAY).astype(np.int64) // 7
    else:
        index = days.astype(np.int64)
    return index.astype(np.int64), days


def _check_span(raw: pd.Series, index: np.ndarray, n_series: int, period: str,
                source: str) -> None:
    """Refuse a calendar whose packed form would exceed :data:`MAX_HISTORY_CELLS`."""
    first_row, last_row = int(np.argmin(index)), int(np.argmax(index))
    n_periods = int(index[last_row]) - int(index[first_row]) + 1
    cells = n_series * n_periods
    if cells <= MAX_HISTORY_CELLS:
        return

    def shown(row: int) -> str:
        value = raw.iloc[row]
        return str(value.date()) if isinstance(value, pd.Timestamp) else str(value)

    raise InputError(
        f"{source}: column period: the calendar from the first period to the last, times "
        f"the series, must hold at most {MAX_HISTORY_CELLS:,} cells "
        f"({MAX_HISTORY_CELLS * 8 // 2**20:,} MiB); received {shown(first_row)!r} "
        f"(data row {first_row + 1}, line {first_row + 2}) to {shown(last_row)!r} "
        f"(data row {last_row + 1}, line {last_row + 2}): {n_periods:,} {period}s x "
        f"{n_series:,} series = {cells:,} cells ({cells * 8 / 2**30:,.1f} GiB). Check "
        f"those dates, or use a longer history_period"
    )


def _labels(first: int, n: int, period: str) -> tuple[str, ...]:
    numbers = np.arange(first, first + n, dtype=np.int64)
    if period == "month":
        return tuple(str(m) for m in numbers.astype("datetime64[M]"))
    if period == "week":
        return tuple(str(d) for d in _EPOCH_MONDAY + 7 * numbers)
    return tuple(str(d) for d in numbers.astype("datetime64[D]"))


def prepare_history(
    frame: pd.DataFrame,
    period: str = "month",
    source: str = "demand_history.csv",
) -> PackedSeries:
    """Validate a demand history and pack it into flat arrays.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with columns ``period`` (ISO date ``YYYY-MM-DD`` or month ``YYYY-MM``),
        ``part``, optional ``site`` and ``quantity`` (numeric, >= 0). Not modified.
    period : {"month", "week", "day"}
        ``[demand] history_period`` of the scenario. A date falls into its calendar
        month, its ISO week (Monday to Sunday, labelled by the Monday) or its day.
    source : str
        Name used in error messages (the file the table came from).

    Returns
    -------
    PackedSeries
        One series per (part, site), sorted by part then site, each covering every
        period from the first period of the *whole table* to its last.

    Raises
    ------
    InputError
        A column is missing, a period cannot be parsed, a quantity is missing,
        not numeric, negative or infinite; the message names the data row
        (1-based, header excluded) and the line of the file. The calendar times the
        series exceeds :data:`MAX_HISTORY_CELLS` (checked before allocating; the message
        names the first and the last period with their rows).

    Notes
    -----
    * Rows with the same (period, part, site) are **summed** (several orders in one
      month are one month's demand).
    * A period without a row is a period **without demand** (zero). The calendar runs
      from the first period of the whole table to its last, for every series: a part
      whose first row comes later than the table's first period gets leading zeros.
      They are kept as real zeros (the part existed and was not demanded), which is the
      reading of a transaction log; if a part was introduced later, drop those periods
      before calling. Trailing zeros likewise count as no demand (see the
      ``obsolescent`` flag of :func:`spareplan.demand.classify.classify_series`).
    * ``part`` and ``site`` are converted to ``str``.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"period": ["2024-01", "2024-03"], "part": ["P1", "P1"],
    ...                   "quantity": [2, 1]})
    >>> prepare_history(h).values
    array([2., 0., 1.])
    """
    quantity, has_site = _checked_columns(frame, period, source)
    n_rows = len(frame)

    if n_rows == 0:
        empty_keys = np.empty(0, dtype=object)
        return PackedSeries(np.empty(0), np.zeros(1, dtype=np.int64), empty_keys,
                            empty_keys.copy(), period, (), has_site, source)

    index, _ = _period_index(frame["period"], period, source)
    parts = frame["part"].astype(str).to_numpy(dtype=object)
    sites = (frame["site"].astype(str).to_numpy(dtype=object) if has_site
             else np.full(n_rows, NO_SITE, dtype=object))

    first, last = int(index.min()), int(index.max())
    n_periods = last - first + 1
    keys = pd.DataFrame({"part": parts, "site": sites})
    grouped = keys.groupby(["part", "site"], sort=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    key_frame = grouped.size().reset_index()[["part", "site"]]
    n_series = len(key_frame)
    _check_span(frame["period"], index, n_series, period, source)
    dense = np.zeros((n_series, n_periods), dtype=np.float64)
    np.add.at(dense, (codes, index - first), quantity)  # duplicates are summed

    return PackedSeries(
        values=dense.ravel(),
        indptr=np.arange(n_series + 1, dtype=np.int64) * n_periods,
        parts=key_frame["part"].to_numpy(dtype=object),
        sites=key_frame["site"].to_numpy(dtype=object),
        period=period,
        period_labels=_labels(first, n_periods, period),
        has_site=has_site,
        source=source,
    )


def _checked_columns(frame: pd.DataFrame, period: str, source: str
                     ) -> tuple[np.ndarray, bool]:
    """Check the table's columns and values (see :func:`prepare_history`); return the
    quantities as float64 and whether the table has a ``site`` column."""
    if period not in PERIODS:
        raise ParameterError("period", f"must be one of {', '.join(PERIODS)}", period)
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a table (pandas.DataFrame), received "
                         f"{type(frame).__name__}")
    missing = [c for c in ("period", "part", "quantity") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; the demand history needs "
            f"period, part, quantity and optionally site (received columns "
            f"{list(map(str, frame.columns))!r})"
        )
    has_site = "site" in frame.columns
    quantity = pd.to_numeric(frame["quantity"], errors="coerce").to_numpy(dtype=np.float64)
    bad_q = ~np.isfinite(quantity)
    if bad_q.any():
        row = int(np.flatnonzero(bad_q)[0])
        raise InputError(
            f"{source}: data row {row + 1} (line {row + 2}), column quantity: must be a "
            f"finite number (received {frame['quantity'].iloc[row]!r})"
        )
    negative = quantity < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise InputError(
            f"{source}: data row {row + 1} (line {row + 2}), column quantity: must be >= 0 "
            f"({int(negative.sum())} negative row(s); received {frame['quantity'].iloc[row]!r})"
        )
    for column in ("part", "site") if has_site else ("part",):
        empty = frame[column].isna().to_numpy()
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise InputError(
                f"{source}: data row {row + 1} (line {row + 2}), column {column}: must not "
                f"be empty (received {frame[column].iloc[row]!r})"
            )
    return quantity, has_site


def as_packed(history: pd.DataFrame | PackedSeries, period: str = "month") -> PackedSeries:
    """Return ``history`` itself if already packed, else :func:`prepare_history` of it."""
    if isinstance(history, PackedSeries):
        return history
    return prepare_history(history, period=period)
