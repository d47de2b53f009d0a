"""Numba kernels of the event-driven multi-echelon service simulation.

Arrays and scalars only, packed in a few NamedTuples (numba types them in nopython mode):
:class:`NetworkInput` (the tree and the sites, shared by every part), :class:`PartInput`
(one part; :class:`PartsInput` holds many with a leading part axis), :class:`Workspace`
(work arrays, event heap and queue node pool, reused by a part's replications) and
:class:`Output` (the caller-allocated figures). Times are in days, response times and
waits in hours. The model (one part, one replication) is the one the analytic METRIC
evaluation approximates:

- Demand: at every customer site a compound Poisson process of batches (rate
  ``lambda_s (1 - q_s)`` per day, geometric batch sizes ``P(B = k) = (1 - q) q^(k-1)`` so
  that the variance-to-mean ratio of the count is ``(1 + q) / (1 - q)``; ``q = 0`` is
  Poisson), or an empirical mode that resamples a demand history period by period and
  spreads each period's quantity uniformly over the period.
- Every unit requested goes to the site's primary location ``j``. Stock on hand: filled,
  wait = ``response_hours[s, j]``. Otherwise, by the stock-out rule: BACKORDER waits FCFS at
  ``j``; EMERGENCY is served by the nearest ancestor with stock (wait = its response time
  if finite, else the emergency response), which reorders, ``j`` does not (lost sale at
  ``j``), and with no stock anywhere up the tree it waits FCFS at the root; LATERAL tries
  the site's lateral candidates (in increasing response time) before the EMERGENCY chain.
- One-for-one (S-1, S) replenishment: every unit taken from (or backordered at) a location
  places an order on its parent at the same instant, FCFS at the parent; transit times are
  deterministic or gamma (coefficient of variation ``lead_time_cv``) and are drawn when the
  order is placed.
- Common random numbers across stock vectors, under every stock-out rule: demand comes
  from numba's sequential generator (seeded per part) and nothing else draws from it;
  transit times and condemnations come from a counter-based generator keyed by the
  replication, the number of the demand unit whose order it is and the location ordered
  into. Two stock vectors of a part see the same demand, and the same transit time
  whenever the same unit's order enters the same location (the stock decides only which
  locations a unit's orders pass through).
- Roots are resupplied per unit by procurement (consumables) or repair: with probability
  ``condemnation_fraction`` the returned unit is scrapped and a new one procured, else it is
  repaired in ``repair_turnaround_days``.

Requests arriving in ``[warmup, end)`` are measured; after ``end`` no new demand arrives and
the events run on until every measured request has been filled (FCFS makes this exact).
Time averages of on-hand stock and backorders are taken over ``[warmup, end)``: the state at
the warm-up counts for the whole window and every later change ``d`` at time ``t < end``
adds ``d (end - t)``, so no per-location bookkeeping of the last change is needed.

Layout for speed: one seed per part, replications in sequence from the part's stream;
the workspace is allocated once per part and reused by its replications; the event heap and
the FCFS queue nodes have fixed capacities (the event loop allocates nothing); on overflow
the part is rerun from its seed with doubled capacities (the ``reruns`` counter), so
figures never depend on the capacities. The order of the random draws is part of the
contract: seeded figures are checked by ``tests/simulation/test_seeded_figures.py``.

The steps of the event loop are ``inline="always"`` helpers on the NamedTuples (inlined at
numba IR level: no call), and the loop itself is compiled without numba's reference
counting (:func:`spareplan._numba.njit_no_refcount`; it allocates nothing): with it, every
helper that binds an array costs two atomic operations per call that numba's pruning pass
does not always remove (1.7-2.2x slower on the demo, measured); without it the helpers cost
nothing and the loop runs as fast as one long function.

The output layout (the last axis of :class:`Output`'s arrays) is named by
:data:`SITE_FIELDS`, :data:`LOCATION_FIELDS` and :data:`PART_FIELDS`; the integer
positions are private to this module, everything else reads the figures by name through
:class:`spareplan.simulation.SimulationArrays`.

:func:`stock_curve_replication` is a separate one-location kernel: every base stock level
from one demand path under complete backordering (see :mod:`spareplan.simulation.curve`).
"""

# numba's per-thread generator is the legacy np.random API; it is seeded explicitly per part
# (see simulate_part), never globally from Python.
# ruff: noqa: NPY002

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_no_refcount, njit_parallel
from spareplan.codes import BACKORDER, HOURS_PER_DAY, LATERAL

#: Figures per site, the last axis of ``Output.site`` (counts and sums over measured
#: requests): units requested; filled from stock on hand at the primary location on
#: arrival; filled within the site's SLA window (wait <= window_hours); sum of waits in
#: hours (response time included); emergency shipments; lateral shipments.
SITE_FIELDS = ("requests", "filled_primary", "within_window", "wait_hours", "emergency",
               "lateral")
#: Figures per location, the last axis of ``Output.location``: time integral of backorders
#: (customers and child orders, unit-days), of on-hand stock (unit-days), and units
#: requested from the location's stock (measured).
LOCATION_FIELDS = ("backorder_days", "on_hand_days", "demand")
#: Counters per part and replication, the last axis of ``Output.part``: every unit
#: demanded (warm-up included), every event processed (demand batches and arrivals), the
#: largest |on hand + in transit - customer backorders - sum S| seen, reruns of the part
#: with doubled capacities.
PART_FIELDS = ("demand_units", "events", "conservation", "reruns")

