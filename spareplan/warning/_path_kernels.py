"""Numba kernel of the dated sample paths that the backtest judges the warnings against.

One part, one replication, week by week (arrays and scalars only; the model is documented
in :mod:`spareplan.warning.paths`). Queues are first come, first served arrays with a
fixed capacity; a shipment list holds every unit in transit with its actual and its
planned arrival week. ``status[0]`` is set to 1 when a capacity is exceeded (the caller
reruns with more room; the draws do not depend on the capacities).
"""

from __future__ import annotations

# numba's nopython generator is the np.random.* module API (seeded per part; the
# Generator API is not available inside nopython code)
# ruff: noqa: NPY002
import math

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel

__all__ = ["simulate_paths"]

OWN_CUSTOMERS = -1


@njit
def _transit_weeks(mean_days: float, cv: float) -> int:
    days = mean_days
    if cv > 0.0 and mean_days > 0.0:
        shape = 1.0 / (cv * cv)
        days = np.random.gamma(shape, mean_days / shape)
    return max(1, math.ceil(days / 7.0 - 1e-9))


@njit(inline="always")
def _ship(s_dest: np.ndarray, s_qty: np.ndarray, s_actual: np.ndarray, s_planned: np.ndarray,
          n_ship: int, to: int, units: int, week: int, lead_days: np.ndarray,
          lead_cv: np.ndarray, planned_weeks: np.ndarray) -> int:
    """Dispatch ``units`` to location ``to`` this week (its transit drawn now)."""
    s_dest[n_ship] = to
    s_qty[n_ship] = units
    s_actual[n_ship] = week + _transit_weeks(lead_days[to], lead_cv[to])
    s_planned[n_ship] = week + planned_weeks[to]
    return n_ship + 1


