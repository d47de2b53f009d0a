"""Numba kernels of the probabilistic projection (arrays and scalars only).

The model and its approximations are documented in :mod:`spareplan.warning.projection`;
this module only computes. Distributions are probability mass functions (pmfs) on
``0 .. M - 1`` whose last bin holds the mass of ``>= M - 1`` (saturating: no mass is
lost, the tail beyond the support is lumped into it; the caller sizes ``M`` so that the
lumped mass is below 1e-12).

Layout, one part: ``L`` locations in topological order (``parent[l] < l``, roots
``-1``), children as CSR (``child_ptr``, ``child_idx``), weeks ``1 .. H`` in columns
``0 .. H - 1`` of the per-week inputs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_no_refcount, njit_parallel

__all__ = ["count_pmf", "project_parts"]

#: Mass below this is treated as zero when supports are tracked.
_TINY = 1e-300


@njit(inline="always")
def _support(pmf: np.ndarray) -> int:
    """One past the last index holding mass (0 for an all-zero array)."""
    n = pmf.shape[0]
    while n > 0 and pmf[n - 1] <= _TINY:
        n -= 1
    return n


@njit
def _convolve(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``out = a * b`` (sum of independent counts), saturating at the last bin."""
    m = out.shape[0]
    na, nb = _support(a), _support(b)
    for i in range(m):
        out[i] = 0.0
    for i in range(na):
        ai = a[i]
        if ai <= _TINY:
            continue
        limit = min(nb, m - i)
        for j in range(limit):
            out[i + j] += ai * b[j]
        for j in range(limit, nb):
            out[m - 1] += ai * b[j]


