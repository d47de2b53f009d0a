"""The planning model: SLA rows as linear rows over per-part columns (stock vectors).

A column is one stock vector of one part over all locations, with its yearly cost
(holding + emergency and lateral shipments) and its contribution to every SLA row:

- fill-rate row r:  a_r = sum_{s in r} lambda_s within_s / D_r with D_r the row's total
  demand over all parts, so the row reads  sum_parts a_r >= target;
- uptime row r:     a_r = sum_{s in r} lambda_s (repair_r + wait_s) / (8760 M_r) with M_r
  the row's machines, so the row reads  sum_parts a_r <= 1 - target;
- availability row r (Sherbrooke's product form): the part's log-unavailability
  a_r = -Z_pr log(1 - EBO_pr / Q_pr), EBO_pr = sum_{s in r} lambda_s wait_s / 8760 its
  expected backorders, Q_pr its installed units in the row and Z_pr = Q_pr / M_r, so the
  row reads  sum_parts a_r <= -log(target)
  (:mod:`spareplan.evaluation.availability`; exact per column, the MILP stays linear).

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

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from spareplan.errors import ParameterError
from spareplan.evaluation.availability import (
    installed_positions,
    log_unavailability,
    tangent_slope,
)
from spareplan.evaluation.service import PartService, ServiceModel
from spareplan.network import HOURS_PER_YEAR, Network, PartArrays, compile_network
from spareplan.planning.correction import ServiceCorrection
from spareplan.scenario.model import Scenario
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME, SlaRow, sla_rows

#: Kinds of capacity row (:attr:`PlanningModel.capacity_kind`).
CAPACITY_UNITS, CAPACITY_VOLUME, INVENTORY_BUDGET = 0, 1, 2
#: Name of each kind of capacity row (``capacity_units[F1]``, ``inventory_budget``).
CAPACITY_ROW_PREFIX = ("capacity_units", "capacity_volume", "inventory_budget")
#: Unit of each kind's limit and use ("currency": the scenario's currency).
CAPACITY_ROW_UNIT = ("units", "liters", "currency")
#: :attr:`PlanningModel.capacity_location` of a row over every location (the budget).
ALL_LOCATIONS = -1
#: Plan goals (:meth:`PlanningModel.with_goal`): least yearly cost meeting every SLA row,
#: or the best service the capacity rows (the budget) allow.
COST, SERVICE = "cost", "service"
GOALS = (COST, SERVICE)
#: Under the service goal, the yearly holding cost breaks ties: weighted so that no plan's
#: holding counts for more than this much shortfall (far below any gap), which keeps the
#: bound on the weighted service rigorous: 1 - (objective bound) + this.
TIE_BREAK_SHORTFALL = 1e-7
#: Under the service goal the SLA rows keep one side (column generation needs it) at a
#: bound no plan meets: activity >= -this on fill rows, <= this on uptime rows (>= 0).
SERVICE_GOAL_SLACK = 1e6


@dataclass(frozen=True)
class Column:
    """One candidate: a part's stock vector, its cost and its row contributions."""

    part: int
    stock: np.ndarray
    cost: float
    coefficients: np.ndarray
    service: PartService


