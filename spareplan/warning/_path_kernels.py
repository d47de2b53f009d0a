"""Numba kernel of the dated sample paths that the backtest judges the warnings against.

One part, one replication, week by week (arrays and scalars only; the model is documented
in :mod:`spareplan.warning.paths`). Queues are first come, first served arrays with a
fixed capacity; a shipment list holds every unit in transit with its actual and its
planned arrival week. ``status[0]`` is set to 1 when a capacity is exceeded (the caller
reruns with more room; the draws do not depend on the capacities).

The week loop (:func:`_run_weeks`) is a few ``inline="always"`` steps on NamedTuples
(queues, shipments, stock, snapshots), compiled without reference counting (it allocates
nothing; :func:`_path_one` allocates). Measured against the single long function it
replaced (issue 11, ``benchmarks/README.md``): the same draws and paths to the byte, 5-11 %
more CPU per call — the workspace now arrives as arguments, so the compiler can no longer
assume its arrays do not alias — which is 0.2 % of a backtest's kernel time, and worth the
readable steps.
"""

from __future__ import annotations

# numba's nopython generator is the np.random.* module API (seeded per part; the
# Generator API is not available inside nopython code)
# ruff: noqa: NPY002
import math
from typing import NamedTuple

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_no_refcount, njit_parallel

__all__ = ["simulate_paths"]

OWN_CUSTOMERS = -1


@njit
def _transit_weeks(mean_days: float, cv: float) -> int:
    days = mean_days
    if cv > 0.0 and mean_days > 0.0:
        shape = 1.0 / (cv * cv)
        days = np.random.gamma(shape, mean_days / shape)
    return max(1, math.ceil(days / 7.0 - 1e-9))


#: Returned by a step instead of the shipment count when a fixed capacity ran out.
_OVERFLOW = -1


class _Tree(NamedTuple):
    """The location tree shared by every part: ``parent`` and the children as CSR."""

    parent: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray


class _Part(NamedTuple):
    """One part's model (the ``part`` slice of :func:`simulate_paths`' arrays)."""

    lead_days: np.ndarray
    lead_cv: np.ndarray
    planned_weeks: np.ndarray
    site_primary: np.ndarray
    batch_rate_week: np.ndarray
    batch_q: np.ndarray
    firm: np.ndarray
    repairable: bool
    repair_days: float
    procurement_days: float
    condemnation: float


class _Queues(NamedTuple):
    """FCFS queue per location: requester (-1 own customers, else child) and quantity."""

    who: np.ndarray
    qty: np.ndarray
    head: np.ndarray
    tail: np.ndarray


class _Shipments(NamedTuple):
    """Shipments in transit (the first ``n_ship`` rows): destination, quantity, actual
    and planned arrival week."""

    dest: np.ndarray
    qty: np.ndarray
    actual: np.ndarray
    planned: np.ndarray


@njit(inline="always")
def _add_shipment(ships: _Shipments, n_ship: int, to: int, units: int, actual: int,
                  planned: int) -> int:
    ships.dest[n_ship] = to
    ships.qty[n_ship] = units
    ships.actual[n_ship] = actual
    ships.planned[n_ship] = planned
    return n_ship + 1


@njit(inline="always")
def _ship(ships: _Shipments, n_ship: int, capacity: int, part: _Part, to: int, units: int,
          week: int) -> int:
    """Dispatch ``units`` to location ``to`` this week (its transit drawn now)."""
    if n_ship >= capacity:
        return _OVERFLOW
    return _add_shipment(ships, n_ship, to, units,
                         week + _transit_weeks(part.lead_days[to], part.lead_cv[to]),
                         week + part.planned_weeks[to])


@njit(inline="always")
def _arrivals(ships: _Shipments, n_ship: int, week: int, on_hand: np.ndarray) -> int:
    """Receive the shipments arriving this week; returns the shipments left."""
    row = 0
    while row < n_ship:
        if ships.actual[row] == week:
            on_hand[ships.dest[row]] += ships.qty[row]
            n_ship -= 1
            ships.dest[row] = ships.dest[n_ship]
            ships.qty[row] = ships.qty[n_ship]
            ships.actual[row] = ships.actual[n_ship]
            ships.planned[row] = ships.planned[n_ship]
        else:
            row += 1
    return n_ship


