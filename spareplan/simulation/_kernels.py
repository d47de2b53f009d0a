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
Time averages of on-hand stock and backorders are taken over ``[warmup, end)``.
"""

# numba's per-thread generator is the legacy np.random API; it is seeded explicitly per part
# and replication (see simulate_parts), never globally from Python.
# ruff: noqa: NPY002

from __future__ import annotations

import math

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel

BACKORDER, EMERGENCY, LATERAL = 0, 1, 2

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
PART_FIELDS = 3


@njit
def _grow_float(values: np.ndarray) -> np.ndarray:
    grown = np.empty(2 * values.size, dtype=np.float64)
    grown[:values.size] = values
    return grown


@njit
def _grow_int(values: np.ndarray) -> np.ndarray:
    grown = np.empty(2 * values.size, dtype=np.int64)
    grown[:values.size] = values
    return grown


@njit
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


@njit
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


@njit
def _draw_lead_time(mean: float, cv: float) -> float:
    if cv <= 0.0 or mean <= 0.0:
        return mean
    shape = 1.0 / (cv * cv)
    return np.random.gamma(shape, mean / shape)


@njit
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
def _integrate(location: int, time: float, last_change: np.ndarray, on_hand: np.ndarray,
               queue_length: np.ndarray, warmup: float, end: float,
               location_out: np.ndarray) -> None:
    """Add the state of ``location`` since its last change to the time integrals."""
    low = max(last_change[location], warmup)
    high = min(time, end)
    if high > low:
        location_out[location, LOCATION_BACKORDER_DAYS] += queue_length[location] * (high - low)
        location_out[location, LOCATION_ON_HAND_DAYS] += on_hand[location] * (high - low)
    last_change[location] = time


@njit
def _next_empirical(site_state: np.ndarray, history: np.ndarray, period_days: float) -> float:
    """Advance an empirical site to its next demand time.

    ``site_state`` = [period start, units left in the period, last demand time]. A period's
    quantity is a resampled history value (non-integers rounded at random, mean kept);
    the units of a period fall at uniform times, drawn in order as order statistics.
    """
    while site_state[1] <= 0.0:
        site_state[0] += period_days
        value = history[np.random.randint(0, history.size)]
        units = math.floor(value)
        if np.random.random() < value - units:
            units += 1
        site_state[1] = units
        site_state[2] = site_state[0]
    remaining = site_state[1]
    period_end = site_state[0] + period_days
    current = site_state[2]
    current += (period_end - current) * (1.0 - np.random.random() ** (1.0 / remaining))
    site_state[1] = remaining - 1.0
    site_state[2] = current
    return current


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
) -> None:
    """Simulate one part for one replication (the caller seeds numba's generator).

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
    """
    n_locations = parent.size
    n_sites = site_primary.size
    on_hand = stock.copy()
    queue_length = np.zeros(n_locations, dtype=np.int64)
    queue_head = np.full(n_locations, -1, dtype=np.int64)
    queue_tail = np.full(n_locations, -1, dtype=np.int64)
    last_change = np.zeros(n_locations)
    total_stock = 0
    for location in range(n_locations):
        total_stock += stock[location]

    heap_capacity = 64
    heap_times = np.empty(heap_capacity)
    heap_places = np.empty(heap_capacity, dtype=np.int64)
    heap_size = 0

    # queue node pool: entity >= 0 is a child location's order (value = its transit time),
    # entity < 0 is customer site -entity-1 (value = its arrival time)
    pool_capacity = 64
    node_entity = np.empty(pool_capacity, dtype=np.int64)
    node_value = np.empty(pool_capacity)
    node_next = np.empty(pool_capacity, dtype=np.int64)
    for node in range(pool_capacity):
        node_next[node] = node + 1
    node_next[pool_capacity - 1] = -1
    free_head = 0

    cumulative_rate = np.empty(n_sites)
    total_rate = 0.0
    n_empirical = 0
    for site in range(n_sites):
        if empirical_indptr[site + 1] > empirical_indptr[site]:
            n_empirical += 1
        else:
            total_rate += batch_rate_per_day[site]
        cumulative_rate[site] = total_rate
    empirical_sites = np.empty(n_empirical, dtype=np.int64)
    empirical_state = np.zeros((n_empirical, 3))
    empirical_next = np.empty(n_empirical)
    k = 0
    for site in range(n_sites):
        if empirical_indptr[site + 1] > empirical_indptr[site]:
            empirical_sites[k] = site
            empirical_state[k, 0] = -period_days
            empirical_next[k] = _next_empirical(
                empirical_state[k],
                empirical_values[empirical_indptr[site]:empirical_indptr[site + 1]],
                period_days)
            k += 1

    next_batch = math.inf
    if total_rate > 0.0:
        next_batch = np.random.exponential(1.0 / total_rate)
    customers_queued = 0
    measured_pending = 0
    checked_end = False
    conservation = 0.0
    demand_units = 0.0
    events = 0.0

    while True:
        # the next demand (Poisson batches or an empirical site) and the next arrival
        demand_time = next_batch
        demand_source = -1
        for k in range(n_empirical):
            if empirical_next[k] < demand_time:
                demand_time = empirical_next[k]
                demand_source = k
        arrival_time = heap_times[0] if heap_size > 0 else math.inf
        if not checked_end and min(demand_time, arrival_time) >= end:
            checked_end = True
            on_hand_total = 0
            for location in range(n_locations):
                _integrate(location, end, last_change, on_hand, queue_length, warmup, end,
                           location_out)
                on_hand_total += on_hand[location]
            conservation = abs(on_hand_total + heap_size - customers_queued - total_stock)
        if demand_time < end and demand_time <= arrival_time:
            now = demand_time
            events += 1.0
            if demand_source >= 0:
                site = empirical_sites[demand_source]
                units = 1
                empirical_next[demand_source] = _next_empirical(
                    empirical_state[demand_source],
                    empirical_values[empirical_indptr[site]:empirical_indptr[site + 1]],
                    period_days)
            else:
                draw = np.random.random() * total_rate
                site = np.searchsorted(cumulative_rate, draw, side="right")
                if site >= n_sites:
                    site = n_sites - 1
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
                    _integrate(origin, now, last_change, on_hand, queue_length, warmup, end,
                               location_out)
                    on_hand[origin] -= 1
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
                    _integrate(queued_at, now, last_change, on_hand, queue_length, warmup,
                               end, location_out)
                    if free_head < 0:
                        old = node_entity.size
                        node_entity = _grow_int(node_entity)
                        node_value = _grow_float(node_value)
                        node_next = _grow_int(node_next)
                        for node in range(old, node_next.size):
                            node_next[node] = node + 1
                        node_next[node_next.size - 1] = -1
                        free_head = old
                    node = free_head
                    free_head = node_next[node]
                    node_entity[node] = -site - 1
                    node_value[node] = now
                    node_next[node] = -1
                    if queue_tail[queued_at] < 0:
                        queue_head[queued_at] = node
                    else:
                        node_next[queue_tail[queued_at]] = node
                    queue_tail[queued_at] = node
                    queue_length[queued_at] += 1
                    customers_queued += 1
                    if measured:
                        measured_pending += 1
                        location_out[queued_at, LOCATION_DEMAND] += 1.0
                # one-for-one replenishment up the tree, all at this instant
                child = ordering
                while True:
                    up = parent[child]
                    if heap_size == heap_times.size:
                        heap_times = _grow_float(heap_times)
                        heap_places = _grow_int(heap_places)
                    if up < 0:
                        days = _root_resupply_days(repairable, procurement_days, repair_days,
                                                   condemnation)
                        _heap_push(heap_times, heap_places, heap_size, now + days, child)
                        heap_size += 1
                        break
                    transit = _draw_lead_time(lead_time_days[child], lead_time_cv[child])
                    if measured:
                        location_out[up, LOCATION_DEMAND] += 1.0
                    _integrate(up, now, last_change, on_hand, queue_length, warmup, end,
                               location_out)
                    if on_hand[up] > 0:
                        on_hand[up] -= 1
                        _heap_push(heap_times, heap_places, heap_size, now + transit, child)
                        heap_size += 1
                    else:
                        if free_head < 0:
                            old = node_entity.size
                            node_entity = _grow_int(node_entity)
                            node_value = _grow_float(node_value)
                            node_next = _grow_int(node_next)
                            for node in range(old, node_next.size):
                                node_next[node] = node + 1
                            node_next[node_next.size - 1] = -1
                            free_head = old
                        node = free_head
                        free_head = node_next[node]
                        node_entity[node] = child
                        node_value[node] = transit
                        node_next[node] = -1
                        if queue_tail[up] < 0:
                            queue_head[up] = node
                        else:
                            node_next[queue_tail[up]] = node
                        queue_tail[up] = node
                        queue_length[up] += 1
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
        _integrate(place, now, last_change, on_hand, queue_length, warmup, end, location_out)
        if queue_length[place] == 0:
            on_hand[place] += 1
            continue
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
            if heap_size == heap_times.size:
                heap_times = _grow_float(heap_times)
                heap_places = _grow_int(heap_places)
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
    ``empirical_values``, root resupply parameters ``(P,)``. ``seeds (P, R)`` holds one
    seed per part and replication; numba's generator is seeded with it at the start of
    every replication, so results do not depend on the number of threads. Outputs:
    ``site_out (P, R, N, SITE_FIELDS)``, ``location_out (P, R, L, LOCATION_FIELDS)``,
    ``part_out (P, R, PART_FIELDS)``, zeroed by the caller.
    """
    n_parts, n_replications = seeds.shape
    for part in prange(n_parts):
        for replication in range(n_replications):
            np.random.seed(seeds[part, replication])
            simulate_replication(
                parent, lead_time_days, lead_time_cv, site_primary, response_hours,
                window_hours, lateral_indptr, lateral_locations, stockout_rule,
                emergency_response_hours, stock[part], batch_rate_per_day[part],
                batch_q[part], empirical_indptr[part], empirical_values, period_days,
                repairable[part], procurement_days[part], repair_days[part],
                condemnation[part], warmup, end, site_out[part, replication],
                location_out[part, replication], part_out[part, replication])
