"""From today's stock to the plan: the redeployment list, the buy list and the excess list.

The recommendations give, per part and location, the planned ``stock`` and today's
``current_stock``; ``delta = stock - current_stock``. A location with ``delta < 0`` holds a
surplus, one with ``delta > 0`` needs units. Before anything is bought, surplus of a part
is moved to the locations of the same part that need it (*redeployment*); what is still
needed is bought (*buy list*); what is still surplus is *excess* (to sell, return or keep
as a buffer beyond the plan).

The matching is greedy and deterministic, per part: the needing locations in name order,
each filled from surplus locations in order of closeness in the location tree (the same
parent first, then a parent or child, then any other), larger surplus first, then by
name. The tree comes from ``kpis_locations.csv`` (``location, parent``); without it every
pair is equally close.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["StockMoves", "stock_moves"]


@dataclass(frozen=True)
class StockMoves:
    """The three lists.

    Attributes
    ----------
    redeployments : pandas.DataFrame
        ``part, from_location, to_location, units, unit_cost, value`` (value: the purchase
        it avoids, units x unit_cost).
    buys : pandas.DataFrame
        ``part, location, units, unit_cost, cost`` (cost: units x unit_cost).
    excess : pandas.DataFrame
        ``part, location, units, unit_cost, value``.
    """

    redeployments: pd.DataFrame
    buys: pd.DataFrame
    excess: pd.DataFrame


def _closeness(a: str, b: str, parent: Mapping[str, str]) -> int:
    """0 siblings, 1 parent or child, 2 anything else (a smaller number moves first)."""
    pa, pb = parent.get(a, ""), parent.get(b, "")
    if pa and pa == pb:
        return 0
    if pa == b or pb == a:
        return 1
    return 2


def stock_moves(recommendations: pd.DataFrame,
                parent: Mapping[str, str] | None = None) -> StockMoves:
    """Redeployments, buys and excess of a plan (module docstring).

    Parameters
    ----------
    recommendations : pandas.DataFrame
        ``part, location, stock, current_stock, unit_cost``.
    parent : mapping of str to str, optional
        Parent of every location (``""`` for a root).

    Examples
    --------
    >>> frame = pd.DataFrame({"part": ["P1", "P1"], "location": ["A", "B"],
    ...                       "stock": [0, 2], "current_stock": [3, 0],
    ...                       "unit_cost": [10.0, 10.0]})
    >>> moves = stock_moves(frame)
    >>> moves.redeployments[["from_location", "to_location", "units"]].values.tolist()
    [['A', 'B', 2]]
    >>> moves.excess["units"].tolist()
    [1]
    """
    parent = dict(parent or {})
    redeploy: list[tuple[str, str, str, int, float, float]] = []
    buys: list[tuple[str, str, int, float, float]] = []
    excess: list[tuple[str, str, int, float, float]] = []
    frame = recommendations.sort_values(["part", "location"], kind="stable")
    parts = frame["part"].astype(str).to_numpy()
    locations = frame["location"].astype(str).to_numpy()
    deltas = (frame["stock"] - frame["current_stock"]).astype(int).to_numpy()
    costs = frame["unit_cost"].astype(float).to_numpy()
    starts = [0, *[i for i in range(1, len(parts)) if parts[i] != parts[i - 1]], len(parts)]
    for begin, end in itertools.pairwise(starts):
        if begin == end:
            continue
        part, cost = str(parts[begin]), float(costs[begin])
        delta = {str(locations[i]): int(deltas[i]) for i in range(begin, end)}
        if all(d == 0 for d in delta.values()):
            continue
        surplus = {loc: -d for loc, d in delta.items() if d < 0}
        for need_at in sorted(loc for loc, d in delta.items() if d > 0):
            need = delta[need_at]
            while need > 0 and surplus:
                source = min(surplus, key=lambda s: (_closeness(s, need_at, parent),
                                                     -surplus[s], s))
                units = min(need, surplus[source])
                redeploy.append((part, source, need_at, units, cost, units * cost))
                need -= units
                surplus[source] -= units
                if not surplus[source]:
                    del surplus[source]
            if need > 0:
                buys.append((part, need_at, need, cost, need * cost))
        excess.extend((part, loc, units, cost, units * cost)
                      for loc, units in sorted(surplus.items()))
    return StockMoves(
        redeployments=pd.DataFrame(redeploy, columns=["part", "from_location", "to_location",
                                                      "units", "unit_cost", "value"]),
        buys=pd.DataFrame(buys, columns=["part", "location", "units", "unit_cost", "cost"]),
        excess=pd.DataFrame(excess, columns=["part", "location", "units", "unit_cost",
                                             "value"]))