@njit(inline="always")
def _serve_queues(part: _Part, queues: _Queues, ships: _Shipments, n_ship: int,
                  capacity: int, week: int, on_hand: np.ndarray) -> int:
    """Serve the waiting requests first come, first served from what is on hand."""
    for loc in range(on_hand.shape[0]):
        while queues.head[loc] < queues.tail[loc] and on_hand[loc] > 0:
            i = queues.head[loc]
            units = min(queues.qty[loc, i], on_hand[loc])
            on_hand[loc] -= units
            queues.qty[loc, i] -= units
            if queues.qty[loc, i] == 0:
                queues.head[loc] += 1
            who = queues.who[loc, i]
            if who >= 0:
                n_ship = _ship(ships, n_ship, capacity, part, who, units, week)
                if n_ship == _OVERFLOW:
                    return _OVERFLOW
    return n_ship


@njit(inline="always")
def _own_demand(part: _Part, loc: int, week: int) -> int:
    """Units the own customers of ``loc`` request in ``week`` (firm orders + batches)."""
    own = part.firm[loc, week - 1]
    for site in range(part.site_primary.shape[0]):
        if part.site_primary[site] != loc or part.batch_rate_week[site] <= 0.0:
            continue
        batches = np.random.poisson(part.batch_rate_week[site])
        for _ in range(batches):
            own += (np.random.geometric(1.0 - part.batch_q[site])
                    if part.batch_q[site] > 0.0 else 1)
    return own


@njit(inline="always")
def _serve_requests(tree: _Tree, part: _Part, queues: _Queues, ships: _Shipments,
                    n_ship: int, capacity: int, loc: int, week: int, own: int,
                    incoming: np.ndarray, on_hand: np.ndarray) -> int:
    """Serve this week's requests at ``loc``: own customers first, then the children in
    order; what is not filled joins the queue."""
    first = tree.child_ptr[loc]
    for k in range(-1, tree.child_ptr[loc + 1] - first):
        who = OWN_CUSTOMERS if k < 0 else tree.child_idx[first + k]
        units = own if k < 0 else incoming[who]
        if units <= 0:
            continue
        filled = 0
        if queues.head[loc] == queues.tail[loc]:
            filled = min(units, on_hand[loc])
            on_hand[loc] -= filled
        if filled > 0 and who >= 0:
            n_ship = _ship(ships, n_ship, capacity, part, who, filled, week)
            if n_ship == _OVERFLOW:
                return _OVERFLOW
        if units > filled:
            if queues.tail[loc] >= capacity:
                return _OVERFLOW
            queues.who[loc, queues.tail[loc]] = who
            queues.qty[loc, queues.tail[loc]] = units - filled
            queues.tail[loc] += 1
    return n_ship


@njit(inline="always")
def _resupply_root(part: _Part, ships: _Shipments, n_ship: int, capacity: int, loc: int,
                   week: int, order: int) -> int:
    """A root's order: each unit repaired (repairables, unless condemned) or procured."""
    repaired = 0
    if part.repairable:
        for _ in range(order):
            if np.random.random() >= part.condemnation:
                repaired += 1
    for kind in range(2):
        units = repaired if kind == 0 else order - repaired
        if units <= 0:
            continue
        if n_ship >= capacity:
            return _OVERFLOW
        days = part.repair_days if kind == 0 else part.procurement_days
        arrive = week + max(1, math.ceil(days / 7.0 - 1e-9))
        n_ship = _add_shipment(ships, n_ship, loc, units, arrive, arrive)
    return n_ship


@njit(inline="always")
def _net(queues: _Queues, on_hand: np.ndarray, loc: int) -> int:
    """On hand minus the units waiting in ``loc``'s queue."""
    waiting = 0
    for i in range(queues.head[loc], queues.tail[loc]):
        waiting += queues.qty[loc, i]
    return on_hand[loc] - waiting


