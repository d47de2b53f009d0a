"""The planner's column sources: a part's stock vectors, evaluated and priced.

:class:`StockVectorSource` is the :class:`solvers.ColumnSource` of a
:class:`~spareplan.planning.model.PlanningModel`: a group is a part, a payload its stock
vector over the locations, a column its yearly cost and its contribution to every SLA and
capacity row (:meth:`PlanningModel.column` in batch). Pricing at row duals pi minimizes a
part's Lagrangian value

    c(S) - pi_sla . a(S) + u . S   (u: the capacity rows' unit prices)

(under the service goal w h(S) - (pi_sla - g) . a(S) + u . S with the tie-break weight w
on the holding cost h and the shortfall weights g: :meth:`PlanningModel.pricing_duals`,
the columns' objective :meth:`PlanningModel.objective`)

- by the exact tree dynamic program (:meth:`ServiceModel.price_many`) when the stock-out
  rule is not lateral: every pricing gives the Lagrangian bound, valid for all stock
  vectors;
- under the lateral rule (FSLs interact through lateral supply, so the tree DP does not
  apply) by enumerating every stock vector of a part whose box holds at most
  :data:`LATERAL_ENUMERATION_LIMIT` of them, else by a coordinate search (+-1 unit per
  location) from the part's last priced vector. The bound is reported only when every
  part was enumerated; otherwise the plan says "no bound".

Availability rows (Sherbrooke's product form) are not linear in a part's waits: a part's
coefficient a(EBO) = -Z log(1 - EBO / Q) is convex in its expected backorders EBO, which
are linear in the waits. Pricing replaces it by its tangent at the part's *tangent point*
(:meth:`PlanningModel.availability_tangent`): the expected backorders of the part's last
priced vector, 0 before its first pricing (the tangent at 0 is the additive uptime's
EBO / N). The tangent is linear in the waits, so the tree DP prices it exactly; it lies
below a, and a row of ``<=`` form has a dual pi <= 0, so the tangent problem's value
c(S) - pi . a~(S) is at most the true reduced cost of every S: its minimum, not the true
reduced cost of its minimizer, is what the Lagrangian bound sums
(:attr:`solvers.Priced.lower_values`). The bound stays valid for every stock vector; it
is weaker than the exact one where the tangent point is far from the optimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

import solvers
from spareplan.cluster.executor import map_chunks
from spareplan.evaluation.service import ServiceModel
from spareplan.planning.exhaustive import box_vectors
from spareplan.planning.model import Column, PlanningModel

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["LATERAL_ENUMERATION_LIMIT", "StockVectorSource"]

#: Under the lateral rule a part is priced by enumerating its stock vectors when its box
#: holds at most this many (exact for that part), else by coordinate search.
LATERAL_ENUMERATION_LIMIT = 4096


#: Parts per pricing task on a cluster (the exact tree DP; no sum across parts).
PRICING_TASK_PARTS = 64


def _price_chunk(groups: np.ndarray, weight_within: np.ndarray, weight_wait: np.ndarray,
                 unit_price: np.ndarray | None, stock_cap: np.ndarray | None,
                 service: ServiceModel, holding_weight: float, shipping_weight: float
                 ) -> np.ndarray:
    """The exact pricing of a chunk of parts (run on a worker): their minimizers."""
    stock, _ = service.price_many(groups, weight_within, weight_wait, unit_price, stock_cap,
                                  holding_weight=holding_weight,
                                  shipping_weight=shipping_weight)
    return stock


def _box_size(lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.prod((hi - lo + 1).astype(float)))


class StockVectorSource:
    """A planning model's parts as the groups of :func:`solvers.column_generation`.

    Parameters
    ----------
    model : PlanningModel
    client : dask.distributed.Client, optional
        Where the per-part work runs: the exact pricing (tasks of
        :data:`PRICING_TASK_PARTS` parts) and the simulated columns of
        :class:`~spareplan.planning.simulated.SimulatedSource`; ``None``: this process.
    """

    def __init__(self, model: PlanningModel, client: Client | None = None) -> None:
        self.model = model
        self.client = client
        self.n_sla = len(model.row_names)
        self._last: dict[int, np.ndarray] = {}
        #: EBO0 (P, V): each part's tangent point in every availability row.
        self._tangent_backorders = np.zeros(model.availability_positions.shape)

    # ------------------------------------------------------------------ the protocol
    @property
    def n_groups(self) -> int:
        return self.model.n_parts

    @property
    def width(self) -> int:
        return self.model.network.n_locations

    @property
    def exact(self) -> bool:
        """True when pricing is the exact tree dynamic program."""
        return self.model.service.exact_pricing

    def bounds(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.model.service.bounds_many(groups)

    def evaluate(self, groups: np.ndarray, payloads: np.ndarray) -> solvers.Evaluation:
        """Cost and row coefficients of stock vectors (SLA rows, then capacity rows); the
        :class:`Column` of each is kept as its detail."""
        model = self.model
        services = model.service.evaluate_many(groups, payloads)
        within = np.vstack([s.within for s in services])
        wait = np.vstack([s.wait_hours for s in services])
        coefficients = model.coefficients(groups, within, wait)
        details = [Column(int(groups[k]), service.stock, service.cost,
                          coefficients[k].copy(), service)
                   for k, service in enumerate(services)]
        if model.n_capacity_rows:
            coefficients = np.hstack([coefficients,
                                      model.capacity_coefficients(groups, payloads)])
        cost = model.objective(groups, np.array([s.holding_cost for s in services]),
                               np.array([s.shipping_cost for s in services]),
                               coefficients[:, :self.n_sla])
        return solvers.Evaluation(cost=cost, coefficients=coefficients, details=details)

    def price(self, groups: np.ndarray, row_duals: np.ndarray) -> solvers.Priced:
        if self.exact:
            priced = solvers.Priced(self._price_exact(groups, row_duals), exact=True)
        else:
            priced = self._price_lateral(groups, row_duals)
        if not self.model.availability_rows.size:
            return priced
        return solvers.Priced(priced.payloads, exact=priced.exact,
                              lower_values=self._tangent_values(groups, priced.payloads,
                                                                row_duals))

    def _tangent_values(self, groups: np.ndarray, payloads: np.ndarray,
                        row_duals: np.ndarray) -> np.ndarray:
        """The tangent problem's value c(S) - pi . a~(S) at the priced vectors (its
        minimum when pricing was exact; see the module docstring), a~ the availability
        rows' tangents at the parts' tangent points; then the tangent points move to the
        priced vectors."""
        model = self.model
        services = model.service.evaluate_many(groups, payloads)
        within = np.vstack([s.within for s in services])
        wait = np.vstack([s.wait_hours for s in services])
        coefficients = model.coefficients(groups, within, wait)
        _, wait_model = model.site_terms(groups, within, wait)
        backorders = model.backorders(groups, wait_model)
        start = self._tangent_backorders[groups]
        value, slope = model.availability_tangent(groups, start)
        coefficients[:, model.availability_rows] = value + slope * (backorders - start)
        cost = model.objective(groups, np.array([s.holding_cost for s in services]),
                               np.array([s.shipping_cost for s in services]), coefficients)
        if model.n_capacity_rows:
            coefficients = np.hstack([coefficients,
                                      model.capacity_coefficients(groups, payloads)])
        self._tangent_backorders[groups] = backorders
        return cost - coefficients @ row_duals[:coefficients.shape[1]]

    def option_facilities(self, payloads: np.ndarray) -> sp.csc_array:
        return self.model.option_facilities(payloads)

    def facility_variants(self, groups: np.ndarray, payloads: np.ndarray,
                          row_duals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns that let the MILP close a location with a fixed cost: the LP columns
        with the stock at one facility location set to 0 (and at all of them), and the
        exact best column of every part with one facility (and with all) closed — a
        heuristic set, not priced with the linking duals; (F + 1) pricing calls."""
        model = self.model
        at_facility = payloads[:, model.facility_location] > 0
        rows, which = np.nonzero(at_facility)
        one_closed = payloads[rows].copy()
        one_closed[np.arange(rows.shape[0]), model.facility_location[which]] = 0
        any_open = at_facility.any(axis=1)
        all_closed = payloads[any_open].copy()
        all_closed[:, model.facility_location] = 0
        new_groups = [groups[rows], groups[any_open]]
        new_payloads = [one_closed, all_closed]
        if self.exact:
            closings = [[int(loc)] for loc in model.facility_location]
            if model.n_facilities > 1:
                closings.append([int(loc) for loc in model.facility_location])
            every = np.arange(model.n_parts, dtype=np.int64)
            for closed in closings:
                cap = np.full(model.network.n_locations, np.iinfo(np.int64).max // 2,
                              dtype=np.int64)
                cap[closed] = 0
                new_groups.append(every)
                new_payloads.append(self._price_exact(every, row_duals, cap))
        return np.concatenate(new_groups), np.vstack(new_payloads)

    # ------------------------------------------------------------------ pricing
    def _weights(self, groups: np.ndarray, row_duals: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Per-part site prices of ``within`` and ``wait`` and the capacity unit prices
        (:meth:`PlanningModel.site_weights`, :meth:`PlanningModel.capacity_unit_prices`)."""
        model = self.model
        sla = model.pricing_duals(row_duals[:self.n_sla])
        rate = model.parts.demand_rate[groups]
        weight_within = rate * np.asarray(model.fill_map @ sla)[None, :]
        weight_wait = rate * (-np.asarray(model.uptime_map @ sla))[None, :]
        if model.availability_rows.size:  # the tangents' slopes, per part (module doc)
            _, slope = model.availability_tangent(groups, self._tangent_backorders[groups])
            per_backorder = -sla[model.availability_rows][None, :] * slope  # (K, V) >= 0
            site_map = model.availability_map[:, model.availability_rows]  # (N, V)
            weight_wait = weight_wait + rate * np.asarray(site_map @ per_backorder.T).T
        # Capacity rows are <= rows: pi_r <= 0, the price of a unit is -pi_r w / limit.
        unit_price = (model.capacity_unit_prices(-row_duals[self.n_sla:])[groups]
                      if model.n_capacity_rows else None)
        if model.correction is not None:
            weight_within, weight_wait = model.correction.scale_weights(
                groups, weight_within, weight_wait)
        return weight_within, weight_wait, unit_price

    def _price_exact(self, groups: np.ndarray, row_duals: np.ndarray,
                     stock_cap: np.ndarray | None = None) -> np.ndarray:
        weight_within, weight_wait, unit_price = self._weights(groups, row_duals)
        cap = None if stock_cap is None else np.broadcast_to(
            stock_cap, (groups.shape[0], self.model.network.n_locations))
        if self.client is None:
            stock, _ = self.model.service.price_many(groups, weight_within, weight_wait,
                                                     unit_price, cap,
                                                     **self.model.cost_weights())
            return stock
        # every part's DP is its own: tasks of parts on the workers, the same minimizers
        spans = [slice(start, start + PRICING_TASK_PARTS)
                 for start in range(0, groups.shape[0], PRICING_TASK_PARTS)]
        chunks = [(groups[c], weight_within[c], weight_wait[c],
                   None if unit_price is None else unit_price[c],
                   None if cap is None else np.ascontiguousarray(cap[c])) for c in spans]
        weights = self.model.cost_weights()
        shared = (self.model.service, weights["holding_weight"], weights["shipping_weight"])
        parts = list(map_chunks(_price_chunk, chunks, shared, self.client))
        return (np.vstack(parts) if parts
                else np.empty((0, self.model.network.n_locations), dtype=np.int64))

    def _price_lateral(self, groups: np.ndarray, row_duals: np.ndarray) -> solvers.Priced:
        """Enumeration of small boxes (exact), coordinate search otherwise."""
        model = self.model
        weight_within, weight_wait, unit_price = self._weights(groups, row_duals)
        lo, hi = self.bounds(groups)
        out = np.empty_like(lo)
        exact = True
        for k, part in enumerate(groups):
            price = None if unit_price is None else unit_price[k]
            if _box_size(lo[k], hi[k]) <= LATERAL_ENUMERATION_LIMIT:
                out[k] = self._enumerate(int(part), lo[k], hi[k], weight_within[k],
                                         weight_wait[k], price)
            else:
                exact = False
                out[k], _ = model.service.price(int(part), weight_within[k], weight_wait[k],
                                                start=self._last.get(int(part)),
                                                unit_price=price,
                                                **model.cost_weights())
            self._last[int(part)] = out[k]
        return solvers.Priced(out, exact=exact)

    def _enumerate(self, part: int, lo: np.ndarray, hi: np.ndarray, weight_within: np.ndarray,
                   weight_wait: np.ndarray, unit_price: np.ndarray | None) -> np.ndarray:
        """The stock vector of least Lagrangian value among every vector of the box."""
        stock = box_vectors(lo, hi)
        services = self.model.service.evaluate_many(np.full(len(stock), part), stock)
        values = np.array([self.model.service.lagrangian_value(
            part, s, weight_within, weight_wait, unit_price,
            **self.model.cost_weights()) for s in services])
        return stock[int(np.argmin(values))]