# the private positions, in the order of the names above
_REQUESTS, _FILLED_PRIMARY, _WITHIN_WINDOW, _WAIT_HOURS, _EMERGENCY, _LATERAL = range(
    len(SITE_FIELDS))
_BACKORDER_DAYS, _ON_HAND_DAYS, _DEMAND = range(len(LOCATION_FIELDS))
_DEMAND_UNITS, _EVENTS, _CONSERVATION, _RERUNS = range(len(PART_FIELDS))

#: Status of :func:`simulate_replication`: a fixed capacity (event heap, queue nodes) ran out.
OVERFLOW_HEAP, OVERFLOW_POOL = 1, 2


class NetworkInput(NamedTuple):
    """The location tree and the sites, shared by every part (``L`` locations, ``N`` sites).

    Attributes
    ----------
    parent : numpy.ndarray
        int64 ``(L,)``, ``parent[l] < l``, -1 for roots.
    lead_time_days, lead_time_cv : numpy.ndarray
        float64 ``(L,)``: mean transit time from the parent (days) and its coefficient of
        variation (0: deterministic, else gamma).
    site_primary : numpy.ndarray
        int64 ``(N,)``: the primary location of every site.
    response_hours : numpy.ndarray
        float64 ``(N, L)``: response time from each location (``inf``: out of reach).
    window_hours : numpy.ndarray
        float64 ``(N,)``: the site's SLA window (``nan``: none).
    lateral_indptr, lateral_locations : numpy.ndarray
        int64: the lateral candidates of site ``s`` are
        ``lateral_locations[lateral_indptr[s]:lateral_indptr[s + 1]]``, by increasing
        response time.
    stockout_rule : int
        BACKORDER, EMERGENCY or LATERAL (:mod:`spareplan.codes`).
    emergency_response_hours : float
        Response of a shipment from a location not in the site's reach.
    """

    parent: np.ndarray
    lead_time_days: np.ndarray
    lead_time_cv: np.ndarray
    site_primary: np.ndarray
    response_hours: np.ndarray
    window_hours: np.ndarray
    lateral_indptr: np.ndarray
    lateral_locations: np.ndarray
    stockout_rule: int
    emergency_response_hours: float


class RootResupply(NamedTuple):
    """How a root (central warehouse) is resupplied with one unit of a part (scalars only).

    Attributes
    ----------
    repairable : bool
        Repairable (a returned unit is repaired, or procured when condemned) or consumable
        (always procured).
    procurement_lead_time_days, repair_turnaround_days, condemnation_fraction : float
        Procurement time, repair time and fraction of returned units scrapped.
    """

    repairable: bool
    procurement_lead_time_days: float
    repair_turnaround_days: float
    condemnation_fraction: float


class PartInput(NamedTuple):
    """One part: its base stock, its demand and its root resupply.

    Attributes
    ----------
    stock : numpy.ndarray
        int64 ``(L,)``: base stock S per location.
    batch_rate_per_day, batch_q : numpy.ndarray
        float64 ``(N,)``: compound-Poisson batch rate and geometric parameter q (0: Poisson).
    empirical_indptr : numpy.ndarray
        int64 ``(N + 1,)``: site ``s`` resamples
        ``empirical_values[empirical_indptr[s]:empirical_indptr[s + 1]]`` (empty: its rate).
    empirical_values : numpy.ndarray
        float64: units per period of ``empirical_period_days``, every history in a row.
    empirical_period_days : float
        Length of a history period (days).
    root : RootResupply
        The part's root resupply.
    seed : int
        Seed of numba's generator for the part's replications.
    """

    stock: np.ndarray
    batch_rate_per_day: np.ndarray
    batch_q: np.ndarray
    empirical_indptr: np.ndarray
    empirical_values: np.ndarray
    empirical_period_days: float
    root: RootResupply
    seed: int


class PartsInput(NamedTuple):
    """Many parts (or jobs): the fields of :class:`PartInput` with a leading axis ``P``.

    ``stock (P, L)``, ``batch_rate_per_day`` and ``batch_q (P, N)``, ``empirical_indptr
    (P, N + 1)`` into the shared flat ``empirical_values``, ``empirical_period_days`` (one
    for all), the fields of :class:`RootResupply` (``repairable`` bool) and ``seed``
    ``(P,)``.
    """

    stock: np.ndarray
    batch_rate_per_day: np.ndarray
    batch_q: np.ndarray
    empirical_indptr: np.ndarray
    empirical_values: np.ndarray
    empirical_period_days: float
    repairable: np.ndarray
    procurement_lead_time_days: np.ndarray
    repair_turnaround_days: np.ndarray
    condemnation_fraction: np.ndarray
    seed: np.ndarray