@njit(inline="always")
def _snapshot(tree: _Tree, queues: _Queues, ships: _Shipments, n_ship: int,
              on_hand: np.ndarray, week: int, snaps: _Snapshots) -> None:
    """What is known at the end of ``week``, for a run as of the next week's start."""
    n_loc = on_hand.shape[0]
    horizon = snaps.receipts.shape[2]
    for loc in range(n_loc):
        snaps.net[week, loc] = _net(queues, on_hand, loc)
        snaps.on_order[week, loc] = 0
        snaps.pending[week, loc] = 0
        for h in range(horizon):
            snaps.receipts[week, loc, h] = 0
    for row in range(n_ship):
        loc = ships.dest[row]
        snaps.on_order[week, loc] += ships.qty[row]
        due = max(1, ships.planned[row] - week)  # overdue: week 1
        if due <= horizon:
            snaps.receipts[week, loc, due - 1] += ships.qty[row]
    for loc in range(n_loc):
        up = tree.parent[loc]
        if up >= 0:
            for i in range(queues.head[up], queues.tail[up]):
                if queues.who[up, i] == loc:
                    snaps.pending[week, loc] += queues.qty[up, i]


class _Stock(NamedTuple):
    """Per location: on hand, units to use up before reordering, units ordered in week 0
    to reach the target, and the orders placed on the parent this week."""

    on_hand: np.ndarray
    excess: np.ndarray
    deficit: np.ndarray
    incoming: np.ndarray


class _Snapshots(NamedTuple):
    """What is known at the end of each of the first ``B`` weeks (see
    :class:`spareplan.warning.paths.SamplePaths`)."""

    net: np.ndarray
    pending: np.ndarray
    on_order: np.ndarray
    receipts: np.ndarray


@njit_no_refcount
def _run_weeks(tree: _Tree, part: _Part, queues: _Queues, ships: _Shipments, n_ship: int,
               stock: _Stock, capacity: int, net: np.ndarray, snaps: _Snapshots) -> bool:
    """Weeks ``0 .. T`` of one part's path (numba's generator seeded by the caller);
    False when a capacity ran out. Allocates nothing, so it is compiled without reference
    counting (:func:`spareplan._numba.njit_no_refcount`), which makes the inline steps
    cost nothing.

    The random draws, in this order every week: the transit times of what the queues
    ship, then bottom-up per location the own customers' batches, the transit times of
    what it ships, a root's repair-or-procure draws.
    """
    n_loc = tree.parent.shape[0]
    on_hand = stock.on_hand
    # week 0 is now: only the orders that lift each inventory position to its target
    for week in range(0, net.shape[1] + 1):
        if week > 0:
            # 1. arrivals of the week, then the queues are served first come, first served
            n_ship = _arrivals(ships, n_ship, week, on_hand)
            n_ship = _serve_queues(part, queues, ships, n_ship, capacity, week, on_hand)
            if n_ship == _OVERFLOW:
                return False
        # 2. demand of the week, bottom-up: own customers, firm orders, children's orders
        # (children, at higher positions, are processed before their parents: their
        # orders of the week are requests at the parent in the same week)
        for loc in range(n_loc):
            stock.incoming[loc] = 0
        for loc in range(n_loc - 1, -1, -1):
            own = _own_demand(part, loc, week) if week > 0 else 0
            requests = own
            for c in range(tree.child_ptr[loc], tree.child_ptr[loc + 1]):
                requests += stock.incoming[tree.child_idx[c]]
            n_ship = _serve_requests(tree, part, queues, ships, n_ship, capacity, loc, week,
                                     own, stock.incoming, on_hand)
            if n_ship == _OVERFLOW:
                return False
            # one-for-one: reorder every unit requested (after any excess is used up)
            absorbed = min(stock.excess[loc], requests)
            stock.excess[loc] -= absorbed
            order = requests - absorbed + (stock.deficit[loc] if week == 0 else 0)
            stock.incoming[loc] = order
            if tree.parent[loc] < 0 and order > 0:
                n_ship = _resupply_root(part, ships, n_ship, capacity, loc, week, order)
                if n_ship == _OVERFLOW:
                    return False
        if week > 0:
            for loc in range(n_loc):
                net[loc, week - 1] = _net(queues, on_hand, loc)
        # 3. what is known at the end of the week, for a run as of the next week's start
        if week < snaps.net.shape[0]:
            _snapshot(tree, queues, ships, n_ship, on_hand, week, snaps)
    return True


