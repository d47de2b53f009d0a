"""Projected available balance (PAB) per part, location and week.

Master-scheduling practice: starting from the stock on hand,

.. math::

    PAB_0 = \\text{on hand}, \\qquad PAB_t = PAB_{t-1} - D_t + R_t, \\quad t = 1, \\dots, H

with :math:`D_t` the demand of week :math:`t` (customer orders, else the forecast) and
:math:`R_t` the scheduled receipts of week :math:`t` (open purchase orders, repairs due
back, transfers). Week :math:`t` covers the days ``as_of + 7 (t - 1)`` to
``as_of + 7 t - 1``; anything dated before ``as_of`` is overdue and counted in week 1.

Example (the textbook single period): on hand 14, orders 15, receipts 50 gives
:math:`PAB_1 = 14 - 15 + 50 = 49`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["PAB_COLUMNS", "projected_available_balance", "week_of", "week_start"]

PAB_COLUMNS = ["part", "location", "week", "week_start", "opening", "demand", "receipts",
               "pab", "safety_stock", "below_safety", "short"]
_KEY = ["part", "location"]


def week_of(dates: pd.Series, as_of: dt.date) -> np.ndarray:
    """Week number (1-based) of each date; overdue dates fall in week 1.

    Parameters
    ----------
    dates : pandas.Series
        datetime64 dates.
    as_of : datetime.date
        First day of week 1.

    Returns
    -------
    numpy.ndarray
        int64 week numbers, at least 1 (the caller drops weeks beyond its horizon).
    """
    days = (pd.to_datetime(dates) - pd.Timestamp(as_of)).dt.days.to_numpy(dtype=np.int64)
    return np.maximum(np.floor_divide(days, 7) + 1, 1)


def week_start(week: int | np.ndarray, as_of: dt.date) -> pd.Series | dt.date:
    """First day of week ``week`` (1-based) for a run as of ``as_of``."""
    if np.ndim(week) == 0:
        return as_of + dt.timedelta(days=7 * (int(week) - 1))  # type: ignore[arg-type]
    offsets = pd.to_timedelta(7 * (np.asarray(week, dtype=np.int64) - 1), unit="D")
    return pd.Series(pd.Timestamp(as_of) + offsets).dt.date


def _pairs(*frames: pd.DataFrame) -> pd.DataFrame:
    keys = pd.concat([f[_KEY] for f in frames if len(f)], ignore_index=True)
    if keys.empty:
        return pd.DataFrame(columns=_KEY)
    return keys.drop_duplicates().sort_values(_KEY, ignore_index=True)


def _bucket(frame: pd.DataFrame, pairs: pd.DataFrame, horizon_weeks: int) -> np.ndarray:
    """Sum ``quantity`` per (pair, week) into a dense (pairs, horizon) float64 array."""
    out = np.zeros((len(pairs), horizon_weeks), dtype=np.float64)
    if frame.empty:
        return out
    inside = frame[(frame["week"] >= 1) & (frame["week"] <= horizon_weeks)]
    index = pd.MultiIndex.from_frame(pairs[_KEY]).get_indexer(
        pd.MultiIndex.from_frame(inside[_KEY]))
    np.add.at(out, (index, inside["week"].to_numpy(dtype=np.int64) - 1),
              inside["quantity"].to_numpy(dtype=np.float64))
    return out


def projected_available_balance(on_hand: pd.DataFrame, demand: pd.DataFrame,
                                receipts: pd.DataFrame, safety_stock: pd.DataFrame, *,
                                as_of: dt.date, horizon_weeks: int) -> pd.DataFrame:
    """PAB per part x location x week over the horizon.

    Parameters
    ----------
    on_hand : pandas.DataFrame
        Columns ``part, location, on_hand``: the opening balance :math:`PAB_0`.
    demand : pandas.DataFrame
        Columns ``part, location, week, quantity``: :math:`D_t` (several rows per week add).
    receipts : pandas.DataFrame
        Columns ``part, location, week, quantity``: :math:`R_t`.
    safety_stock : pandas.DataFrame
        Columns ``part, location, safety_stock`` (missing pairs: 0).
    as_of : datetime.date
        First day of week 1.
    horizon_weeks : int
        :math:`H`, the number of weeks projected.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAB_COLUMNS`, one row per pair and week, sorted. ``opening`` is
        :math:`PAB_{t-1}`; ``below_safety`` is :math:`PAB_t < SS`; ``short`` is
        :math:`PAB_t < 0`. Pairs are every (part, location) in any input.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> key = {"part": ["P"], "location": ["L"]}
    >>> pab = projected_available_balance(
    ...     pd.DataFrame({**key, "on_hand": [14]}),
    ...     pd.DataFrame({**key, "week": [1], "quantity": [15]}),
    ...     pd.DataFrame({**key, "week": [1], "quantity": [50]}),
    ...     pd.DataFrame({**key, "safety_stock": [0]}),
    ...     as_of=dt.date(2025, 1, 6), horizon_weeks=1)
    >>> float(pab["pab"].iloc[0])
    49.0
    """
    pairs = _pairs(on_hand, demand, receipts, safety_stock)
    n_pairs = len(pairs)
    weekly_demand = _bucket(demand, pairs, horizon_weeks)
    weekly_receipts = _bucket(receipts, pairs, horizon_weeks)
    opening_balance = (pairs.merge(on_hand.groupby(_KEY, as_index=False)["on_hand"].sum(),
                                   on=_KEY, how="left")["on_hand"]
                       .fillna(0.0).to_numpy(dtype=np.float64))
    safety = (pairs.merge(safety_stock.groupby(_KEY, as_index=False)["safety_stock"].max(),
                          on=_KEY, how="left")["safety_stock"]
              .fillna(0.0).to_numpy(dtype=np.float64))
    balance = opening_balance[:, None] + np.cumsum(weekly_receipts - weekly_demand, axis=1)
    opening = np.concatenate([opening_balance[:, None], balance[:, :-1]], axis=1)
    weeks = np.tile(np.arange(1, horizon_weeks + 1, dtype=np.int64), n_pairs)
    frame = pd.DataFrame({
        "part": np.repeat(pairs["part"].to_numpy(dtype=object), horizon_weeks),
        "location": np.repeat(pairs["location"].to_numpy(dtype=object), horizon_weeks),
        "week": weeks,
        "week_start": (pd.Series(week_start(weeks, as_of)).to_numpy(dtype=object)
                       if n_pairs else []),
        "opening": opening.ravel(),
        "demand": weekly_demand.ravel(),
        "receipts": weekly_receipts.ravel(),
        "pab": balance.ravel(),
        "safety_stock": np.repeat(safety, horizon_weeks),
    })
    frame["below_safety"] = frame["pab"] < frame["safety_stock"]
    frame["short"] = frame["pab"] < 0
    return frame[PAB_COLUMNS]
