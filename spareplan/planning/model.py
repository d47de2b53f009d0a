"""The planning model: SLA rows as linear rows over per-part columns (stock vectors).

A column is one stock vector of one part over all locations, with its yearly cost
(holding + emergency and lateral shipments) and its contribution to every SLA row:

- fill-rate row r:  a_r = sum_{s in r} lambda_s within_s / D_r with D_r the row's total
  demand over all parts, so the row reads  sum_parts a_r >= target;
- uptime row r:     a_r = sum_{s in r} lambda_s (repair_r + wait_s) / (8760 M_r) with M_r
  the row's machines, so the row reads  sum_parts a_r <= 1 - target.

Rows are O(1) by construction. Rows without demand are kept out of the optimization
(nothing to promise) and reported as such.

Capacity rows follow the SLA rows in the optimization problem (not in ``rows``, which
stays the SLA rows that plans report): for every location l with a finite
``capacity_units`` C_l,

- capacity row l:  sum_parts S_pl / C_l <= 1  (units, scaled to O(1)).

A column's capacity coefficients are its stock at the capacity locations over C_l
(:meth:`PlanningModel.capacity_coefficients`); a row's dual pi_l <= 0 prices every unit
stocked at l at -pi_l / C_l in the pricing dynamic program
(:meth:`PlanningModel.capacity_unit_prices`), so pricing and the Lagrangian bound stay
exact. Volume capacity is not modelled: the locations table has no volume capacity.

Facility decisions: every location with ``fixed_cost_per_year`` F_l > 0 gets a binary
"open" variable y_l of the problem in :mod:`solvers` (``facility_cost`` /
``option_facilities``): a column that stocks a unit at l needs l open, and the plan pays
F_l for every open location (:meth:`PlanningModel.option_facilities`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from spareplan.evaluation.service import PartService, ServiceModel
from spareplan.network import HOURS_PER_YEAR, Network, PartArrays, compile_network
from spareplan.scenario.model import Scenario
from spareplan.sla import FILL_RATE, SlaRow, sla_rows


@dataclass(frozen=True)
class Column:
    """One candidate: a part's stock vector, its cost and its row contributions."""

    part: int
    stock: np.ndarray
    cost: float
    coefficients: np.ndarray
    service: PartService


