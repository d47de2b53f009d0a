"""Single-location results under Poisson demand and one-for-one replenishment.

Palm's theorem (Palm 1938; Sherbrooke 2004, *Optimal Inventory Modeling of Systems*,
2nd ed., §2.3): with Poisson demand of rate lambda and independent resupply times of mean
T, the number of units in resupply X is Poisson with mean m = lambda T, whatever the
resupply-time distribution. With base stock S (the (S-1, S) policy):

- expected backorders  EBO(S) = E[(X - S)^+] = m - S + sum_{x<S} (S - x) p(x);
- fill rate            FR(S)  = P(X <= S - 1)  (fraction of demand filled from stock);
- on hand              OH(S)  = S - m + EBO(S).

With lost sales (a stock-out is served elsewhere: emergency or lateral supply), the
units out are an M/G/S/S loss system and the fraction of demand that finds no stock is
the Erlang loss formula B(S, m) (insensitive to the resupply distribution).

All functions are numba kernels on scalars (float64 mean, int64 stock).
"""

from __future__ import annotations

import math

from spareplan._numba import njit


@njit
def poisson_pmf(x: int, mean: float) -> float:
    """P(X = x) for X ~ Poisson(mean)."""
    if x < 0:
        return 0.0
    if mean <= 0.0:
        return 1.0 if x == 0 else 0.0
    return math.exp(x * math.log(mean) - mean - math.lgamma(x + 1.0))


@njit
def poisson_cdf(x: int, mean: float) -> float:
    """P(X <= x) for X ~ Poisson(mean), by summing the pmf recursively."""
    if x < 0:
        return 0.0
    if mean <= 0.0:
        return 1.0
    term = math.exp(-mean)
    total = term
    for k in range(1, x + 1):
        term *= mean / k
        total += term
    return min(total, 1.0)


@njit
def expected_backorders(stock: int, mean: float) -> float:
    """EBO(S) = E[(X - S)^+] for X ~ Poisson(mean) (Sherbrooke 2004, eq. 2.6)."""
    if mean <= 0.0:
        return 0.0
    # EBO(S) = m - S + sum_{x=0}^{S-1} (S - x) p(x)
    term = math.exp(-mean)
    total = 0.0
    for x in range(stock):
        total += (stock - x) * term
        term *= mean / (x + 1)
    return max(mean - stock + total, 0.0)


@njit
def fill_rate(stock: int, mean: float) -> float:
    """FR(S) = P(X <= S - 1): fraction of Poisson demand filled from stock on arrival."""
    return poisson_cdf(stock - 1, mean)


@njit
def erlang_loss(stock: int, mean: float) -> float:
    """Erlang loss B(S, m): fraction of demand finding no stock in a lost-sales system.

    Computed by the stable recursion B(0) = 1, B(k) = m B(k-1) / (k + m B(k-1)).
    """
    if mean <= 0.0:
        return 0.0 if stock > 0 else 1.0
    b = 1.0
    for k in range(1, stock + 1):
        b = mean * b / (k + mean * b)
    return b


@njit
def fill_rate_within(stock: int, rate_per_day: float, lead_time_days: float,
                     window_days: float) -> float:
    """Fraction of demand filled within ``window_days`` at one location (backordering).

    With Poisson demand and a deterministic resupply time T, a demand at time t is filled
    within w iff fewer than S of the demands in (t - T + w, t] are ahead of it, so
    P = P(Poisson(lambda (T - w)) <= S - 1) for w < T, and 1 for w >= T (Caggiano,
    Jackson, Muckstadt & Rappold 2007, single-location case).
    """
    if window_days >= lead_time_days:
        return 1.0
    return poisson_cdf(stock - 1, rate_per_day * (lead_time_days - window_days))