class Queues(NamedTuple):
    """The FCFS queue of every location, linked lists over a fixed pool of nodes.

    Per location ``(L,)`` int64: ``head``, ``tail`` (-1: empty) and ``length``. Per node
    ``(C,)``: ``node_entity`` (>= 0: a child location's order, its value the transit time;
    < 0: customer site ``-entity - 1``, its value the arrival time), ``node_value``
    (float64) and ``node_next`` (int64, -1: last).
    """

    head: np.ndarray
    tail: np.ndarray
    length: np.ndarray
    node_entity: np.ndarray
    node_value: np.ndarray
    node_next: np.ndarray


class Heap(NamedTuple):
    """Binary min-heap of pending arrivals ``(C,)``: ``times`` (float64) and ``places``
    (int64, the receiving location)."""

    times: np.ndarray
    places: np.ndarray


class DemandState(NamedTuple):
    """Where the demand stands, per site ``(N,)``: ``cumulative_rate`` of the rate-driven
    sites (for the batch's site), and per empirical site number ``e`` its site
    (``empirical_sites``, int64), next demand time (``empirical_next``), period start,
    units left in the period and last demand time (``empirical_start``, ``empirical_left``,
    ``empirical_last``; see :func:`_next_empirical`)."""

    cumulative_rate: np.ndarray
    empirical_sites: np.ndarray
    empirical_next: np.ndarray
    empirical_start: np.ndarray
    empirical_left: np.ndarray
    empirical_last: np.ndarray


class Workspace(NamedTuple):
    """Work arrays of one part, overwritten by every replication: ``on_hand (L,)`` int64,
    the :class:`Queues`, the :class:`Heap` (both of one fixed capacity ``C``) and the
    :class:`DemandState`."""

    on_hand: np.ndarray
    queues: Queues
    heap: Heap
    demand: DemandState


class Output(NamedTuple):
    """Caller-allocated figures: ``site (..., N, len(SITE_FIELDS))``, ``location (...,
    L, len(LOCATION_FIELDS))``, ``part (..., len(PART_FIELDS))``; the leading axes are
    none (one replication), ``(R,)`` (one part) or ``(P, R)`` (many parts)."""

    site: np.ndarray
    location: np.ndarray
    part: np.ndarray


@njit
def new_workspace(n_locations: int, n_sites: int, capacity: int) -> Workspace:
    """A :class:`Workspace` for ``L`` locations, ``N`` sites and ``capacity`` heap entries
    and queue nodes (contents undefined until :func:`_start_replication`)."""
    queues = Queues(np.empty(n_locations, dtype=np.int64), np.empty(n_locations, dtype=np.int64),
                    np.empty(n_locations, dtype=np.int64), np.empty(capacity, dtype=np.int64),
                    np.empty(capacity), np.empty(capacity, dtype=np.int64))
    heap = Heap(np.empty(capacity), np.empty(capacity, dtype=np.int64))
    demand = DemandState(np.empty(n_sites), np.empty(n_sites, dtype=np.int64),
                         np.empty(n_sites), np.empty(n_sites), np.empty(n_sites),
                         np.empty(n_sites))
    return Workspace(np.empty(n_locations, dtype=np.int64), queues, heap, demand)


# --- data structures: binary min-heap of arrivals, FCFS queues over a node pool --------


@njit(inline="always")
def _heap_push(heap: Heap, size: int, time: float, place: int) -> None:
    """Push (time, place) into the heap of ``size`` entries (capacity checked by the caller)."""
    times, places = heap.times, heap.places
    i = size
    times[i] = time
    places[i] = place
    while i > 0:
        up = (i - 1) >> 1
        if times[up] <= times[i]:
            break
        times[up], times[i] = times[i], times[up]
        places[up], places[i] = places[i], places[up]
        i = up


@njit(inline="always")
def _heap_pop(heap: Heap, size: int) -> None:
    """Remove the root of the heap of ``size`` entries (the caller read it first)."""
    times, places = heap.times, heap.places
    last = size - 1
    times[0] = times[last]
    places[0] = places[last]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= last:
            break
        child = left
        if left + 1 < last and times[left + 1] < times[left]:
            child = left + 1
        if times[child] >= times[i]:
            break
        times[child], times[i] = times[i], times[child]
        places[child], places[i] = places[i], places[child]
        i = child


@njit(inline="always")
def _pool_take(queues: Queues, free_head: int, pool_used: int) -> tuple[int, int, int]:
    """A free queue node: ``(node, free_head, pool_used)``, ``node = -1`` when exhausted.

    Nodes come from the free list, else from the never-used tail of the pool.
    """
    node = -1
    if free_head >= 0:
        node = free_head
        free_head = queues.node_next[node]
    elif pool_used < queues.node_next.size:
        node = pool_used
        pool_used += 1
    return node, free_head, pool_used


@njit(inline="always")
def _queue_append(queues: Queues, location: int, node: int, entity: int,
                  value: float) -> None:
    """Append pool node ``node`` holding (entity, value) to the FCFS queue of ``location``."""
    queues.node_entity[node] = entity
    queues.node_value[node] = value
    queues.node_next[node] = -1
    if queues.tail[location] < 0:
        queues.head[location] = node
    else:
        queues.node_next[queues.tail[location]] = node
    queues.tail[location] = node
    queues.length[location] += 1


