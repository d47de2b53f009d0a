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
stays the SLA rows that plans report). Each limits one resource and is linear in stock,
with a weight w_rp per unit of part p, scaled to O(1) by its limit:

- units at location l with a finite ``capacity_units`` C_l (row ``capacity_units[l]``):
  sum_p S_pl / C_l <= 1  (w_rp = 1);
- volume at location l with a finite ``capacity_volume_liters`` V_l (row
  ``capacity_volume[l]``): sum_p v_p S_pl / V_l <= 1  (w_rp = v_p, the part's
  ``volume_liters``);
- the inventory budget B (``[costs] inventory_budget`` or ``plan(budget=...)``, row
  ``inventory_budget``): sum_{p,l} c_p S_pl / B <= 1  (w_rp = c_p, the unit cost: the
  capital tied up in stock; the objective stays the yearly cost).

A zero capacity keeps scale 1 and reads sum <= 0. Units rows come first (in location
order), then volume rows, then the budget. A column's capacity coefficients are
w_rp S_pl scaled (:meth:`PlanningModel.capacity_coefficients`); the rows' duals
mu_r >= 0 price every unit of part p stocked at l at sum_r mu_r w_rp / limit_r over the
rows covering l (:meth:`PlanningModel.capacity_unit_prices`), which the pricing dynamic
program adds to the holding term, so pricing and the Lagrangian bound stay exact for
every kind of capacity row.

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

from spareplan.errors import ParameterError
from spareplan.evaluation.service import PartService, ServiceModel
from spareplan.network import HOURS_PER_YEAR, Network, PartArrays, compile_network
from spareplan.scenario.model import Scenario
from spareplan.sla import FILL_RATE, SlaRow, sla_rows

#: Kinds of capacity row (:attr:`PlanningModel.capacity_kind`).
CAPACITY_UNITS, CAPACITY_VOLUME, INVENTORY_BUDGET = 0, 1, 2
#: Name of each kind of capacity row (``capacity_units[F1]``, ``inventory_budget``).
CAPACITY_ROW_PREFIX = ("capacity_units", "capacity_volume", "inventory_budget")
#: Unit of each kind's limit and use ("currency": the scenario's currency).
CAPACITY_ROW_UNIT = ("units", "liters", "currency")
#: :attr:`PlanningModel.capacity_location` of a row over every location (the budget).
ALL_LOCATIONS = -1


@dataclass(frozen=True)
class Column:
    """One candidate: a part's stock vector, its cost and its row contributions."""

    part: int
    stock: np.ndarray
    cost: float
    coefficients: np.ndarray
    service: PartService


