"""Probabilistic projection: the chance that each part runs short at each location and week.

Model (weekly buckets :math:`t = 1 \\dots H`; week :math:`t` covers the days
``as_of + 7 (t - 1)`` to ``as_of + 7 t - 1``; "now" is week 0):

- **Demand** at location :math:`l` in week :math:`t`: the random demand of the customer
  sites whose primary location is :math:`l` (Poisson with mean
  :math:`\\mu_l = \\sum_s \\lambda_{s} \\cdot 7 / 365`, or negative binomial with the
  pooled variance-to-mean ratio :math:`\\phi_l = \\sum_s \\phi_s \\mu_s / \\mu_l`), plus the
  **firm** customer orders due that week (known quantities, on top of the random
  failures), plus the replenishment orders of the locations below :math:`l`.
- **One-for-one replenishment** with base stock :math:`S_l` (the plan's stock; without a
  plan, today's inventory position raised to ``min_stock``): with inventory position
  :math:`IP_l = NI_l + \\text{on order} + \\text{pending}` and excess
  :math:`e_l = IP_l - S_l`, the cumulative orders of :math:`l` on its parent are
  :math:`O_l(t) = \\max(0, TD_l(t) - e_l)`, :math:`TD_l` its cumulative demand (week 0
  holds the orders placed now to lift :math:`IP` to :math:`S`). So a DC's demand contains
  the replenishment of the FSLs below it, and the central warehouse's that of the DCs.
- An order placed in week :math:`u` arrives :math:`k_l = \\max(1, \\lceil L_l / 7
  \\rceil)` weeks later (:math:`L_l` the mean lead time in days; for a central warehouse
  the mean resupply time of the part, repair or procurement) if the parent can ship it;
  the parent's unfilled orders wait first come, first served.
- **Net inventory** (on hand minus backorders) at the end of week :math:`t`, with
  :math:`u = t - k_l`, :math:`R_l(t)` the scheduled receipts up to week :math:`t`,
  :math:`X = TD_l(u)` and :math:`W = TD_l(t) - TD_l(u)`:

  .. math::

      NI_l(t) = NI_l(0) + R_l(t) + \\text{pending}_l - \\min(X, e_l) - W - B_l(u)
      \\quad (u \\ge 0), \\qquad NI_l(t) = NI_l(0) + R_l(t) - TD_l(t) \\quad (u < 0)

  where :math:`B_l(u)` are :math:`l`'s orders still unfilled at its parent at week
  :math:`u` (0 for a central warehouse: suppliers and repair shops always deliver).
  With :math:`S_l` on hand and nothing pending this is the textbook
  :math:`NI = S - (\\text{lead-time demand}) - (\\text{delay at the parent})`.
- **Shortage**: :math:`NI_l(t) < 0` (a request waits at the end of week :math:`t`),
  the master-scheduling :math:`PAB_t < 0`. Reported: :math:`P(NI_l(t) < 0)` — the
  probability that the cumulative demand up to week :math:`t` exceeds what is on hand
  plus what has arrived by then — the expected shortfall :math:`E[(-NI_l(t))^+]`
  (units, integer-valued quantities so whole units when it happens) and the expected
  balance :math:`E[NI_l(t)]` (the PAB of the mean; with only firm orders it is the
  deterministic PAB, e.g. :math:`14 - 15 + 50 = 49`).

The distributions are computed exactly (pmf convolutions, :mod:`._projection_kernels`)
under three approximations, in the spirit of METRIC (Sherbrooke 1968): (1) a child's
orders over disjoint weeks are treated as independent (exact when no location holds
more than its base stock, since Poisson increments are independent); (2) the
parent's backorders at week :math:`u` are attributed to a child binomially, by its share
of the orders placed on the parent since now (first come, first served in expectation);
(3) a child's demand and its parent's backorders are independent (METRIC's assumption).
Lead times are their means rounded up to whole weeks. The backtest
(:mod:`spareplan.warning.backtest`) judges the result against sample paths that do
not make these approximations (random transit times, per-unit repair or procurement,
first come, first served queues).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from spareplan.codes import DAYS_PER_YEAR
from spareplan.network import Network, PartArrays
from spareplan.warning._projection_kernels import project_parts

__all__ = ["DAYS_PER_WEEK", "Projection", "ProjectionInput", "lead_weeks", "project",
           "project_firm_orders", "resupply_routes", "weekly_demand"]

DAYS_PER_WEEK = 7.0
#: Largest pmf length per part; beyond it the tail is lumped into the last bin.
MAX_SUPPORT = 4096


def _weeks(days: np.ndarray) -> np.ndarray:
    return np.maximum(1, np.ceil(np.asarray(days, dtype=float) / DAYS_PER_WEEK - 1e-9)
                      ).astype(np.int64)


def resupply_routes(network: Network, parts: PartArrays
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weeks from an order to its arrival, per part and location: ``(fast, slow, share)``.

    :math:`k = \\max(1, \\lceil L / 7 \\rceil)` with :math:`L` the mean lead time in days
    from the parent. A central warehouse is resupplied by procurement (consumables) or,
    for repairables, by repair (share :math:`1 - c`) and procurement (the condemned share
    :math:`c`): ``fast`` is the quicker route, ``slow`` the other and ``share`` the
    fraction of units taking it (0 where there is one route). int64, int64, float64
    ``(P, L)``.
    """
    shape = (parts.n_parts, network.n_locations)
    fast = np.broadcast_to(_weeks(network.lead_time_days), shape).copy()
    slow = fast.copy()
    share = np.zeros(shape)
    roots = np.flatnonzero(network.parent < 0)
    procure = _weeks(parts.procurement_lead_time_days)
    repair = _weeks(parts.repair_turnaround_days)
    c = parts.condemnation_fraction
    two = parts.repairable & (repair != procure) & (c > 0) & (c < 1)
    quick = np.where(parts.repairable & (c < 1), np.minimum(repair, procure), procure)
    quick = np.where(parts.repairable & (c < 1) & ~two, repair, quick)
    late = np.where(two, np.maximum(repair, procure), quick)
    late_share = np.where(two, np.where(procure > repair, c, 1.0 - c), 0.0)
    for root in roots:
        fast[:, root], slow[:, root], share[:, root] = quick, late, late_share
    return fast, slow, share