def _capacity_rows(scenario: Scenario, net: Network, parts: PartArrays,
                   inventory_budget: float | None) -> dict[str, Any]:
    """Units rows, volume rows, then the budget row (see the module docstring): the
    capacity fields of :class:`PlanningModel`."""
    units = np.asarray(net.capacity_units, dtype=np.float64)
    volume = (np.full(net.n_locations, np.inf) if net.capacity_volume_liters is None
              else np.asarray(net.capacity_volume_liters, dtype=np.float64))
    if inventory_budget is not None and not inventory_budget > 0:
        raise ParameterError("inventory_budget", "must be > 0 (inf: no budget)",
                             inventory_budget)
    budget = (scenario.document.costs.inventory_budget if inventory_budget is None
              else float(inventory_budget))
    budget_row = None if budget is None or not np.isfinite(budget) else float(budget)
    unit_locs = np.flatnonzero(np.isfinite(units))
    volume_locs = np.flatnonzero(np.isfinite(volume))
    budget_locs = np.array([ALL_LOCATIONS] if budget_row is not None else [], dtype=np.int64)
    kind = np.concatenate([
        np.full(unit_locs.shape[0], CAPACITY_UNITS), np.full(volume_locs.shape[0],
                                                             CAPACITY_VOLUME),
        np.full(budget_locs.shape[0], INVENTORY_BUDGET)]).astype(np.int64)
    location = np.concatenate([unit_locs, volume_locs, budget_locs]).astype(np.int64)
    limit = np.concatenate([units[unit_locs], volume[volume_locs],
                            [budget_row] if budget_row is not None else []])
    positive = limit > 0
    # A zero limit keeps scale 1: its row reads sum <= 0.
    return {
        "inventory_budget": budget_row,
        "capacity_kind": kind, "capacity_location": location, "capacity_limit": limit,
        "capacity_scale": np.where(positive, 1.0 / np.where(positive, limit, 1.0), 1.0),
        "capacity_upper": np.where(positive, 1.0, 0.0),
        "capacity_part_weight": np.vstack([
            np.ones(parts.n_parts), np.asarray(parts.volume_liters, dtype=np.float64),
            np.asarray(parts.unit_cost, dtype=np.float64)]),
        "capacity_names": tuple(
            CAPACITY_ROW_PREFIX[int(k)] if loc == ALL_LOCATIONS
            else f"{CAPACITY_ROW_PREFIX[int(k)]}[{net.location_ids[loc]}]"
            for k, loc in zip(kind, location, strict=True)),
    }


