"""Numba kernels of the event-driven multi-echelon service simulation.

Arrays and scalars only; every output is allocated by the caller. Times are in days,
response times and waits in hours. The model (one part, one replication) is the one the
analytic METRIC evaluation approximates:

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
  order is placed, so that the random draws of a run do not depend on the stock levels
  under complete backordering (common random numbers across stock vectors).
- Roots are resupplied per unit by procurement (consumables) or repair: with probability
  ``condemnation`` the returned unit is scrapped and a new one procured, else it is
  repaired in ``repair_days``.

Requests arriving in ``[warmup, end)`` are measured; after ``end`` no new demand arrives and
the events run on until every measured request has been filled (FCFS makes this exact).
Time averages of on-hand stock and backorders are taken over ``[warmup, end)``: the state at
the warm-up counts for the whole window and every later change ``d`` at time ``t < end``
adds ``d (end - t)``, so no per-location bookkeeping of the last change is needed.

Layout for speed: one seed per part, replications in sequence from the part's stream;
work arrays allocated once per part and reused by its replications; the event heap and the
FCFS queue nodes have fixed capacities (no array is reassigned inside the event loop, so
numba emits no reference counting there); on overflow the part is rerun from its seed
with doubled capacities (``PART_RERUNS``), so figures never depend on the capacities.

:func:`stock_curve_replication` is a separate one-location kernel: every base stock level
from one demand path under complete backordering (see :mod:`spareplan.simulation.curve`).
"""

# numba's per-thread generator is the legacy np.random API; it is seeded explicitly per part
# (see simulate_part), never globally from Python.
# ruff: noqa: NPY002

from __future__ import annotations

import math

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel
from spareplan.codes import BACKORDER, EMERGENCY, LATERAL  # noqa: F401 (kernel codes)

# fields of site_out[..., N, SITE_FIELDS]
SITE_REQUESTS = 0  # units requested (measured)
SITE_FILLED_PRIMARY = 1  # filled from stock on hand at the primary location on arrival
SITE_WITHIN_WINDOW = 2  # filled within the site's SLA window (wait <= window_hours)
SITE_WAIT_HOURS = 3  # sum of waits (hours), response time included
SITE_EMERGENCY = 4  # emergency shipments for the site's requests
SITE_LATERAL = 5  # lateral shipments for the site's requests
SITE_FIELDS = 6

# fields of location_out[..., L, LOCATION_FIELDS]
LOCATION_BACKORDER_DAYS = 0  # integral of backorders (customers + child orders) over time
LOCATION_ON_HAND_DAYS = 1  # integral of on-hand stock over time
LOCATION_DEMAND = 2  # units requested from the location's stock (measured)
LOCATION_FIELDS = 3

# fields of part_out[..., PART_FIELDS]
PART_DEMAND_UNITS = 0  # every unit demanded in the run (warm-up included)
PART_EVENTS = 1  # every event processed (demand batches + arrivals)
PART_CONSERVATION = 2  # max |on hand + in transit - customer backorders - sum S| checked
PART_RERUNS = 3  # times the part was rerun from its seed with doubled capacities
PART_FIELDS = 4

# rows of the per-part work arrays (see simulate_replication) and overflow codes
WORK_INT_ROWS = 5
WORK_FLOAT_ROWS = 6
OVERFLOW_HEAP, OVERFLOW_POOL = 1, 2


@njit(inline="always")
def _heap_push(times: np.ndarray, places: np.ndarray, size: int, time: float,
               place: int) -> None:
    """Push (time, place) into the binary min-heap of ``size`` entries (capacity checked)."""
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
def _heap_pop(times: np.ndarray, places: np.ndarray, size: int) -> None:
    """Remove the root of the heap of ``size`` entries (the caller read it first)."""
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
def _draw_lead_time(mean: float, cv: float) -> float:
    if cv <= 0.0 or mean <= 0.0:
        return mean
    shape = 1.0 / (cv * cv)
    return np.random.gamma(shape, mean / shape)