@njit(inline="always")
def _queue_pop(queues: Queues, location: int, free_head: int) -> tuple[int, float, int]:
    """Remove the head node of the queue of ``location`` and put it on the free list.

    Returns its ``(entity, value, node)``; ``node`` is the new head of the free list.
    """
    node = queues.head[location]
    queues.head[location] = queues.node_next[node]
    if queues.head[location] < 0:
        queues.tail[location] = -1
    queues.length[location] -= 1
    queues.node_next[node] = free_head
    return queues.node_entity[node], queues.node_value[node], node


# --- random draws (their order is the contract, see the module docstring) ---------------


# Service draws (transit times, condemnation) come from a counter-based generator keyed
# by (replication key, demand unit, location), not from numba's sequential generator: the
# draws of the unit's order into a location are the same whatever the stock levels, and
# the demand stream never depends on the stock (common random numbers across stock vectors
# under every stock-out rule). SplitMix64 (Steele, Lea & Flood 2014) as the mixer.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOCATION_STRIDE = np.uint64(0xD1B54A32D192ED03)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


@njit(inline="always")
def _mix64(z: np.uint64) -> np.uint64:
    """SplitMix64's finalizer: a bijection of 64-bit words with full avalanche."""
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(inline="always")
def replication_key(seed: int, replication: int) -> np.uint64:
    """The key of one replication's service draws."""
    return _mix64(_mix64(np.uint64(seed) + _GOLDEN) + np.uint64(replication + 1) * _GOLDEN)


@njit(inline="always")
def _order_key(unit_key: np.uint64, location: int) -> np.uint64:
    """The key of the order that demand unit ``unit_key`` places into ``location``."""
    return _mix64(unit_key + np.uint64(location + 1) * _LOCATION_STRIDE)


@njit(inline="always")
def _uniform(key: np.uint64, counter: int) -> float:
    """The ``counter``-th uniform on (0, 1) of ``key``'s stream."""
    z = _mix64(key + np.uint64(counter + 1) * _GOLDEN)
    return (float(z >> _S11) + 0.5) * _TWO_TO_MINUS_53


@njit(inline="always")
def _keyed_gamma(key: np.uint64, shape: float) -> float:
    """A gamma variate of unit scale from ``key``'s stream (Marsaglia & Tsang 2000; shape
    below 1 through ``G(shape + 1) U^(1 / shape)``; normals by Box-Muller)."""
    boost = 1.0
    counter = 0
    if shape < 1.0:
        boost = _uniform(key, counter) ** (1.0 / shape)
        counter += 1
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        u1, u2 = _uniform(key, counter), _uniform(key, counter + 1)
        counter += 2
        x = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(key, counter)
        counter += 1
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return boost * d * v


@njit(inline="always")
def _draw_lead_time(key: np.uint64, mean: float, cv: float) -> float:
    """Transit time: ``mean`` if deterministic, else gamma with shape ``1 / cv^2``."""
    if cv <= 0.0 or mean <= 0.0:
        return mean
    shape = 1.0 / (cv * cv)
    return _keyed_gamma(key, shape) * (mean / shape)


@njit(inline="always")
def _draw_root_resupply(key: np.uint64, root: RootResupply) -> float:
    """Days until a unit ordered by a root arrives: repair, or procurement when condemned
    (a uniform draw only when both can happen)."""
    condemnation = root.condemnation_fraction
    if not root.repairable or condemnation >= 1.0:
        return root.procurement_lead_time_days
    if condemnation <= 0.0:
        return root.repair_turnaround_days
    if _uniform(key, 0) < condemnation:
        return root.procurement_lead_time_days
    return root.repair_turnaround_days


@njit(inline="always")
def _draw_batch_size(q: float) -> int:
    """Units in a demand batch: 1, or geometric ``P(B = k) = (1 - q) q^(k-1)`` if q > 0."""
    if q > 0.0:
        return np.random.geometric(1.0 - q)
    return 1


@njit
def _next_empirical(e: int, period_start: np.ndarray, units_left: np.ndarray,
                    last_time: np.ndarray, values: np.ndarray, first: int, stop: int,
                    period_days: float) -> float:
    """Advance empirical site ``e`` to its next demand time.

    Its state is ``period_start[e]``, ``units_left[e]`` (in the period) and
    ``last_time[e]`` (of the last demand); its history is ``values[first:stop]``. A
    period's quantity is a resampled history value (non-integers rounded at random, mean
    kept); the units of a period fall at uniform times, drawn in order as order statistics.
    """
    while units_left[e] <= 0.0:
        period_start[e] += period_days
        value = values[first + np.random.randint(0, stop - first)]
        units = math.floor(value)
        if np.random.random() < value - units:
            units += 1
        units_left[e] = units
        last_time[e] = period_start[e]
    remaining = units_left[e]
    period_end = period_start[e] + period_days
    current = last_time[e]
    current += (period_end - current) * (1.0 - np.random.random() ** (1.0 / remaining))
    units_left[e] = remaining - 1.0
    last_time[e] = current
    return current


@njit(inline="always")
def _advance_empirical(part: PartInput, demand: DemandState, e: int) -> None:
    """Draw the next demand time of empirical site number ``e`` into ``empirical_next``."""
    site = demand.empirical_sites[e]
    demand.empirical_next[e] = _next_empirical(
        e, demand.empirical_start, demand.empirical_left, demand.empirical_last,
        part.empirical_values, part.empirical_indptr[site], part.empirical_indptr[site + 1],
        part.empirical_period_days)


