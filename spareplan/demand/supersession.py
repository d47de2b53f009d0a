"""Supersession: a part replaced by a newer one (``parts.csv`` column ``replaced_by``).

A row ``A, replaced_by = B`` says that B supersedes A: requests for A are now met with
B (one-way interchangeability: a B fits wherever an A did, not the other way round).
Chains are followed to their end, A → B → C: C is the *newest* part of A, B and C.

What follows for the rest of spareplan (one owner: this module):

* **Demand moves to the newest part.** :func:`spareplan.demand.rates.demand_rates`
  maps the ``part`` of the demand history, of the installed-base failure rates and of
  the ``demand`` table to the newest part before estimating: the history of the chain is
  one series per site (the periods summed, so a declining old part and a rising new one
  make one steady series), the installed-base rates and the table rates are summed.
  The newest part's rate is thus the sum of the chain's; an old part has no demand.
* **Stock of an old part serves the newest part's demand until it is used up.**
  :func:`effective_current_stock` maps each ``current_stock`` row onto the newest part
  with ``from_part`` saying where it came from. Under one-for-one (base-stock)
  replenishment that is exact: an old unit on hand counts towards the newest part's
  stock level, and each unit used is replaced by a new one, so the old units are
  consumed first and never re-bought.
* **Validation** (:func:`~spareplan.scenario.supersession_rules.supersession_problems`,
  in the scenario layer, called by :func:`spareplan.scenario.integrity.check_integrity`):
  ``replaced_by`` names an existing part, not the part itself, and no chain returns to a
  part it left (a cycle would leave no newest part).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spareplan.errors import ScenarioError
from spareplan.scenario.supersession_rules import successors, supersession_problems

if TYPE_CHECKING:  # pragma: no cover
    from spareplan.scenario.model import Scenario

__all__ = [
    "STOCK_COLUMNS",
    "effective_current_stock",
    "map_to_newest",
    "newest_parts",
    "supersession_chains",
    "supersession_problems",
]

STOCK_COLUMNS: tuple[str, ...] = ("part", "location", "on_hand", "on_order", "from_part")


def newest_parts(parts: pd.DataFrame, source: str = "parts.csv") -> dict[str, str]:
    """The newest part of every part: ``{part: newest}`` (a part not superseded maps to
    itself).

    Raises
    ------
    ScenarioError
        A ``replaced_by`` rule is broken (see :func:`supersession_problems`).

    Examples
    --------
    >>> import pandas as pd
    >>> parts = pd.DataFrame({"part": ["A", "B", "C"], "replaced_by": ["B", "C", None]})
    >>> newest_parts(parts)
    {'A': 'C', 'B': 'C', 'C': 'C'}
    """
    problems = supersession_problems(parts, source)
    if problems:
        raise ScenarioError(problems)
    successor = successors(parts)
    newest: dict[str, str] = {}
    for part in parts["part"].astype(str):
        chain = [part]
        while chain[-1] in successor and chain[-1] not in newest:
            chain.append(successor[chain[-1]])
        end = newest.get(chain[-1], chain[-1])
        for member in chain:
            newest[member] = end
    return newest


def supersession_chains(parts: pd.DataFrame, source: str = "parts.csv") -> pd.DataFrame:
    """One row per superseded part: ``part``, ``newest_part``, ``steps`` (links to it).

    Examples
    --------
    >>> import pandas as pd
    >>> parts = pd.DataFrame({"part": ["A", "B", "C"], "replaced_by": ["B", "C", None]})
    >>> supersession_chains(parts).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'part': 'A', 'newest_part': 'C', 'steps': 2},
     {'part': 'B', 'newest_part': 'C', 'steps': 1}]
    """
    newest = newest_parts(parts, source)
    successor = successors(parts)
    rows = []
    for part in sorted(successor):
        steps, node = 0, part
        while node in successor:
            node, steps = successor[node], steps + 1
        rows.append((part, newest[part], steps))
    return pd.DataFrame(rows, columns=["part", "newest_part", "steps"]).astype(
        {"steps": np.int64})


def map_to_newest(frame: pd.DataFrame, newest: Mapping[str, str],
                  column: str = "part") -> pd.DataFrame:
    """A copy of ``frame`` with ``column`` replaced by the newest part and the original in
    ``from_part``.

    Parts absent from ``newest`` are kept as they are (``from_part`` = ``part``).
    The input is not modified; rows are not aggregated (sum them as the table needs).
    """
    out = frame.copy()
    original = out[column].astype(str)
    out[column] = original.map(lambda p: newest.get(p, p))
    out["from_part"] = original
    return out


def effective_current_stock(scenario: Scenario) -> pd.DataFrame:
    """Current stock with every old part's stock moved onto its newest successor.

    The stock of a superseded part serves the newest part's demand (one-way
    interchangeability) until it is used up. This gives the planner, the simulation and
    ``warn`` one reading of it: every ``current_stock`` row, its ``part`` replaced by
    the newest part of its chain.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario (its ``replaced_by`` chains are valid: the loader checks them).

    Returns
    -------
    pandas.DataFrame
        ``part`` (newest), ``location``, ``on_hand``, ``on_order`` (0 where not given),
        ``from_part`` (the part the units physically are), one row per row of
        ``current_stock``, sorted by part, location, from_part; empty (same columns)
        without a ``current_stock`` table. The effective stock of a part at a location
        is ``frame.groupby(["part", "location"])[["on_hand", "on_order"]].sum()``.

    Examples
    --------
    >>> stock = effective_current_stock(scenario)  # doctest: +SKIP
    >>> stock.groupby(["part", "location"])[["on_hand", "on_order"]].sum()  # doctest: +SKIP
    """
    table = scenario.table("current_stock")
    if table is None or table.empty:
        return pd.DataFrame({name: pd.Series(dtype=object if name in ("part", "location",
                                                                      "from_part")
                                             else np.int64) for name in STOCK_COLUMNS})
    source = scenario.document.tables.parts or "parts.csv"
    newest = newest_parts(scenario.parts, source)
    stock = table[["part", "location", "on_hand"]].copy()
    stock["on_order"] = (table["on_order"].fillna(0) if "on_order" in table.columns
                         else 0)
    stock = map_to_newest(stock, newest)
    stock["location"] = stock["location"].astype(str)
    stock = stock.astype({"on_hand": np.int64, "on_order": np.int64})
    return stock[list(STOCK_COLUMNS)].sort_values(
        ["part", "location", "from_part"], ignore_index=True)