class PlanningModel:
    """Rows, columns and prices of a scenario (built once, used by every planner).

    Parameters
    ----------
    scenario : Scenario
    inventory_budget : float, optional
        Budget B of the ``inventory_budget`` row, overriding ``[costs] inventory_budget``
        (``None``: the scenario's; ``inf``: no budget row).

    Attributes
    ----------
    capacity_kind, capacity_location, capacity_limit : ndarray (R,)
        Per capacity row: its kind (:data:`CAPACITY_UNITS`, :data:`CAPACITY_VOLUME`,
        :data:`INVENTORY_BUDGET`), its location (:data:`ALL_LOCATIONS` for the budget) and
        its limit (C_l units, V_l liters, B currency).
    capacity_scale, capacity_upper : float64 (R,)
        1 / limit and the row's bound in scaled form (1; 1 and 0 for a zero limit).
    capacity_names : tuple of str
        ``capacity_units[LOC]``, ``capacity_volume[LOC]``, ``inventory_budget``.
    capacity_part_weight : float64 (3, P)
        Weight of one unit of each part per kind: 1, ``volume_liters``, ``unit_cost``.
    inventory_budget : float or None
        B, or ``None`` without a budget row.
    """

    def __init__(self, scenario: Scenario, *, inventory_budget: float | None = None) -> None:
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
        fixed = np.asarray(net.fixed_cost_per_year, dtype=np.float64)
        #: Locations with an open/close decision (F_l > 0), int64 (F,), and F_l per year.
        self.facility_location = np.flatnonzero(fixed > 0).astype(np.int64)
        self.facility_cost = fixed[self.facility_location]
        self._capacity_rows(scenario, inventory_budget)

    def _capacity_rows(self, scenario: Scenario, inventory_budget: float | None) -> None:
        """Units rows, volume rows, then the budget row (see the module docstring)."""
        net, parts = self.network, self.parts
        units = np.asarray(net.capacity_units, dtype=np.float64)
        volume = (np.full(net.n_locations, np.inf) if net.capacity_volume_liters is None
                  else np.asarray(net.capacity_volume_liters, dtype=np.float64))
        if inventory_budget is not None and not inventory_budget > 0:
            raise ParameterError("inventory_budget", "must be > 0 (inf: no budget)",
                                 inventory_budget)
        budget = (scenario.document.costs.inventory_budget if inventory_budget is None
                  else float(inventory_budget))
        self.inventory_budget: float | None = (
            None if budget is None or not np.isfinite(budget) else float(budget))
        unit_locs = np.flatnonzero(np.isfinite(units))
        volume_locs = np.flatnonzero(np.isfinite(volume))
        budget_locs = np.array([ALL_LOCATIONS] if self.inventory_budget is not None else [],
                               dtype=np.int64)
        self.capacity_kind = np.concatenate([
            np.full(unit_locs.shape[0], CAPACITY_UNITS), np.full(volume_locs.shape[0],
                                                                 CAPACITY_VOLUME),
            np.full(budget_locs.shape[0], INVENTORY_BUDGET)]).astype(np.int64)
        self.capacity_location = np.concatenate([unit_locs, volume_locs,
                                                 budget_locs]).astype(np.int64)
        self.capacity_limit = np.concatenate([
            units[unit_locs], volume[volume_locs],
            [self.inventory_budget] if self.inventory_budget is not None else []])
        positive = self.capacity_limit > 0
        # A zero limit keeps scale 1: its row reads sum <= 0.
        self.capacity_scale = np.where(positive, 1.0 / np.where(positive,
                                                                self.capacity_limit, 1.0), 1.0)
        self.capacity_upper = np.where(positive, 1.0, 0.0)
        self.capacity_part_weight = np.vstack([
            np.ones(parts.n_parts), np.asarray(parts.volume_liters, dtype=np.float64),
            np.asarray(parts.unit_cost, dtype=np.float64)])
        self.capacity_names = tuple(
            CAPACITY_ROW_PREFIX[int(kind)] if loc == ALL_LOCATIONS
            else f"{CAPACITY_ROW_PREFIX[int(kind)]}[{net.location_ids[loc]}]"
            for kind, loc in zip(self.capacity_kind, self.capacity_location, strict=True))

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
        """Number of capacity rows: units and volume per location, the inventory budget."""
        return int(self.capacity_location.shape[0])

    @property
    def problem_row_lower(self) -> np.ndarray:
        """Lower bounds of every optimization row: SLA rows, then capacity rows."""
        return np.concatenate([self.row_lower, np.full(self.n_capacity_rows, -np.inf)])

    @property
    def problem_row_upper(self) -> np.ndarray:
        """Upper bounds of every optimization row: SLA rows, then capacity rows (1 each,
        the rows being scaled by 1 / limit; 0 for a zero capacity)."""
        return np.concatenate([self.row_upper, self.capacity_upper])

    @property
    def problem_row_names(self) -> tuple[str, ...]:
        """Names of every optimization row: SLA rows, then capacity rows."""
        return self.row_names + self.capacity_names

    def without_capacity_rows(self) -> PlanningModel:
        """A copy with the same SLA rows and no capacity row (columns stay valid)."""
        free = copy.copy(self)
        free.inventory_budget = None
        free.capacity_kind = self.capacity_kind[:0]
        free.capacity_location = self.capacity_location[:0]
        free.capacity_limit = self.capacity_limit[:0]
        free.capacity_scale = self.capacity_scale[:0]
        free.capacity_upper = self.capacity_upper[:0]
        free.capacity_names = ()
        return free

    def capacity_use(self, parts: np.ndarray | int, stock: np.ndarray) -> np.ndarray:
        """What stock vectors of ``parts`` use of each capacity row, unscaled.

        Parameters
        ----------
        parts : int (K,) or int
            The part of each stock vector.
        stock : int (K, L) or (L,)

        Returns
        -------
        float64 (K, R) or (R,)
            sum over the row's locations of w_rp S_pl: units, liters or currency (the
            capital tied up, c_p sum_l S_pl, for the budget row).
        """
        stock = np.asarray(stock, dtype=np.float64)
        parts = np.asarray(parts, dtype=np.int64)
        extended = np.concatenate([stock, stock.sum(axis=-1, keepdims=True)], axis=-1)
        column = np.where(self.capacity_location == ALL_LOCATIONS, stock.shape[-1],
                          self.capacity_location)
        weight = self.capacity_part_weight[self.capacity_kind][:, parts]  # (R, K) or (R,)
        return extended[..., column] * weight.T

    def capacity_coefficients(self, parts: np.ndarray | int, stock: np.ndarray
                              ) -> np.ndarray:
        """Capacity-row coefficients of stock vectors of ``parts``.

        Parameters
        ----------
        parts : int (K,) or int
            The part of each stock vector (volume and budget rows weigh parts by their
            volume and unit cost).
        stock : int (K, L) or (L,)

        Returns
        -------
        float64 (K, R) or (R,)
            :meth:`capacity_use` times :attr:`capacity_scale`: w_rp S_pl / limit_r.
        """
        return self.capacity_use(parts, stock) * self.capacity_scale

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
        """Price per unit of each part stocked at each location from the capacity rows'
        duals.

        Parameters
        ----------
        capacity_duals : float64 (R,)
            Multipliers mu_r >= 0 of the capacity rows written as ``-sum w S / limit >= -1``
            (mu_r = -pi_r for the ``<=`` form).

        Returns
        -------
        float64 (n_parts, L)
            u_pl = sum over the rows r covering l of mu_r w_rp / limit_r (mu_r times
            :attr:`capacity_scale` times the part's weight: 1, its volume or its unit
            cost): the extra term u_p . S that the pricing DP adds to part p's Lagrangian
            value. A read-only broadcast when only units rows have a positive dual.
        """
        n_loc = self.network.n_locations
        mu = np.maximum(np.asarray(capacity_duals, dtype=np.float64), 0.0) * self.capacity_scale
        per_kind = np.zeros((len(CAPACITY_ROW_PREFIX), n_loc))
        local = self.capacity_location != ALL_LOCATIONS
        np.add.at(per_kind, (self.capacity_kind[local], self.capacity_location[local]),
                  mu[local])
        everywhere = np.zeros(len(CAPACITY_ROW_PREFIX))
        np.add.at(everywhere, self.capacity_kind[~local], mu[~local])
        per_kind += everywhere[:, None]
        if not per_kind[[CAPACITY_VOLUME, INVENTORY_BUDGET]].any():
            return np.broadcast_to(per_kind[CAPACITY_UNITS], (self.n_parts, n_loc))
        return self.capacity_part_weight.T @ per_kind

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
