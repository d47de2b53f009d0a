"""Shared check of the exact pricing dynamic program against brute force on ``tiny``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from spareplan.planning.model import PlanningModel

#: Every stock vector of tiny's three locations with 0-3 units each.
TINY_LEVELS = [np.array(s, dtype=np.int64) for s in itertools.product(range(4), repeat=3)]


def assert_pricing_is_exact(model: PlanningModel, duals: np.ndarray,
                            unit_price: np.ndarray | None = None) -> np.ndarray:
    """Assert that :meth:`ServiceModel.price_many` attains, for every part, the minimum
    Lagrangian value over all 64 stock vectors at row ``duals`` (and the per-part unit
    prices ``unit_price``, (P, L)). Returns the minimizers, (P, L)."""
    service = model.service
    found_stock = []
    for p in range(model.n_parts):
        w, v = model.site_weights(duals, p)
        price = None if unit_price is None else unit_price[p]
        stock, _ = service.price_many(np.array([p]), w[None, :], v[None, :],
                                      None if price is None else price[None, :])
        values = [service.lagrangian_value(p, service.evaluate(p, s), w, v, price)
                  for s in TINY_LEVELS]
        found = service.lagrangian_value(p, service.evaluate(p, stock[0]), w, v, price)
        assert found == pytest.approx(min(values), rel=1e-9, abs=1e-9)
        found_stock.append(stock[0])
    return np.vstack(found_stock)