class PlanningModel:
    """Rows, columns and prices of a scenario (built once, used by every planner)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.network: Network
        self.parts: PartArrays
        self.network, self.parts = compile_network(scenario)
        net = self.network
        self.all_rows: list[SlaRow] = sla_rows(scenario.document, net)
        total_rate = self.parts.demand_rate.sum(axis=0)
        window = np.full(net.n_sites, np.nan)
        repair = np.zeros(net.n_sites)
        for row in self.all_rows:
            if row.kind == FILL_RATE:
                window[row.sites] = row.window_hours
            else:
                repair[row.sites] = row.repair_hours
        self.site_repair_hours = repair
        self.service = ServiceModel(net, self.parts, window)
        self.row_demand = np.array([total_rate[r.sites].sum() for r in self.all_rows])
        self.row_machines = np.array([net.machines[r.sites].sum() for r in self.all_rows])
        active = [i for i, r in enumerate(self.all_rows) if self.row_demand[i] > 0]
        self.active = np.array(active, dtype=np.int64)
        self.rows: list[SlaRow] = [self.all_rows[i] for i in active]
        n_rows = len(self.rows)
        fill_map = sp.lil_array((net.n_sites, n_rows))
        up_map = sp.lil_array((net.n_sites, n_rows))
        for k, i in enumerate(active):
            row = self.all_rows[i]
            if row.kind == FILL_RATE:
                fill_map[row.sites, k] = 1.0 / self.row_demand[i]
            else:
                up_map[row.sites, k] = 1.0 / (HOURS_PER_YEAR * self.row_machines[i])
        self.fill_map = sp.csr_array(fill_map)
        self.uptime_map = sp.csr_array(up_map)
        self.is_fill_row = np.array([r.kind == FILL_RATE for r in self.rows], dtype=bool)
        targets = np.array([r.target for r in self.rows])
        self.row_lower = np.where(self.is_fill_row, targets, -np.inf)
        self.row_upper = np.where(self.is_fill_row, np.inf, 1.0 - targets)
        self.row_names = tuple(r.name for r in self.rows)
        capacity = np.asarray(net.capacity_units, dtype=np.float64)
        #: Locations with a capacity row, int64 (C,), and their capacity C_l in units.
        self.capacity_location = np.flatnonzero(np.isfinite(capacity)).astype(np.int64)
        self.capacity_units = capacity[self.capacity_location]
        positive = self.capacity_units > 0
        #: Row scale 1 / C_l (1 for a zero capacity, whose row reads sum S <= 0).
        self.capacity_scale = np.where(positive, 1.0 / np.where(positive,
                                                                self.capacity_units, 1.0), 1.0)
        self.capacity_upper = np.where(positive, 1.0, 0.0)
        fixed = np.asarray(net.fixed_cost_per_year, dtype=np.float64)
        #: Locations with an open/close decision (F_l > 0), int64 (F,), and F_l per year.
        self.facility_location = np.flatnonzero(fixed > 0).astype(np.int64)
        self.facility_cost = fixed[self.facility_location]
        self.capacity_names = tuple(f"capacity_units[{net.location_ids[loc]}]"
                                    for loc in self.capacity_location)

    def with_target_offsets(self, offsets: np.ndarray) -> PlanningModel:
        """A copy whose active rows ask ``offsets`` more service than their targets
        (fill rate + offset; availability + offset). Columns stay valid."""
        tightened = copy.copy(self)
        targets = np.array([r.target for r in self.rows]) + np.asarray(offsets, dtype=float)
        tightened.row_lower = np.where(self.is_fill_row, targets, -np.inf)
        tightened.row_upper = np.where(self.is_fill_row, np.inf, 1.0 - targets)
        return tightened

    @property
    def n_parts(self) -> int:
        return self.parts.n_parts

    @property
    def n_capacity_rows(self) -> int:
        """Number of capacity rows (locations with a finite ``capacity_units``)."""
        return int(self.capacity_location.shape[0])

    @property
    def problem_row_lower(self) -> np.ndarray:
        """Lower bounds of every optimization row: SLA rows, then capacity rows."""
        return np.concatenate([self.row_lower, np.full(self.n_capacity_rows, -np.inf)])

    @property
    def problem_row_upper(self) -> np.ndarray:
        """Upper bounds of every optimization row: SLA rows, then capacity rows (1 each,
        the rows being scaled by 1 / C_l; 0 for a zero capacity)."""
        return np.concatenate([self.row_upper, self.capacity_upper])

    @property
    def problem_row_names(self) -> tuple[str, ...]:
        """Names of every optimization row: SLA rows, then capacity rows."""
        return self.row_names + self.capacity_names

    def capacity_coefficients(self, parts: np.ndarray | int, stock: np.ndarray
                              ) -> np.ndarray:
        """Capacity-row coefficients of stock vectors of ``parts``.

        Parameters
        ----------
        parts : int (K,) or int
            The part of each stock vector (capacity rows may weigh parts differently).
        stock : int (K, L) or (L,)

        Returns
        -------
        float64 (K, C) or (C,)
            Stock at each capacity location times :attr:`capacity_scale`.
        """
        del parts  # units capacity weighs every part alike
        stock = np.asarray(stock, dtype=np.float64)
        return stock[..., self.capacity_location] * self.capacity_scale

    @property
    def n_facilities(self) -> int:
        """Number of locations with an open/close decision (``fixed_cost_per_year`` > 0)."""
        return int(self.facility_location.shape[0])

    def option_facilities(self, stock: np.ndarray) -> sp.csc_array:
        """0/1 (F, K): column k stocks at least one unit at facility location f.

        Parameters
        ----------
        stock : int (K, L)
        """
        stock = np.asarray(stock).reshape(-1, self.network.n_locations)
        return sp.csc_array((stock[:, self.facility_location] > 0).T.astype(np.float64))

    def capacity_unit_prices(self, capacity_duals: np.ndarray) -> np.ndarray:
        """Price per unit stocked at each location from the capacity rows' duals.

        Parameters
        ----------
        capacity_duals : float64 (C,)
            Multipliers mu_l >= 0 of the capacity rows written as ``-sum S / C_l >= -1``
            (mu_l = -pi_l for the ``<=`` form).

        Returns
        -------
        float64 (n_parts, L)
            Row p: mu_l / C_l (mu_l times :attr:`capacity_scale`) at capacity locations,
            0 elsewhere: the extra term u_p . S that the pricing DP adds to part p's
            Lagrangian value.
        """
        price = np.zeros(self.network.n_locations)
        mu = np.maximum(np.asarray(capacity_duals, dtype=np.float64), 0.0)
        price[self.capacity_location] = mu * self.capacity_scale
        return np.broadcast_to(price, (self.n_parts, self.network.n_locations))

    def column(self, part: int, stock: np.ndarray) -> Column:
        """Evaluate ``part`` at ``stock`` and express it as a column."""
        service = self.service.evaluate(part, stock)
        rate = self.parts.demand_rate[part]
        coefficients = (self.fill_map.T @ (rate * service.within)
                        + self.uptime_map.T @ (rate * (self.site_repair_hours
                                                       + service.wait_hours)))
        return Column(part, service.stock, service.cost, np.asarray(coefficients), service)

    def site_weights(self, row_duals: np.ndarray, part: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-site prices of ``within`` and ``wait`` for ``part`` under row duals pi.

        pi^T a(S) = sum_s w_s within_s - sum_s v_s wait_s + constant, with
        w = lambda (F pi) and v = -lambda (U pi) for the fill and uptime maps F, U.
        """
        rate = self.parts.demand_rate[part]
        weight_within = rate * (self.fill_map @ row_duals)
        weight_wait = -rate * (self.uptime_map @ row_duals)
        return np.ascontiguousarray(weight_within), np.ascontiguousarray(weight_wait)

    def reachable_reason(self, row: SlaRow) -> str:
        """Why a fill-rate row may be out of reach: no location within its window."""
        if row.kind != FILL_RATE:
            return ("downtime per failure cannot fall below the repair time plus the "
                    "response time of the primary location")
        fastest = self.network.response_hours[row.sites].min(axis=1)
        late = [self.network.site_ids[s] for s, h in zip(row.sites, fastest, strict=True)
                if h > row.window_hours]
        if late:
            return (f"no location in reach responds within {row.window_hours:g} h for "
                    f"site(s) {', '.join(late)}")
        return ("the stock search bound (max_stock_per_location or a part's max_stock) "
                "is too low, or lead times are too long for the window")
