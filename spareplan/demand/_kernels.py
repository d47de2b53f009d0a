"""Private numba kernels of the demand layer.

Arrays and scalars only. Many series travel packed as one flat ``float64`` array
``values`` plus ``int64`` offsets ``indptr`` (series ``i`` is
``values[indptr[i]:indptr[i + 1]]``); outputs are allocated by the caller. The Python
layer (:mod:`spareplan.demand.intermittent`, :mod:`spareplan.demand.backtest`) validates
and converts; nothing here knows pandas, strings or files.

Conventions shared with statsforecast (so that the two can be compared one to one):
a demand size is smoothed from its first observed value, and the first inter-demand
interval is counted from the period *before* the series starts (a demand in the first
period has interval 1).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from spareplan._numba import njit, njit_parallel

# ---------------------------------------------------------------- classification


@njit
def _classification_stats(
    values: np.ndarray,
    indptr: np.ndarray,
    adi: np.ndarray,
    cv2: np.ndarray,
    n_nonzero: np.ndarray,
    periods_since_demand: np.ndarray,
) -> None:
    """ADI, CV² of non-zero sizes, count of demands, periods since the last demand.

    ADI = mean inter-demand interval = (position of last demand, 1-based) / n_nonzero
    (Syntetos, Boylan & Croston 2005). CV² = (s/m)² of the non-zero sizes with the
    sample standard deviation (ddof = 1); 0 with one demand, NaN with none (ADI = inf).
    ``periods_since_demand`` is the number of periods after the last demand (the series
    length when there is none).
    """
    n_series = indptr.size - 1
    for i in range(n_series):
        start, end = indptr[i], indptr[i + 1]
        count = 0
        total = 0.0
        last = -1
        for j in range(start, end):
            y = values[j]
            if y > 0.0:
                count += 1
                total += y
                last = j - start
        n_nonzero[i] = count
        periods_since_demand[i] = (end - start) - (last + 1)
        if count == 0:
            adi[i] = np.inf
            cv2[i] = np.nan
            continue
        adi[i] = (last + 1) / count
        if count == 1:
            cv2[i] = 0.0
            continue
        mean = total / count
        # CV² is scale-free: sum the squared deviations of y / mean, so tiny sizes cannot
        # underflow mean² to zero.
        ss = 0.0
        for j in range(start, end):
            y = values[j]
            if y > 0.0:
                ss += (y / mean - 1.0) * (y / mean - 1.0)
        cv2[i] = ss / (count - 1)


# ---------------------------------------------------------------- point models


@njit
def _croston(
    values: np.ndarray,
    indptr: np.ndarray,
    alpha: float,
    factor: float,
    fitted: np.ndarray,
    forecast: np.ndarray,
) -> None:
    """Croston (1972) and SBA (Syntetos & Boylan 2005) per-period demand rate.

    At a period with demand y_t > 0 after an interval q_t (periods since the previous
    demand):  z ← z + α (y_t − z),  p ← p + α (q_t − p);  unchanged otherwise.
    The rate is ``factor · z / p``: ``factor = 1`` is Croston, ``factor = 1 − α/2`` is
    SBA. z and p start at the first demand and its interval; the rate is 0 before any
    demand. ``fitted[j]`` is the rate known before period j (one step ahead),
    ``forecast[i]`` the rate after the last period of series i.
    """
    n_series = indptr.size - 1
    for i in range(n_series):
        start, end = indptr[i], indptr[i + 1]
        z = 0.0
        p = 0.0
        seen = False
        last = start - 1
        rate = 0.0
        for j in range(start, end):
            fitted[j] = rate
            y = values[j]
            if y > 0.0:
                q = float(j - last)
                if seen:
                    z += alpha * (y - z)
                    p += alpha * (q - p)
                else:
                    z = y
                    p = q
                    seen = True
                last = j
                rate = factor * z / p
        forecast[i] = rate


@njit
def _tsb(
    values: np.ndarray,
    indptr: np.ndarray,
    alpha: float,
    beta: float,
    fitted: np.ndarray,
    forecast: np.ndarray,
) -> None:
    """TSB (Teunter, Syntetos & Babai 2011) per-period demand rate.

    Every period, with d_t = 1 if y_t > 0 else 0:  π ← π + β (d_t − π);
    at a demand:  z ← z + α (y_t − z).  The rate is π · z.
    π starts at d_1 (the first period's occurrence) and z at the first demand size,
    as statsforecast's ``TSB``; the rate is 0 before any demand.
    """
    n_series = indptr.size - 1
    for i in range(n_series):
        start, end = indptr[i], indptr[i + 1]
        z = 0.0
        prob = 0.0
        seen = False
        rate = 0.0
        for j in range(start, end):
            fitted[j] = rate
            y = values[j]
            d = 1.0 if y > 0.0 else 0.0
            if j == start:
                prob = d
            else:
                prob += beta * (d - prob)
            if y > 0.0:
                if seen:
                    z += alpha * (y - z)
                else:
                    z = y
                    seen = True
            rate = prob * z if seen else 0.0
        forecast[i] = rate


@njit
def _moments(
    values: np.ndarray,
    indptr: np.ndarray,
    fitted_mean: np.ndarray,
    fitted_vmr: np.ndarray,
    mean: np.ndarray,
    vmr: np.ndarray,
) -> None:
    """Expanding mean per period and variance-to-mean ratio (method of moments).

    mean = (1/n) Σ y_t;  s² = Σ (y_t − mean)² / (n − 1);  VMR = max(1, s² / mean),
    i.e. Poisson when the history shows no over-dispersion, negative binomial otherwise.
    VMR = 1 with fewer than two periods or a zero mean. ``fitted_*[j]`` use the periods
    before j only (Welford's update).
    """
    n_series = indptr.size - 1
    for i in range(n_series):
        start, end = indptr[i], indptr[i + 1]
        n = 0
        m = 0.0
        m2 = 0.0
        cur_vmr = 1.0
        for j in range(start, end):
            fitted_mean[j] = m
            fitted_vmr[j] = cur_vmr
            y = values[j]
            n += 1
            delta = y - m
            m += delta / n
            m2 += delta * (y - m)
            if n >= 2 and m > 0.0:
                cur_vmr = max(1.0, (m2 / (n - 1)) / m)
            else:
                cur_vmr = 1.0
        mean[i] = m
        vmr[i] = cur_vmr


# ---------------------------------------------------------------- bootstrap


@njit
def _willemain_bootstrap(
    values: np.ndarray,
    indptr: np.ndarray,
    task_series: np.ndarray,
    task_length: np.ndarray,
    horizon: int,
    rng: np.random.Generator,
    total: np.ndarray,
    head: np.ndarray,
) -> None:
    """Willemain, Smart & Schwarz (2004) bootstrap of lead-time demand.

    For task k, the history is the first ``task_length[k]`` periods of series
    ``task_series[k]``. Occurrence follows a two-state Markov chain whose transition
    probabilities are counted from that history, started from the last observed state;
    each period with demand draws a size X among the historical non-zero sizes and
    jitters it: X* = 1 + INT(X + Z √X), Z ~ N(0, 1), with X* = X when X* ≤ 0
    (Willemain et al. 2004, §2). ``total[k, r]`` is the demand of draw r summed over
    ``horizon`` periods, ``head[k, r]`` over the first ``horizon − 1`` periods (used by
    the fill-rate formula).
    """
    n_tasks = task_series.size
    n_draws = total.shape[1]
    for k in range(n_tasks):
        start = indptr[task_series[k]]
        n = task_length[k]
        sizes = np.empty(n)
        n_sizes = 0
        n00 = 0
        n01 = 0
        n10 = 0
        n11 = 0
        for j in range(n):
            y = values[start + j]
            if y > 0.0:
                sizes[n_sizes] = y
                n_sizes += 1
            if j > 0:
                prev = values[start + j - 1] > 0.0
                cur = y > 0.0
                if prev and cur:
                    n11 += 1
                elif prev:
                    n10 += 1
                elif cur:
                    n01 += 1
                else:
                    n00 += 1
        if n_sizes == 0:
            for r in range(n_draws):
                total[k, r] = 0.0
                head[k, r] = 0.0
            continue
        overall = n_sizes / n
        p01 = n01 / (n00 + n01) if n00 + n01 > 0 else overall
        p11 = n11 / (n10 + n11) if n10 + n11 > 0 else overall
        last_state = values[start + n - 1] > 0.0
        for r in range(n_draws):
            state = last_state
            acc = 0.0
            acc_head = 0.0
            for h in range(horizon):
                u = rng.random()
                state = u < (p11 if state else p01)
                if state:
                    x = sizes[rng.integers(0, n_sizes)]
                    jittered = 1.0 + math.floor(x + rng.standard_normal() * math.sqrt(x))
                    if jittered <= 0.0:
                        jittered = x
                    acc += jittered
                    if h < horizon - 1:
                        acc_head += jittered
            total[k, r] = acc
            head[k, r] = acc_head


# ---------------------------------------------------------------- stocking


@njit(inline="always")
def _pmf(mean: float, vmr: float, k: int) -> float:
    """P(D = k) of a Poisson (vmr <= 1 + 1e-9) or negative binomial D with that mean and
    variance vmr · mean (r = mean / (vmr − 1), success probability 1/vmr), in log space."""
    if vmr <= 1.0 + 1e-9:
        return math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1.0))
    r = mean / (vmr - 1.0)
    return math.exp(math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1.0)
                    + r * math.log(1.0 / vmr) + k * math.log(1.0 - 1.0 / vmr))


@njit
def _base_stock_parametric(
    rate: float, vmr: float, lead_time: int, target: float, s_cap: int, work: np.ndarray
) -> int:
    """Smallest base-stock level S whose fill rate reaches ``target``.

    Periodic review (one period), lead time L periods, complete backordering. The
    fraction of a period's demand filled from stock is
    β(S) = 1 − (E[(D_{L+1} − S)⁺] − E[(D_L − S)⁺]) / E[D_1]
    (e.g. Axsäter, *Inventory Control*, 2015, §5.3), with D_n the demand over n periods,
    Poisson / negative binomial with mean n·rate and VMR ``vmr`` (sums of independent
    periods keep the VMR). The first-order losses are built up from S = 0,
    E[(D − S)⁺] = E[(D − S + 1)⁺] − P(D > S − 1), and the search stops at the first S
    that reaches the target (``work[0][:S + 1]``, ``work[1][:S + 1]`` then hold the
    losses of D_{L+1} and D_L). Returns ``s_cap`` if not reached below it.
    """
    if rate <= 0.0:
        return 0
    loss_protect = work[0]
    loss_lead = work[1]
    mean_protect = rate * (lead_time + 1)
    mean_lead = rate * lead_time
    loss_protect[0] = mean_protect
    loss_lead[0] = mean_lead
    cdf_protect = 0.0
    cdf_lead = 0.0
    for s in range(s_cap + 1):
        if s > 0:
            cdf_protect = min(1.0, cdf_protect + _pmf(mean_protect, vmr, s - 1))
            loss_protect[s] = max(0.0, loss_protect[s - 1] - (1.0 - cdf_protect))
            if lead_time > 0:
                cdf_lead = min(1.0, cdf_lead + _pmf(mean_lead, vmr, s - 1))
                loss_lead[s] = max(0.0, loss_lead[s - 1] - (1.0 - cdf_lead))
            else:
                loss_lead[s] = 0.0
        if 1.0 - (loss_protect[s] - loss_lead[s]) / rate >= target:
            return s
    return s_cap


@njit
def _base_stock_empirical(
    total: np.ndarray, head: np.ndarray, target: float, work: np.ndarray
) -> int:
    """Smallest S reaching ``target`` fill rate for bootstrap draws of D_{L+1} and D_L.

    Same formula as :func:`_base_stock_parametric`, with the expectations taken over the
    draws (sizes rounded up to whole units) and E[D_1] = mean(D_{L+1}) − mean(D_L).
    """
    n = total.size
    per_period = 0.0
    for r in range(n):
        per_period += total[r] - head[r]
    per_period /= n
    if per_period <= 0.0:
        return 0
    s_cap = work.shape[1] - 1
    hist_total = work[0]
    hist_head = work[1]
    for s in range(s_cap + 1):
        hist_total[s] = 0.0
        hist_head[s] = 0.0
    top = 0
    for r in range(n):
        a = min(math.ceil(total[r]), s_cap)
        b = min(math.ceil(head[r]), s_cap)
        hist_total[a] += 1.0
        hist_head[b] += 1.0
        top = max(top, a)
    # loss(S) = Σ_{k>S} (k − S) P(D = k), built from the top down
    tail_total = 0.0
    tail_head = 0.0
    loss_total = 0.0
    loss_head = 0.0
    best = top
    for s in range(top, -1, -1):
        # here loss_* = E[(D − s)⁺] (counts / n)
        fill = 1.0 - (loss_total - loss_head) / n / per_period
        if fill >= target:
            best = s
        else:
            break
        tail_total += hist_total[s]
        tail_head += hist_head[s]
        loss_total += tail_total
        loss_head += tail_head
    return best


@njit
def _simulate_base_stock(
    values: np.ndarray,
    indptr: np.ndarray,
    levels: np.ndarray,
    first: int,
    measure_from: int,
    lead_time: int,
    demand: np.ndarray,
    filled: np.ndarray,
    stock: np.ndarray,
    periods: np.ndarray,
) -> None:
    """Replay the actual demand against order-up-to levels, period by period.

    From period ``first`` on, at the start of each period t: receive the order placed at
    t − L, order up to ``levels[t]`` (inventory position = net stock + on order; no
    returns when the level drops), then meet the period's demand from the stock on hand
    (complete backordering). The first level is on hand at period ``first``. From
    period ``measure_from`` on, add up the demand, the units filled from stock on hand,
    the stock on hand at the end of each period and the number of periods.
    """
    n_series = indptr.size - 1
    pipeline = np.zeros(lead_time + 1)
    for i in range(n_series):
        start, end = indptr[i], indptr[i + 1]
        for k in range(lead_time + 1):
            pipeline[k] = 0.0
        net = levels[start + first]
        on_order = 0.0
        tot_d = 0.0
        tot_f = 0.0
        tot_s = 0.0
        count = 0
        for t in range(first, end - start):
            slot = t % (lead_time + 1)
            net += pipeline[slot]
            on_order -= pipeline[slot]
            pipeline[slot] = 0.0
            if t > first:
                q = levels[start + t] - (net + on_order)
                if q > 0.0:
                    if lead_time == 0:
                        net += q
                    else:
                        pipeline[(t + lead_time) % (lead_time + 1)] += q
                        on_order += q
            y = values[start + t]
            fill = min(y, max(net, 0.0))
            net -= y
            if t >= measure_from:
                tot_d += y
                tot_f += fill
                tot_s += max(net, 0.0)
                count += 1
        demand[i] = tot_d
        filled[i] = tot_f
        stock[i] = tot_s
        periods[i] = count


@njit_parallel
def _levels_parametric(
    fitted_rate: np.ndarray,
    fitted_vmr: np.ndarray,
    indptr: np.ndarray,
    first: int,
    lead_time: int,
    target: float,
    levels: np.ndarray,
) -> None:
    """Base-stock level of every period t >= ``first`` of every series.

    ``levels[j]`` = :func:`_base_stock_parametric` of the one-step rate and VMR known
    before period j; 0 before ``first``. Series run in parallel (no random numbers: the
    result does not depend on the thread count); each allocates one work array for the
    largest search bound of its periods.
    """
    n_series = indptr.size - 1
    for i in prange(n_series):
        start, end = indptr[i], indptr[i + 1]
        top = 0
        for j in range(start + first, end):
            mean = fitted_rate[j] * (lead_time + 1)
            cap = int(mean + 15.0 * math.sqrt(max(fitted_vmr[j], 1.0) * mean) + 20.0)
            top = max(top, cap)
        work = np.empty((2, top + 1))
        for j in range(start, end):
            if j - start < first:
                levels[j] = 0.0
                continue
            rate = fitted_rate[j]
            vmr = fitted_vmr[j]
            mean = rate * (lead_time + 1)
            cap = int(mean + 15.0 * math.sqrt(max(vmr, 1.0) * mean) + 20.0)
            levels[j] = _base_stock_parametric(rate, vmr, lead_time, target, cap, work)


@njit
def _levels_empirical(
    total: np.ndarray, head: np.ndarray, target: float, levels: np.ndarray
) -> None:
    """:func:`_base_stock_empirical` for every row (task) of bootstrap draws."""
    for k in range(total.shape[0]):
        top = 0.0
        for r in range(total.shape[1]):
            top = max(top, total[k, r])
        work = np.empty((2, math.ceil(top) + 1))
        levels[k] = _base_stock_empirical(total[k], head[k], target, work)


@njit
def _resampled_ratios(
    counts: np.ndarray, demand: np.ndarray, filled: np.ndarray, out: np.ndarray
) -> None:
    """Σ_i c_bi filled_i / Σ_i c_bi demand_i for every bootstrap resample b (NaN where the
    resample has no demand); a fixed summation order, whatever the thread count."""
    for b in range(counts.shape[0]):
        d = 0.0
        f = 0.0
        for i in range(counts.shape[1]):
            c = counts[b, i]
            if c != 0.0:
                d += c * demand[i]
                f += c * filled[i]
        out[b] = f / d if d > 0.0 else np.nan