# --- the steps of one replication ---------------------------------------------------------


@njit(inline="always")
def _start_replication(part: PartInput, work: Workspace) -> tuple[int, float, int]:
    """Reset the state to full base stock, empty queues, and draw each empirical site's
    first demand; returns ``(total stock, total batch rate of the rate-driven sites,
    number of empirical sites)``."""
    total_stock = 0
    for location in range(part.stock.size):
        work.on_hand[location] = part.stock[location]
        work.queues.length[location] = 0
        work.queues.head[location] = -1
        work.queues.tail[location] = -1
        total_stock += part.stock[location]
    demand = work.demand
    total_rate = 0.0
    n_empirical = 0
    for site in range(part.batch_rate_per_day.size):
        if part.empirical_indptr[site + 1] > part.empirical_indptr[site]:
            demand.empirical_sites[n_empirical] = site
            demand.empirical_start[n_empirical] = -part.empirical_period_days
            demand.empirical_left[n_empirical] = 0.0
            demand.empirical_last[n_empirical] = 0.0
            _advance_empirical(part, demand, n_empirical)
            n_empirical += 1
        else:
            total_rate += part.batch_rate_per_day[site]
        demand.cumulative_rate[site] = total_rate
    return total_stock, total_rate, n_empirical


@njit(inline="always")
def _next_demand(demand: DemandState, n_empirical: int, next_batch: float
                 ) -> tuple[float, int]:
    """The next demand: ``(time, empirical site number)``, -1 for the Poisson batches."""
    demand_time = next_batch
    source = -1
    for e in range(n_empirical):
        if demand.empirical_next[e] < demand_time:
            demand_time = demand.empirical_next[e]
            source = e
    return demand_time, source


@njit(inline="always")
def _draw_demand(part: PartInput, demand: DemandState, source: int, now: float,
                 total_rate: float, next_batch: float) -> tuple[int, int, float]:
    """The demand arriving at ``now``: ``(site, units, next batch time)``.

    An empirical site asks for one unit and draws its next time; a Poisson batch draws its
    site (a uniform, by cumulative rate; binary search), its size (geometric when q > 0) and
    the next batch time (an exponential), in that order.
    """
    if source >= 0:
        _advance_empirical(part, demand, source)
        return demand.empirical_sites[source], 1, next_batch
    draw = np.random.random() * total_rate
    low, high = 0, demand.cumulative_rate.size - 1
    while low < high:
        middle = (low + high) >> 1
        if demand.cumulative_rate[middle] > draw:
            high = middle
        else:
            low = middle + 1
    units = _draw_batch_size(part.batch_q[low])
    return low, units, now + np.random.exponential(1.0 / total_rate)


@njit(inline="always")
def _choose_source(network: NetworkInput, on_hand: np.ndarray, site: int
                   ) -> tuple[int, int, bool, bool]:
    """The stock-out rule: ``(origin, queued_at, emergency, lateral)`` for one unit.

    ``origin`` is the location whose stock fills the unit (-1: none); else it waits FCFS at
    ``queued_at`` (the primary location under BACKORDER, the root of its chain otherwise).
    """
    primary = network.site_primary[site]
    if on_hand[primary] > 0:
        return primary, -1, False, False
    if network.stockout_rule == BACKORDER:
        return -1, primary, False, False
    if network.stockout_rule == LATERAL:
        for index in range(network.lateral_indptr[site], network.lateral_indptr[site + 1]):
            if on_hand[network.lateral_locations[index]] > 0:
                return network.lateral_locations[index], -1, False, True
    ancestor, top = network.parent[primary], primary
    while ancestor >= 0:
        top = ancestor
        if on_hand[ancestor] > 0:
            return ancestor, -1, True, False
        ancestor = network.parent[ancestor]
    return -1, top, top != primary, False


@njit(inline="always")
def _record_wait(network: NetworkInput, site_out: np.ndarray, site: int, location: int,
                 waited_hours: float) -> None:
    """Count a measured request of ``site`` filled from ``location`` after waiting
    ``waited_hours`` there (0 from stock): its wait includes the response time."""
    wait = network.response_hours[site, location]
    if not math.isfinite(wait):
        wait = network.emergency_response_hours
    wait += waited_hours
    site_out[site, _WAIT_HOURS] += wait
    if wait <= network.window_hours[site]:
        site_out[site, _WITHIN_WINDOW] += 1.0


