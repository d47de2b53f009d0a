"""Proof of optimality on small problems: every stock vector a cheaper plan could use.

Column generation ends with the Lagrangian (master LP) bound, and on a problem of one or a
few parts that bound can sit 20 % below an optimal plan: the LP mixes two stock vectors of
a part, the MILP over the generated columns cannot, and the vector an optimal plan needs
may never have been priced (issue 13: a depot with five bases, one part). Listing the
candidates closes the gap without branch-and-price.

The same listing holds for any linear bound: under the service goal every plan ties up at
most the inventory budget B, :math:`\\sum_p c_p \\sum_l S_{pl} \\le B`, so each part's
candidates are the vectors within B less the other parts' least capital.

A plan's yearly cost is at least its holding cost, which is linear in stock:
:math:`c_p(S) \\ge \\sum_l h_{pl} S_l` with :math:`h_{pl}` = unit cost x the location's
holding rate (shipping and fixed costs are >= 0). A plan costing less than the incumbent
:math:`z` therefore uses, for every part p, a vector with

.. math::

    \\sum_l h_{pl} S_l \\le z - \\sum_{q \\ne p} \\sum_l h_{ql} \\, lo_{ql},

the other parts costing at least their holding at their lowest stock. When every part has
few such vectors (:func:`vectors_within` counts them level by level and stops as soon as
they are too many), the MILP over all of them — the incumbent's columns are among them —
is the problem itself restricted to vectors that can matter: its solution is optimal and
its bound is valid for every stock vector.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Most candidate vectors (all parts together) listed for a proof.
EXHAUSTIVE_LIMIT = 60_000

__all__ = ["EXHAUSTIVE_LIMIT", "box_vectors", "candidate_vectors", "vectors_within"]


def box_vectors(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Every stock vector of the box lo <= S <= hi, int64 (K, L), in lexicographic order
    of the free locations' levels.

    Examples
    --------
    >>> box_vectors(np.array([0, 1]), np.array([1, 1]))
    array([[0, 1],
           [1, 1]])
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    free = np.flatnonzero(hi > lo)
    levels = list(itertools.product(*(range(lo[k], hi[k] + 1) for k in free)))
    stock = np.repeat(lo[None, :], len(levels), axis=0)
    if free.size:
        stock[:, free] = np.array(levels, dtype=np.int64).reshape(len(levels), free.size)
    return stock


def vectors_within(lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, ceiling: float,
                   limit: int) -> np.ndarray | None:
    """Every integer vector S with lo <= S <= hi and weight . (S - lo) <= ceiling.

    Parameters
    ----------
    lo, hi : int (L,)
    weight : float (L,)
        Non-negative weight of one unit at each location.
    ceiling : float
    limit : int
        Most vectors listed: ``None`` as soon as there are more.

    Returns
    -------
    int64 (K, L) or None
        In lexicographic order of the locations' levels.

    Examples
    --------
    >>> vectors_within(np.array([0, 0]), np.array([2, 2]), np.array([1.0, 2.0]), 2.0, 10)
    array([[0, 0],
           [0, 1],
           [1, 0],
           [2, 0]])
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    if ceiling < 0:
        return np.zeros((0, lo.shape[0]), dtype=np.int64)
    slack = ceiling * (1.0 + 1e-12) + 1e-9
    stock = lo[None, :].copy()
    used = np.zeros(1)
    for loc in np.flatnonzero(hi > lo):
        levels = np.arange(hi[loc] - lo[loc] + 1)
        extended = used[:, None] + weight[loc] * levels[None, :]
        rows, level = np.nonzero(extended <= slack)
        if rows.shape[0] > limit:
            return None
        stock = stock[rows]
        stock[:, loc] += level
        used = extended[rows, level]
    return stock


def candidate_vectors(lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, total: float,
                      limit: int = EXHAUSTIVE_LIMIT) -> list[np.ndarray] | None:
    """Every part's stock vectors that a plan with sum_p weight_p . S_p <= ``total`` could
    use.

    Parameters
    ----------
    lo, hi : int (P, L)
        Each part's search box.
    weight : float (P, L)
        Non-negative weight of one unit of each part at each location: the yearly holding
        cost h_pl with ``total`` the incumbent's yearly cost z (a cheaper plan; its columns
        are among the candidates), or the unit cost with ``total`` the inventory budget B
        (any plan within the budget).
    total : float
    limit : int
        Most vectors over all parts; ``None`` when there are more (no proof then).

    Returns
    -------
    list of int64 (K_p, L), one per part, or None
    """
    floor = np.sum(weight * lo, axis=1)
    others = floor.sum() - floor
    found: list[np.ndarray] = []
    left = limit
    for part in range(lo.shape[0]):
        ceiling = total - others[part] - floor[part]
        vectors = vectors_within(lo[part], hi[part], weight[part], ceiling, left)
        if vectors is None:
            return None
        left -= vectors.shape[0]
        if left < 0:
            return None
        found.append(vectors)
    return found
