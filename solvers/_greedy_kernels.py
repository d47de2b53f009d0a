"""Compiled inner loops of :mod:`solvers.greedy`: the best moves and the move heap of a phase.

They reproduce the former pure-Python loops operation for operation, so that the greedy
chooses bit-identical options:

* option gains are scipy's sparse product, as before (the caller computes them);
* a move's ratio comes from the same floating-point operations in the same order
  (``delta_gain / delta_cost`` of the same differences; ``inf`` for a zero cost step);
* each phase heapifies the pending moves of the groups, in group order, and pops and
  pushes them as CPython's ``heapq`` did the tuples ``(-ratio, group, target)`` (a
  transcription, so that NaN ratios, which order nothing, land where they did).

Work is saved only where the result is known to be the same: a group's best move is kept
from one phase to the next unless one of its options' gains changed or the group moved.

Kernels take NumPy arrays and scalars only.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["NO_MOVE", "PHASE_OVER", "RAN_OUT", "mark_changed_gains", "run_phase"]

NO_MOVE = 0  # no group had an improving move: nothing was changed
PHASE_OVER = 1  # a short row was met, or ``phase_length`` moves were made
RAN_OUT = 2  # the heap emptied before either happened

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@numba.njit(cache=True)
def mark_changed_gains(
    gains: FloatArray,
    new_gains: FloatArray,
    live_options: IntArray,
    group_of_option: IntArray,
    stale: BoolArray,
) -> None:
    """Store ``new_gains`` (of ``live_options``) in ``gains``; flag ``stale`` the groups of
    the options whose gain differs (NaN always differs)."""
    for k in range(live_options.shape[0]):
        option = live_options[k]
        if not new_gains[k] == gains[option]:
            gains[option] = new_gains[k]
            stale[group_of_option[option]] = True


@numba.njit(cache=True)
def _refresh_moves(
    options: IntArray,
    costs: FloatArray,
    gains: FloatArray,
    positions: IntArray,
    groups: IntArray,
    stale: BoolArray,
    move_keys: FloatArray,
    move_targets: IntArray,
    hull: bool,
) -> None:
    """Best move of each of ``groups`` flagged ``stale`` (the flag is cleared) from its
    position: ``move_keys`` = -ratio, ``move_targets`` = target column (-1: none, key -0.0).

    ``hull``: the option of largest slope (farthest on ties) — the next upper-hull vertex.
    Otherwise: the first costlier option that adds contribution. Options are in (cost,
    index) order and a group only moves forward in it: with equal costs, weights that
    change between phases could otherwise swap two options forever.

    (One loop over the groups rather than a compiled function called per group: that call
    measured four times slower than the loop body written out.)
    """
    for k in range(groups.shape[0]):
        group = groups[k]
        if not stale[group]:
            continue
        stale[group] = False
        position = positions[group]
        cost_now = costs[group, position]
        gain_now = gains[options[group, position]]
        best_ratio = 0.0
        best_target = -1
        for target in range(position + 1, options.shape[1]):
            option = options[group, target]
            if option < 0:  # padding (cost +inf): never a move, and only padding follows
                break
            delta_cost = costs[group, target] - cost_now
            delta_gain = gains[option] - gain_now
            if delta_cost < 0.0 or delta_gain <= 1e-15 or math.isinf(delta_cost):
                continue
            ratio = math.inf if delta_cost == 0.0 else delta_gain / delta_cost
            if not hull:
                best_ratio, best_target = ratio, target
                break
            if ratio >= best_ratio * (1.0 - 1e-12) and (ratio > best_ratio or target > best_target):
                # Python's max(ratio, best_ratio): the first argument unless the second is
                # larger
                best_ratio = best_ratio if best_ratio > ratio else ratio
                best_target = target
        move_keys[group] = -best_ratio
        move_targets[group] = best_target


# ----------------------------------------------------------------- heapq transcription
# Entries are (key = -ratio, group): a group has at most one entry, so the tuples'
# third field (target) never decides and is kept in ``move_targets`` instead.


@numba.njit(cache=True)
def _less(keys: FloatArray, groups: IntArray, a: int, b: int) -> bool:
    """``(keys[a], groups[a]) < (keys[b], groups[b])`` as tuples: the first unequal field
    decides with ``<`` (NaN is unequal to all, less than none)."""
    if keys[a] != keys[b]:
        return keys[a] < keys[b]
    return groups[a] < groups[b]


@numba.njit(cache=True)
def _swap(keys: FloatArray, groups: IntArray, a: int, b: int) -> None:
    keys[a], keys[b] = keys[b], keys[a]
    groups[a], groups[b] = groups[b], groups[a]


@numba.njit(cache=True)
def _sift_down(keys: FloatArray, groups: IntArray, start: int, pos: int) -> None:
    """``heapq._siftdown``: move the entry at ``pos`` towards ``start`` while smaller."""
    while pos > start:
        parent = (pos - 1) >> 1
        if not _less(keys, groups, pos, parent):
            break
        _swap(keys, groups, pos, parent)
        pos = parent


@numba.njit(cache=True)
def _sift_up(keys: FloatArray, groups: IntArray, size: int, pos: int) -> None:
    """``heapq._siftup``: bubble the smaller child up to a leaf, then sift down from there."""
    start = pos
    limit = size >> 1
    while pos < limit:
        child = 2 * pos + 1
        if child + 1 < size and not _less(keys, groups, child, child + 1):
            child += 1
        _swap(keys, groups, pos, child)
        pos = child
    _sift_down(keys, groups, start, pos)


@numba.njit(cache=True)
def _heapify(keys: FloatArray, groups: IntArray, size: int) -> None:
    """``heapq.heapify``: ``_siftup`` of every inner node, last first. (CPython's C version
    visits large heaps in another order that yields the same array.)"""
    for pos in range(size // 2 - 1, -1, -1):
        _sift_up(keys, groups, size, pos)


# ----------------------------------------------------------------- one phase


@numba.njit(cache=True)
def run_phase(
    options: IntArray,
    costs: FloatArray,
    gains: FloatArray,
    active_groups: IntArray,
    stale: BoolArray,
    move_keys: FloatArray,
    move_targets: IntArray,
    positions: IntArray,
    chosen: IntArray,
    activity: FloatArray,
    indptr: IntArray,
    indices: IntArray,
    data: FloatArray,
    short: BoolArray,
    threshold: FloatArray,
    hull: bool,
    phase_length: int,
) -> tuple[int, float]:
    """One phase of the greedy at fixed option ``gains``.

    The best move of every group in ``active_groups`` (ascending; the others are at their
    last option: they have none) — recomputed where flagged ``stale`` — goes on a heap in
    group order, which is heapified; moves are popped best first, each moved group's next
    move pushed back, until a move meets a ``short`` row, ``phase_length`` moves were made
    (-1: no limit), or the heap is empty. Updates ``positions``, ``chosen`` and
    ``activity`` (CSC arrays ``indptr``, ``indices``, ``data`` of the scaled rows; the old
    option's entries are subtracted, then the new one's added) in place; the group moved
    last is left ``stale``.

    Returns
    -------
    (outcome, last_ratio)
        ``NO_MOVE``, ``PHASE_OVER`` or ``RAN_OUT``, and the ratio of the last move taken
        (NaN when none).
    """
    _refresh_moves(
        options, costs, gains, positions, active_groups, stale, move_keys, move_targets, hull
    )
    n_active = active_groups.shape[0]
    keys = np.empty(n_active, dtype=np.float64)
    heap_groups = np.empty(n_active, dtype=np.int64)
    size = 0
    for k in range(n_active):
        group = active_groups[k]
        if move_targets[group] >= 0:
            keys[size] = move_keys[group]
            heap_groups[size] = group
            size += 1
    if size == 0:
        return NO_MOVE, math.nan
    _heapify(keys, heap_groups, size)

    moved = np.empty(1, dtype=np.int64)
    moves = 0
    last_ratio = math.nan
    while size > 0:
        # heapq.heappop: the last entry replaces the root, which is sifted up
        negative_ratio, group = keys[0], heap_groups[0]
        size -= 1
        if size > 0:
            keys[0], heap_groups[0] = keys[size], heap_groups[size]
            _sift_up(keys, heap_groups, size, 0)

        target = move_targets[group]
        old, new = chosen[group], options[group, target]
        for entry in range(indptr[old], indptr[old + 1]):
            activity[indices[entry]] -= data[entry]
        for entry in range(indptr[new], indptr[new + 1]):
            activity[indices[entry]] += data[entry]
        chosen[group] = new
        positions[group] = target
        last_ratio = -negative_ratio
        met_now = False
        for entry in range(indptr[old], indptr[old + 1]):
            row = indices[entry]
            met_now |= short[row] and activity[row] >= threshold[row]
        for entry in range(indptr[new], indptr[new + 1]):
            row = indices[entry]
            met_now |= short[row] and activity[row] >= threshold[row]
        moves += 1
        stale[group] = True
        if met_now or moves == phase_length:
            return PHASE_OVER, last_ratio

        moved[0] = group
        _refresh_moves(
            options, costs, gains, positions, moved, stale, move_keys, move_targets, hull
        )
        if move_targets[group] >= 0:  # heapq.heappush
            keys[size], heap_groups[size] = move_keys[group], group
            size += 1
            _sift_down(keys, heap_groups, 0, size - 1)
    return RAN_OUT, last_ratio