@njit(inline="always")
def _root_resupply_days(repairable: bool, procurement_days: float, repair_days: float,
                        condemnation: float) -> float:
    if not repairable or condemnation >= 1.0:
        return procurement_days
    if condemnation <= 0.0:
        return repair_days
    if np.random.random() < condemnation:
        return procurement_days
    return repair_days


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
def _queue_append(location: int, node: int, entity: int, value: float,
                  node_entity: np.ndarray, node_value: np.ndarray, node_next: np.ndarray,
                  queue_head: np.ndarray, queue_tail: np.ndarray,
                  queue_length: np.ndarray) -> None:
    """Append pool node ``node`` holding (entity, value) to the FCFS queue of ``location``."""
    node_entity[node] = entity
    node_value[node] = value
    node_next[node] = -1
    if queue_tail[location] < 0:
        queue_head[location] = node
    else:
        node_next[queue_tail[location]] = node
    queue_tail[location] = node
    queue_length[location] += 1


@njit
def simulate_replication(
    parent: np.ndarray, lead_time_days: np.ndarray, lead_time_cv: np.ndarray,
    site_primary: np.ndarray, response_hours: np.ndarray, window_hours: np.ndarray,
    lateral_indptr: np.ndarray, lateral_locations: np.ndarray,
    stockout_rule: int, emergency_response_hours: float,
    stock: np.ndarray, batch_rate_per_day: np.ndarray, batch_q: np.ndarray,
    empirical_indptr: np.ndarray, empirical_values: np.ndarray, period_days: float,
    repairable: bool, procurement_days: float, repair_days: float, condemnation: float,
    warmup: float, end: float,
    site_out: np.ndarray, location_out: np.ndarray, part_out: np.ndarray,
    work_int: np.ndarray, work_float: np.ndarray, heap_times: np.ndarray,
    heap_places: np.ndarray, node_entity: np.ndarray, node_value: np.ndarray,
    node_next: np.ndarray,
) -> int:
    """Simulate one part for one replication (from the current state of numba's generator).

    Parameters
    ----------
    parent, lead_time_days, lead_time_cv : numpy.ndarray
        The location tree (``parent[l] < l``, -1 for roots) and transit times (days).
    site_primary, response_hours, window_hours : numpy.ndarray
        Primary location per site, response time (hours, ``inf`` out of reach) per site
        and location, SLA window per site (``nan``: none).
    lateral_indptr, lateral_locations : numpy.ndarray
        Lateral candidates of site ``s``: ``lateral_locations[lateral_indptr[s]:
        lateral_indptr[s + 1]]`` in increasing response time.
    stockout_rule : int
        BACKORDER (0), EMERGENCY (1) or LATERAL (2).
    emergency_response_hours : float
        Response of an emergency shipment from a location not in the site's reach.
    stock : numpy.ndarray
        Base stock S per location (int64).
    batch_rate_per_day, batch_q : numpy.ndarray
        Per site the compound-Poisson batch rate and geometric parameter q (0: Poisson).
    empirical_indptr, empirical_values, period_days : numpy.ndarray, numpy.ndarray, float
        Per site the demand history ``empirical_values[indptr[s]:indptr[s + 1]]`` (units
        per period of ``period_days``) to resample; empty = use the batch rate.
    repairable, procurement_days, repair_days, condemnation
        Root resupply of the part.
    warmup, end : float
        The measured interval ``[warmup, end)`` in days.
    site_out, location_out, part_out : numpy.ndarray
        Outputs ``(N, SITE_FIELDS)``, ``(L, LOCATION_FIELDS)``, ``(PART_FIELDS,)``,
        zeroed by the caller; counts and integrals (divide by the horizon for rates).
    work_int, work_float : numpy.ndarray
        Caller-allocated work space, int64 ``(WORK_INT_ROWS, max(L, N))`` and float64
        ``(WORK_FLOAT_ROWS, max(L, N))``, reused across replications (overwritten).
    heap_times, heap_places : numpy.ndarray
        Fixed-capacity binary min-heap of pending arrivals (time, location).
    node_entity, node_value, node_next : numpy.ndarray
        Fixed-capacity node pool of the FCFS queues.

    Returns
    -------
    int
        0, or ``OVERFLOW_HEAP`` / ``OVERFLOW_POOL`` when a fixed capacity ran out: the
        outputs are then incomplete and the caller reruns the part from its seed with
        larger arrays. The arrays are never grown here, so the event loop carries
        no array reassignments (no reference counting in the hot path).
    """
    n_locations = parent.size
    n_sites = site_primary.size
    heap_capacity = heap_times.size
    on_hand = work_int[0]
    queue_length = work_int[1]
    queue_head = work_int[2]
    queue_tail = work_int[3]
    empirical_sites = work_int[4]
    cumulative_rate = work_float[1]
    empirical_next = work_float[2]
    empirical_start = work_float[3]  # per empirical site: period start, units left,
    empirical_left = work_float[4]  # last demand time (see _next_empirical)
    empirical_last = work_float[5]
    total_stock = 0
    for location in range(n_locations):
        on_hand[location] = stock[location]
        queue_length[location] = 0
        queue_head[location] = -1
        queue_tail[location] = -1
        total_stock += stock[location]
    heap_size = 0

    # queue node pool: entity >= 0 is a child location's order (value = its transit time),
    # entity < 0 is customer site -entity-1 (value = its arrival time)
    # nodes are taken from the free list, else from the never-used tail of the pool
    pool_capacity = node_next.size
    free_head = -1
    pool_used = 0

    total_rate = 0.0
    n_empirical = 0
    for site in range(n_sites):
        if empirical_indptr[site + 1] > empirical_indptr[site]:
            empirical_sites[n_empirical] = site
            empirical_start[n_empirical] = -period_days
            empirical_left[n_empirical] = 0.0
            empirical_last[n_empirical] = 0.0
            empirical_next[n_empirical] = _next_empirical(
                n_empirical, empirical_start, empirical_left, empirical_last,
                empirical_values, empirical_indptr[site], empirical_indptr[site + 1],
                period_days)
            n_empirical += 1
        else:
            total_rate += batch_rate_per_day[site]
        cumulative_rate[site] = total_rate

    next_batch = math.inf
    if total_rate > 0.0:
        next_batch = np.random.exponential(1.0 / total_rate)
    customers_queued = 0
    measured_pending = 0
    checked_warmup = False
    checked_end = False
    conservation = 0.0
    demand_units = 0.0
    events = 0.0

    while True:
        # the next demand (Poisson batches or an empirical site) and the next arrival
        demand_time = next_batch
        demand_source = -1
        for e in range(n_empirical):
            if empirical_next[e] < demand_time:
                demand_time = empirical_next[e]
                demand_source = e
        arrival_time = heap_times[0] if heap_size > 0 else math.inf
        if not checked_warmup and min(demand_time, arrival_time) >= warmup:
            # time integrals over [warmup, end): the state at warmup counts for the whole
            # window, every later change d at time t < end adds d (end - t)
            checked_warmup = True
            for location in range(n_locations):
                location_out[location, LOCATION_BACKORDER_DAYS] = (queue_length[location]
                                                                   * (end - warmup))
                location_out[location, LOCATION_ON_HAND_DAYS] = on_hand[location] * (end - warmup)
        if not checked_end and min(demand_time, arrival_time) >= end:
            checked_end = True
            on_hand_total = 0
            for location in range(n_locations):
                on_hand_total += on_hand[location]
            conservation = abs(on_hand_total + heap_size - customers_queued - total_stock)
        if demand_time < end and demand_time <= arrival_time:
            now = demand_time
            weight = end - now if now >= warmup else 0.0  # see checked_warmup
            events += 1.0
            if demand_source >= 0:
                site = empirical_sites[demand_source]
                units = 1
                empirical_next[demand_source] = _next_empirical(
                    demand_source, empirical_start, empirical_left, empirical_last,
                    empirical_values, empirical_indptr[site], empirical_indptr[site + 1],
                    period_days)
            else:
                draw = np.random.random() * total_rate
                # the site whose cumulative rate first exceeds the draw (binary search)
                low, high = 0, n_sites - 1
                while low < high:
                    middle = (low + high) >> 1
                    if cumulative_rate[middle] > draw:
                        high = middle
                    else:
                        low = middle + 1
                site = low
                units = 1
                if batch_q[site] > 0.0:
                    units = np.random.geometric(1.0 - batch_q[site])
                next_batch = now + np.random.exponential(1.0 / total_rate)
            measured = now >= warmup
            primary = site_primary[site]
            for _ in range(units):
                demand_units += 1.0
                if measured:
                    site_out[site, SITE_REQUESTS] += 1.0
                origin = -1  # the location whose stock serves (or owes) the unit
                queued_at = -1
                is_emergency = False
                is_lateral = False
                if on_hand[primary] > 0:
                    origin = primary
                    if measured:
                        site_out[site, SITE_FILLED_PRIMARY] += 1.0
                elif stockout_rule == BACKORDER:
                    queued_at = primary
                else:
                    if stockout_rule == LATERAL:
                        for idx in range(lateral_indptr[site], lateral_indptr[site + 1]):
                            candidate = lateral_locations[idx]
                            if on_hand[candidate] > 0:
                                origin = candidate
                                is_lateral = True
                                break
                    if origin < 0:
                        ancestor = parent[primary]
                        top = primary
                        while ancestor >= 0:
                            top = ancestor
                            if on_hand[ancestor] > 0:
                                origin = ancestor
                                break
                            ancestor = parent[ancestor]
                        if origin < 0:
                            queued_at = top
                        if top != primary:
                            is_emergency = True
                if measured:
                    if is_emergency:
                        site_out[site, SITE_EMERGENCY] += 1.0
                    if is_lateral:
                        site_out[site, SITE_LATERAL] += 1.0
                ordering = origin
                if origin >= 0:
                    on_hand[origin] -= 1
                    location_out[origin, LOCATION_ON_HAND_DAYS] -= weight
                    wait = response_hours[site, origin]
                    if not math.isfinite(wait):
                        wait = emergency_response_hours
                    if measured:
                        location_out[origin, LOCATION_DEMAND] += 1.0
                        site_out[site, SITE_WAIT_HOURS] += wait
                        if wait <= window_hours[site]:
                            site_out[site, SITE_WITHIN_WINDOW] += 1.0
                else:
                    ordering = queued_at
                    if free_head >= 0:
                        node = free_head
                        free_head = node_next[node]
                    elif pool_used < pool_capacity:
                        node = pool_used
                        pool_used += 1
                    else:
                        return OVERFLOW_POOL
                    _queue_append(queued_at, node, -site - 1, now, node_entity, node_value,
                                  node_next, queue_head, queue_tail, queue_length)
                    location_out[queued_at, LOCATION_BACKORDER_DAYS] += weight
                    customers_queued += 1
                    if measured:
                        measured_pending += 1
                        location_out[queued_at, LOCATION_DEMAND] += 1.0
                # one-for-one replenishment up the tree, all at this instant
                child = ordering
                while True:
                    up = parent[child]
                    if heap_size == heap_capacity:
                        return OVERFLOW_HEAP
                    if up < 0:
                        days = _root_resupply_days(repairable, procurement_days, repair_days,
                                                   condemnation)
                        _heap_push(heap_times, heap_places, heap_size, now + days, child)
                        heap_size += 1
                        break
                    transit = _draw_lead_time(lead_time_days[child], lead_time_cv[child])
                    if measured:
                        location_out[up, LOCATION_DEMAND] += 1.0
                    if on_hand[up] > 0:
                        on_hand[up] -= 1
                        location_out[up, LOCATION_ON_HAND_DAYS] -= weight
                        _heap_push(heap_times, heap_places, heap_size, now + transit, child)
                        heap_size += 1
                    else:
                        if free_head >= 0:
                            node = free_head
                            free_head = node_next[node]
                        elif pool_used < pool_capacity:
                            node = pool_used
                            pool_used += 1
                        else:
                            return OVERFLOW_POOL
                        _queue_append(up, node, child, transit, node_entity, node_value,
                                      node_next, queue_head, queue_tail, queue_length)
                        location_out[up, LOCATION_BACKORDER_DAYS] += weight
                    child = up
            continue
        # an arrival (or the end of the run)
        if heap_size == 0:
            break
        if arrival_time >= end and measured_pending == 0:
            break
        now = arrival_time
        place = heap_places[0]
        _heap_pop(heap_times, heap_places, heap_size)
        heap_size -= 1
        events += 1.0
        weight = end - now if warmup <= now < end else 0.0
        if queue_length[place] == 0:
            on_hand[place] += 1
            location_out[place, LOCATION_ON_HAND_DAYS] += weight
            continue
        location_out[place, LOCATION_BACKORDER_DAYS] -= weight
        node = queue_head[place]
        queue_head[place] = node_next[node]
        if queue_head[place] < 0:
            queue_tail[place] = -1
        queue_length[place] -= 1
        entity = node_entity[node]
        value = node_value[node]
        node_next[node] = free_head
        free_head = node
        if entity >= 0:
            # heap_size < capacity here: the pop above freed a slot
            _heap_push(heap_times, heap_places, heap_size, now + value, entity)
            heap_size += 1
        else:
            site = -entity - 1
            customers_queued -= 1
            if value >= warmup and value < end:
                measured_pending -= 1
                wait = response_hours[site, place]
                if not math.isfinite(wait):
                    wait = emergency_response_hours
                wait += (now - value) * 24.0
                site_out[site, SITE_WAIT_HOURS] += wait
                if wait <= window_hours[site]:
                    site_out[site, SITE_WITHIN_WINDOW] += 1.0

    on_hand_total = 0
    for location in range(n_locations):
        on_hand_total += on_hand[location]
    conservation = max(conservation,
                       abs(on_hand_total + heap_size - customers_queued - total_stock))
    part_out[PART_DEMAND_UNITS] += demand_units
    part_out[PART_EVENTS] += events
    part_out[PART_CONSERVATION] = max(part_out[PART_CONSERVATION], conservation)
    return 0


