"""METRIC-type analytic evaluation of one part's stock vector over the location tree.

The model (assumptions stated; the simulation in :mod:`spareplan.simulation` checks them):

- Poisson demand at every site (the dispersion is ignored here: this is the fast path),
  one-for-one (S-1, S) replenishment, every location resupplied by its parent.
- A central warehouse's resupply time is the part's repair/procurement mix
  (:meth:`~spareplan.network.PartArrays.root_resupply_days`). A child's mean resupply
  time is its transit time plus the expected delay at its parent, EBO_parent / lambda_parent
  (METRIC, Sherbrooke 1968); units in resupply are Poisson with mean lambda T (Palm).
- Non-leaf locations (and every location under the ``backorder`` rule) backorder:
  fill rate P(X <= S-1), time-window fill rate P(Poisson(lambda (T - w)) <= S-1) with
  w = window - response (Caggiano et al. 2007, deterministic T).
- Under ``emergency``/``lateral`` a leaf location (an FSL) loses the sale locally: the
  fraction of requests finding it empty is the Erlang loss B(S, lambda T) (Kranenburg &
  van Houtum; Reijnen, Tan & van Houtum 2009). Such a request is served laterally (by
  other FSLs in the site's reach, in increasing response time, each with stock with
  probability 1 - B) and then by the nearest ancestor with stock (probability = its
  fill rate), else it waits for the central warehouse's next unit; availabilities of
  different locations are taken as independent.

Kernels take arrays and scalars only; :class:`PartEvaluator` packs a compiled network.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel
from spareplan.codes import BACKORDER, DAYS_PER_YEAR, LATERAL
from spareplan.evaluation.poisson import erlang_loss, expected_backorders, poisson_cdf


@njit
def _subtree_rates(parent: np.ndarray, site_primary: np.ndarray, rate: np.ndarray,
                   out_direct: np.ndarray, out_subtree: np.ndarray) -> None:
    """Demand per day arriving directly at each location and in its whole subtree."""
    out_direct[:] = 0.0
    for s in range(site_primary.shape[0]):
        out_direct[site_primary[s]] += rate[s] / DAYS_PER_YEAR
    out_subtree[:] = out_direct
    for loc in range(parent.shape[0] - 1, -1, -1):
        if parent[loc] >= 0:
            out_subtree[parent[loc]] += out_subtree[loc]


@njit
def _demand_and_loss(parent: np.ndarray, is_leaf: np.ndarray, site_primary: np.ndarray,
                     rate: np.ndarray, rule: int) -> tuple[np.ndarray, np.ndarray]:
    """Subtree demand per day of every location, and which locations lose sales (leaves
    with a parent under the emergency and lateral rules)."""
    n_loc = parent.shape[0]
    direct = np.empty(n_loc)
    lam = np.empty(n_loc)
    _subtree_rates(parent, site_primary, rate, direct, lam)
    lost = np.zeros(n_loc, dtype=np.bool_)
    if rule != BACKORDER:
        for loc in range(n_loc):
            lost[loc] = is_leaf[loc] and parent[loc] >= 0
    return lam, lost


@njit
def _node_state(loc: int, stock: int, parent: np.ndarray, lead: np.ndarray, root_days: float,
                lam: np.ndarray, lost_sales: np.ndarray, resupply: np.ndarray,
                fill: np.ndarray, ebo: np.ndarray, delay: np.ndarray,
                cond_delay: np.ndarray) -> None:
    """Set resupply time, fill (or availability), EBO and delays of ``loc`` at ``stock``."""
    t = root_days if parent[loc] < 0 else lead[loc] + delay[parent[loc]]
    resupply[loc] = t
    mean = lam[loc] * t
    if lost_sales[loc]:
        fill[loc] = 1.0 - erlang_loss(stock, mean)
        ebo[loc] = 0.0
        delay[loc] = 0.0
        cond_delay[loc] = 0.0
        return
    f = poisson_cdf(stock - 1, mean)
    b = expected_backorders(stock, mean)
    fill[loc] = f
    ebo[loc] = b
    delay[loc] = b / lam[loc] if lam[loc] > 0.0 else 0.0
    cond_delay[loc] = b / (lam[loc] * (1.0 - f)) if lam[loc] > 0.0 and f < 1.0 else 0.0


@njit
def _site_terms(s: int, j: int, stock_j: int, parent: np.ndarray, lam: np.ndarray,
                lost_sales: np.ndarray, resupply: np.ndarray, fill: np.ndarray,
                ebo: np.ndarray, cond_delay: np.ndarray, response: np.ndarray,
                window_hours: float, emergency_hours: float, lateral_ptr: np.ndarray,
                lateral_idx: np.ndarray, use_lateral: bool) -> tuple[float, float, float, float]:
    """(fill within window, mean wait hours, P(emergency), P(lateral)) of a request at s."""
    r = response[s, j]
    if not lost_sales[j]:
        within = 0.0
        if r <= window_hours:
            slack_days = (window_hours - r) / 24.0
            within = poisson_cdf(stock_j - 1, lam[j] * max(resupply[j] - slack_days, 0.0))
        wait = r + (24.0 * ebo[j] / lam[j] if lam[j] > 0.0 else 0.0)
        return within, wait, 0.0, 0.0
    here = fill[j]
    within = here if r <= window_hours else 0.0
    wait = here * r
    left = 1.0 - here
    p_lateral = 0.0
    if use_lateral:
        for q in range(lateral_ptr[s], lateral_ptr[s + 1]):
            k = lateral_idx[q]
            share = left * fill[k]
            rk = response[s, k]
            if rk <= window_hours:
                within += share
            wait += share * rk
            p_lateral += share
            left -= share
    p_emergency = 0.0
    a = parent[j]
    last = j
    while a >= 0:
        ra = response[s, a]
        if not math.isfinite(ra):
            ra = emergency_hours
        share = left * fill[a]
        if ra <= window_hours:
            within += share
        wait += share * ra
        p_emergency += share
        left -= share
        last = a
        a = parent[a]
    if left > 0.0:
        rr = response[s, last]
        if not math.isfinite(rr):
            rr = emergency_hours
        wait += left * (rr + 24.0 * cond_delay[last])
        p_emergency += left
    return within, wait, p_emergency, p_lateral


@njit
def evaluate_stock(stock: np.ndarray, parent: np.ndarray, lead: np.ndarray,
                   holding_rate: np.ndarray, is_leaf: np.ndarray, site_primary: np.ndarray,
                   response: np.ndarray, site_window_hours: np.ndarray, rule: int,
                   emergency_hours: float, lateral_ptr: np.ndarray, lateral_idx: np.ndarray,
                   unit_cost: float, root_days: float, rate: np.ndarray,
                   out_within: np.ndarray, out_wait: np.ndarray, out_fill: np.ndarray
                   ) -> tuple[float, float, float]:
    """Evaluate one part's stock vector.

    Parameters
    ----------
    stock : int64 (L,)
        Base stock S_l per location.
    rate : float64 (N,)
        Demand per year at each site.
    out_within, out_wait : float64 (N,)
        Written: fraction filled within the site's window, expected wait in hours.
    out_fill : float64 (L,)
        Written: fill rate (backordering) or availability 1 - B (lost sales) per location.

    Returns
    -------
    (holding cost per year, emergency shipments per year, lateral shipments per year)
    """
    n_loc = parent.shape[0]
    lam, lost = _demand_and_loss(parent, is_leaf, site_primary, rate, rule)
    resupply = np.zeros(n_loc)
    ebo = np.zeros(n_loc)
    delay = np.zeros(n_loc)
    cond = np.zeros(n_loc)
    holding = 0.0
    for loc in range(n_loc):
        _node_state(loc, stock[loc], parent, lead, root_days, lam, lost, resupply, out_fill,
                    ebo, delay, cond)
        holding += unit_cost * holding_rate[loc] * stock[loc]
    emergency = 0.0
    lateral = 0.0
    for s in range(site_primary.shape[0]):
        if rate[s] <= 0.0:
            out_within[s] = 0.0
            out_wait[s] = 0.0
            continue
        j = site_primary[s]
        w, t, pe, pl = _site_terms(s, j, stock[j], parent, lam, lost, resupply, out_fill, ebo,
                                   cond, response, site_window_hours[s], emergency_hours,
                                   lateral_ptr, lateral_idx, rule == LATERAL)
        out_within[s] = w
        out_wait[s] = t
        emergency += rate[s] * pe
        lateral += rate[s] * pl
    return holding, emergency, lateral


@njit
def _sites_value(j: int, stock_j: int, parent: np.ndarray, lam: np.ndarray,
                 lost: np.ndarray, resupply: np.ndarray, fill: np.ndarray, ebo: np.ndarray,
                 cond: np.ndarray, response: np.ndarray, site_window_hours: np.ndarray,
                 emergency_hours: float, loc_site_ptr: np.ndarray, loc_site_idx: np.ndarray,
                 lateral_ptr: np.ndarray, lateral_idx: np.ndarray, rate: np.ndarray,
                 weight_within: np.ndarray, weight_wait: np.ndarray, emergency_cost: float
                 ) -> float:
    """Lagrangian value of the sites whose primary location is j (rule != lateral)."""
    value = 0.0
    for q in range(loc_site_ptr[j], loc_site_ptr[j + 1]):
        s = loc_site_idx[q]
        if rate[s] <= 0.0:
            continue
        w, t, pe, _ = _site_terms(s, j, stock_j, parent, lam, lost, resupply, fill, ebo, cond,
                                  response, site_window_hours[s], emergency_hours,
                                  lateral_ptr, lateral_idx, False)
        value += -weight_within[s] * w + weight_wait[s] * t + emergency_cost * rate[s] * pe
    return value


@njit
def _node_value(loc: int, stock: int, per_unit: float, parent: np.ndarray, lead: np.ndarray,
                root_days: float, lam: np.ndarray, lost: np.ndarray, resupply: np.ndarray,
                fill: np.ndarray, ebo: np.ndarray, delay: np.ndarray, cond: np.ndarray,
                response: np.ndarray, site_window_hours: np.ndarray, emergency_hours: float,
                loc_site_ptr: np.ndarray, loc_site_idx: np.ndarray, lateral_ptr: np.ndarray,
                lateral_idx: np.ndarray, rate: np.ndarray, weight_within: np.ndarray,
                weight_wait: np.ndarray, emergency_cost: float) -> float:
    """Set ``loc``'s state at ``stock`` and return its own Lagrangian value: the per-unit
    price of its stock plus the value of the sites whose primary location it is."""
    _node_state(loc, stock, parent, lead, root_days, lam, lost, resupply, fill, ebo, delay,
                cond)
    return per_unit * stock + _sites_value(
        loc, stock, parent, lam, lost, resupply, fill, ebo, cond, response, site_window_hours,
        emergency_hours, loc_site_ptr, loc_site_idx, lateral_ptr, lateral_idx, rate,
        weight_within, weight_wait, emergency_cost)


@njit
def price_part_exact(lo: np.ndarray, hi: np.ndarray, parent: np.ndarray, lead: np.ndarray,
                     holding_rate: np.ndarray, is_leaf: np.ndarray, child_ptr: np.ndarray,
                     child_idx: np.ndarray, site_primary: np.ndarray, loc_site_ptr: np.ndarray,
                     loc_site_idx: np.ndarray, response: np.ndarray,
                     site_window_hours: np.ndarray, rule: int, emergency_hours: float,
                     emergency_cost: float, lateral_ptr: np.ndarray, lateral_idx: np.ndarray,
                     unit_cost: float, root_days: float, rate: np.ndarray,
                     weight_within: np.ndarray, weight_wait: np.ndarray,
                     unit_price: np.ndarray, out_stock: np.ndarray) -> float:
    """Exact minimum over stock vectors of  holding + emergency cost - sum_s weight_within_s
    x within_s + sum_s weight_wait_s x wait_s + sum_l unit_price_l S_l, by enumeration down
    the tree.

    ``unit_price`` float64 (L,) is an extra price per unit stocked at each location, added
    to the holding term: the dual price -pi_l >= 0 of a capacity row ``sum_parts S_l <=
    C_l`` (times the part's volume for a volume row), so column generation prices capacity
    exactly. Zeros give the plain Lagrangian value.

    Given the stocks of a location's ancestors, the subtrees below it are independent
    (their terms depend on the ancestors only through the parent's delay and the
    ancestors' fill rates), so the search is a dynamic program: for each stock of a root,
    for each stock of each child DC, the best stock of each FSL below. Needs a tree of at
    most three levels (central -> dc -> fsl) and a rule other than ``lateral``.
    ``lo``/``hi`` bound each location's stock (lo == hi fixes it). Writes the minimizer
    into ``out_stock`` and returns the minimum.
    """
    n_loc = parent.shape[0]
    lam, lost = _demand_and_loss(parent, is_leaf, site_primary, rate, rule)
    resupply = np.zeros(n_loc)
    fill = np.zeros(n_loc)
    ebo = np.zeros(n_loc)
    delay = np.zeros(n_loc)
    cond = np.zeros(n_loc)
    out_stock[:] = lo
    total = 0.0
    best_child = lo.copy()
    # Exact pruning: the non-holding terms of a subtree are at least -gain[loc] (within <= 1,
    # waits and emergencies priced >= 0), so once h c S - gain[loc] reaches the best value
    # found, no larger S at loc can win (holding grows with S): the stock loop stops.
    gain = np.zeros(n_loc)
    prune = emergency_cost >= 0.0
    per_unit = np.empty(n_loc)
    for loc in range(n_loc):
        per_unit[loc] = unit_cost * holding_rate[loc] + unit_price[loc]
        if per_unit[loc] < 0.0:
            prune = False  # pruning needs the per-unit term to grow with S
    for loc in range(n_loc):
        for q in range(loc_site_ptr[loc], loc_site_ptr[loc + 1]):
            s = loc_site_idx[q]
            if rate[s] <= 0.0:
                continue
            if weight_wait[s] < 0.0:
                prune = False
            gain[loc] += max(weight_within[s], 0.0)
    for loc in range(n_loc - 1, -1, -1):
        if parent[loc] >= 0:
            gain[parent[loc]] += gain[loc]
    if not prune:
        gain[:] = np.inf
    # A subtree without demand whose stocks are all fixed (lo == hi) adds the constant
    # sum of per_unit lo over its locations: it is added without being searched (most
    # FSLs of a part, which none of its sites uses).
    dead = np.zeros(n_loc, dtype=np.bool_)
    for loc in range(n_loc):
        dead[loc] = lam[loc] <= 0.0 and lo[loc] == hi[loc]
    for loc in range(n_loc - 1, -1, -1):
        if not dead[loc] and parent[loc] >= 0:
            dead[parent[loc]] = False
    dead_value = np.zeros(n_loc)
    for loc in range(n_loc - 1, -1, -1):
        if dead[loc]:
            dead_value[loc] += per_unit[loc] * lo[loc]
            if parent[loc] >= 0:
                dead_value[parent[loc]] += dead_value[loc]
    for root in range(n_loc):
        if parent[root] >= 0:
            continue
        best_root_value = np.inf
        best_root_stock = lo[root]
        for pass_ in range(2):
            first = lo[root] if pass_ == 0 else best_root_stock
            last = hi[root] if pass_ == 0 else best_root_stock
            for s_root in range(first, last + 1):
                if (pass_ == 0 and per_unit[root] * s_root - gain[root]
                        >= best_root_value - 1e-12):
                    break
                value = _node_value(
                    root, s_root, per_unit[root], parent, lead, root_days, lam, lost, resupply,
                    fill, ebo, delay, cond, response, site_window_hours, emergency_hours,
                    loc_site_ptr, loc_site_idx, lateral_ptr, lateral_idx, rate, weight_within,
                    weight_wait, emergency_cost)
                for qc in range(child_ptr[root], child_ptr[root + 1]):
                    c = child_idx[qc]
                    if dead[c]:
                        value += dead_value[c]
                        continue
                    best_c_value = np.inf
                    for s_c in range(lo[c], hi[c] + 1):
                        if per_unit[c] * s_c - gain[c] >= best_c_value - 1e-12:
                            break
                        v_c = _node_value(
                            c, s_c, per_unit[c], parent, lead, root_days, lam, lost, resupply,
                            fill, ebo, delay, cond, response, site_window_hours,
                            emergency_hours, loc_site_ptr, loc_site_idx, lateral_ptr,
                            lateral_idx, rate, weight_within, weight_wait, emergency_cost)
                        for qg in range(child_ptr[c], child_ptr[c + 1]):
                            g = child_idx[qg]
                            if dead[g]:
                                v_c += dead_value[g]
                                continue
                            best_g_value = np.inf
                            for s_g in range(lo[g], hi[g] + 1):
                                if (per_unit[g] * s_g - gain[g]
                                        >= best_g_value - 1e-12):
                                    break
                                v_g = _node_value(
                                    g, s_g, per_unit[g], parent, lead, root_days, lam, lost,
                                    resupply, fill, ebo, delay, cond, response,
                                    site_window_hours, emergency_hours, loc_site_ptr,
                                    loc_site_idx, lateral_ptr, lateral_idx, rate,
                                    weight_within, weight_wait, emergency_cost)
                                if v_g < best_g_value - 1e-12:
                                    best_g_value = v_g
                                    best_child[g] = s_g
                            v_c += best_g_value
                        if v_c < best_c_value - 1e-12:
                            best_c_value = v_c
                            best_child[c] = s_c
                            if pass_ == 1:
                                for qg in range(child_ptr[c], child_ptr[c + 1]):
                                    out_stock[child_idx[qg]] = best_child[child_idx[qg]]
                    value += best_c_value
                    if pass_ == 1:
                        out_stock[c] = best_child[c]
                if pass_ == 0 and value < best_root_value - 1e-12:
                    best_root_value = value
                    best_root_stock = s_root
        out_stock[root] = best_root_stock
        total += best_root_value
    return total


@njit_parallel
def price_parts_exact(parts: np.ndarray, lo: np.ndarray, hi: np.ndarray, parent: np.ndarray,
                      lead: np.ndarray, holding_rate: np.ndarray, is_leaf: np.ndarray,
                      child_ptr: np.ndarray, child_idx: np.ndarray, site_primary: np.ndarray,
                      loc_site_ptr: np.ndarray, loc_site_idx: np.ndarray,
                      response: np.ndarray, site_window_hours: np.ndarray, rule: int,
                      emergency_hours: float, emergency_cost: float, lateral_ptr: np.ndarray,
                      lateral_idx: np.ndarray, unit_cost: np.ndarray, root_days: np.ndarray,
                      rate: np.ndarray, weight_within: np.ndarray, weight_wait: np.ndarray,
                      unit_price: np.ndarray, out_stock: np.ndarray, out_value: np.ndarray
                      ) -> None:
    """:func:`price_part_exact` for many parts in one call, in parallel over parts.

    Parameters
    ----------
    parts : int64 (K,)
        Part index (row of ``unit_cost``, ``root_days``, ``rate``) of each job.
    lo, hi : int64 (K, L)
        Stock bounds of each job.
    unit_cost, root_days : float64 (P,)
    rate : float64 (P, N)
        Demand per year per part and site.
    weight_within, weight_wait : float64 (K, N)
        Lagrangian prices of each job.
    unit_price : float64 (K, L)
        Extra price per unit stocked at each location of each job (capacity duals).
    out_stock : int64 (K, L), out_value : float64 (K,)
        Written: the minimizing stock vector and the minimum of each job.

    The packed layout follows statsforecast's kernels: one compiled call prices every part
    (``prange``), instead of one Python call per part.
    """
    for k in prange(parts.shape[0]):
        p = parts[k]
        out_value[k] = price_part_exact(
            lo[k], hi[k], parent, lead, holding_rate, is_leaf, child_ptr, child_idx,
            site_primary, loc_site_ptr, loc_site_idx, response, site_window_hours, rule,
            emergency_hours, emergency_cost, lateral_ptr, lateral_idx, unit_cost[p],
            root_days[p], rate[p], weight_within[k], weight_wait[k], unit_price[k],
            out_stock[k])


@njit_parallel
def evaluate_stocks(parts: np.ndarray, stock: np.ndarray, parent: np.ndarray,
                    lead: np.ndarray, holding_rate: np.ndarray, is_leaf: np.ndarray,
                    site_primary: np.ndarray, response: np.ndarray,
                    site_window_hours: np.ndarray, rule: int, emergency_hours: float,
                    lateral_ptr: np.ndarray, lateral_idx: np.ndarray, unit_cost: np.ndarray,
                    root_days: np.ndarray, rate: np.ndarray, out_within: np.ndarray,
                    out_wait: np.ndarray, out_fill: np.ndarray, out_costs: np.ndarray) -> None:
    """:func:`evaluate_stock` for K (part, stock vector) jobs in one call, over ``prange``.

    ``stock`` int64 (K, L); writes ``out_within``/``out_wait`` (K, N), ``out_fill`` (K, L)
    and ``out_costs`` (K, 3): holding cost, emergency and lateral shipments per year.
    """
    for k in prange(parts.shape[0]):
        p = parts[k]
        h, e, lat = evaluate_stock(
            stock[k], parent, lead, holding_rate, is_leaf, site_primary, response,
            site_window_hours, rule, emergency_hours, lateral_ptr, lateral_idx, unit_cost[p],
            root_days[p], rate[p], out_within[k], out_wait[k], out_fill[k])
        out_costs[k, 0] = h
        out_costs[k, 1] = e
        out_costs[k, 2] = lat