def lead_weeks(network: Network, parts: PartArrays) -> np.ndarray:
    """The fast route of :func:`resupply_routes`, int64 ``(P, L)`` (the planned transit
    of a shipment to a location that is not a central warehouse)."""
    return resupply_routes(network, parts)[0]


def weekly_demand(network: Network, parts: PartArrays) -> tuple[np.ndarray, np.ndarray]:
    """Mean weekly random demand of each location's own sites and its variance-to-mean.

    :math:`\\mu_l = \\sum_{s: primary(s) = l} \\lambda_s \\cdot 7 / 365`;
    :math:`\\phi_l = \\sum_s \\phi_s \\mu_s / \\mu_l` (1 where :math:`\\mu_l = 0`).
    """
    rate = parts.demand_rate * (DAYS_PER_WEEK / DAYS_PER_YEAR)
    variance = rate * parts.variance_to_mean
    mean = np.zeros((parts.n_parts, network.n_locations))
    var = np.zeros_like(mean)
    np.add.at(mean.T, network.site_primary, rate.T)
    np.add.at(var.T, network.site_primary, variance.T)
    ratio = np.divide(var, mean, out=np.ones_like(mean), where=mean > 0)
    return mean, np.maximum(ratio, 1.0)


@dataclass(frozen=True)
class ProjectionInput:
    """The state and plan of every part as arrays: the boundary to the kernel.

    Attributes
    ----------
    part_ids, location_ids : tuple[str, ...]
        Row and column labels; locations in topological order (``parent[l] < l``).
    parent : numpy.ndarray
        int64 ``(L,)``, ``-1`` for central warehouses.
    lead_weeks : numpy.ndarray
        int64 ``(P, L)``: :math:`k_l` (see :func:`lead_weeks`).
    net0, pending, on_order, target : numpy.ndarray
        int64 ``(P, L)``: net inventory now (on hand minus backorders), the location's
        orders waiting at its parent, units on order or in transit to it (every due
        date), base stock :math:`S_l`.
    receipts, firm : numpy.ndarray
        int64 ``(P, L, H)``: receipts due and firm customer orders per week (overdue ones
        in week 1).
    own_mean, own_vtm : numpy.ndarray
        float64 ``(P, L)``: weekly random demand of the location's own sites.
    slow_lead_weeks, slow_fraction : numpy.ndarray, optional
        ``(P, L)``: a second, slower resupply route of central warehouses and the share of
        units taking it (see :func:`resupply_routes`); default one route.
    """

    part_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    parent: np.ndarray
    lead_weeks: np.ndarray
    net0: np.ndarray
    pending: np.ndarray
    on_order: np.ndarray
    target: np.ndarray
    receipts: np.ndarray = field(repr=False)
    firm: np.ndarray = field(repr=False)
    own_mean: np.ndarray = field(repr=False)
    own_vtm: np.ndarray = field(repr=False)
    slow_lead_weeks: np.ndarray | None = field(default=None, repr=False)
    slow_fraction: np.ndarray | None = field(default=None, repr=False)

    @property
    def horizon_weeks(self) -> int:
        return int(self.receipts.shape[2])

    def support(self) -> np.ndarray:
        """Pmf length per part: every unit that can be demanded anywhere, plus 12 sd."""
        depth = np.zeros(len(self.parent), dtype=np.int64)
        for loc, up in enumerate(self.parent):
            depth[loc] = 0 if up < 0 else depth[up] + 1
        levels = int(depth.max()) + 1 if len(depth) else 1
        excess = self.net0 + self.on_order + self.pending - self.target
        fixed = (self.firm.sum(axis=(1, 2)) + levels * np.maximum(0, -excess).sum(axis=1)
                 + self.pending.sum(axis=1) + np.maximum(0, -self.net0).sum(axis=1))
        mean = self.own_mean.sum(axis=1) * self.horizon_weeks
        var = (self.own_mean * self.own_vtm).sum(axis=1) * self.horizon_weeks
        size = fixed + np.ceil(mean + 12.0 * np.sqrt(var)) + 16
        return np.minimum(size, MAX_SUPPORT).astype(np.int64)

    def without_random_demand(self) -> ProjectionInput:
        """The same state with only the firm orders as demand (for confirmed shortages)."""
        return dataclasses.replace(self, own_mean=np.zeros_like(self.own_mean),
                                   own_vtm=np.ones_like(self.own_vtm))

    def subset(self, parts: np.ndarray) -> ProjectionInput:
        """The inputs of the parts at integer positions ``parts``."""
        def pick(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[parts]

        return ProjectionInput(
            part_ids=tuple(self.part_ids[i] for i in parts), location_ids=self.location_ids,
            parent=self.parent, lead_weeks=self.lead_weeks[parts], net0=self.net0[parts],
            pending=self.pending[parts], on_order=self.on_order[parts],
            target=self.target[parts], receipts=self.receipts[parts], firm=self.firm[parts],
            own_mean=self.own_mean[parts], own_vtm=self.own_vtm[parts],
            slow_lead_weeks=pick(self.slow_lead_weeks), slow_fraction=pick(self.slow_fraction))


@dataclass(frozen=True)
class Projection:
    """Result of :func:`project`: per part, location and week (arrays ``(P, L, H)``).

    Attributes
    ----------
    inputs : ProjectionInput
    p_short : numpy.ndarray
        :math:`P(NI_l(t) < 0)`.
    expected_short : numpy.ndarray
        :math:`E[(-NI_l(t))^+]`, units.
    mean_net : numpy.ndarray
        :math:`E[NI_l(t)]`, the expected projected available balance.
    mean_demand : numpy.ndarray
        Expected demand of the week at the location (own sites, firm orders, the
        replenishment orders of the locations below; week 1 includes orders placed now).
    base : numpy.ndarray
        :math:`b_t` with :math:`NI_l(t) = b_t - Z_t`.
    z_internal, z_customer : numpy.ndarray
        Quantiles of :math:`Z_t` at tail probabilities ``p_internal`` and ``p_customer``:
        ``z - base`` units more at the location bring :math:`P(short)` down to that
        probability (:meth:`units_needed`); ``base - z`` units can leave it without
        raising it above (:meth:`units_spare`).
    p_internal, p_customer : float
        The two thresholds the quantiles were taken at.
    """

    inputs: ProjectionInput
    p_short: np.ndarray = field(repr=False)
    expected_short: np.ndarray = field(repr=False)
    mean_net: np.ndarray = field(repr=False)
    mean_demand: np.ndarray = field(repr=False)
    base: np.ndarray = field(repr=False)
    z_internal: np.ndarray = field(repr=False)
    z_customer: np.ndarray = field(repr=False)
    p_internal: float = 0.0
    p_customer: float = 0.0

    def units_needed(self, level: str = "internal") -> np.ndarray:
        """Units that, on hand from week 1, bring :math:`P(NI_t < 0)` to the threshold.

        ``(P, L, H)`` int64, 0 where the probability is already at or below it.
        """
        z = self.z_internal if level == "internal" else self.z_customer
        return np.maximum(0, z - self.base).astype(np.int64)

    def units_spare(self) -> np.ndarray:
        """Units that can leave in week t without lifting P(short) above ``p_internal``.

        ``(P, L, H)`` int64: :math:`\\max(0, b_t - z_t)`.
        """
        return np.maximum(0, self.base - self.z_internal).astype(np.int64)

    def arrivals(self) -> np.ndarray:
        """Expected replenishment arriving from the parent (or supplier) per week.

        ``(P, L, H)``: :math:`E[NI_t] - E[NI_{t-1}] + E[D_t] - R_t`.
        """
        inputs = self.inputs
        opening = np.concatenate([inputs.net0[:, :, None].astype(float),
                                  self.mean_net[:, :, :-1]], axis=2)
        return np.maximum(0.0, self.mean_net - opening + self.mean_demand - inputs.receipts)

    def to_frame(self, pairs: np.ndarray | None = None, as_of: object = None) -> pd.DataFrame:
        """Long table, one row per part, location and week (``pab.csv``).

        Parameters
        ----------
        pairs : numpy.ndarray, optional
            bool ``(P, L)``: the pairs to list (default all).
        as_of : datetime.date, optional
            Adds ``week_start`` when given.

        Columns ``part, location, week, [week_start,] opening, demand, firm_orders,
        receipts, replenishment, pab, target, p_short, expected_shortfall``; ``opening``
        and ``pab`` are expected balances, ``replenishment`` the expected arrivals from
        the parent (or the supplier) in the week.
        """
        import datetime as dt

        inputs = self.inputs
        horizon = inputs.horizon_weeks
        if pairs is None:
            pairs = np.ones(inputs.net0.shape, dtype=bool)
        part_index, loc_index = np.nonzero(pairs)
        pab = self.mean_net[part_index, loc_index]
        opening = np.concatenate([inputs.net0[part_index, loc_index][:, None].astype(float),
                                  pab[:, :-1]], axis=1)
        demand = self.mean_demand[part_index, loc_index]
        receipts = inputs.receipts[part_index, loc_index].astype(float)
        weeks = np.tile(np.arange(1, horizon + 1, dtype=np.int64), len(part_index))
        frame = {
            "part": np.repeat(np.array(inputs.part_ids, dtype=object)[part_index], horizon),
            "location": np.repeat(np.array(inputs.location_ids, dtype=object)[loc_index],
                                  horizon),
            "week": weeks,
        }
        if isinstance(as_of, dt.date):
            starts = [as_of + dt.timedelta(days=7 * (int(w) - 1)) for w in range(1, horizon + 1)]
            frame["week_start"] = np.tile(np.array([d.isoformat() for d in starts],
                                                   dtype=object), len(part_index))
        frame.update({
            "opening": opening.ravel(),
            "demand": demand.ravel(),
            "firm_orders": inputs.firm[part_index, loc_index].ravel().astype(float),
            "receipts": receipts.ravel(),
            "replenishment": (pab - opening + demand - receipts).ravel(),
            "pab": pab.ravel(),
            "target": np.repeat(inputs.target[part_index, loc_index], horizon),
            "p_short": self.p_short[part_index, loc_index].ravel(),
            "expected_shortfall": self.expected_short[part_index, loc_index].ravel(),
        })
        return pd.DataFrame(frame)


def project(inputs: ProjectionInput, *, p_internal: float, p_customer: float) -> Projection:
    """Project every part (see the module docstring for the model).

    Parameters
    ----------
    inputs : ProjectionInput
        The state, plan and demand as arrays.
    p_internal, p_customer : float
        The alert thresholds (tail probabilities of the two quantiles reported).

    Returns
    -------
    Projection

    Examples
    --------
    One location, 2 on hand, no replenishment within the horizon, Poisson demand of 1 a
    week: :math:`P(NI_2 < 0) = P(\\text{Poisson}(2) > 2) = 1 - 5 e^{-2} = 0.3233`.

    >>> import numpy as np
    >>> one = lambda v: np.array([[v]], dtype=np.int64)
    >>> inputs = ProjectionInput(("P",), ("L",), np.array([-1]), one(52), one(2), one(0),
    ...     one(0), one(2), np.zeros((1, 1, 2), dtype=np.int64),
    ...     np.zeros((1, 1, 2), dtype=np.int64), np.array([[1.0]]), np.array([[1.0]]))
    >>> round(float(project(inputs, p_internal=0.2, p_customer=0.5).p_short[0, 0, 1]), 4)
    0.3233
    """
    n_parts, n_locations = inputs.net0.shape
    horizon = inputs.horizon_weeks
    parent = np.asarray(inputs.parent, dtype=np.int64)
    children = [[c for c in range(n_locations) if parent[c] == loc] for loc in range(n_locations)]
    child_ptr = np.zeros(n_locations + 1, dtype=np.int64)
    child_ptr[1:] = np.cumsum([len(c) for c in children])
    child_idx = np.array([c for group in children for c in group], dtype=np.int64)
    shape = (n_parts, n_locations, horizon)
    out = {name: np.zeros(shape) for name in ("p_short", "expected_short", "mean_net",
                                              "mean_demand", "base", "z_1", "z_2")}
    if n_parts and n_locations and horizon:
        as_int = {name: np.ascontiguousarray(getattr(inputs, name), dtype=np.int64)
                  for name in ("lead_weeks", "net0", "pending", "on_order", "target",
                               "receipts", "firm")}
        slow = (inputs.lead_weeks if inputs.slow_lead_weeks is None
                else inputs.slow_lead_weeks)
        fraction = (np.zeros(inputs.net0.shape) if inputs.slow_fraction is None
                    else inputs.slow_fraction)
        project_parts(parent, child_ptr, child_idx, as_int["lead_weeks"],
                      np.ascontiguousarray(np.maximum(slow, inputs.lead_weeks), dtype=np.int64),
                      np.ascontiguousarray(fraction, dtype=np.float64), as_int["net0"],
                      as_int["pending"], as_int["on_order"], as_int["target"],
                      as_int["receipts"], as_int["firm"],
                      np.ascontiguousarray(inputs.own_mean, dtype=np.float64),
                      np.ascontiguousarray(inputs.own_vtm, dtype=np.float64),
                      inputs.support(), float(p_internal), float(p_customer),
                      out["p_short"], out["expected_short"], out["mean_net"],
                      out["mean_demand"], out["base"], out["z_1"], out["z_2"])
    return Projection(inputs=inputs, p_short=out["p_short"],
                      expected_short=out["expected_short"], mean_net=out["mean_net"],
                      mean_demand=out["mean_demand"], base=out["base"],
                      z_internal=out["z_1"], z_customer=out["z_2"],
                      p_internal=float(p_internal), p_customer=float(p_customer))


def project_firm_orders(inputs: ProjectionInput, *, p_internal: float, p_customer: float
                        ) -> Projection:
    """:func:`project` with the firm orders as the only demand (confirmed shortages).

    Only the parts with a firm order in the horizon are computed; the others get
    probability 0 (without random demand and firm orders nothing can run short).
    """
    parts = np.flatnonzero(inputs.firm.sum(axis=(1, 2)) > 0)
    certain = project(inputs.without_random_demand().subset(parts), p_internal=p_internal,
                      p_customer=p_customer)
    out = {}
    for name in ("p_short", "expected_short", "mean_net", "mean_demand", "base",
                 "z_internal", "z_customer"):
        full = np.zeros(inputs.firm.shape)
        full[parts] = getattr(certain, name)
        out[name] = full
    return Projection(inputs=inputs.without_random_demand(), **out,
                      p_internal=float(p_internal), p_customer=float(p_customer))


def round_units(values: np.ndarray, *, up: bool) -> np.ndarray:
    """Quantities as whole units: receipts rounded down, demand up (the safe side)."""
    values = np.asarray(values, dtype=np.float64)
    rounded = np.ceil(values - 1e-9) if up else np.floor(values + 1e-9)
    return rounded.astype(np.int64)