@njit(inline="always")
def _serve_unit(network: NetworkInput, work: Workspace, out: Output, site: int, now: float,
                weight: float, measured: bool, free_head: int, pool_used: int
                ) -> tuple[int, int, int, int, int]:
    """One unit requested by ``site`` at ``now``: fill it from stock or queue it.

    ``weight`` is ``end - now`` inside the measured window, else 0 (time integrals).
    Returns ``(ordering location, free_head, pool_used, queued, status)``: the location that
    reorders (the one that filled or owes the unit), ``queued`` 1 when the customer waits,
    status 0 or ``OVERFLOW_POOL``.
    """
    if measured:
        out.site[site, _REQUESTS] += 1.0
    origin, queued_at, emergency, lateral = _choose_source(network, work.on_hand, site)
    if measured:
        if origin == network.site_primary[site]:
            out.site[site, _FILLED_PRIMARY] += 1.0
        if emergency:
            out.site[site, _EMERGENCY] += 1.0
        if lateral:
            out.site[site, _LATERAL] += 1.0
    if origin >= 0:
        work.on_hand[origin] -= 1
        out.location[origin, _ON_HAND_DAYS] -= weight
        if measured:
            out.location[origin, _DEMAND] += 1.0
            _record_wait(network, out.site, site, origin, 0.0)
        return origin, free_head, pool_used, 0, 0
    node, free_head, pool_used = _pool_take(work.queues, free_head, pool_used)
    if node < 0:
        return queued_at, free_head, pool_used, 0, OVERFLOW_POOL
    _queue_append(work.queues, queued_at, node, -site - 1, now)
    out.location[queued_at, _BACKORDER_DAYS] += weight
    if measured:
        out.location[queued_at, _DEMAND] += 1.0
    return queued_at, free_head, pool_used, 1, 0


@njit(inline="always")
def _replenish(network: NetworkInput, part: PartInput, work: Workspace,
               location_out: np.ndarray, location: int, now: float, weight: float,
               measured: bool, heap_size: int, free_head: int, pool_used: int,
               unit_key: np.uint64) -> tuple[int, int, int, int]:
    """One-for-one replenishment up the tree from ``location``, all at ``now``.

    Each location orders one unit from its parent (its transit time drawn now); a parent
    with stock ships it (an arrival on the heap), one without queues the order and orders
    in turn; a root orders from its supplier (repair or procurement). Returns the new
    ``(heap_size, free_head, pool_used, status)``, status 0 or ``OVERFLOW_*``.
    """
    child = location
    while True:
        up = network.parent[child]
        if heap_size == work.heap.times.size:
            return heap_size, free_head, pool_used, OVERFLOW_HEAP
        if up < 0:
            _heap_push(work.heap, heap_size,
                       now + _draw_root_resupply(_order_key(unit_key, child), part.root), child)
            return heap_size + 1, free_head, pool_used, 0
        transit = _draw_lead_time(_order_key(unit_key, child), network.lead_time_days[child],
                                  network.lead_time_cv[child])
        if measured:
            location_out[up, _DEMAND] += 1.0
        if work.on_hand[up] > 0:
            work.on_hand[up] -= 1
            location_out[up, _ON_HAND_DAYS] -= weight
            _heap_push(work.heap, heap_size, now + transit, child)
            heap_size += 1
        else:
            node, free_head, pool_used = _pool_take(work.queues, free_head, pool_used)
            if node < 0:
                return heap_size, free_head, pool_used, OVERFLOW_POOL
            _queue_append(work.queues, up, node, child, transit)
            location_out[up, _BACKORDER_DAYS] += weight
        child = up


@njit(inline="always")
def _receive_arrival(network: NetworkInput, work: Workspace, out: Output, place: int,
                     now: float, weight: float, warmup_days: float, end_days: float,
                     heap_size: int, free_head: int) -> tuple[int, int, int, int]:
    """A unit arrives at ``place``: it goes on hand, or to the first in its queue.

    A waiting child order ships on (an arrival at the child after its transit time); a
    waiting customer is filled (its wait is measured if it arrived in the window). Returns
    ``(heap_size, free_head, customers filled, measured customers filled)`` (0 or 1 each).
    """
    if work.queues.length[place] == 0:
        work.on_hand[place] += 1
        out.location[place, _ON_HAND_DAYS] += weight
        return heap_size, free_head, 0, 0
    out.location[place, _BACKORDER_DAYS] -= weight
    entity, value, free_head = _queue_pop(work.queues, place, free_head)
    if entity >= 0:
        # heap_size < capacity here: the caller's pop freed a slot
        _heap_push(work.heap, heap_size, now + value, entity)
        return heap_size + 1, free_head, 0, 0
    if value >= warmup_days and value < end_days:
        _record_wait(network, out.site, -entity - 1, place, (now - value) * HOURS_PER_DAY)
        return heap_size, free_head, 1, 1
    return heap_size, free_head, 1, 0


@njit(inline="always")
def _snapshot_integrals(work: Workspace, location_out: np.ndarray, warmup_days: float,
                        end_days: float) -> None:
    """Start the time integrals over ``[warmup, end)``: the state at the warm-up counts for
    the whole window, every later change ``d`` at time ``t < end`` adds ``d (end - t)``."""
    for location in range(work.on_hand.size):
        location_out[location, _BACKORDER_DAYS] = (work.queues.length[location]
                                                   * (end_days - warmup_days))
        location_out[location, _ON_HAND_DAYS] = work.on_hand[location] * (end_days
                                                                           - warmup_days)


@njit(inline="always")
def _conservation_residual(work: Workspace, heap_size: int, customers_queued: int,
                           total_stock: int) -> float:
    """|on hand + in transit - customers waiting - sum S|: 0 when no unit is lost."""
    on_hand_total = 0
    for location in range(work.on_hand.size):
        on_hand_total += work.on_hand[location]
    return float(abs(on_hand_total + heap_size - customers_queued - total_stock))


