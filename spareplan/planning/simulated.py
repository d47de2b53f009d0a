"""Columns whose service is what the simulated system delivers: the simulation feed model.

:class:`SimulatedSource` is a :class:`solvers.ColumnSource` whose columns — a part's stock
vector — get their SLA-row contributions and shipping costs from the numba simulation
(:func:`spareplan.planning.feed.simulate_columns`, the feed's own random numbers, common
random numbers between the stock vectors of a part), not from the analytic model: the
model the MILP optimizes is the system the simulation measures, on every column it
considers. This is sample-average approximation (SAA; Kleywegt, Shapiro &
Homem-de-Mello 2002) over the columns that column generation proposes. Uptime rows take the
demand count's known expectation in place of its draw
(:func:`~spareplan.planning.feed.uptime_activity`, a control variate).

New columns are proposed by pricing a *surrogate*: the analytic model with the per part and
site factors of :class:`~spareplan.planning.correction.ServiceCorrection` fitted to every
column simulated so far (observed over expected misses and excess waits, pooled per part
and primary location, shrunk towards the part's ratio). The surrogate only proposes; the
simulation decides. Because no pricing is exact for the simulated model, no Lagrangian
bound over all stock vectors exists for it: the engine says "no bound" rather than report
a bound over the generated columns.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

import solvers
from spareplan.planning.correction import ServiceCorrection
from spareplan.planning.feed import (
    FEED_STREAM,
    ColumnFigures,
    FeedSettings,
    availability_activity,
    shrunk_ratio,
    simulate_columns,
    uptime_activity,
)
from spareplan.planning.model import Column, PlanningModel
from spareplan.planning.pricing import StockVectorSource

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SimulatedSource"]


class SimulatedSource(StockVectorSource):
    """A planning model's parts with simulated columns (see the module docstring).

    Parameters
    ----------
    model : PlanningModel
    seed : int
        Seed of the feed (its streams are independent of the verification's).
    settings : FeedSettings
        Size of the feed.
    stream : int
        Random-number family (default the feed's; the holdout uses another).
    client : dask.distributed.Client, optional
        Simulate (and price) the parts' chunks on its workers (the same columns).
    """

    def __init__(self, model: PlanningModel, *, seed: int, settings: FeedSettings,
                 stream: int = FEED_STREAM, client: Client | None = None) -> None:
        super().__init__(model, client=client)
        self.seed = seed
        self.stream = stream
        self.settings = settings
        shape = (model.n_parts, model.network.n_sites)
        self._observed_miss = np.zeros(shape)
        self._expected_miss = np.zeros(shape)
        self._observed_excess = np.zeros(shape)
        self._expected_excess = np.zeros(shape)
        self.simulated_columns = 0
        self._correction: ServiceCorrection | None = None
        self._cache: dict[tuple[int, bytes], tuple[float, np.ndarray, Column]] = {}
        self.fill_scale = self._fill_scale()

    def _fill_scale(self) -> np.ndarray:
        """Per fill-rate row, its expected demand over the demand the feed simulates
        (1 on uptime rows), so that a column's fill coefficient is its share of the row's
        *simulated* requests: the feed's fill rate is the ratio ``within / requests`` of
        the verification, not ``within / expected requests``. Demand does not depend on
        the stock (common random numbers), so one run of every part at zero stock gives
        every column's requests."""
        model = self.model
        every = np.arange(model.n_parts, dtype=np.int64)
        figures = simulate_columns(model, every, np.zeros((model.n_parts,
                                                          model.network.n_locations)),
                                   seed=self.seed, settings=self.settings,
                                   stream=self.stream, client=self.client)
        self.simulated_columns += model.n_parts
        simulated = np.asarray((figures.requests.sum(axis=0) / figures.measured_years)
                               @ model.fill_map)
        expected = np.asarray(model.parts.demand_rate.sum(axis=0) @ model.fill_map)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(simulated > 0, expected / np.maximum(simulated, 1e-300), 1.0)
        return np.where(model.is_fill_row, scale, 1.0)

    @property
    def exact(self) -> bool:
        return False

    @property
    def correction(self) -> ServiceCorrection:
        """The surrogate's factors, fitted to every column simulated so far."""
        if self._correction is None:
            model = self.model
            k_miss = self.settings.prior_misses
            per_miss = float(self._observed_excess.sum()
                             / max(self._observed_miss.sum(), 1.0))
            k_wait = k_miss * max(per_miss, 1.0)
            primary = model.network.site_primary
            n_loc, n_parts = model.network.n_locations, model.n_parts
            miss = shrunk_ratio(self._observed_miss, self._expected_miss, primary, n_loc,
                                 np.full(n_parts, k_miss))
            wait = shrunk_ratio(self._observed_excess, self._expected_excess, primary,
                                 n_loc, np.full(n_parts, k_wait))
            self._correction = ServiceCorrection(miss, wait, model.response_hours,
                                                 "surrogate fitted to the feed")
        return self._correction

    def evaluate(self, groups: np.ndarray, payloads: np.ndarray) -> solvers.Evaluation:
        """Simulate the stock vectors (each once: later calls read them from a cache);
        their rows and shipping costs are the feed's."""
        groups = np.asarray(groups, dtype=np.int64)
        payloads = np.asarray(payloads, dtype=np.int64)
        keys = [(int(g), payloads[i].tobytes()) for i, g in enumerate(groups)]
        new, seen = [], set()
        for i, key in enumerate(keys):
            if key not in self._cache and key not in seen:
                seen.add(key)
                new.append(i)
        if new:
            self._simulate(groups[new], payloads[new])
        costs = np.array([self._cache[key][0] for key in keys], dtype=np.float64)
        coefficients = (np.vstack([self._cache[key][1] for key in keys]) if keys
                        else np.zeros((0, len(self.model.rows))))
        details = [self._cache[key][2] for key in keys]
        if self.model.has_penalties:  # the objective adds the expected penalties
            costs = self.model.objective(
                groups, np.array([d.service.holding_cost for d in details]),
                np.array([d.service.shipping_cost for d in details]), coefficients)
        if self.model.n_capacity_rows:
            coefficients = np.hstack([coefficients,
                                      self.model.capacity_coefficients(groups, payloads)])
        return solvers.Evaluation(cost=costs, coefficients=coefficients, details=details)

    def _simulate(self, groups: np.ndarray, payloads: np.ndarray) -> None:
        """Simulate new columns into the cache and the surrogate's sums."""
        model = self.model
        net = model.network
        services = model.service.evaluate_many(groups, payloads)
        figures = simulate_columns(model, groups, payloads, seed=self.seed,
                                   settings=self.settings, stream=self.stream,
                                   client=self.client)
        years = figures.measured_years
        coefficients = (np.asarray((figures.within / years) @ model.fill_map)
                        * self.fill_scale[None, :]
                        + uptime_activity(model, model.parts.demand_rate[groups],
                                          figures.requests, figures.wait_hours, years)
                        + availability_activity(model, groups, figures.requests,
                                                figures.wait_hours, years))
        emergency = figures.emergency.sum(axis=1) / years
        lateral = figures.lateral.sum(axis=1) / years
        shipping = emergency * net.emergency_shipment_cost + lateral * net.lateral_shipment_cost
        with np.errstate(invalid="ignore", divide="ignore"):
            within = np.where(figures.requests > 0, figures.within
                              / np.maximum(figures.requests, 1e-300), 1.0)
            wait = np.where(figures.requests > 0, figures.wait_hours
                            / np.maximum(figures.requests, 1e-300), 0.0)
        for i, service in enumerate(services):
            simulated = dataclasses.replace(
                service, within=within[i], wait_hours=wait[i],
                emergency_per_year=float(emergency[i]), lateral_per_year=float(lateral[i]),
                shipping_cost=float(shipping[i]))
            column = Column(int(groups[i]), service.stock, simulated.cost,
                            coefficients[i].copy(), simulated)
            self._cache[(int(groups[i]), payloads[i].tobytes())] = (
                simulated.cost, coefficients[i].copy(), column)
        self._learn(groups, services, figures)

    def _learn(self, groups: np.ndarray, services: list, fig: ColumnFigures) -> None:
        """Add the simulated columns to the surrogate's observed/expected sums."""
        model = self.model
        years = fig.measured_years
        rate = model.parts.demand_rate[groups] * years
        within = np.vstack([s.within for s in services])
        wait = np.vstack([s.wait_hours for s in services])
        response = model.response_hours[None, :]
        np.add.at(self._expected_miss, groups, rate * (1.0 - within))
        np.add.at(self._observed_miss, groups,
                  fig.requests - fig.within)
        np.add.at(self._expected_excess, groups, rate * np.maximum(wait - response, 0.0))
        np.add.at(self._observed_excess, groups, np.maximum(
            fig.wait_hours - fig.requests * response, 0.0))
        self.simulated_columns += int(groups.shape[0])
        self._correction = None

    def _weights(self, groups: np.ndarray, row_duals: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        weight_within, weight_wait, unit_price = super()._weights(groups, row_duals)
        weight_within, weight_wait = self.correction.scale_weights(groups, weight_within,
                                                                   weight_wait)
        return weight_within, weight_wait, unit_price

    def price(self, groups: np.ndarray, row_duals: np.ndarray) -> solvers.Priced:
        """The surrogate's minimizers (never exact for the simulated model)."""
        if self.model.service.exact_pricing:
            payloads = self._price_exact(groups, row_duals)
        else:
            payloads = self._price_lateral(groups, row_duals).payloads
        if self.model.availability_rows.size:  # move the tangent points (no bound here)
            self._tangent_values(groups, payloads, row_duals)
        return solvers.Priced(payloads, exact=False)