@njit
def simulate_part(
    parent: np.ndarray, lead_time_days: np.ndarray, lead_time_cv: np.ndarray,
    site_primary: np.ndarray, response_hours: np.ndarray, window_hours: np.ndarray,
    lateral_indptr: np.ndarray, lateral_locations: np.ndarray,
    stockout_rule: int, emergency_response_hours: float,
    stock: np.ndarray, batch_rate_per_day: np.ndarray, batch_q: np.ndarray,
    empirical_indptr: np.ndarray, empirical_values: np.ndarray, period_days: float,
    repairable: bool, procurement_days: float, repair_days: float, condemnation: float,
    seed: int, warmup: float, end: float,
    site_out: np.ndarray, location_out: np.ndarray, part_out: np.ndarray,
) -> None:
    """Every replication of one part, one random stream: numba's generator is seeded once
    with ``seed`` and the replications run one after the other from it.

    Outputs ``(R, N, SITE_FIELDS)``, ``(R, L, LOCATION_FIELDS)``, ``(R, PART_FIELDS)``.
    The work arrays are allocated once per part and reused by every replication. When a
    fixed capacity (event heap, queue nodes) runs out, the capacities are doubled and the
    part is rerun from its seed (outputs overwritten), so its figures do not depend on the
    capacities or on the thread that runs it.
    """
    width = max(parent.size, site_primary.size)
    work_int = np.empty((WORK_INT_ROWS, width), dtype=np.int64)
    work_float = np.empty((WORK_FLOAT_ROWS, width))
    # start from the expected number of outstanding units (Little) with room to spare
    outstanding = 0.0
    for site in range(site_primary.size):
        outstanding += batch_rate_per_day[site] / (1.0 - batch_q[site] + 1e-300)
    longest = procurement_days + repair_days
    for location in range(parent.size):
        longest += lead_time_days[location]
    capacity = 64 + int(min(2.0 * outstanding * longest, 1e6))
    heap_times = np.empty(capacity)
    heap_places = np.empty(capacity, dtype=np.int64)
    node_entity = np.empty(capacity, dtype=np.int64)
    node_value = np.empty(capacity)
    node_next = np.empty(capacity, dtype=np.int64)
    n_replications = part_out.shape[0]
    reruns = 0
    while True:
        np.random.seed(seed)
        status = 0
        for replication in range(n_replications):
            site_out[replication] = 0.0
            location_out[replication] = 0.0
            part_out[replication] = 0.0
            status = simulate_replication(
                parent, lead_time_days, lead_time_cv, site_primary, response_hours,
                window_hours, lateral_indptr, lateral_locations, stockout_rule,
                emergency_response_hours, stock, batch_rate_per_day, batch_q,
                empirical_indptr, empirical_values, period_days, repairable,
                procurement_days, repair_days, condemnation, warmup, end,
                site_out[replication], location_out[replication], part_out[replication],
                work_int, work_float, heap_times, heap_places, node_entity, node_value,
                node_next)
            if status != 0:
                break
        if status == 0:
            break
        reruns += 1
        capacity *= 2
        heap_times = np.empty(capacity)
        heap_places = np.empty(capacity, dtype=np.int64)
        node_entity = np.empty(capacity, dtype=np.int64)
        node_value = np.empty(capacity)
        node_next = np.empty(capacity, dtype=np.int64)
    for replication in range(n_replications):
        part_out[replication, PART_RERUNS] = reruns


