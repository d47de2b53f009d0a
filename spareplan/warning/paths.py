"""Dated sample paths of a network, week by week: the outcomes the backtest judges against.

The event simulation (:mod:`spareplan.simulation`) measures steady-state service; the
backtest needs dated trajectories from a given state instead. Model, per part, weeks
:math:`1 \\dots T` (week 0 is now):

- **Demand**: at every customer site the simulation's compound Poisson process — per week
  :math:`\\text{Poisson}(7 \\lambda (1 - q) / 365)` batches of geometric size
  :math:`P(B = k) = (1 - q) q^{k - 1}`, :math:`q = (\\phi - 1) / (\\phi + 1)` (Poisson for
  :math:`\\phi = 1`) — at the site's primary location, plus the firm customer orders.
- **One-for-one replenishment** with base stock :math:`S_l`: week 0 orders lift every
  inventory position to :math:`S_l`; then every unit requested at a location (after any
  excess above :math:`S_l` is used up) is reordered from its parent the same week. A
  parent ships from stock, else the order waits first come, first served.
- **Transit**: each shipment draws its own transit time, gamma with the location's mean
  ``lead_time_days`` and ``lead_time_cv`` (fixed when the cv is 0), and arrives at the
  start of week ``dispatch + max(1, ceil(days / 7))``; its *planned* arrival (what a
  planner knows) uses the mean. A central warehouse's orders: repairables come back from
  repair with probability :math:`1 - c` (``repair_turnaround_days``), else are procured
  (``procurement_lead_time_days``); consumables are procured.
- **Shortage**: the net inventory (on hand minus requests waiting) at the end of a week is
  below zero.

After each week :math:`w < B` the kernel records what a planner knows then — net
inventory, the orders waiting at the parent, the units in transit with their planned
arrival weeks — so that a projection can be run as of week :math:`w + 1`.

Seeds: one stream per part (:func:`spareplan.simulation.engine.part_seeds`, from
:class:`numpy.random.SeedSequence`), so a part's path depends on the seed and the part
only, never on threads or on the other parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from spareplan.codes import DAYS_PER_YEAR
from spareplan.network import Network, PartArrays
from spareplan.warning._path_kernels import simulate_paths
from spareplan.warning.projection import DAYS_PER_WEEK, lead_weeks

__all__ = ["PathModel", "SamplePaths", "path_model", "sample_paths"]


@dataclass(frozen=True)
class PathModel:
    """The network and demand of every part as the path kernel reads them."""

    parent: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray
    lead_days: np.ndarray
    lead_cv: np.ndarray
    planned_weeks: np.ndarray
    repairable: np.ndarray
    repair_days: np.ndarray
    procurement_days: np.ndarray
    condemnation: np.ndarray
    site_primary: np.ndarray
    batch_rate_week: np.ndarray = field(repr=False)
    batch_q: np.ndarray = field(repr=False)

    @property
    def n_parts(self) -> int:
        return int(self.planned_weeks.shape[0])

    @property
    def n_locations(self) -> int:
        return int(self.parent.shape[0])


def _children(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    groups = [[c for c in range(len(parent)) if parent[c] == loc] for loc in range(len(parent))]
    pointer = np.zeros(len(parent) + 1, dtype=np.int64)
    pointer[1:] = np.cumsum([len(g) for g in groups])
    return pointer, np.array([c for g in groups for c in g], dtype=np.int64)


def path_model(network: Network, parts: PartArrays) -> PathModel:
    """The path model of a compiled network (compound Poisson as in the simulation)."""
    vtm = np.maximum(parts.variance_to_mean, 1.0)
    q = (vtm - 1.0) / (vtm + 1.0)
    rate_week = parts.demand_rate * (DAYS_PER_WEEK / DAYS_PER_YEAR)
    pointer, index = _children(network.parent)
    return PathModel(
        parent=network.parent.astype(np.int64), child_ptr=pointer, child_idx=index,
        lead_days=network.lead_time_days.astype(np.float64),
        lead_cv=network.lead_time_cv.astype(np.float64),
        planned_weeks=lead_weeks(network, parts),
        repairable=parts.repairable.astype(np.bool_),
        repair_days=parts.repair_turnaround_days.astype(np.float64),
        procurement_days=parts.procurement_lead_time_days.astype(np.float64),
        condemnation=np.where(parts.repairable, parts.condemnation_fraction, 1.0),
        site_primary=network.site_primary.astype(np.int64),
        batch_rate_week=rate_week * (1.0 - q), batch_q=q)


@dataclass(frozen=True)
class SamplePaths:
    """One sample path per part.

    Attributes
    ----------
    net : numpy.ndarray
        int64 ``(P, L, T)``: net inventory at the end of weeks ``1 .. T``.
    net0, pending, on_order : numpy.ndarray
        int64 ``(P, B, L)``: what is known at the start of week ``w + 1`` (``w = 0 .. B -
        1``): net inventory, own orders waiting at the parent, units in transit.
    receipts : numpy.ndarray
        int64 ``(P, B, L, H)``: units in transit by planned arrival week (1 = the coming
        week; overdue ones in week 1).
    """

    net: np.ndarray = field(repr=False)
    net0: np.ndarray = field(repr=False)
    pending: np.ndarray = field(repr=False)
    on_order: np.ndarray = field(repr=False)
    receipts: np.ndarray = field(repr=False)


def sample_paths(model: PathModel, *, on_hand: np.ndarray, target: np.ndarray,
                 receipts: list[list[tuple[int, int, int]]], firm: np.ndarray,
                 snapshots: int, horizon_weeks: int, seeds: np.ndarray) -> SamplePaths:
    """Simulate one path per part from the given state.

    Parameters
    ----------
    model : PathModel
    on_hand, target : numpy.ndarray
        int64 ``(P, L)``: stock on hand now and base stock :math:`S_l`.
    receipts : list of list of (location, week, units)
        Per part, the scheduled receipts (week 1 = the coming week; overdue in week 1).
    firm : numpy.ndarray
        int64 ``(P, L, T)``: firm customer orders per week; ``T`` is the path length.
    snapshots : int
        :math:`B`, the weeks after which the known state is recorded (``B <= T``).
    horizon_weeks : int
        :math:`H`, the receipt weeks recorded in each snapshot.
    seeds : numpy.ndarray
        int64 ``(P,)`` one seed per part.

    Returns
    -------
    SamplePaths
    """
    n_parts, n_loc, n_weeks = firm.shape
    pointer = np.zeros(n_parts + 1, dtype=np.int64)
    pointer[1:] = np.cumsum([len(r) for r in receipts])
    rows = (np.array([row for part in receipts for row in part], dtype=np.int64)
            .reshape(-1, 3))
    capacity = 64 + 8 * (n_weeks + 1) * (n_loc + 2) + len(rows)
    while True:
        net = np.zeros((n_parts, n_loc, n_weeks), dtype=np.int64)
        net0 = np.zeros((n_parts, snapshots, n_loc), dtype=np.int64)
        pending = np.zeros_like(net0)
        on_order = np.zeros_like(net0)
        snap_receipts = np.zeros((n_parts, snapshots, n_loc, horizon_weeks), dtype=np.int64)
        status = np.zeros((n_parts, 1), dtype=np.int64)
        if n_parts:
            simulate_paths(model.parent, model.child_ptr, model.child_idx, model.lead_days,
                           model.lead_cv, model.planned_weeks, model.repairable,
                           model.repair_days, model.procurement_days, model.condemnation,
                           model.site_primary, model.batch_rate_week, model.batch_q,
                           np.ascontiguousarray(on_hand, dtype=np.int64),
                           np.ascontiguousarray(target, dtype=np.int64), pointer, rows,
                           np.ascontiguousarray(firm, dtype=np.int64),
                           np.asarray(seeds, dtype=np.int64), int(capacity), net, net0,
                           pending, on_order, snap_receipts, status)
        if not status.any():
            return SamplePaths(net=net, net0=net0, pending=pending, on_order=on_order,
                               receipts=snap_receipts)
        capacity *= 2
