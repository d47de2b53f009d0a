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
from typing import NamedTuple

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel
from spareplan.codes import BACKORDER, DAYS_PER_YEAR, LATERAL
from spareplan.evaluation.poisson import erlang_loss, expected_backorders, poisson_cdf


@njit
def subtree_rates(parent: np.ndarray, site_primary: np.ndarray, rate: np.ndarray,
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
def demand_and_loss(parent: np.ndarray, is_leaf: np.ndarray, site_primary: np.ndarray,
                     rate: np.ndarray, rule: int) -> tuple[np.ndarray, np.ndarray]:
    """Subtree demand per day of every location, and which locations lose sales (leaves
    with a parent under the emergency and lateral rules)."""
    n_loc = parent.shape[0]
    direct = np.empty(n_loc)
    lam = np.empty(n_loc)
    subtree_rates(parent, site_primary, rate, direct, lam)
    lost = np.zeros(n_loc, dtype=np.bool_)
    if rule != BACKORDER:
        for loc in range(n_loc):
            lost[loc] = is_leaf[loc] and parent[loc] >= 0
    return lam, lost


@njit
def node_state(loc: int, stock: int, parent: np.ndarray, lead: np.ndarray, root_days: float,
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
def site_terms(s: int, j: int, stock_j: int, parent: np.ndarray, lam: np.ndarray,
                lost_sales: np.ndarray, resupply: np.ndarray, fill: np.ndarray,
                ebo: np.ndarray, cond_delay: np.ndarray, response: np.ndarray,
                window_hours: float, emergency_hours: float, lateral_ptr: np.ndarray,
                lateral_idx: np.ndarray, use_lateral: bool) -> tuple[float, float, float, float]:
    """(fill within window, mean wait hours, P(emergency), P(lateral)) of a request at s."""
    r = response[s, j]
    if not lost_sales[j]:
        within = 0.0
        if r <= window_hours:
            # Filled within the window iff fewer than S_j of the demands of the last
            # (T_j - slack) days are ahead of it; with slack >= T_j every request is
            # (the resupply arrives in time even with no stock): Caggiano et al. (2007).
            late_days = resupply[j] - (window_hours - r) / 24.0
            within = (1.0 if late_days <= 0.0
                      else poisson_cdf(stock_j - 1, lam[j] * late_days))
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
    within, wait, p_emergency = ancestors_serve(s, j, within, wait, 0.0, left, parent, fill,
                                                cond_delay, response, window_hours,
                                                emergency_hours)
    return within, wait, p_emergency, p_lateral


@njit(inline="always")
def ancestors_serve(s: int, j: int, within: float, wait: float, p_emergency: float,
                    left: float, parent: np.ndarray, fill: np.ndarray,
                    cond_delay: np.ndarray, response: np.ndarray, window_hours: float,
                    emergency_hours: float) -> tuple[float, float, float]:
    """The share ``left`` of site s's requests that location j (lost sales) could not
    serve, down the chain of j's ancestors: each serves with its fill rate (an emergency
    shipment), what none of them can waits for the last one's next unit. Adds to the
    accumulators ``within``, ``wait`` (hours) and ``p_emergency`` and returns them."""
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
    return within, wait, p_emergency


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
    lam, lost = demand_and_loss(parent, is_leaf, site_primary, rate, rule)
    resupply = np.zeros(n_loc)
    ebo = np.zeros(n_loc)
    delay = np.zeros(n_loc)
    cond = np.zeros(n_loc)
    holding = 0.0
    for loc in range(n_loc):
        node_state(loc, stock[loc], parent, lead, root_days, lam, lost, resupply, out_fill,
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
        w, t, pe, pl = site_terms(s, j, stock[j], parent, lam, lost, resupply, out_fill, ebo,
                                   cond, response, site_window_hours[s], emergency_hours,
                                   lateral_ptr, lateral_idx, rule == LATERAL)
        out_within[s] = w
        out_wait[s] = t
        emergency += rate[s] * pe
        lateral += rate[s] * pl
    return holding, emergency, lateral


class Tree(NamedTuple):
    """The location tree and the sites, as the pricing kernels read them (shared by every
    part). Arrays as in :class:`~spareplan.evaluation.service.ServiceModel`."""

    parent: np.ndarray
    lead: np.ndarray
    holding_rate: np.ndarray
    is_leaf: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray
    site_primary: np.ndarray
    loc_site_ptr: np.ndarray
    loc_site_idx: np.ndarray
    response: np.ndarray
    site_window_hours: np.ndarray
    rule: int
    emergency_hours: float
    emergency_cost: float
    lateral_ptr: np.ndarray
    lateral_idx: np.ndarray


class Prices(NamedTuple):
    """One part's Lagrangian prices: per site of ``within`` and ``wait``, per location of a
    unit stocked (holding plus the capacity rows' unit prices), and the part's data."""

    weight_within: np.ndarray
    weight_wait: np.ndarray
    per_unit: np.ndarray
    rate: np.ndarray
    root_days: float


class NodeState(NamedTuple):
    """Work arrays of the tree DP (L,): subtree demand, lost-sales flags, resupply time,
    fill, EBO, delay and conditional delay of every location at its current stock."""

    lam: np.ndarray
    lost: np.ndarray
    resupply: np.ndarray
    fill: np.ndarray
    ebo: np.ndarray
    delay: np.ndarray
    cond: np.ndarray


@njit(inline="always")
def _sites_value(j: int, stock_j: int, tree: Tree, prices: Prices, state: NodeState) -> float:
    """Lagrangian value of the sites whose primary location is j (rule != lateral)."""
    value = 0.0
    rate = prices.rate
    for q in range(tree.loc_site_ptr[j], tree.loc_site_ptr[j + 1]):
        s = tree.loc_site_idx[q]
        if rate[s] <= 0.0:
            continue
        w, t, pe, _ = site_terms(s, j, stock_j, tree.parent, state.lam, state.lost,
                                 state.resupply, state.fill, state.ebo, state.cond,
                                 tree.response, tree.site_window_hours[s],
                                 tree.emergency_hours, tree.lateral_ptr, tree.lateral_idx,
                                 False)
        value += (-prices.weight_within[s] * w + prices.weight_wait[s] * t
                  + tree.emergency_cost * rate[s] * pe)
    return value


@njit(inline="always")
def _node_value(loc: int, stock: int, tree: Tree, prices: Prices, state: NodeState) -> float:
    """Set ``loc``'s state at ``stock`` and return its own Lagrangian value: the per-unit
    price of its stock plus the value of the sites whose primary location it is."""
    node_state(loc, stock, tree.parent, tree.lead, prices.root_days, state.lam, state.lost,
               state.resupply, state.fill, state.ebo, state.delay, state.cond)
    return prices.per_unit[loc] * stock + _sites_value(loc, stock, tree, prices, state)


@njit(inline="always")
def _lost_leaf_line(g: int, tree: Tree, prices: Prices, state: NodeState
                    ) -> tuple[float, float]:
    """The Lagrangian value of the sites of lost-sales leaf ``g`` as a line in its
    availability a = 1 - B: ``(v0, v1)`` with value = v0 + a (v1 - v0), its ancestors'
    states set.

    A request finding ``g`` empty (probability 1 - a) goes down the same chain of
    ancestors whatever g's stock (:func:`site_terms`), so every site term is
    a x (its value when g has the unit) + (1 - a) x (its value when g is empty)."""
    v0 = 0.0
    v1 = 0.0
    rate = prices.rate
    for q in range(tree.loc_site_ptr[g], tree.loc_site_ptr[g + 1]):
        s = tree.loc_site_idx[q]
        if rate[s] <= 0.0:
            continue
        window = tree.site_window_hours[s]
        r = tree.response[s, g]
        v1 += -prices.weight_within[s] * (1.0 if r <= window else 0.0) + prices.weight_wait[s] * r
        within, wait, p_emergency = ancestors_serve(
            s, g, 0.0, 0.0, 0.0, 1.0, tree.parent, state.fill, state.cond, tree.response,
            window, tree.emergency_hours)
        v0 += (-prices.weight_within[s] * within + prices.weight_wait[s] * wait
               + tree.emergency_cost * rate[s] * p_emergency)
    return v0, v1


@njit(inline="always")
def _best_leaf(g: int, lo: np.ndarray, hi: np.ndarray, gain: np.ndarray, tree: Tree,
               prices: Prices, state: NodeState, best_child: np.ndarray) -> float:
    """Least value of leaf ``g`` over its stock (its parent's state set); the minimizer
    goes to ``best_child[g]``. The search stops once per_unit S - gain reaches the best
    (exact pruning: holding grows with S, the other terms are at least -gain).

    A lost-sales leaf's resupply mean is fixed in this search (its parent's delay is):
    its Erlang loss is carried from one stock level to the next by the recursion of
    :func:`~spareplan.evaluation.poisson.erlang_loss`, and its sites' value is a line in
    its availability (:func:`_lost_leaf_line`), so each level costs O(1)."""
    best = np.inf
    parent = tree.parent[g]
    t = tree.lead[g] + state.delay[parent]
    mean = state.lam[g] * t
    if not (state.lost[g] and mean > 0.0):
        for s_g in range(lo[g], hi[g] + 1):
            if prices.per_unit[g] * s_g - gain[g] >= best - 1e-12:
                break
            value = _node_value(g, s_g, tree, prices, state)
            if value < best - 1e-12:
                best = value
                best_child[g] = s_g
        return best
    v0, v1 = _lost_leaf_line(g, tree, prices, state)
    loss = 1.0
    for k in range(1, lo[g] + 1):
        loss = mean * loss / (k + mean * loss)
    for s_g in range(lo[g], hi[g] + 1):
        if s_g > lo[g]:
            loss = mean * loss / (s_g + mean * loss)
        if prices.per_unit[g] * s_g - gain[g] >= best - 1e-12:
            break
        value = prices.per_unit[g] * s_g + v0 + (1.0 - loss) * (v1 - v0)
        if value < best - 1e-12:
            best = value
            best_child[g] = s_g
    return best


@njit(inline="always")
def _subtree_value(c: int, s_c: int, lo: np.ndarray, hi: np.ndarray, gain: np.ndarray,
                   dead: np.ndarray, dead_value: np.ndarray, tree: Tree, prices: Prices,
                   state: NodeState, best_child: np.ndarray) -> float:
    """Value of location ``c`` at stock ``s_c`` plus the best of each child below it."""
    value = _node_value(c, s_c, tree, prices, state)
    for q in range(tree.child_ptr[c], tree.child_ptr[c + 1]):
        g = tree.child_idx[q]
        if dead[g]:
            value += dead_value[g]
        else:
            value += _best_leaf(g, lo, hi, gain, tree, prices, state, best_child)
    return value


@njit(inline="always")
def _best_child(c: int, lo: np.ndarray, hi: np.ndarray, gain: np.ndarray, dead: np.ndarray,
                dead_value: np.ndarray, tree: Tree, prices: Prices, state: NodeState,
                best_child: np.ndarray, out_stock: np.ndarray, write: bool) -> float:
    """Least value of the subtree of ``c`` (a child of a root; its parent's state set) over
    the stock of ``c`` and its children; the minimizer of ``c`` goes to ``best_child[c]``,
    and with ``write`` the whole subtree's minimizer to ``out_stock``."""
    best = np.inf
    for s_c in range(lo[c], hi[c] + 1):
        if prices.per_unit[c] * s_c - gain[c] >= best - 1e-12:
            break
        value = _subtree_value(c, s_c, lo, hi, gain, dead, dead_value, tree, prices, state,
                               best_child)
        if value < best - 1e-12:
            best = value
            best_child[c] = s_c
            if write:
                for q in range(tree.child_ptr[c], tree.child_ptr[c + 1]):
                    out_stock[tree.child_idx[q]] = best_child[tree.child_idx[q]]
    if write:
        out_stock[c] = best_child[c]
    return best


@njit(inline="always")
def _root_value(root: int, s_root: int, lo: np.ndarray, hi: np.ndarray, gain: np.ndarray,
                dead: np.ndarray, dead_value: np.ndarray, tree: Tree, prices: Prices,
                state: NodeState, best_child: np.ndarray, out_stock: np.ndarray,
                write: bool) -> float:
    """Value of ``root`` at ``s_root`` plus the best of every subtree below it."""
    value = _node_value(root, s_root, tree, prices, state)
    for q in range(tree.child_ptr[root], tree.child_ptr[root + 1]):
        c = tree.child_idx[q]
        if dead[c]:
            value += dead_value[c]
        else:
            value += _best_child(c, lo, hi, gain, dead, dead_value, tree, prices, state,
                                 best_child, out_stock, write)
    return value


@njit(inline="always")
def _pruning_gain(lo: np.ndarray, tree: Tree, prices: Prices, state: NodeState,
                  gain: np.ndarray) -> None:
    """``gain[loc]``: the most the non-holding terms of loc's subtree can lower its value
    (within <= 1 priced by weight_within, waits and emergencies priced >= 0), or ``inf``
    everywhere when a price has the wrong sign for pruning."""
    n_loc = lo.shape[0]
    prune = tree.emergency_cost >= 0.0
    gain[:] = 0.0
    for loc in range(n_loc):
        if prices.per_unit[loc] < 0.0:
            prune = False  # pruning needs the per-unit term to grow with S
        for q in range(tree.loc_site_ptr[loc], tree.loc_site_ptr[loc + 1]):
            s = tree.loc_site_idx[q]
            if prices.rate[s] <= 0.0:
                continue
            if prices.weight_wait[s] < 0.0:
                prune = False
            gain[loc] += max(prices.weight_within[s], 0.0)
    for loc in range(n_loc - 1, -1, -1):
        if tree.parent[loc] >= 0:
            gain[tree.parent[loc]] += gain[loc]
    if not prune:
        gain[:] = np.inf


@njit(inline="always")
def _dead_subtrees(lo: np.ndarray, hi: np.ndarray, tree: Tree, prices: Prices,
                   state: NodeState, dead: np.ndarray, dead_value: np.ndarray) -> None:
    """Subtrees without demand whose stocks are all fixed (lo == hi): their constant value
    sum of per_unit lo is added without being searched (most FSLs of a part, which none
    of its sites uses)."""
    n_loc = lo.shape[0]
    for loc in range(n_loc):
        dead[loc] = state.lam[loc] <= 0.0 and lo[loc] == hi[loc]
    for loc in range(n_loc - 1, -1, -1):
        if not dead[loc] and tree.parent[loc] >= 0:
            dead[tree.parent[loc]] = False
    dead_value[:] = 0.0
    for loc in range(n_loc - 1, -1, -1):
        if dead[loc]:
            dead_value[loc] += prices.per_unit[loc] * lo[loc]
            if tree.parent[loc] >= 0:
                dead_value[tree.parent[loc]] += dead_value[loc]


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
    for each stock of each child DC, the best stock of each FSL below (:func:`_best_child`,
    :func:`_best_leaf`). A first pass finds the best root stock; a second pass at that
    stock writes the subtrees' minimizers. Needs a tree of at most three levels
    (central -> dc -> fsl) and a rule other than ``lateral``. ``lo``/``hi`` bound each
    location's stock (lo == hi fixes it). Writes the minimizer into ``out_stock`` and
    returns the minimum.
    """
    n_loc = parent.shape[0]
    lam, lost = demand_and_loss(parent, is_leaf, site_primary, rate, rule)
    state = NodeState(lam, lost, np.zeros(n_loc), np.zeros(n_loc), np.zeros(n_loc),
                      np.zeros(n_loc), np.zeros(n_loc))
    tree = Tree(parent, lead, holding_rate, is_leaf, child_ptr, child_idx, site_primary,
                loc_site_ptr, loc_site_idx, response, site_window_hours, rule,
                emergency_hours, emergency_cost, lateral_ptr, lateral_idx)
    per_unit = np.empty(n_loc)
    for loc in range(n_loc):
        per_unit[loc] = unit_cost * holding_rate[loc] + unit_price[loc]
    prices = Prices(weight_within, weight_wait, per_unit, rate, root_days)
    gain = np.empty(n_loc)
    _pruning_gain(lo, tree, prices, state, gain)
    dead = np.zeros(n_loc, dtype=np.bool_)
    dead_value = np.empty(n_loc)
    _dead_subtrees(lo, hi, tree, prices, state, dead, dead_value)
    out_stock[:] = lo
    best_child = lo.copy()
    total = 0.0
    for root in range(n_loc):
        if parent[root] >= 0:
            continue
        best_value = np.inf
        best_stock = lo[root]
        for s_root in range(lo[root], hi[root] + 1):
            if per_unit[root] * s_root - gain[root] >= best_value - 1e-12:
                break
            value = _root_value(root, s_root, lo, hi, gain, dead, dead_value, tree, prices,
                                state, best_child, out_stock, False)
            if value < best_value - 1e-12:
                best_value = value
                best_stock = s_root
        _root_value(root, best_stock, lo, hi, gain, dead, dead_value, tree, prices, state,
                    best_child, out_stock, True)
        out_stock[root] = best_stock
        total += best_value
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