@njit_parallel
def simulate_parts(
    parent: np.ndarray, lead_time_days: np.ndarray, lead_time_cv: np.ndarray,
    site_primary: np.ndarray, response_hours: np.ndarray, window_hours: np.ndarray,
    lateral_indptr: np.ndarray, lateral_locations: np.ndarray,
    stockout_rule: int, emergency_response_hours: float,
    stock: np.ndarray, batch_rate_per_day: np.ndarray, batch_q: np.ndarray,
    empirical_indptr: np.ndarray, empirical_values: np.ndarray, period_days: float,
    repairable: np.ndarray, procurement_days: np.ndarray, repair_days: np.ndarray,
    condemnation: np.ndarray, seeds: np.ndarray, warmup: float, end: float,
    site_out: np.ndarray, location_out: np.ndarray, part_out: np.ndarray,
) -> None:
    """Every part and replication, in parallel over parts (``prange``).

    Per-part arrays carry a leading part axis: ``stock (P, L)``, ``batch_rate_per_day``
    and ``batch_q (P, N)``, ``empirical_indptr (P, N + 1)`` into the flat
    ``empirical_values``, root resupply parameters ``(P,)``. ``seeds (P,)`` holds one
    seed per part; numba's (per-thread) generator is seeded with it at the top of the
    part's iteration and the part's replications follow from that stream, so results do
    not depend on the number of threads or on how the parts are scheduled (the caller may
    use dynamic scheduling, e.g. ``numba.parallel_chunksize(1)``, to balance parts of
    very different sizes). Outputs:
    ``site_out (P, R, N, SITE_FIELDS)``, ``location_out (P, R, L, LOCATION_FIELDS)``,
    ``part_out (P, R, PART_FIELDS)``; every slot is overwritten.
    """
    n_parts = seeds.size
    for part in prange(n_parts):
        simulate_part(
            parent, lead_time_days, lead_time_cv, site_primary, response_hours,
            window_hours, lateral_indptr, lateral_locations, stockout_rule,
            emergency_response_hours, stock[part], batch_rate_per_day[part],
            batch_q[part], empirical_indptr[part], empirical_values, period_days,
            repairable[part], procurement_days[part], repair_days[part],
            condemnation[part], seeds[part], warmup, end, site_out[part],
            location_out[part], part_out[part])


@njit
def stock_curve_replication(unit_times: np.ndarray, arrivals: np.ndarray, warmup: float,
                            end: float, window_hours: float, fill_counts: np.ndarray,
                            within_counts: np.ndarray, wait_days: np.ndarray,
                            level_days: np.ndarray) -> tuple[float, float]:
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
    warmup, end : float
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
            low, high = max(last, warmup), min(step, end)
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
        if warmup <= t < end:
            measured += 1.0
            for stock in range(max_stock + 1):
                k = n - stock
                wait = 0.0 if k < 0 else max(arrivals[k] - t, 0.0)
                if k < 0 or arrivals[k] < t:
                    fill_counts[stock] += 1.0
                wait_days[stock] += wait
                if wait * 24.0 <= window_hours:
                    within_counts[stock] += 1.0
        level += 1
    return measured, pipeline_days