@njit_no_refcount
def simulate_replication(network: NetworkInput, part: PartInput, work: Workspace,
                         warmup_days: float, end_days: float, out: Output,
                         key: np.uint64) -> int:
    """Simulate one part for one replication: demand from the current state of numba's
    generator, service draws (transit, condemnation) keyed by ``key``
    (:func:`replication_key`), the demand unit's number and the ordering location.

    The event loop: the next event is the earlier of the next demand (Poisson batch or
    empirical site, :func:`_next_demand`) and the next arrival (the heap's root); demands
    stop at ``end_days``, arrivals run on until every measured request is filled.

    Parameters
    ----------
    network, part, work : NetworkInput, PartInput, Workspace
        The part in its network, and its work arrays (overwritten).
    warmup_days, end_days : float
        The measured interval ``[warmup, end)`` in days.
    out : Output
        One replication's figures ``site (N, F_site)``, ``location (L, F_location)``,
        ``part (F_part,)``, zeroed by the caller; counts and integrals (divide by the
        horizon for rates).

    Returns
    -------
    int
        0, or ``OVERFLOW_HEAP`` / ``OVERFLOW_POOL`` when a fixed capacity ran out: the
        outputs are then incomplete and the caller reruns the part from its seed with a
        larger workspace (never grown here: the loop allocates nothing).
    """
    total_stock, total_rate, n_empirical = _start_replication(part, work)
    next_batch = np.random.exponential(1.0 / total_rate) if total_rate > 0.0 else math.inf
    heap_size, free_head, pool_used = 0, -1, 0
    customers_queued, measured_pending = 0, 0
    checked_warmup, checked_end = False, False
    conservation, demand_units, events = 0.0, 0.0, 0.0
    while True:
        demand_time, source = _next_demand(work.demand, n_empirical, next_batch)
        arrival_time = work.heap.times[0] if heap_size > 0 else math.inf
        if not checked_warmup and min(demand_time, arrival_time) >= warmup_days:
            checked_warmup = True
            _snapshot_integrals(work, out.location, warmup_days, end_days)
        if not checked_end and min(demand_time, arrival_time) >= end_days:
            checked_end = True
            conservation = _conservation_residual(work, heap_size, customers_queued,
                                                  total_stock)
        if demand_time < end_days and demand_time <= arrival_time:
            now = demand_time
            weight = end_days - now if now >= warmup_days else 0.0
            events += 1.0
            site, units, next_batch = _draw_demand(part, work.demand, source, now,
                                                   total_rate, next_batch)
            measured = now >= warmup_days
            for _ in range(units):
                unit_key = _mix64(key + np.uint64(demand_units) * _GOLDEN)
                demand_units += 1.0
                ordering, free_head, pool_used, queued, status = _serve_unit(
                    network, work, out, site, now, weight, measured, free_head, pool_used)
                if status == 0:
                    customers_queued += queued
                    measured_pending += queued if measured else 0
                    heap_size, free_head, pool_used, status = _replenish(
                        network, part, work, out.location, ordering, now, weight, measured,
                        heap_size, free_head, pool_used, unit_key)
                if status != 0:
                    return status
            continue
        if heap_size == 0 or (arrival_time >= end_days and measured_pending == 0):
            break
        now, place = arrival_time, work.heap.places[0]
        _heap_pop(work.heap, heap_size)
        heap_size -= 1
        events += 1.0
        weight = end_days - now if warmup_days <= now < end_days else 0.0
        heap_size, free_head, filled, measured_filled = _receive_arrival(
            network, work, out, place, now, weight, warmup_days, end_days, heap_size,
            free_head)
        customers_queued -= filled
        measured_pending -= measured_filled
    conservation = max(conservation, _conservation_residual(work, heap_size,
                                                            customers_queued, total_stock))
    out.part[_DEMAND_UNITS] += demand_units
    out.part[_EVENTS] += events
    out.part[_CONSERVATION] = max(out.part[_CONSERVATION], conservation)
    return 0


@njit
def simulate_part(network: NetworkInput, part: PartInput, warmup_days: float,
                  end_days: float, out: Output) -> None:
    """Every replication of one part, one random stream: numba's generator is seeded once
    with ``part.seed`` and the replications run one after the other from it.

    ``out`` holds ``site (R, N, F_site)``, ``location (R, L, F_location)``,
    ``part (R, F_part)``. The workspace is allocated once per part and reused by every
    replication. When a fixed capacity (event heap, queue nodes) runs out, the capacity is
    doubled and the part is rerun from its seed (outputs overwritten), so its figures do not
    depend on the capacities or on the thread that runs it.
    """
    n_locations, n_sites = network.parent.size, network.site_primary.size
    # start from the expected number of outstanding units (Little) with room to spare
    outstanding = 0.0
    for site in range(n_sites):
        outstanding += part.batch_rate_per_day[site] / (1.0 - part.batch_q[site] + 1e-300)
    longest = part.root.procurement_lead_time_days + part.root.repair_turnaround_days
    for location in range(n_locations):
        longest += network.lead_time_days[location]
    capacity = 64 + int(min(2.0 * outstanding * longest, 1e6))
    work = new_workspace(n_locations, n_sites, capacity)
    n_replications = out.part.shape[0]
    reruns = 0
    while True:
        np.random.seed(part.seed)
        status = 0
        for replication in range(n_replications):
            out.site[replication] = 0.0
            out.location[replication] = 0.0
            out.part[replication] = 0.0
            status = simulate_replication(
                network, part, work, warmup_days, end_days,
                Output(out.site[replication], out.location[replication],
                       out.part[replication]), replication_key(part.seed, replication))
            if status != 0:
                break
        if status == 0:
            break
        reruns += 1
        capacity *= 2
        work = new_workspace(n_locations, n_sites, capacity)
    for replication in range(n_replications):
        out.part[replication, _RERUNS] = reruns


