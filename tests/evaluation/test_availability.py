"""Sherbrooke's product-form availability: closed forms, the guard and the tangent.

No published numeric table of the product form was found to cite (searched: Sherbrooke
2004 ch. 2/5 excerpts, METRIC 1968, van Houtum & Kranenburg 2015; the R package xmetric,
which implements Sherbrooke 2004, has EBO and METRIC but no availability example), so
these tests check the formula against its own closed forms:

- A = prod_i (1 - EBO_i / (N Z_i))^Z_i, written out by hand (Sherbrooke 2004, the fleet
  availability as a product over items of the probability that none of a machine's Z_i
  positions of item i is a hole);
- with Z_i = 1 it is prod_i (1 - EBO_i / N);
- it is at least the additive 1 - sum_i EBO_i / N (Weierstrass product inequality,
  Z_i >= 1), and agrees with it to first order;
- the guard is continuous, convex and finite; the tangent lies below the function.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spareplan.evaluation.availability import (
    GUARD_FRACTION,
    log_unavailability,
    product_form_availability,
    tangent_slope,
)


def test_product_form_written_out() -> None:
    ebo = np.array([0.3, 0.05, 1.2])
    units = np.array([1.0, 2.0, 4.0])  # Z_i
    machines = 10.0
    expected = ((1 - 0.3 / 10) ** 1 * (1 - 0.05 / 20) ** 2 * (1 - 1.2 / 40) ** 4)
    assert product_form_availability(ebo, machines * units, machines) == pytest.approx(
        expected, rel=1e-14)


def test_one_unit_per_machine_is_the_product_of_one_minus_ebo_over_n() -> None:
    ebo = np.array([0.1, 0.4, 0.25])
    assert product_form_availability(ebo, np.full(3, 5.0), 5.0) == pytest.approx(
        np.prod(1 - ebo / 5.0), rel=1e-14)


@given(st.lists(st.floats(0.0, 3.0), min_size=1, max_size=6),
       st.lists(st.integers(1, 6), min_size=6, max_size=6), st.integers(4, 50))
def test_product_form_is_at_least_the_additive_uptime(ebo, units, machines) -> None:
    ebo = np.array(ebo)
    z = np.array(units[:len(ebo)], dtype=float)
    x = ebo / (machines * z)
    if np.any(x > GUARD_FRACTION):
        return
    product = float(product_form_availability(ebo, machines * z, float(machines)))
    additive = 1.0 - ebo.sum() / machines
    assert product >= additive - 1e-12
    assert product <= 1.0
    # second order: the gap is at most (sum EBO / N)^2 / 2 / (1 - max x)
    assert product - additive <= (ebo.sum() / machines) ** 2 / (2 * (1 - x.max())) + 1e-12


def test_guard_is_continuous_convex_and_finite() -> None:
    x = np.linspace(0.0, 3.0, 3001)
    a = log_unavailability(x * 8.0, np.full_like(x, 8.0), 4.0)  # Z = 2
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0
    below = x <= GUARD_FRACTION
    assert np.allclose(a[below], -2.0 * np.log1p(-x[below]))
    steps = np.diff(a)
    assert np.all(np.diff(steps) >= -1e-9)  # convex
    k = int(np.searchsorted(x, GUARD_FRACTION))  # continuous at the guard
    assert abs(a[k + 1] - a[k]) < 0.02 * 2.0 / (1 - GUARD_FRACTION)


@given(st.floats(0.0, 2.5), st.floats(0.0, 2.5), st.integers(1, 5), st.integers(1, 40))
def test_tangent_lies_below(x, x0, units, machines) -> None:
    positions = float(units * machines)
    value0 = float(log_unavailability(np.array(x0 * positions), np.array(positions),
                                      machines))
    slope = float(tangent_slope(np.array(x0), machines))
    value = float(log_unavailability(np.array(x * positions), np.array(positions),
                                     machines))
    assert value >= value0 + slope * (x - x0) * positions - 1e-9 * (1 + abs(value))


def test_tangent_at_no_backorders_is_the_uptime_weight() -> None:
    assert float(tangent_slope(np.array(0.0), 7.0)) == pytest.approx(1 / 7)
