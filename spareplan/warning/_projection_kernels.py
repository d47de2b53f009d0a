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

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel

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


@njit
def _project_one(parent: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray,
                 lead_weeks: np.ndarray, slow_weeks: np.ndarray, slow_fraction: np.ndarray,
                 net0: np.ndarray, pending: np.ndarray,
                 on_order: np.ndarray, target: np.ndarray, receipts: np.ndarray,
                 firm: np.ndarray, own_mean: np.ndarray, own_vtm: np.ndarray,
                 tail_1: float, tail_2: float, m: int,
                 p_short: np.ndarray, expected_short: np.ndarray, mean_net: np.ndarray,
                 mean_demand: np.ndarray, base_out: np.ndarray, z_1: np.ndarray,
                 z_2: np.ndarray) -> None:
    """Project one part; write ``(L, H)`` outputs (see :func:`project_parts`)."""
    n_loc = parent.shape[0]
    horizon = receipts.shape[1]
    excess = net0 + on_order + pending - target  # e_l = IP_l(0) - S_l
    own = np.zeros((n_loc, m))
    for loc in range(n_loc):
        count_pmf(own_mean[loc], own_vtm[loc], own[loc])
    weekly = np.zeros((n_loc, horizon + 1, m))      # delta_l(s): demand at l in week s
    cumulative = np.zeros((n_loc, horizon + 1, m))  # C_l(s): demand at l in weeks 0..s
    orders = np.zeros((n_loc, horizon + 1, m))      # o_l(s): l's orders on its parent
    order_week = np.zeros((n_loc, horizon + 1))     # E[o_l(s)]
    own_week = np.zeros((n_loc, horizon + 1))       # E[own customers' demand in week s]
    initial = np.zeros(n_loc, dtype=np.int64)       # o_l(0)
    week0 = np.zeros(n_loc, dtype=np.int64)         # C_l(0): children's initial orders
    work = np.zeros(m)
    work2 = np.zeros(m)
    scratch = np.zeros(m)

    # 1. Bottom-up: the demand each location sees (own customers, firm orders, the
    #    replenishment orders of its children) and the orders it passes to its parent.
    #    Cumulative quantities are exact marginals (a child's cumulative orders are
    #    max(0, C - e) of its cumulative demand; children are independent); the weekly
    #    increments, used for the windows, treat a child's weeks as independent.
    cum_orders = np.zeros((n_loc, horizon + 1, m))  # max(0, C_l(s) - e_l)
    for loc in range(n_loc - 1, -1, -1):
        for c in range(child_ptr[loc], child_ptr[loc + 1]):
            week0[loc] += initial[child_idx[c]]
        initial[loc] = max(0, week0[loc] - excess[loc])
        _point(week0[loc], weekly[loc, 0])
        _point(week0[loc], cumulative[loc, 0])
        _point(initial[loc], orders[loc, 0])
        _point(initial[loc], cum_orders[loc, 0])
        order_week[loc, 0] = initial[loc]
        firm_so_far = 0
        for s in range(1, horizon + 1):
            _shift(own[loc], firm[loc, s - 1], work)
            own_week[loc, s] = own_mean[loc] + firm[loc, s - 1]
            for c in range(child_ptr[loc], child_ptr[loc + 1]):
                _convolve(work, orders[child_idx[c], s], work2)
                work[:] = work2
            weekly[loc, s] = work
            mean_demand[loc, s - 1] = _mean(work) + (week0[loc] if s == 1 else 0.0)
            # C_l(s): own demand of weeks 1..s (Poisson / NB of mean s mu) + firm orders +
            # the children's cumulative orders
            firm_so_far += firm[loc, s - 1]
            count_pmf(own_mean[loc] * s, own_vtm[loc], work2)
            _shift(work2, firm_so_far, work)
            for c in range(child_ptr[loc], child_ptr[loc + 1]):
                _convolve(work, cum_orders[child_idx[c], s], work2)
                work[:] = work2
            if child_ptr[loc] == child_ptr[loc + 1]:
                _shift(work, week0[loc], cumulative[loc, s])
            else:
                cumulative[loc, s] = work  # the children's week-0 orders are in theirs
            e = excess[loc]
            for i in range(m):
                cum_orders[loc, s, i] = 0.0
            for i in range(m):
                cum_orders[loc, s, max(0, min(i - e, m - 1))] += cumulative[loc, s, i]
            work[:] = weekly[loc, s]
            if e <= 0:
                orders[loc, s] = work  # every unit demanded is reordered
            else:
                # o = max(0, Y + d - e) - max(0, Y - e), Y = C(s - 1), d = delta(s)
                prior = cumulative[loc, s - 1]
                out = orders[loc, s]
                above = 0.0
                for y in range(min(e, m), m):
                    above += prior[y]
                for j in range(m):
                    out[j] = above * work[j]
                for y in range(min(e, m)):
                    py = prior[y]
                    if py <= _TINY:
                        continue
                    gap = e - y  # units still absorbed by the excess
                    absorbed = 0.0
                    for d in range(min(gap + 1, m)):
                        absorbed += work[d]
                    out[0] += py * absorbed
                    for j in range(1, m - gap):
                        out[j] += py * work[j + gap]
            order_week[loc, s] = _mean(orders[loc, s])

    # 2. Top-down: net inventory NI_l(t) = base_l(t) - Z_l(t); backorders for children.
    backorders = np.zeros((n_loc, horizon + 1, m))
    week0_short = np.zeros(n_loc, dtype=np.int64)  # B_l(0): l's orders unfilled at week 0
    own_backorders_0 = np.zeros(n_loc, dtype=np.int64)  # own customers waiting at week 0
    arrived_mean = np.zeros((n_loc, horizon + 1))  # E[units reaching l in weeks 1..t]
    total = np.zeros(m)
    for loc in range(n_loc):
        # week 0: children's initial orders, filled first come first served by position
        stock = max(0, net0[loc])
        for c in range(child_ptr[loc], child_ptr[loc + 1]):
            child = child_idx[c]
            filled = min(stock, initial[child])
            stock -= filled
            week0_short[child] = pending[child] + initial[child] - filled
        _point(max(0, week0[loc] - net0[loc]), backorders[loc, 0])
        own_backorders = max(0, -net0[loc])
        for c in range(child_ptr[loc], child_ptr[loc + 1]):
            own_backorders -= pending[child_idx[c]]
        own_backorders_0[loc] = max(0, own_backorders)
        up = parent[loc]
        receipts_so_far = 0
        demanded = 0.0
        for t in range(1, horizon + 1):
            receipts_so_far += receipts[loc, t - 1]
            u = t - lead_weeks[loc]  # the (fast) route: orders up to week u are back
            q = slow_fraction[loc]
            u_slow = t - slow_weeks[loc] if q > 0.0 else u
            if u < 0:
                base = net0[loc] + receipts_so_far
                total[:] = cumulative[loc, t]
            else:
                base = net0[loc] + receipts_so_far + pending[loc]
                e = excess[loc]
                if e <= 0:
                    base -= e  # the orders placed now to reach the target come back too
                for i in range(m):
                    total[i] = 0.0
                if u_slow < 0:
                    # every order so far went the fast way (back) or the slow way (out):
                    # Z = min(x, e) + Bin(orders, q) with x = C(u), exact over x
                    prior = cumulative[loc, u]
                    _point(0, work2)  # Binomial(ordered, q), one trial at a time
                    trials = 0
                    for x in range(_support(prior)):
                        kept = min(x, e) if e > 0 else 0
                        ordered = max(0, x - e)
                        while trials < ordered:
                            _binomial_step(work2, q, trials)
                            trials += 1
                        px = prior[x]
                        if px <= _TINY:
                            continue
                        _add_shifted(total, work2, kept, px, ordered + 1)
                else:
                    if e <= 0:
                        total[0] = 1.0
                    else:  # min(C(u_slow), e)
                        prior = cumulative[loc, u_slow]
                        for i in range(m):
                            total[min(i, e, m - 1)] += prior[i]
                    if u_slow < u:  # orders of weeks u_slow + 1 .. u: the slow share is out
                        _point(0, work2)
                        for s in range(u_slow + 1, u + 1):
                            _convolve(work2, weekly[loc, s], work)
                            work2[:] = work
                        _thin(work2, q, work)
                        _convolve(total, work, work2)
                        total[:] = work2
                if up >= 0:  # l's orders still waiting at the parent at week u
                    if u == 0:
                        _point(week0_short[loc], work2)
                    else:
                        _child_backlog(backorders[up, u], loc, up, u, child_ptr, child_idx,
                                       order_week, own_week, pending, week0_short,
                                       own_backorders_0[up], arrived_mean[up, u], work,
                                       scratch, work2)
                    if e > 0:
                        # both grow with l's own demand up to u (its orders are what waits):
                        # added comonotone, not as independent counts
                        _comonotone_sum(total, work2, work)
                    else:
                        _convolve(total, work2, work)
                    total[:] = work
                for s in range(u + 1, t + 1):
                    _convolve(total, weekly[loc, s], work)
                    total[:] = work
            short = 0.0
            expected = 0.0
            mean_z = 0.0
            bo = backorders[loc, t]
            for i in range(m):
                bo[i] = 0.0
            for z in range(m):
                pz = total[z]
                mean_z += z * pz
                if z > base:
                    short += pz
                    expected += (z - base) * pz
                    bo[min(z - base, m - 1)] += pz
                else:
                    bo[0] += pz
            p_short[loc, t - 1] = min(1.0, short)
            demanded += _mean(weekly[loc, t])
            arrived_mean[loc, t] = (base - mean_z) - (net0[loc] - week0[loc]) + demanded
            expected_short[loc, t - 1] = expected
            mean_net[loc, t - 1] = base - mean_z
            base_out[loc, t - 1] = base
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
            z_1[loc, t - 1] = found_1 if found_1 >= 0 else m - 1
            z_2[loc, t - 1] = found_2 if found_2 >= 0 else m - 1


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
    for part in prange(net0.shape[0]):
        _project_one(parent, child_ptr, child_idx, lead_weeks[part], slow_weeks[part],
                     slow_fraction[part], net0[part],
                     pending[part], on_order[part], target[part], receipts[part],
                     firm[part], own_mean[part], own_vtm[part], tail_1, tail_2,
                     int(support[part]), p_short[part], expected_short[part],
                     mean_net[part], mean_demand[part], base[part], z_1[part], z_2[part])