@njit(inline="always")
def _part_row(parts: PartsInput, row: int) -> PartInput:
    """Row ``row`` of :class:`PartsInput` as a :class:`PartInput` (views, no copies)."""
    root = RootResupply(parts.repairable[row], parts.procurement_lead_time_days[row],
                        parts.repair_turnaround_days[row], parts.condemnation_fraction[row])
    return PartInput(parts.stock[row], parts.batch_rate_per_day[row], parts.batch_q[row],
                     parts.empirical_indptr[row], parts.empirical_values,
                     parts.empirical_period_days, root, parts.seed[row])


@njit_parallel
def simulate_parts(network: NetworkInput, parts: PartsInput, warmup_days: float,
                   end_days: float, out: Output) -> None:
    """Every part and replication, in parallel over parts (``prange``).

    ``parts`` holds one row per part (or per job: several rows may be the same part with
    other stock vectors), each with its own seed; numba's (per-thread) generator is seeded
    with it at the top of the row's iteration and the row's replications follow from that
    stream, so results do not depend on the number of threads or on how the rows are
    scheduled (the caller may use dynamic scheduling, e.g. ``numba.parallel_chunksize(1)``,
    to balance parts of very different sizes). ``out`` holds
    ``site (P, R, N, F_site)``, ``location (P, R, L, F_location)``, ``part (P, R, F_part)``;
    every slot is overwritten.
    """
    for row in prange(parts.seed.size):
        simulate_part(network, _part_row(parts, row), warmup_days, end_days,
                      Output(out.site[row], out.location[row], out.part[row]))


@njit
def stock_curve_replication(unit_times: np.ndarray, arrivals: np.ndarray,
                            warmup_days: float, end_days: float, window_hours: float,
                            fill_counts: np.ndarray, within_counts: np.ndarray,
                            wait_days: np.ndarray, level_days: np.ndarray
                            ) -> tuple[float, float]:
    """Every base stock S = 0..S_max of one location from one demand path (backordering).

    Under complete backordering the units in resupply X(t) (orders outstanding) do not
    depend on S, and FCFS gives every stock level from the same path: demand unit n
    (0-based, time ``unit_times[n]``, sorted) is filled from stock iff the (n - S)-th
    resupply arrival (0-based, ``arrivals`` sorted) came before it, and otherwise waits
    until that arrival: ``wait_n(S) = max(0, arrivals[n - S] - t_n)``, 0 for n < S.

    Parameters
    ----------
    unit_times : numpy.ndarray
        Demand times of every unit (days, sorted), warm-up included.
    arrivals : numpy.ndarray
        Resupply arrival times ``t_n + L_n`` of the same units, sorted.
    warmup_days, end_days : float
        The measured interval ``[warmup, end)``: demands in it are counted, time averages
        are taken over it.
    window_hours : float
        SLA window (``nan``: none; waits are in days, the window in hours).
    fill_counts, within_counts, wait_days : numpy.ndarray
        ``(S_max + 1,)``, added to: measured units filled from stock, filled within the
        window, and the sum of their waits (days), per S.
    level_days : numpy.ndarray
        ``(S_max + 1,)``, added to: time (days) with X = x for x = 0..S_max.

    Returns
    -------
    (float, float)
        Measured units and the time integral of X over ``[warmup, end)`` (unit-days).
    """
    n_units = unit_times.size
    max_stock = fill_counts.size - 1
    arrived = 0
    level = 0
    last = 0.0
    measured = 0.0
    pipeline_days = 0.0
    for n in range(n_units + 1):
        t = unit_times[n] if n < n_units else math.inf
        # arrivals strictly before t lower X; then the demand at t raises it
        while True:
            step = arrivals[arrived] if arrived < n_units and arrivals[arrived] < t else t
            low, high = max(last, warmup_days), min(step, end_days)
            if high > low:
                pipeline_days += level * (high - low)
                if level <= max_stock:
                    level_days[level] += high - low
            last = step
            if step == t:
                break
            level -= 1
            arrived += 1
        if n == n_units:
            break
        if warmup_days <= t < end_days:
            measured += 1.0
            for stock in range(max_stock + 1):
                k = n - stock
                wait = 0.0 if k < 0 else max(arrivals[k] - t, 0.0)
                if k < 0 or arrivals[k] < t:
                    fill_counts[stock] += 1.0
                wait_days[stock] += wait
                if wait * HOURS_PER_DAY <= window_hours:
                    within_counts[stock] += 1.0
        level += 1
    return measured, pipeline_days