@dataclass(frozen=True, eq=False)
class PlanningModel:
    """Rows, columns and prices of a scenario: what every planner optimizes.

    Build it with :meth:`build`; the constructor only stores its fields (scikit-learn's
    rule: constructors do no work). The model is frozen: a what-if is a new model
    (:meth:`with_targets`, :meth:`without_capacity_rows`), never a changed one.

    The SLA-row convention has one owner, this class: a row's *activity* is the sum of its
    columns' coefficients; a fill-rate row reads activity >= target, an uptime row (the
    downtime share) activity <= 1 - target (:attr:`row_lower`, :attr:`row_upper`), and
    :meth:`row_value` turns activity back into service (fill rate, availability).

    Attributes
    ----------
    scenario : Scenario
    network : Network
    parts : PartArrays
    all_rows : list of SlaRow
        Every SLA row of the scenario; ``rows`` are those with demand (``active`` indexes
        them in ``all_rows``), the rows of the optimization.
    targets : float64 (len(rows),)
        The target of each optimized row (the scenario's, or a what-if's).
    row_demand, row_machines : float64 (len(all_rows),)
    is_fill_row : bool (len(rows),)
    fill_map, uptime_map : scipy.sparse (N, len(rows))
        Site -> row weights: lambda within / D_r for fill rows, lambda (repair + wait) /
        (8760 M_r) for uptime rows.
    availability_map : scipy.sparse (N, len(rows))
        Site -> availability row weights: lambda wait / 8760 is the part's expected
        backorders EBO_pr in the row (Little's law).
    availability_rows : int64 (V,)
        Indices (into ``rows``) of the availability rows.
    availability_positions : float64 (P, V)
        Q_pr, each part's installed units over the availability row's sites
        (:func:`~spareplan.evaluation.availability.installed_positions`).
    site_repair_hours : float64 (N,)
    service : ServiceModel
        The analytic service of a part's stock vector (METRIC-type).
    facility_location : int64 (F,), facility_cost : float64 (F,)
        Locations with an open/close decision and their fixed cost per year.
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
    correction : ServiceCorrection or None
        Factors on the analytic miss probability and excess wait per part and site,
        measured by the simulation (``None``: the analytic terms as they are).
    goal : str
        :data:`COST` (least yearly cost meeting every SLA row: the rows are constraints)
        or :data:`SERVICE` (least weighted shortfall within the capacity rows: the SLA
        rows are free and weigh in the objective; see :meth:`with_goal`).
    service_weights : float64 (len(rows),) or None
        Weight w_r of each optimized row under the service goal (they sum to 1).
    """

    scenario: Scenario
    network: Network
    parts: PartArrays
    all_rows: list[SlaRow]
    rows: list[SlaRow]
    active: np.ndarray
    targets: np.ndarray
    row_demand: np.ndarray
    row_machines: np.ndarray
    is_fill_row: np.ndarray
    fill_map: sp.csr_array
    uptime_map: sp.csr_array
    availability_map: sp.csr_array
    availability_rows: np.ndarray
    availability_positions: np.ndarray
    site_repair_hours: np.ndarray
    service: ServiceModel
    facility_location: np.ndarray
    facility_cost: np.ndarray
    capacity_kind: np.ndarray
    capacity_location: np.ndarray
    capacity_limit: np.ndarray
    capacity_scale: np.ndarray
    capacity_upper: np.ndarray
    capacity_names: tuple[str, ...]
    capacity_part_weight: np.ndarray
    inventory_budget: float | None
    correction: ServiceCorrection | None = None
    goal: str = COST
    service_weights: np.ndarray | None = None

    @classmethod
    def build(cls, scenario: Scenario, *, inventory_budget: float | None = None
              ) -> PlanningModel:
        """The planning model of ``scenario``.

        Parameters
        ----------
        scenario : Scenario
        inventory_budget : float, optional
            Budget B of the ``inventory_budget`` row, overriding ``[costs]
            inventory_budget`` (``None``: the scenario's; ``inf``: no budget row).
        """
        network, parts = compile_network(scenario)
        all_rows = sla_rows(scenario.document, network)
        total_rate = parts.demand_rate.sum(axis=0)
        window = np.full(network.n_sites, np.nan)
        repair = np.zeros(network.n_sites)
        for row in all_rows:
            if row.kind == FILL_RATE:
                window[row.sites] = row.window_hours
            elif row.kind == UPTIME:
                repair[row.sites] = row.repair_hours
        row_demand = np.array([total_rate[r.sites].sum() for r in all_rows])
        row_machines = np.array([network.machines[r.sites].sum() for r in all_rows])
        active = [i for i, r in enumerate(all_rows) if row_demand[i] > 0]
        rows = [all_rows[i] for i in active]
        fill_map = sp.lil_array((network.n_sites, len(rows)))
        up_map = sp.lil_array((network.n_sites, len(rows)))
        availability_map = sp.lil_array((network.n_sites, len(rows)))
        for k, i in enumerate(active):
            row = all_rows[i]
            if row.kind == FILL_RATE:
                fill_map[row.sites, k] = 1.0 / row_demand[i]
            elif row.kind == UPTIME:
                up_map[row.sites, k] = 1.0 / (HOURS_PER_YEAR * row_machines[i])
            else:
                availability_map[row.sites, k] = 1.0 / HOURS_PER_YEAR
        availability_rows = np.array([k for k, r in enumerate(rows) if r.kind == AVAILABILITY],
                                     dtype=np.int64)
        site_positions = (installed_positions(scenario, network, parts)
                          if availability_rows.size else np.zeros((parts.n_parts, 0)))
        availability_positions = np.column_stack(
            [site_positions[:, rows[k].sites].sum(axis=1) for k in availability_rows]
        ) if availability_rows.size else np.zeros((parts.n_parts, 0))
        fixed = np.asarray(network.fixed_cost_per_year, dtype=np.float64)
        facility_location = np.flatnonzero(fixed > 0).astype(np.int64)
        return cls(
            scenario=scenario, network=network, parts=parts, all_rows=all_rows, rows=rows,
            active=np.array(active, dtype=np.int64),
            targets=np.array([r.target for r in rows], dtype=np.float64),
            row_demand=row_demand, row_machines=row_machines,
            is_fill_row=np.array([r.kind == FILL_RATE for r in rows], dtype=bool),
            fill_map=sp.csr_array(fill_map), uptime_map=sp.csr_array(up_map),
            availability_map=sp.csr_array(availability_map),
            availability_rows=availability_rows,
            availability_positions=availability_positions,
            site_repair_hours=repair, service=ServiceModel(network, parts, window),
            facility_location=facility_location, facility_cost=fixed[facility_location],
            **_capacity_rows(scenario, network, parts, inventory_budget))

    # ------------------------------------------------------------------ the SLA rows
    @property
    def row_lower(self) -> np.ndarray:
        """Lower bound of every optimized SLA row: the target of a fill-rate row (under the
        service goal a bound no plan can miss: :data:`SERVICE_GOAL_SLACK` below 0)."""
        if self.goal == SERVICE:
            return np.where(self.is_fill_row, -SERVICE_GOAL_SLACK, -np.inf)
        return np.where(self.is_fill_row, self.targets, -np.inf)

    @property
    def row_upper(self) -> np.ndarray:
        """Upper bound of every optimized SLA row: 1 - target of an uptime row (under the
        service goal a bound no plan can reach)."""
        if self.goal == SERVICE:
            return np.where(self.is_fill_row, np.inf, SERVICE_GOAL_SLACK)
        return np.where(self.is_fill_row, np.inf, self.row_activity(self.targets))

    @property
    def row_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rows)

    @functools.cached_property
    def is_availability_row(self) -> np.ndarray:
        """bool (len(rows),): the availability rows (product form; activity -log A)."""
        mask = np.zeros(len(self.rows), dtype=bool)
        mask[self.availability_rows] = True
        return mask

    def row_value(self, activity: np.ndarray) -> np.ndarray:
        """Service of every optimized row from its activity: the fill rate within the
        window, the availability 1 - downtime share (uptime rows) or exp(-activity)
        (availability rows, the product form). Works on (..., len(rows))."""
        activity = np.asarray(activity, dtype=np.float64)
        return np.where(self.is_fill_row, activity,
                        np.where(self.is_availability_row, np.exp(-activity), 1.0 - activity))

    def row_activity(self, value: np.ndarray) -> np.ndarray:
        """Activity of every optimized row that gives the service ``value`` (inverse of
        :meth:`row_value`; -log of an availability row's value, inf at 0)."""
        value = np.asarray(value, dtype=np.float64)
        with np.errstate(divide="ignore"):
            log_value = -np.log(np.where(self.is_availability_row, value, 1.0))
        return np.where(self.is_fill_row, value,
                        np.where(self.is_availability_row, log_value, 1.0 - value))

    def with_targets(self, targets: np.ndarray) -> PlanningModel:
        """The same model asking ``targets`` of its optimized rows (fill rate or
        availability, in row order). Columns stay valid."""
        targets = np.asarray(targets, dtype=np.float64)
        if targets.shape != self.targets.shape:
            raise ParameterError("targets", f"must hold one value per SLA row with demand "
                                 f"({self.targets.shape[0]})", targets.shape)
        return dataclasses.replace(self, targets=targets)

    def with_target_offsets(self, offsets: np.ndarray) -> PlanningModel:
        """A copy whose rows ask ``offsets`` more service than this model's targets (the
        scenario's, or a what-if's)."""
        return self.with_targets(self.targets + np.asarray(offsets, dtype=float))

    def with_goal(self, goal: str, weights: np.ndarray | None = None) -> PlanningModel:
        r"""The same rows and columns with the plan goal ``goal``.

        Under :data:`SERVICE` the plan maximizes the weighted service
        :math:`\sum_r w_r \, v_r` (v_r the fill rate within the window or the
        availability of row r) within the capacity rows — the inventory budget, above all:
        METRIC's primal question, the least expected backorders for an investment
        (Sherbrooke 1968; van Houtum & Kranenburg 2015, ch. 2). Equivalently it minimizes
        the weighted shortfall :math:`\sum_r w_r (1 - v_r)`, a sum over parts of each
        part's misses (:meth:`objective`): requests not filled within the window on fill
        rows, the downtime share on uptime rows. With one uptime row and no repair time
        this is the total expected backorders at the bases over the fleet's machines.

        Parameters
        ----------
        goal : str
            :data:`COST` or :data:`SERVICE`.
        weights : float (len(rows),), optional
            w_r >= 0, normalized to sum 1; default each row's share of the requests
            (:attr:`row_demand`).
        """
        if goal not in GOALS:
            raise ParameterError("goal", f"must be one of {', '.join(GOALS)}", goal)
        if goal == COST:
            return dataclasses.replace(self, goal=COST, service_weights=None)
        if self.availability_rows.size:
            raise ParameterError("goal", "the service goal does not weigh availability rows "
                                 "(product form) yet: plan them with the cost goal",
                                 self.rows[int(self.availability_rows[0])].name)
        if weights is None:
            weights = self.row_demand[self.active]
        weights = np.asarray(weights, dtype=np.float64)
        if (weights.shape != self.targets.shape or not np.all(np.isfinite(weights))
                or np.any(weights < 0) or not weights.sum() > 0):
            raise ParameterError("weights", f"must hold one finite weight >= 0 per SLA row "
                                 f"with demand ({self.targets.shape[0]}), not all 0",
                                 weights.tolist())
        return dataclasses.replace(self, goal=SERVICE,
                                   service_weights=weights / weights.sum())

    def cost_weights(self) -> dict[str, float]:
        """Weights of a column's yearly holding and shipping costs in the objective
        (keywords of :meth:`ServiceModel.price_many`): 1 and 1 under the cost goal; under
        the service goal a tie-break on holding alone, scaled so that no plan's holding
        counts for more than :data:`TIE_BREAK_SHORTFALL` of shortfall, and 0 on
        shipping."""
        if self.goal == COST:
            return {"holding_weight": 1.0, "shipping_weight": 1.0}
        return {"holding_weight": TIE_BREAK_SHORTFALL * self.objective_scale
                / self._most_holding, "shipping_weight": 0.0}

    @functools.cached_property
    def objective_scale(self) -> float:
        """What one unit of weighted shortfall weighs in the objective: 1 under the cost
        goal (the objective is money); under the service goal the inventory budget B (or
        the capital of every box full), so that a part's objective is of the order of a
        cost and the solvers' absolute tolerances (1e-7 on reduced costs) stay far below
        it. The weighted service of a plan is 1 - objective / scale."""
        if self.goal == COST:
            return 1.0
        if self.inventory_budget is not None:
            return float(self.inventory_budget)
        return max(float(np.sum(self._box_tops.sum(axis=1) * self.parts.unit_cost)), 1.0)

    @functools.cached_property
    def _box_tops(self) -> np.ndarray:
        """Highest stock searched of every part at every location, int64 (P, L)."""
        return self.service.bounds_many(np.arange(self.n_parts, dtype=np.int64))[1]

    @functools.cached_property
    def _most_holding(self) -> float:
        """An upper bound of any plan's yearly holding cost: every box full, or the
        budget's worth of stock at the highest holding rate."""
        hi = self._box_tops
        rate = np.asarray(self.network.holding_rate_per_year, dtype=np.float64)
        full = float(np.sum(hi * rate[None, :] * self.parts.unit_cost[:, None]))
        if self.inventory_budget is not None:
            full = min(full, self.inventory_budget * float(np.max(rate, initial=0.0)))
        return max(full, 1e-300)

    def miss_weights(self) -> np.ndarray:
        """m (len(rows),): what one unit of a row's shortfall (1 - fill rate, or the
        downtime share) adds to the objective. Service goal: the row's weight w_r. Cost
        goal: the contract penalty per year of the whole row falling short, p_r D_r for a
        penalty p_r per request missing the window (D_r requests per year) and
        p_r 8760 M_r for a penalty per downtime hour (M_r machines); 0 without one."""
        if self.goal == SERVICE and self.service_weights is not None:
            return self.service_weights * self.objective_scale
        penalty = np.array([r.penalty for r in self.rows], dtype=np.float64)
        scale = np.where(self.is_fill_row, self.row_demand[self.active],
                         HOURS_PER_YEAR * self.row_machines[self.active])
        return penalty * scale

    @property
    def has_penalties(self) -> bool:
        """True when an optimized row carries a contract penalty (cost goal)."""
        return self.goal == COST and any(r.penalty > 0 for r in self.rows)

    def shortfall_weights(self) -> np.ndarray:
        """g (len(rows),): the objective per unit of row activity from the miss weights
        (:meth:`miss_weights`): -m_r on fill rows (activity is service) and +m_r on uptime
        rows (activity is downtime)."""
        m = self.miss_weights()
        return np.where(self.is_fill_row, -m, m)

    def objective(self, parts: np.ndarray, holding: np.ndarray, shipping: np.ndarray,
                  sla_coefficients: np.ndarray) -> np.ndarray:
        """Objective of columns: their yearly cost (``holding + shipping``) under the cost
        goal; under the service goal each part's share of the weighted shortfall,
        sum_r w_r (lambda_pr / D_r - a_pr) on fill rows + w_r a_pr on uptime rows (>= 0,
        summing over parts to sum_r w_r (1 - v_r)), plus the tie-break on holding
        (:meth:`cost_weights`); with contract penalties, the yearly cost plus each
        part's expected penalties (:meth:`miss_weights`).

        Parameters
        ----------
        parts : int (K,)
        holding, shipping : float (K,)
            Yearly holding and shipping cost of each column.
        sla_coefficients : float (K, len(rows))
        """
        holding = np.asarray(holding, dtype=np.float64)
        weights = self.cost_weights()
        cost = (weights["holding_weight"] * holding
                + weights["shipping_weight"] * np.asarray(shipping, dtype=np.float64))
        if self.goal == COST and not self.has_penalties:
            return cost
        return cost + self.misses(parts, sla_coefficients) @ self.miss_weights()

    def misses(self, parts: np.ndarray, sla_coefficients: np.ndarray) -> np.ndarray:
        """Each column's share of every row's shortfall (K, len(rows)): lambda_pr / D_r
        - a_pr on fill rows (its requests missing the window, as a share of the row's),
        a_pr on uptime rows (its downtime share); >= 0, summing over parts to 1 - fill
        rate and to the downtime share."""
        demand_share = np.asarray(self.parts.demand_rate[np.asarray(parts)]
                                  @ self.fill_map)  # lambda_pr / D_r on fill rows
        coefficients = np.asarray(sla_coefficients)
        return np.where(self.is_fill_row, demand_share - coefficients, coefficients)

    def pricing_duals(self, sla_duals: np.ndarray) -> np.ndarray:
        """SLA-row prices for the pricing problem: the rows' duals, less the objective per
        unit of activity (:meth:`shortfall_weights`: the service goal's weights or the
        contract penalties), so that the reduced cost
        c_w(S) + g . a(S) - pi . a(S) = c_w(S) - (pi - g) . a(S), with c_w the weighted
        holding and shipping cost (:meth:`cost_weights`)."""
        return np.asarray(sla_duals, dtype=np.float64) - self.shortfall_weights()

    def with_correction(self, correction: ServiceCorrection | None) -> PlanningModel:
        """The same rows with the service terms corrected by ``correction``."""
        return dataclasses.replace(self, correction=correction)

    @property
    def response_hours(self) -> np.ndarray:
        """Response of each site's primary location (hours), (N,)."""
        net = self.network
        return net.response_hours[np.arange(net.n_sites), net.site_primary]

    def site_terms(self, parts: np.ndarray, within: np.ndarray, wait: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The model's within-window fill and wait (K, N) of columns of ``parts`` from the
        analytic ones: corrected when the model has a correction."""
        if self.correction is None:
            return within, wait
        return self.correction.apply(parts, within, wait)

    def coefficients(self, parts: np.ndarray, within: np.ndarray, wait: np.ndarray
                     ) -> np.ndarray:
        """SLA-row coefficients (K, len(rows)) of columns with analytic ``within`` and
        ``wait`` (K, N): lambda x / D_r on fill rows, lambda (repair + wait) / (8760 M_r)
        on uptime rows, with the model's terms (:meth:`site_terms`)."""
        within, wait = self.site_terms(parts, within, wait)
        rate = self.parts.demand_rate[parts]
        coefficients = (np.asarray((rate * within) @ self.fill_map)
                        + np.asarray((rate * (self.site_repair_hours + wait))
                                     @ self.uptime_map))
        if self.availability_rows.size:
            parts = np.asarray(parts, dtype=np.int64)
            coefficients[:, self.availability_rows] = self.log_unavailability(
                parts, self.backorders(parts, wait))
        return coefficients

    def backorders(self, parts: np.ndarray, wait: np.ndarray) -> np.ndarray:
        """EBO_pr (K, V): expected backorders of columns of ``parts`` in every
        availability row, sum_{s in r} lambda_ps wait_s / 8760 (Little's law), from the
        model's waits (K, N) in hours."""
        rate = self.parts.demand_rate[np.asarray(parts, dtype=np.int64)]
        return np.asarray((rate * wait) @ self.availability_map)[:, self.availability_rows]

    def log_unavailability(self, parts: np.ndarray, backorders: np.ndarray) -> np.ndarray:
        """a_pr (K, V) = -Z_pr log(1 - EBO_pr / Q_pr) of columns of ``parts`` with
        expected backorders ``backorders`` in every availability row (guarded:
        :func:`~spareplan.evaluation.availability.log_unavailability`)."""
        machines = self.row_machines[self.active][self.availability_rows]
        return log_unavailability(backorders, self.availability_positions[parts], machines)

    def availability_tangent(self, parts: np.ndarray, backorders: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray]:
        """Tangent of every availability row's a_pr at ``backorders`` (K, V): its value
        and slope dA/dEBO = 1 / (M_r (1 - EBO / Q)), so that a(EBO') >= value + slope
        (EBO' - EBO) for every EBO' (a is convex in EBO)."""
        parts = np.asarray(parts, dtype=np.int64)
        machines = self.row_machines[self.active][self.availability_rows]
        positions = self.availability_positions[parts]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(positions > 0, backorders / np.where(positions > 0,
                                                                      positions, 1.0), 0.0)
        return (self.log_unavailability(parts, backorders),
                tangent_slope(fraction, machines))

    def at_least_form(self) -> tuple[np.ndarray, np.ndarray]:
        """Every optimization row (SLA rows, then capacity rows) as ``sign x activity >=
        lower``: the sign (+1 fill rows, -1 uptime and capacity rows) and the bound."""
        sign = np.concatenate([np.where(self.is_fill_row, 1.0, -1.0),
                               -np.ones(self.n_capacity_rows)])
        lower = np.concatenate([np.where(self.is_fill_row, self.row_lower, -self.row_upper),
                                -self.capacity_upper])
        return sign, lower

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
        """The same SLA rows and no capacity row (columns stay valid)."""
        return dataclasses.replace(
            self, inventory_budget=None, capacity_kind=self.capacity_kind[:0],
            capacity_location=self.capacity_location[:0],
            capacity_limit=self.capacity_limit[:0], capacity_scale=self.capacity_scale[:0],
            capacity_upper=self.capacity_upper[:0], capacity_names=())

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
        if self.correction is not None or self.availability_rows.size:
            coefficients = self.coefficients(np.array([part]), service.within[None, :],
                                             service.wait_hours[None, :])[0]
            return Column(part, service.stock, service.cost, coefficients, service)
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
        if row.kind == AVAILABILITY:
            return ("expected backorders cannot fall below the demand waiting for the "
                    "response time of the serving location")
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