@njit
def _path_one(tree: _Tree, part: _Part, on_hand0: np.ndarray, target: np.ndarray,
              initial_receipts: np.ndarray, seed: int, capacity: int, net: np.ndarray,
              snaps: _Snapshots, status: np.ndarray) -> None:
    """One part's path: seed, allocate, start from the initial receipts, run the weeks;
    ``status[0] = 1`` when a capacity ran out."""
    np.random.seed(seed)
    n_loc = tree.parent.shape[0]
    queues = _Queues(np.zeros((n_loc, capacity), dtype=np.int64),
                     np.zeros((n_loc, capacity), dtype=np.int64),
                     np.zeros(n_loc, dtype=np.int64), np.zeros(n_loc, dtype=np.int64))
    ships = _Shipments(np.zeros(capacity, dtype=np.int64), np.zeros(capacity, dtype=np.int64),
                       np.zeros(capacity, dtype=np.int64), np.zeros(capacity, dtype=np.int64))
    n_ship = 0
    for row in range(initial_receipts.shape[0]):
        n_ship = _add_shipment(ships, n_ship, initial_receipts[row, 0],
                               initial_receipts[row, 2], initial_receipts[row, 1],
                               initial_receipts[row, 1])
    in_transit = np.zeros(n_loc, dtype=np.int64)
    for row in range(n_ship):
        in_transit[ships.dest[row]] += ships.qty[row]
    stock = _Stock(on_hand0.copy(), np.zeros(n_loc, dtype=np.int64),
                   np.zeros(n_loc, dtype=np.int64), np.zeros(n_loc, dtype=np.int64))
    for loc in range(n_loc):
        gap = stock.on_hand[loc] + in_transit[loc] - target[loc]
        stock.excess[loc] = max(0, gap)
        stock.deficit[loc] = max(0, -gap)
    if not _run_weeks(tree, part, queues, ships, n_ship, stock, capacity, net, snaps):
        status[0] = 1


@njit_parallel
def simulate_paths(parent: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray,
                   lead_days: np.ndarray, lead_cv: np.ndarray, planned_weeks: np.ndarray,
                   repairable: np.ndarray, repair_days: np.ndarray,
                   procurement_days: np.ndarray, condemnation: np.ndarray,
                   site_primary: np.ndarray, batch_rate_week: np.ndarray,
                   batch_q: np.ndarray, on_hand0: np.ndarray, target: np.ndarray,
                   receipt_ptr: np.ndarray, receipt_rows: np.ndarray, firm: np.ndarray,
                   seeds: np.ndarray, capacity: int, net: np.ndarray, snap_net: np.ndarray,
                   snap_pending: np.ndarray, snap_on_order: np.ndarray,
                   snap_receipts: np.ndarray, status: np.ndarray) -> None:
    """Every part's path, in parallel over parts (each part seeds its own stream).

    Per-part arrays carry a leading part axis: ``planned_weeks, on_hand0, target (P, L)``,
    ``batch_rate_week, batch_q (P, N)``, ``firm (P, L, T)``, outputs ``net (P, L, T)``,
    ``snap_* (P, B, L[, H])``, ``status (P, 1)``. ``receipt_rows[receipt_ptr[p]:
    receipt_ptr[p + 1]]`` holds part ``p``'s initial receipts as (location, week, units).
    """
    tree = _Tree(parent, child_ptr, child_idx)
    for part in prange(on_hand0.shape[0]):
        model = _Part(lead_days, lead_cv, planned_weeks[part], site_primary,
                      batch_rate_week[part], batch_q[part], firm[part], bool(repairable[part]),
                      repair_days[part], procurement_days[part], condemnation[part])
        _path_one(tree, model, on_hand0[part], target[part],
                  receipt_rows[receipt_ptr[part]:receipt_ptr[part + 1]], int(seeds[part]),
                  capacity, net[part],
                  _Snapshots(snap_net[part], snap_pending[part], snap_on_order[part],
                             snap_receipts[part]),
                  status[part])
