"""Service of a part's stock vector, per site, from the analytic METRIC-type model.

:class:`ServiceModel` packs a compiled :class:`~spareplan.network.Network` into the
arrays the kernels of :mod:`spareplan.evaluation.metric` read, and answers two questions
per part: what service and cost does a stock vector give (``evaluate``), and which stock
vector minimizes a Lagrangian price (``price``, used by column generation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spareplan.evaluation.metric import (
    evaluate_stock,
    evaluate_stocks,
    price_part_exact,
    price_parts_exact,
)
from spareplan.network import LATERAL, Network, PartArrays, lateral_candidates


@dataclass(frozen=True)
class PartService:
    """Analytic service of one part's stock vector.

    Attributes
    ----------
    stock : int64 (L,)
    within : float64 (N,)
        Fraction of the site's requests filled within its SLA window.
    wait_hours : float64 (N,)
        Expected wait for the part per request (hours), response time included.
    fill : float64 (L,)
        Fill rate (backordering locations) or availability (lost-sales FSLs).
    holding_cost, emergency_per_year, lateral_per_year, shipping_cost : float
    """

    stock: np.ndarray
    within: np.ndarray
    wait_hours: np.ndarray
    fill: np.ndarray
    holding_cost: float
    emergency_per_year: float
    lateral_per_year: float
    shipping_cost: float

    @property
    def cost(self) -> float:
        """Yearly cost: holding + emergency and lateral shipments."""
        return self.holding_cost + self.shipping_cost


def _csr(groups: np.ndarray, n_groups: int, order_key: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray]:
    """CSR (pointer, index) of the items of each group; items sorted by ``order_key``."""
    items = np.arange(groups.shape[0], dtype=np.int64)
    key = (groups,) if order_key is None else (order_key, groups)
    order = np.lexsort(key)
    pointer = np.zeros(n_groups + 1, dtype=np.int64)
    np.add.at(pointer, groups + 1, 1)
    return np.cumsum(pointer), items[order]


class ServiceModel:
    """The analytic service model of a scenario's network.

    Parameters
    ----------
    network : Network
    parts : PartArrays
    site_window_hours : float64 (N,)
        SLA time window of each site's fill-rate commitment (``nan`` when none).
    """

    def __init__(self, network: Network, parts: PartArrays, site_window_hours: np.ndarray
                 ) -> None:
        self.network = network
        self.parts = parts
        self.site_window_hours = np.asarray(site_window_hours, dtype=np.float64)
        n_loc = network.n_locations
        parent = network.parent
        self._children_count = np.bincount(parent[parent >= 0], minlength=n_loc)
        self.is_leaf = self._children_count == 0
        child_groups = parent[parent >= 0]
        child_items = np.flatnonzero(parent >= 0)
        pointer = np.zeros(n_loc + 1, dtype=np.int64)
        np.add.at(pointer, child_groups + 1, 1)
        self.child_ptr = np.cumsum(pointer)
        self.child_idx = child_items[np.argsort(child_groups, kind="stable")].astype(np.int64)
        self.loc_site_ptr, self.loc_site_idx = _csr(network.site_primary, n_loc)
        self.lateral_ptr, self.lateral_idx = lateral_candidates(network)
        self.root_days = parts.root_resupply_days()
        self.depth_ok = bool(network.depth.max() <= 2)

    def support(self, part: int) -> np.ndarray:
        """Boolean (L,): locations where stock of ``part`` can matter.

        A location matters when demand reaches it (its subtree has demand) or, under the
        lateral rule, when it is a lateral source for a site with demand.
        """
        return self._reach_matrix()[self.parts.demand_rate[part] > 0].any(axis=0)

    def _reach_matrix(self) -> np.ndarray:
        """Boolean (N, L): location l matters for site s (an ancestor of its primary, or a
        lateral source under the lateral rule); cached."""
        cached = getattr(self, "_reach", None)
        if cached is not None:
            return cached
        net = self.network
        reach = np.zeros((net.n_sites, net.n_locations), dtype=bool)
        for s in range(net.n_sites):
            a = net.site_primary[s]
            while a >= 0:
                reach[s, a] = True
                a = net.parent[a]
            if net.stockout_rule == LATERAL:
                reach[s, self.lateral_idx[self.lateral_ptr[s]:self.lateral_ptr[s + 1]]] = True
        self._reach = reach
        return reach

    def bounds_many(self, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`bounds` of many parts at once: int64 (K, L) lowest and highest stock."""
        parts = np.asarray(parts, dtype=np.int64)
        demand = (self.parts.demand_rate[parts] > 0).astype(np.float64)
        inside = (demand @ self._reach_matrix().astype(np.float64)) > 0
        low = self.parts.min_stock[parts][:, None]
        high = self.parts.max_stock[parts][:, None]
        lo = np.where(inside, low, 0).astype(np.int64)
        hi = np.where(inside, np.maximum(high, lo), 0).astype(np.int64)
        return lo, hi

    @property
    def exact_pricing(self) -> bool:
        """True when :meth:`price` is the exact tree dynamic program (rule not lateral,
        at most three levels)."""
        return self.network.stockout_rule != LATERAL and self.depth_ok

    def price_many(self, parts: np.ndarray, weight_within: np.ndarray,
                   weight_wait: np.ndarray, unit_price: np.ndarray | None = None,
                   stock_cap: np.ndarray | None = None, *, holding_weight: float = 1.0,
                   shipping_weight: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Exact Lagrangian pricing of many parts in one parallel kernel call.

        Parameters
        ----------
        parts : int (K,)
        weight_within, weight_wait : float64 (K, N)
            Per-part site prices (see :meth:`PlanningModel.site_weights`).
        unit_price : float64 (K, L), optional
            Extra price per unit stocked at each location (capacity-row duals, see
            :meth:`PlanningModel.capacity_unit_prices`); zeros when omitted.
        stock_cap : int (K, L) or (L,), optional
            Most stock searched per location (e.g. 0 at a closed location), on top of
            :meth:`bounds_many`.
        holding_weight, shipping_weight : float
            Weights of the yearly holding cost and of the emergency shipments' cost in the
            value.

        Returns
        -------
        stock : int64 (K, L), value : float64 (K,)
            Minimizer and minimum of the weighted cost - w . within + v . wait + u . S
            for each part
            (:func:`~spareplan.evaluation.metric.price_parts_exact`). Requires
            :attr:`exact_pricing`.
        """
        if not self.exact_pricing:
            raise ValueError("price_many needs the exact pricer (rule not lateral, depth <= 2)")
        net = self.network
        parts = np.ascontiguousarray(parts, dtype=np.int64)
        lo, hi = self.bounds_many(parts)
        if stock_cap is not None:
            hi = np.minimum(hi, np.asarray(stock_cap, dtype=np.int64))
            lo = np.minimum(lo, hi)
        stock = np.empty_like(lo)
        value = np.empty(parts.shape[0])
        if unit_price is None:
            unit_price = np.zeros(lo.shape)
        price_parts_exact(
            parts, lo, hi, net.parent, net.lead_time_days, net.holding_rate_per_year,
            self.is_leaf, self.child_ptr, self.child_idx, net.site_primary,
            self.loc_site_ptr, self.loc_site_idx, net.response_hours, self.site_window_hours,
            net.stockout_rule, net.emergency_response_hours,
            net.emergency_shipment_cost * shipping_weight, self.lateral_ptr,
            self.lateral_idx, self.parts.unit_cost.astype(np.float64) * holding_weight,
            self.root_days.astype(np.float64), self.parts.demand_rate,
            np.ascontiguousarray(weight_within, dtype=np.float64),
            np.ascontiguousarray(weight_wait, dtype=np.float64),
            np.ascontiguousarray(unit_price, dtype=np.float64), stock, value)
        return stock, value

    def evaluate_many(self, parts: np.ndarray, stock: np.ndarray) -> list[PartService]:
        """:meth:`evaluate` of K (part, stock vector) pairs in one parallel kernel call
        (:func:`~spareplan.evaluation.metric.evaluate_stocks`)."""
        stock = np.ascontiguousarray(stock, dtype=np.int64).reshape(
            np.shape(parts)[0], self.network.n_locations)
        within, wait, fill, costs, shipping = self.evaluate_arrays(parts, stock)
        return [PartService(stock[i], within[i], wait[i], fill[i], float(costs[i, 0]),
                            float(costs[i, 1]), float(costs[i, 2]), float(shipping[i]))
                for i in range(stock.shape[0])]

    def evaluate_arrays(self, parts: np.ndarray, stock: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`evaluate_many` as arrays, without one object per pair (for many pairs,
        e.g. every neighbour of a plan).

        Returns
        -------
        within, wait_hours : float64 (K, N)
        fill : float64 (K, L)
        costs : float64 (K, 3)
            Holding cost, emergency and lateral shipments per year.
        shipping : float64 (K,)
            Yearly cost of those shipments (:attr:`PartService.shipping_cost`).
        """
        net = self.network
        parts = np.ascontiguousarray(parts, dtype=np.int64)
        stock = np.ascontiguousarray(stock, dtype=np.int64).reshape(parts.shape[0],
                                                                    net.n_locations)
        k = parts.shape[0]
        within = np.empty((k, net.n_sites))
        wait = np.empty((k, net.n_sites))
        fill = np.empty((k, net.n_locations))
        costs = np.empty((k, 3))
        evaluate_stocks(
            parts, stock, net.parent, net.lead_time_days, net.holding_rate_per_year,
            self.is_leaf, net.site_primary, net.response_hours, self.site_window_hours,
            net.stockout_rule, net.emergency_response_hours, self.lateral_ptr,
            self.lateral_idx, self.parts.unit_cost.astype(np.float64),
            self.root_days.astype(np.float64), self.parts.demand_rate, within, wait, fill,
            costs)
        shipping = (costs[:, 1] * net.emergency_shipment_cost
                    + costs[:, 2] * net.lateral_shipment_cost)
        return within, wait, fill, costs, shipping

    def bounds(self, part: int) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest stock per location searched for ``part`` (0 outside support)."""
        lo, hi = self.bounds_many(np.array([part], dtype=np.int64))
        return lo[0], hi[0]

    def evaluate(self, part: int, stock: np.ndarray) -> PartService:
        """Analytic service and cost of ``part`` at ``stock`` (int (L,))."""
        net = self.network
        stock = np.ascontiguousarray(stock, dtype=np.int64)
        within = np.empty(net.n_sites)
        wait = np.empty(net.n_sites)
        fill = np.empty(net.n_locations)
        holding, emergency, lateral = evaluate_stock(
            stock, net.parent, net.lead_time_days, net.holding_rate_per_year, self.is_leaf,
            net.site_primary, net.response_hours, self.site_window_hours, net.stockout_rule,
            net.emergency_response_hours, self.lateral_ptr, self.lateral_idx,
            float(self.parts.unit_cost[part]), float(self.root_days[part]),
            self.parts.demand_rate[part], within, wait, fill)
        shipping = (emergency * net.emergency_shipment_cost
                    + lateral * net.lateral_shipment_cost)
        return PartService(stock, within, wait, fill, holding, emergency, lateral, shipping)

    def lagrangian_value(self, part: int, service: PartService, weight_within: np.ndarray,
                         weight_wait: np.ndarray, unit_price: np.ndarray | None = None,
                         *, holding_weight: float = 1.0, shipping_weight: float = 1.0
                         ) -> float:
        """holding_weight holding + shipping_weight shipping - sum_s weight_within_s
        within_s + sum_s weight_wait_s wait_s + sum_l unit_price_l S_l (the last term only
        when ``unit_price`` is given)."""
        value = float(holding_weight * service.holding_cost
                      + shipping_weight * service.shipping_cost
                      - weight_within @ service.within
                      + weight_wait @ service.wait_hours)
        if unit_price is not None:
            value += float(unit_price @ service.stock)
        return value

    def price(self, part: int, weight_within: np.ndarray, weight_wait: np.ndarray,
              start: np.ndarray | None = None, unit_price: np.ndarray | None = None,
              *, holding_weight: float = 1.0, shipping_weight: float = 1.0
              ) -> tuple[np.ndarray, bool]:
        """Stock vector minimizing the Lagrangian value for ``part``.

        ``unit_price`` float64 (L,), optional, prices each unit stocked per location
        (capacity-row duals), and ``holding_weight``, ``shipping_weight`` weigh the costs, as in
        :meth:`price_many`.

        Returns ``(stock, exact)``: exact dynamic program over the tree when the rule is
        not lateral (see :func:`~spareplan.evaluation.metric.price_part_exact`), else a
        coordinate search (+-1 unit per location) from ``start``; ``exact`` says which.
        """
        net = self.network
        lo, hi = self.bounds(part)
        price = (np.zeros(net.n_locations) if unit_price is None
                 else np.ascontiguousarray(unit_price, dtype=np.float64))
        if net.stockout_rule != LATERAL and self.depth_ok:
            stock = np.empty(net.n_locations, dtype=np.int64)
            price_part_exact(
                lo, hi, net.parent, net.lead_time_days, net.holding_rate_per_year,
                self.is_leaf, self.child_ptr, self.child_idx, net.site_primary,
                self.loc_site_ptr, self.loc_site_idx, net.response_hours,
                self.site_window_hours, net.stockout_rule, net.emergency_response_hours,
                net.emergency_shipment_cost * shipping_weight, self.lateral_ptr,
                self.lateral_idx, float(self.parts.unit_cost[part]) * holding_weight,
                float(self.root_days[part]),
                self.parts.demand_rate[part], weight_within, weight_wait, price, stock)
            return stock, True
        return self._coordinate_search(part, lo, hi, weight_within, weight_wait, start,
                                       price, (holding_weight, shipping_weight)), False

    def _coordinate_search(self, part: int, lo: np.ndarray, hi: np.ndarray,
                           weight_within: np.ndarray, weight_wait: np.ndarray,
                           start: np.ndarray | None, unit_price: np.ndarray,
                           weights: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
        stock = lo.copy() if start is None else np.clip(start, lo, hi).astype(np.int64)
        best = self.lagrangian_value(part, self.evaluate(part, stock), weight_within,
                                     weight_wait, unit_price, holding_weight=weights[0],
                                     shipping_weight=weights[1])
        free = np.flatnonzero(hi > lo)
        improved = True
        while improved:
            improved = False
            best_move: tuple[int, int] | None = None
            for loc in free:
                for step in (1, -1):
                    level = stock[loc] + step
                    if level < lo[loc] or level > hi[loc]:
                        continue
                    trial = stock.copy()
                    trial[loc] = level
                    value = self.lagrangian_value(part, self.evaluate(part, trial),
                                                  weight_within, weight_wait, unit_price,
                                                  holding_weight=weights[0],
                                                  shipping_weight=weights[1])
                    if value < best - 1e-9:
                        best, best_move = value, (int(loc), step)
            if best_move is not None:
                stock[best_move[0]] += best_move[1]
                improved = True
        return stock