@njit
def _comonotone_sum(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``out`` = pmf of ``A + B`` with ``A``, ``B`` comonotone (``B`` a rising function of
    ``A``'s rank: both quantiles of one uniform draw), saturating."""
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    i, j = 0, 0
    cdf_a, cdf_b, done = a[0], b[0], 0.0
    while i < m and j < m:
        step = min(cdf_a, cdf_b)
        if step > done:
            out[min(i + j, m - 1)] += step - done
            done = step
        if done >= 1.0 - 1e-15:
            break
        if cdf_a <= cdf_b:
            i += 1
            if i < m:
                cdf_a += a[i]
        else:
            j += 1
            if j < m:
                cdf_b += b[j]
    if done < 1.0:
        out[m - 1] += 1.0 - done


@njit
def _shift(a: np.ndarray, by: int, out: np.ndarray) -> None:
    """``out`` = pmf of ``X + by`` (``by >= 0``), saturating."""
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    for i in range(m):
        out[min(i + by, m - 1)] += a[i]


@njit
def _point(value: int, out: np.ndarray) -> None:
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    out[min(max(value, 0), m - 1)] = 1.0


@njit
def count_pmf(mean: float, variance_to_mean: float, out: np.ndarray) -> None:
    """Pmf of a count with ``mean`` and variance ``variance_to_mean x mean``, into ``out``.

    Poisson(:math:`\\mu`) when the ratio :math:`\\phi` is 1, else the negative binomial
    with :math:`r = \\mu / (\\phi - 1)` and :math:`p = 1 / \\phi`:
    :math:`P(k) = \\binom{k + r - 1}{k} p^r (1 - p)^k`, computed by the recursion
    :math:`P(k) = P(k - 1) (k - 1 + r)(1 - p) / k`. The mass beyond the last bin is
    added to it.
    """
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    if mean <= 0.0:
        out[0] = 1.0
        return
    total = 0.0
    if variance_to_mean <= 1.0 + 1e-12:
        log_p = -mean
        for k in range(m - 1):
            if k > 0:
                log_p += math.log(mean) - math.log(k)
            out[k] = math.exp(log_p)
            total += out[k]
    else:
        r = mean / (variance_to_mean - 1.0)
        p = 1.0 / variance_to_mean
        log_p = r * math.log(p)
        for k in range(m - 1):
            if k > 0:
                log_p += math.log(k - 1 + r) - math.log(k) + math.log(1.0 - p)
            out[k] = math.exp(log_p)
            total += out[k]
    out[m - 1] = max(0.0, 1.0 - total)


@njit
def _thin(pmf: np.ndarray, share: float, out: np.ndarray) -> None:
    """Pmf of ``Binomial(N, share)`` with ``N ~ pmf`` (a random share of ``N`` units)."""
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    if share >= 1.0 - 1e-12:
        for i in range(m):
            out[i] = pmf[i]
        return
    if share <= 1e-12:
        out[0] = 1.0
        return
    n_max = _support(pmf)
    log_s, log_f = math.log(share), math.log(1.0 - share)
    for n in range(n_max):
        pn = pmf[n]
        if pn <= _TINY:
            continue
        log_choose = 0.0
        for b in range(n + 1):
            if b > 0:
                log_choose += math.log(n - b + 1) - math.log(b)
            out[b] += pn * math.exp(log_choose + b * log_s + (n - b) * log_f)


@njit(inline="always")
def _add_shifted(out: np.ndarray, pmf: np.ndarray, by: int, weight: float, length: int) -> None:
    """``out += weight x`` (pmf of ``X + by``, the first ``length`` bins of ``pmf``), saturating."""
    m = out.shape[0]
    for b in range(min(length, m - by)):
        out[by + b] += weight * pmf[b]
    for b in range(max(0, m - by), min(length, m)):
        out[m - 1] += weight * pmf[b]


@njit(inline="always")
def _binomial_step(pmf: np.ndarray, p: float, trials: int) -> None:
    """Binomial(trials, p) -> Binomial(trials + 1, p) in place (one more trial)."""
    m = pmf.shape[0]
    top = min(trials + 1, m - 1)
    if trials + 1 > m - 1:  # saturated: the last bin keeps its mass and gains the rest
        pmf[m - 1] += pmf[m - 2] * p
        top = m - 2
    for b in range(top, 0, -1):
        pmf[b] = pmf[b] * (1.0 - p) + pmf[b - 1] * p
    pmf[0] *= 1.0 - p


@njit
def _mean(pmf: np.ndarray) -> float:
    total = 0.0
    for i in range(_support(pmf)):
        total += i * pmf[i]
    return total


@njit
def _child_backlog(backlog: np.ndarray, loc: int, up: int, week: int,
                   child_ptr: np.ndarray, child_idx: np.ndarray, order_week: np.ndarray,
                   own_week: np.ndarray, pending: np.ndarray, week0_short: np.ndarray,
                   own_waiting: int, arrived: float, work: np.ndarray, scratch: np.ndarray,
                   out: np.ndarray) -> None:
    """Pmf of ``loc``'s orders among the backorders of its parent ``up`` at ``week``.

    First come, first served: the ``n`` orders still waiting (``n ~ backlog``) are the
    latest ones. The queue of week 0 is known, in order — the orders placed now that the
    parent could not fill (children in position order) behind the orders already
    waiting (own customers at the front) — and the units that reached the parent since
    (``arrived``, expected) were used on its front; what is left of it, at most ``n``
    units taken from its end, is counted exactly. The other waiting orders are orders of
    the weeks since now, each ``loc``'s with probability its share of them (binomial).
    """
    m = out.shape[0]
    for i in range(m):
        out[i] = 0.0
    first, last = child_ptr[up], child_ptr[up + 1]
    recent, mine = 0.0, 0.0
    for s in range(1, week + 1):
        recent += own_week[up, s]
        for c in range(first, last):
            recent += order_week[child_idx[c], s]
        mine += order_week[loc, s]
    share = mine / recent if recent > 0.0 else 0.0
    queue = own_waiting  # own customers waiting now: the front of the queue
    for c in range(first, last):
        queue += week0_short[child_idx[c]]
    left_of_queue = max(0, queue - int(arrived + 0.5))
    _point(0, work)  # Binomial(r, share), built up one trial at a time as n grows
    trials = 0
    for n in range(_support(backlog)):
        taken = min(n, left_of_queue)
        r = n - taken
        while trials < r:
            _binomial_step(work, share, trials)
            trials += 1
        pn = backlog[n]
        if pn <= _TINY:
            continue
        # loc's units among the last `taken` units of week 0's queue, from its end:
        # unfilled new orders (last child first), then pending orders (last child first)
        fixed, left = 0, taken
        for phase in range(2):
            for k in range(last - 1, first - 1, -1):
                child = child_idx[k]
                size = (week0_short[child] - pending[child]) if phase == 0 else pending[child]
                use = min(left, max(0, size))
                if child == loc:
                    fixed += use
                left -= use
        _add_shifted(out, work, fixed, pn, r + 1)


@njit(inline="always")
def _copy(source: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = source`` element by element (a slice copy needs reference counting)."""
    for i in range(out.shape[0]):
        out[i] = source[i]


class _Tree(NamedTuple):
    """The location tree shared by every part: ``parent`` and the children as CSR."""

    parent: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray


class _PartInput(NamedTuple):
    """One part's inputs (the ``part`` slice of :func:`project_parts`' arrays)."""

    lead_weeks: np.ndarray
    slow_weeks: np.ndarray
    slow_fraction: np.ndarray
    net0: np.ndarray
    pending: np.ndarray
    excess: np.ndarray  # e_l = IP_l(0) - S_l
    receipts: np.ndarray
    firm: np.ndarray
    own_mean: np.ndarray
    own_vtm: np.ndarray


class _Demand(NamedTuple):
    """What the bottom-up pass leaves for the top-down one (pmfs on ``0 .. M - 1``)."""

    weekly: np.ndarray       # delta_l(s): demand at l in week s
    cumulative: np.ndarray   # C_l(s): demand at l in weeks 0..s
    orders: np.ndarray       # o_l(s): l's orders on its parent
    cum_orders: np.ndarray   # max(0, C_l(s) - e_l)
    order_week: np.ndarray   # E[o_l(s)]
    own_week: np.ndarray     # E[own customers' demand in week s]
    initial: np.ndarray      # o_l(0)
    week0: np.ndarray        # C_l(0): children's initial orders


class _Supply(NamedTuple):
    """The parents' backorders that the top-down pass hands to their children."""

    backorders: np.ndarray        # pmf of B_l(t)
    week0_short: np.ndarray       # B_l(0): l's orders unfilled at week 0
    own_backorders_0: np.ndarray  # own customers waiting at week 0
    arrived_mean: np.ndarray      # E[units reaching l in weeks 1..t]


class _Output(NamedTuple):
    """One part's ``(L, H)`` outputs (see :func:`project_parts`)."""

    p_short: np.ndarray
    expected_short: np.ndarray
    mean_net: np.ndarray
    mean_demand: np.ndarray
    base: np.ndarray
    z_1: np.ndarray
    z_2: np.ndarray


class _Work(NamedTuple):
    """Scratch pmfs of length ``M``."""

    work: np.ndarray
    work2: np.ndarray
    scratch: np.ndarray
    total: np.ndarray


@njit(inline="always")
def _add_children(tree: _Tree, loc: int, pmfs: np.ndarray, s: int, work: _Work) -> None:
    """``work.work`` convolved with ``pmfs[child, s]`` of every child of ``loc``."""
    for c in range(tree.child_ptr[loc], tree.child_ptr[loc + 1]):
        _convolve(work.work, pmfs[tree.child_idx[c], s], work.work2)
        _copy(work.work2, work.work)


@njit(inline="always")
def _week_orders(prior: np.ndarray, week: np.ndarray, e: int, out: np.ndarray) -> None:
    """o = max(0, Y + d - e) - max(0, Y - e) with Y ~ ``prior`` = C(s - 1), d ~ ``week``."""
    m = out.shape[0]
    if e <= 0:
        _copy(week, out)  # every unit demanded is reordered
        return
    above = 0.0
    for y in range(min(e, m), m):
        above += prior[y]
    for j in range(m):
        out[j] = above * week[j]
    for y in range(min(e, m)):
        py = prior[y]
        if py <= _TINY:
            continue
        gap = e - y  # units still absorbed by the excess
        absorbed = 0.0
        for d in range(min(gap + 1, m)):
            absorbed += week[d]
        out[0] += py * absorbed
        for j in range(1, m - gap):
            out[j] += py * week[j + gap]


@njit(inline="always")
def _demand_week(tree: _Tree, part: _PartInput, own: np.ndarray, demand: _Demand,
                 mean_demand: np.ndarray, loc: int, s: int, firm_so_far: int,
                 work: _Work) -> None:
    """Week ``s`` of ``loc`` in the bottom-up pass: delta, C, the orders on the parent."""
    m = own.shape[0]
    _shift(own, part.firm[loc, s - 1], work.work)
    demand.own_week[loc, s] = part.own_mean[loc] + part.firm[loc, s - 1]
    _add_children(tree, loc, demand.orders, s, work)
    _copy(work.work, demand.weekly[loc, s])
    mean_demand[loc, s - 1] = _mean(work.work) + (demand.week0[loc] if s == 1 else 0.0)
    # C_l(s): own demand of weeks 1..s (Poisson / NB of mean s mu) + firm orders +
    # the children's cumulative orders
    count_pmf(part.own_mean[loc] * s, part.own_vtm[loc], work.work2)
    _shift(work.work2, firm_so_far, work.work)
    _add_children(tree, loc, demand.cum_orders, s, work)
    if tree.child_ptr[loc] == tree.child_ptr[loc + 1]:
        _shift(work.work, demand.week0[loc], demand.cumulative[loc, s])
    else:
        # the children's week-0 orders are in theirs
        _copy(work.work, demand.cumulative[loc, s])
    e = part.excess[loc]
    cum = demand.cum_orders[loc, s]
    for i in range(m):
        cum[i] = 0.0
    for i in range(m):
        cum[max(0, min(i - e, m - 1))] += demand.cumulative[loc, s, i]
    _week_orders(demand.cumulative[loc, s - 1], demand.weekly[loc, s], e,
                 demand.orders[loc, s])
    demand.order_week[loc, s] = _mean(demand.orders[loc, s])


@njit_no_refcount
def _demand_pass(tree: _Tree, part: _PartInput, own: np.ndarray, demand: _Demand,
                 mean_demand: np.ndarray, work: _Work) -> None:
    """Bottom-up: the demand each location sees (own customers, firm orders, the
    replenishment orders of its children) and the orders it passes to its parent.

    Cumulative quantities are exact marginals (a child's cumulative orders are
    max(0, C - e) of its cumulative demand; children are independent); the weekly
    increments, used for the windows, treat a child's weeks as independent. ``own``
    receives the pmf of each location's own weekly demand.
    """
    n_loc = tree.parent.shape[0]
    horizon = part.receipts.shape[1]
    for loc in range(n_loc):
        count_pmf(part.own_mean[loc], part.own_vtm[loc], own[loc])
    for loc in range(n_loc - 1, -1, -1):
        for c in range(tree.child_ptr[loc], tree.child_ptr[loc + 1]):
            demand.week0[loc] += demand.initial[tree.child_idx[c]]
        demand.initial[loc] = max(0, demand.week0[loc] - part.excess[loc])
        _point(demand.week0[loc], demand.weekly[loc, 0])
        _point(demand.week0[loc], demand.cumulative[loc, 0])
        _point(demand.initial[loc], demand.orders[loc, 0])
        _point(demand.initial[loc], demand.cum_orders[loc, 0])
        demand.order_week[loc, 0] = demand.initial[loc]
        firm_so_far = 0
        for s in range(1, horizon + 1):
            firm_so_far += part.firm[loc, s - 1]
            _demand_week(tree, part, own[loc], demand, mean_demand, loc, s, firm_so_far,
                         work)


@njit(inline="always")
def _week0_queue(tree: _Tree, part: _PartInput, demand: _Demand, supply: _Supply,
                 loc: int) -> None:
    """Week 0 at ``loc``: its children's initial orders, filled first come first served
    by position; the backorders and the own customers waiting now."""
    stock = max(0, part.net0[loc])
    for c in range(tree.child_ptr[loc], tree.child_ptr[loc + 1]):
        child = tree.child_idx[c]
        filled = min(stock, demand.initial[child])
        stock -= filled
        supply.week0_short[child] = part.pending[child] + demand.initial[child] - filled
    _point(max(0, demand.week0[loc] - part.net0[loc]), supply.backorders[loc, 0])
    own_backorders = max(0, -part.net0[loc])
    for c in range(tree.child_ptr[loc], tree.child_ptr[loc + 1]):
        own_backorders -= part.pending[tree.child_idx[c]]
    supply.own_backorders_0[loc] = max(0, own_backorders)


@njit(inline="always")
def _two_routes(prior: np.ndarray, e: int, q: float, work: _Work) -> None:
    """Every order so far went the fast way (back) or the slow way (out), into
    ``work.total``: Z = min(x, e) + Bin(orders, q) with x ~ ``prior`` = C(u), exact over x."""
    _point(0, work.work2)  # Binomial(ordered, q), one trial at a time
    trials = 0
    for x in range(_support(prior)):
        kept = min(x, e) if e > 0 else 0
        ordered = max(0, x - e)
        while trials < ordered:
            _binomial_step(work.work2, q, trials)
            trials += 1
        px = prior[x]
        if px <= _TINY:
            continue
        _add_shifted(work.total, work.work2, kept, px, ordered + 1)


@njit(inline="always")
def _kept_and_slow(demand: _Demand, loc: int, e: int, q: float, u: int, u_slow: int,
                   work: _Work) -> None:
    """``work.total`` = min(C(u_slow), e), plus the slow share of the orders of weeks
    u_slow + 1 .. u (still out)."""
    m = work.total.shape[0]
    if e <= 0:
        work.total[0] = 1.0
    else:  # min(C(u_slow), e)
        prior = demand.cumulative[loc, u_slow]
        for i in range(m):
            work.total[min(i, e, m - 1)] += prior[i]
    if u_slow < u:  # orders of weeks u_slow + 1 .. u: the slow share is out
        _point(0, work.work2)
        for s in range(u_slow + 1, u + 1):
            _convolve(work.work2, demand.weekly[loc, s], work.work)
            _copy(work.work, work.work2)
        _thin(work.work2, q, work.work)
        _convolve(work.total, work.work, work.work2)
        _copy(work.work2, work.total)


@njit(inline="always")
def _add_waiting_at_parent(tree: _Tree, part: _PartInput, demand: _Demand,
                           supply: _Supply, loc: int, u: int, e: int, work: _Work) -> None:
    """Add to ``work.total`` ``loc``'s orders still waiting at its parent at week ``u``."""
    up = tree.parent[loc]
    if u == 0:
        _point(supply.week0_short[loc], work.work2)
    else:
        _child_backlog(supply.backorders[up, u], loc, up, u, tree.child_ptr, tree.child_idx,
                       demand.order_week, demand.own_week, part.pending, supply.week0_short,
                       supply.own_backorders_0[up], supply.arrived_mean[up, u], work.work,
                       work.scratch, work.work2)
    if e > 0:
        # both grow with l's own demand up to u (its orders are what waits):
        # added comonotone, not as independent counts
        _comonotone_sum(work.total, work.work2, work.work)
    else:
        _convolve(work.total, work.work2, work.work)
    _copy(work.work, work.total)


@njit(inline="always")
def _pipeline(tree: _Tree, part: _PartInput, demand: _Demand, supply: _Supply, loc: int,
              t: int, receipts_so_far: int, work: _Work) -> int:
    """The pmf of Z_l(t) into ``work.total``; returns the constant b_l(t) of
    NI_l(t) = b_l(t) - Z_l(t)."""
    m = work.total.shape[0]
    u = t - part.lead_weeks[loc]  # the (fast) route: orders up to week u are back
    q = part.slow_fraction[loc]
    u_slow = t - part.slow_weeks[loc] if q > 0.0 else u
    if u < 0:
        _copy(demand.cumulative[loc, t], work.total)
        return part.net0[loc] + receipts_so_far
    base = part.net0[loc] + receipts_so_far + part.pending[loc]
    e = part.excess[loc]
    if e <= 0:
        base -= e  # the orders placed now to reach the target come back too
    for i in range(m):
        work.total[i] = 0.0
    if u_slow < 0:
        _two_routes(demand.cumulative[loc, u], e, q, work)
    else:
        _kept_and_slow(demand, loc, e, q, u, u_slow, work)
    if tree.parent[loc] >= 0:  # l's orders still waiting at the parent at week u
        _add_waiting_at_parent(tree, part, demand, supply, loc, u, e, work)
    for s in range(u + 1, t + 1):
        _convolve(work.total, demand.weekly[loc, s], work.work)
        _copy(work.work, work.total)
    return base


@njit(inline="always")
def _record_week(total: np.ndarray, base: int, backorders: np.ndarray, out: _Output,
                 loc: int, t: int, tail_1: float, tail_2: float) -> float:
    """Write week ``t``'s figures of NI = ``base`` - Z (Z ~ ``total``) and the backorders'
    pmf; returns E[Z]."""
    m = total.shape[0]
    short = 0.0
    expected = 0.0
    mean_z = 0.0
    for i in range(m):
        backorders[i] = 0.0
    for z in range(m):
        pz = total[z]
        mean_z += z * pz
        if z > base:
            short += pz
            expected += (z - base) * pz
            backorders[min(z - base, m - 1)] += pz
        else:
            backorders[0] += pz
    out.p_short[loc, t - 1] = min(1.0, short)
    out.expected_short[loc, t - 1] = expected
    out.mean_net[loc, t - 1] = base - mean_z
    out.base[loc, t - 1] = base
    # z_k = smallest z with P(Z > z) <= tail_k (the (1 - tail_k) quantile of Z)
    above = 1.0
    found_1, found_2 = -1, -1
    for z in range(m):
        above -= total[z]
        if found_1 < 0 and above <= tail_1 + 1e-12:
            found_1 = z
        if found_2 < 0 and above <= tail_2 + 1e-12:
            found_2 = z
        if found_1 >= 0 and found_2 >= 0:
            break
    out.z_1[loc, t - 1] = found_1 if found_1 >= 0 else m - 1
    out.z_2[loc, t - 1] = found_2 if found_2 >= 0 else m - 1
    return mean_z


@njit_no_refcount
def _supply_pass(tree: _Tree, part: _PartInput, demand: _Demand, supply: _Supply,
                 out: _Output, tail_1: float, tail_2: float, work: _Work) -> None:
    """Top-down: net inventory NI_l(t) = base_l(t) - Z_l(t); backorders for children."""
    n_loc = tree.parent.shape[0]
    horizon = part.receipts.shape[1]
    for loc in range(n_loc):
        _week0_queue(tree, part, demand, supply, loc)
        receipts_so_far = 0
        demanded = 0.0
        for t in range(1, horizon + 1):
            receipts_so_far += part.receipts[loc, t - 1]
            base = _pipeline(tree, part, demand, supply, loc, t, receipts_so_far, work)
            mean_z = _record_week(work.total, base, supply.backorders[loc, t], out, loc, t,
                                  tail_1, tail_2)
            demanded += _mean(demand.weekly[loc, t])
            supply.arrived_mean[loc, t] = ((base - mean_z)
                                           - (part.net0[loc] - demand.week0[loc]) + demanded)


@njit
def _project_one(tree: _Tree, part: _PartInput, m: int, tail_1: float, tail_2: float,
                 out: _Output) -> None:
    """Project one part: the bottom-up demand pass, then the top-down supply pass.

    The two passes allocate nothing (this function allocates their arrays) and are
    compiled without reference counting (:func:`spareplan._numba.njit_no_refcount`), so
    that their inline helpers, which bind NamedTuples of arrays, cost nothing.
    """
    n_loc = tree.parent.shape[0]
    horizon = part.receipts.shape[1]
    demand = _Demand(
        weekly=np.zeros((n_loc, horizon + 1, m)), cumulative=np.zeros((n_loc, horizon + 1, m)),
        orders=np.zeros((n_loc, horizon + 1, m)), cum_orders=np.zeros((n_loc, horizon + 1, m)),
        order_week=np.zeros((n_loc, horizon + 1)), own_week=np.zeros((n_loc, horizon + 1)),
        initial=np.zeros(n_loc, dtype=np.int64), week0=np.zeros(n_loc, dtype=np.int64))
    work = _Work(np.zeros(m), np.zeros(m), np.zeros(m), np.zeros(m))
    _demand_pass(tree, part, np.zeros((n_loc, m)), demand, out.mean_demand, work)
    supply = _Supply(backorders=np.zeros((n_loc, horizon + 1, m)),
                     week0_short=np.zeros(n_loc, dtype=np.int64),
                     own_backorders_0=np.zeros(n_loc, dtype=np.int64),
                     arrived_mean=np.zeros((n_loc, horizon + 1)))
    _supply_pass(tree, part, demand, supply, out, tail_1, tail_2, work)


@njit_parallel
def project_parts(parent: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray,
                  lead_weeks: np.ndarray, slow_weeks: np.ndarray, slow_fraction: np.ndarray,
                  net0: np.ndarray, pending: np.ndarray,
                  on_order: np.ndarray, target: np.ndarray, receipts: np.ndarray,
                  firm: np.ndarray, own_mean: np.ndarray, own_vtm: np.ndarray,
                  support: np.ndarray, tail_1: float, tail_2: float,
                  p_short: np.ndarray, expected_short: np.ndarray, mean_net: np.ndarray,
                  mean_demand: np.ndarray, base: np.ndarray, z_1: np.ndarray,
                  z_2: np.ndarray) -> None:
    """Project every part, in parallel over parts (results do not depend on threads).

    Parameters
    ----------
    parent, child_ptr, child_idx : numpy.ndarray
        int64 tree shared by every part: ``(L,)``, ``(L + 1,)``, ``(L - roots,)``.
    lead_weeks, slow_weeks, slow_fraction : numpy.ndarray
        ``(P, L)``: :math:`k_l`, weeks from an order to its arrival (>= 1); a central
        warehouse's repairable part has two routes, the fraction ``slow_fraction`` of its
        orders taking ``slow_weeks`` (int64, >= ``lead_weeks``; fraction 0: one route).
    net0, pending, on_order, target : numpy.ndarray
        int64 ``(P, L)``: net inventory now (on hand - backorders), own orders waiting
        at the parent, units on order / in transit, base stock :math:`S_l`.
    receipts, firm : numpy.ndarray
        int64 ``(P, L, H)``: receipts and firm customer orders per week.
    own_mean, own_vtm : numpy.ndarray
        float64 ``(P, L)``: mean weekly random demand of the location's own customers and
        its variance-to-mean ratio.
    support : numpy.ndarray
        int64 ``(P,)``: pmf length :math:`M` per part.
    tail_1, tail_2 : float
        Tail probabilities of the two quantiles ``z_1``, ``z_2`` (the alert thresholds).
    p_short, expected_short, mean_net, mean_demand, base, z_1, z_2 : numpy.ndarray
        float64 ``(P, L, H)`` outputs: :math:`P(NI_t < 0)`, :math:`E[(-NI_t)^+]`,
        :math:`E[NI_t]`, the expected demand of the week (own customers, firm orders,
        children's replenishment orders; week 1 includes the orders placed now), the
        constant :math:`b_t` of :math:`NI_t = b_t - Z_t`, and the quantiles of :math:`Z_t`.
    """
    tree = _Tree(parent, child_ptr, child_idx)
    for part in prange(net0.shape[0]):
        inputs = _PartInput(lead_weeks[part], slow_weeks[part], slow_fraction[part],
                            net0[part], pending[part],
                            net0[part] + on_order[part] + pending[part] - target[part],
                            receipts[part], firm[part], own_mean[part], own_vtm[part])
        out = _Output(p_short[part], expected_short[part], mean_net[part], mean_demand[part],
                      base[part], z_1[part], z_2[part])
        _project_one(tree, inputs, int(support[part]), tail_1, tail_2, out)