@njit
def _path_one(parent: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray,
              lead_days: np.ndarray, lead_cv: np.ndarray, planned_weeks: np.ndarray,
              repairable: bool, repair_days: float, procurement_days: float,
              condemnation: float, site_primary: np.ndarray, batch_rate_week: np.ndarray,
              batch_q: np.ndarray, on_hand0: np.ndarray, target: np.ndarray,
              initial_receipts: np.ndarray, firm: np.ndarray, seed: int,
              capacity: int, net: np.ndarray, snap_net: np.ndarray,
              snap_pending: np.ndarray, snap_on_order: np.ndarray,
              snap_receipts: np.ndarray, status: np.ndarray) -> None:
    np.random.seed(seed)
    n_loc = parent.shape[0]
    n_weeks = net.shape[1]
    n_snap = snap_net.shape[0]
    horizon = snap_receipts.shape[2]
    on_hand = on_hand0.copy()
    # FCFS queue per location: requester (-1 own customers, else child) and quantity
    q_who = np.zeros((n_loc, capacity), dtype=np.int64)
    q_qty = np.zeros((n_loc, capacity), dtype=np.int64)
    q_head = np.zeros(n_loc, dtype=np.int64)
    q_tail = np.zeros(n_loc, dtype=np.int64)
    # shipments in transit: destination, quantity, actual week, planned week
    s_dest = np.zeros(capacity, dtype=np.int64)
    s_qty = np.zeros(capacity, dtype=np.int64)
    s_actual = np.zeros(capacity, dtype=np.int64)
    s_planned = np.zeros(capacity, dtype=np.int64)
    n_ship = 0
    for row in range(initial_receipts.shape[0]):
        s_dest[n_ship] = initial_receipts[row, 0]
        s_qty[n_ship] = initial_receipts[row, 2]
        s_actual[n_ship] = initial_receipts[row, 1]
        s_planned[n_ship] = initial_receipts[row, 1]
        n_ship += 1
    in_transit = np.zeros(n_loc, dtype=np.int64)
    for row in range(n_ship):
        in_transit[s_dest[row]] += s_qty[row]
    excess = np.zeros(n_loc, dtype=np.int64)  # units to use up before reordering
    deficit = np.zeros(n_loc, dtype=np.int64)  # units ordered now to reach the target
    for loc in range(n_loc):
        gap = on_hand[loc] + in_transit[loc] - target[loc]
        excess[loc] = max(0, gap)
        deficit[loc] = max(0, -gap)
    incoming = np.zeros(n_loc, dtype=np.int64)  # orders placed on the parent this week

    # week 0 is now: only the orders that lift each inventory position to its target
    for week in range(0, n_weeks + 1):
        if week > 0:
            # 1. arrivals of the week, then the queues are served first come, first served
            row = 0
            while row < n_ship:
                if s_actual[row] == week:
                    on_hand[s_dest[row]] += s_qty[row]
                    n_ship -= 1
                    s_dest[row] = s_dest[n_ship]
                    s_qty[row] = s_qty[n_ship]
                    s_actual[row] = s_actual[n_ship]
                    s_planned[row] = s_planned[n_ship]
                else:
                    row += 1
            for loc in range(n_loc):
                while q_head[loc] < q_tail[loc] and on_hand[loc] > 0:
                    i = q_head[loc]
                    units = min(q_qty[loc, i], on_hand[loc])
                    on_hand[loc] -= units
                    q_qty[loc, i] -= units
                    if q_qty[loc, i] == 0:
                        q_head[loc] += 1
                    who = q_who[loc, i]
                    if who >= 0:
                        if n_ship >= capacity:
                            status[0] = 1
                            return
                        n_ship = _ship(s_dest, s_qty, s_actual, s_planned, n_ship, who, units,
                                       week, lead_days, lead_cv, planned_weeks)
        # 2. demand of the week, bottom-up: own customers, firm orders, children's orders
        for loc in range(n_loc):
            incoming[loc] = 0
        for loc in range(n_loc - 1, -1, -1):
            own = 0
            if week > 0:
                own = firm[loc, week - 1]
                for site in range(site_primary.shape[0]):
                    if site_primary[site] != loc or batch_rate_week[site] <= 0.0:
                        continue
                    batches = np.random.poisson(batch_rate_week[site])
                    for _ in range(batches):
                        own += (np.random.geometric(1.0 - batch_q[site])
                                if batch_q[site] > 0.0 else 1)
            requests = own
            for c in range(child_ptr[loc], child_ptr[loc + 1]):
                requests += incoming[child_idx[c]]
            # serve: own customers first, then the children in order
            for k in range(-1, child_ptr[loc + 1] - child_ptr[loc]):
                who = OWN_CUSTOMERS if k < 0 else child_idx[child_ptr[loc] + k]
                units = own if k < 0 else incoming[who]
                if units <= 0:
                    continue
                filled = 0
                if q_head[loc] == q_tail[loc]:
                    filled = min(units, on_hand[loc])
                    on_hand[loc] -= filled
                if filled > 0 and who >= 0:
                    if n_ship >= capacity:
                        status[0] = 1
                        return
                    n_ship = _ship(s_dest, s_qty, s_actual, s_planned, n_ship, who, filled,
                                   week, lead_days, lead_cv, planned_weeks)
                if units > filled:
                    if q_tail[loc] >= capacity:
                        status[0] = 1
                        return
                    q_who[loc, q_tail[loc]] = who
                    q_qty[loc, q_tail[loc]] = units - filled
                    q_tail[loc] += 1
            # one-for-one: reorder every unit requested (after any excess is used up)
            absorbed = min(excess[loc], requests)
            excess[loc] -= absorbed
            order = requests - absorbed + (deficit[loc] if week == 0 else 0)
            incoming[loc] = order
            if parent[loc] < 0 and order > 0:
                repaired = 0
                if repairable:
                    for _ in range(order):
                        if np.random.random() >= condemnation:
                            repaired += 1
                for kind in range(2):
                    units = repaired if kind == 0 else order - repaired
                    if units <= 0:
                        continue
                    if n_ship >= capacity:
                        status[0] = 1
                        return
                    days = repair_days if kind == 0 else procurement_days
                    arrive = week + max(1, math.ceil(days / 7.0 - 1e-9))
                    s_dest[n_ship] = loc
                    s_qty[n_ship] = units
                    s_actual[n_ship] = arrive
                    s_planned[n_ship] = arrive
                    n_ship += 1
        # (children, at higher positions, were processed before their parents: their
        # orders of the week are requests at the parent in the same week)
        if week > 0:
            for loc in range(n_loc):
                waiting = 0
                for i in range(q_head[loc], q_tail[loc]):
                    waiting += q_qty[loc, i]
                net[loc, week - 1] = on_hand[loc] - waiting
        # 3. what is known at the end of the week, for a run as of the next week's start
        if week < n_snap:
            for loc in range(n_loc):
                waiting = 0
                for i in range(q_head[loc], q_tail[loc]):
                    waiting += q_qty[loc, i]
                snap_net[week, loc] = on_hand[loc] - waiting
                snap_on_order[week, loc] = 0
                snap_pending[week, loc] = 0
                for h in range(horizon):
                    snap_receipts[week, loc, h] = 0
            for row in range(n_ship):
                loc = s_dest[row]
                snap_on_order[week, loc] += s_qty[row]
                due = max(1, s_planned[row] - week)  # overdue: week 1
                if due <= horizon:
                    snap_receipts[week, loc, due - 1] += s_qty[row]
            for loc in range(n_loc):
                up = parent[loc]
                if up >= 0:
                    for i in range(q_head[up], q_tail[up]):
                        if q_who[up, i] == loc:
                            snap_pending[week, loc] += q_qty[up, i]


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
    for part in prange(on_hand0.shape[0]):
        _path_one(parent, child_ptr, child_idx, lead_days, lead_cv, planned_weeks[part],
                  bool(repairable[part]), repair_days[part], procurement_days[part],
                  condemnation[part], site_primary, batch_rate_week[part], batch_q[part],
                  on_hand0[part], target[part],
                  receipt_rows[receipt_ptr[part]:receipt_ptr[part + 1]], firm[part],
                  int(seeds[part]), capacity, net[part], snap_net[part], snap_pending[part],
                  snap_on_order[part], snap_receipts[part], status[part])
