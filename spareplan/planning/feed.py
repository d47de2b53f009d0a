"""The simulation feed: what a plan's stock buys in the simulated system, for the optimizer.

The numba simulation (:func:`spareplan.simulation.simulate_network`) is run on the plan's
stock vectors with a random-number family of its own (stream
:data:`FEED_STREAM`; the verification uses stream 0, so the plan is never judged by the
random numbers that chose it). Its per part and site figures — requests, requests filled
within the window, hours waited — are compared with what the analytic model expects at
the same stock, and turned into the :class:`~spareplan.planning.correction.
ServiceCorrection` factors that the next optimization plans with.

The factor of part p at the sites of one primary location j is a ratio of sums,
observed / expected, over those sites (a pooled estimator: a slow mover's site sees a
request or two a year), shrunk towards the part's own ratio over every location and that
towards 1 by pseudo-observations (an empirical-Bayes ratio estimator):

    m_pj = (O_pj + k m_p) / (E_pj + k),   m_p = (O_p + k) / (E_p + k),

with O the misses (requests not filled within the window) or the excess hours waited
(wait beyond the primary's response) in the feed, E their analytic expectation at the same
stock, and k = :attr:`FeedSettings.prior_misses` misses (or that many times the mean
excess wait of a miss, for the wait factor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spareplan.errors import ParameterError
from spareplan.planning.correction import ServiceCorrection
from spareplan.planning.model import PlanningModel
from spareplan.simulation import _kernels as k
from spareplan.simulation.engine import part_seeds, simulate_network

__all__ = ["FEED_STREAM", "FeedMeasurement", "FeedSettings", "fit_correction", "measure"]

#: The random-number family of the feed (the verification's is 0).
FEED_STREAM = 1


@dataclass(frozen=True)
class FeedSettings:
    """Size of the feed simulation and the shrinkage of its factors.

    The feed is larger than the default verification (20 x 5 years): its noise enters the
    plan, the verification's only the verdict. On the demo 40 x 5 years take about half a
    second.
    """

    replications: int = 40
    years: float = 5.0
    warmup_years: float = 1.0
    prior_misses: float = 2.0
    #: Parts per simulation call (bounds the memory of the per-part figures).
    chunk_parts: int = 1000

    def __post_init__(self) -> None:
        if self.replications < 2:
            raise ParameterError("feed replications", "must be >= 2", self.replications)
        if not self.years > 0:
            raise ParameterError("feed years", "must be > 0", self.years)


@dataclass(frozen=True, eq=False)
class FeedMeasurement:
    """The feed's figures of one stock plan.

    Attributes
    ----------
    stock : int64 (P, L)
    requests, within, wait_hours : float64 (P, N)
        Sums over every replication: requests, requests filled within the site's window,
        hours waited (response included).
    site_totals : float64 (R, N, 3)
        The same summed over parts, per replication (for the rows' standard errors).
    years : float
        Measured years in all (replications x years).
    """

    stock: np.ndarray
    requests: np.ndarray
    within: np.ndarray
    wait_hours: np.ndarray
    site_totals: np.ndarray
    years: float


def measure(model: PlanningModel, stock: np.ndarray, *, seed: int,
            settings: FeedSettings) -> FeedMeasurement:
    """Simulate ``stock`` (P, L) with the feed's random numbers (stream
    :data:`FEED_STREAM`, one stream per part: common random numbers between plans)."""
    net, parts = model.network, model.parts
    stock = np.asarray(stock, dtype=np.int64)
    n_parts, n_sites = parts.n_parts, net.n_sites
    seeds = part_seeds(seed, n_parts, stream=FEED_STREAM)
    requests = np.zeros((n_parts, n_sites))
    within = np.zeros((n_parts, n_sites))
    wait = np.zeros((n_parts, n_sites))
    totals = np.zeros((settings.replications, n_sites, 3))
    fields = [k.SITE_REQUESTS, k.SITE_WITHIN_WINDOW, k.SITE_WAIT_HOURS]
    for first in range(0, n_parts, settings.chunk_parts):
        chunk = np.arange(first, min(first + settings.chunk_parts, n_parts))
        arrays = simulate_network(
            net, parts.subset(chunk), stock[chunk],
            window_hours=model.service.site_window_hours,
            replications=settings.replications, years=settings.years,
            warmup_years=settings.warmup_years, seed=seed, seeds=seeds[chunk])
        site = arrays.site_parts  # (p, R, N, F)
        assert site is not None
        requests[chunk] = site[..., k.SITE_REQUESTS].sum(axis=1)
        within[chunk] = site[..., k.SITE_WITHIN_WINDOW].sum(axis=1)
        wait[chunk] = site[..., k.SITE_WAIT_HOURS].sum(axis=1)
        totals += arrays.site_totals[..., fields]
    return FeedMeasurement(stock, requests, within, wait, totals,
                           settings.replications * settings.years)


def _shrunk_ratio(observed: np.ndarray, expected: np.ndarray, primary: np.ndarray,
                  n_locations: int, prior: np.ndarray) -> np.ndarray:
    """Per part and site the ratio of sums over the sites of its primary location, shrunk
    to the part's ratio over every site, that shrunk to 1 (module docstring)."""
    n_parts, n_sites = observed.shape
    by_location_o = np.zeros((n_parts, n_locations))
    by_location_e = np.zeros((n_parts, n_locations))
    for s in range(n_sites):
        by_location_o[:, primary[s]] += observed[:, s]
        by_location_e[:, primary[s]] += expected[:, s]
    part_ratio = ((by_location_o.sum(axis=1) + prior)
                  / (by_location_e.sum(axis=1) + prior))
    ratio = ((by_location_o + prior[:, None] * part_ratio[:, None])
             / (by_location_e + prior[:, None]))
    return ratio[:, primary]


def fit_correction(model: PlanningModel, measured: FeedMeasurement,
                   settings: FeedSettings) -> ServiceCorrection:
    """Correction factors that make the analytic terms at ``measured.stock`` agree with
    the feed (module docstring)."""
    net, parts = model.network, model.parts
    every = np.arange(parts.n_parts, dtype=np.int64)
    services = model.service.evaluate_many(every, measured.stock)
    within = np.vstack([s.within for s in services])
    wait = np.vstack([s.wait_hours for s in services])
    response = model.response_hours
    expected_requests = parts.demand_rate * measured.years
    miss_expected = expected_requests * (1.0 - within)
    miss_observed = measured.requests - measured.within
    excess_expected = expected_requests * np.maximum(wait - response[None, :], 0.0)
    excess_observed = np.maximum(measured.wait_hours - measured.requests * response[None, :],
                                 0.0)
    k_miss = settings.prior_misses
    # The wait prior: k misses of the mean excess wait per miss in the feed.
    per_miss = float(excess_observed.sum() / max(miss_observed.sum(), 1.0))
    k_wait = settings.prior_misses * max(per_miss, 1.0)
    primary = net.site_primary
    miss = _shrunk_ratio(miss_observed, miss_expected, primary, net.n_locations,
                         np.full(parts.n_parts, k_miss))
    wait_factor = _shrunk_ratio(excess_observed, excess_expected, primary, net.n_locations,
                                np.full(parts.n_parts, k_wait))
    return ServiceCorrection(miss, wait_factor, response,
                             f"simulation feed {settings.replications} x {settings.years:g} "
                             f"years")


@dataclass(frozen=True, eq=False)
class ColumnFigures:
    """Feed figures of ``K`` columns (a part and a stock vector each), per site, summed
    over every replication: requests, requests filled within the window, hours waited,
    emergency and lateral shipments; ``years`` measured in all."""

    requests: np.ndarray
    within: np.ndarray
    wait_hours: np.ndarray
    emergency: np.ndarray
    lateral: np.ndarray
    years: float


def simulate_columns(model: PlanningModel, groups: np.ndarray, stock: np.ndarray, *,
                     seed: int, settings: FeedSettings) -> ColumnFigures:
    """Simulate the stock vectors ``stock`` (K, L) of parts ``groups`` (K,) with the
    feed's random numbers: every column of a part replays the part's stream (common random
    numbers), and the feed's streams are not the verification's."""
    net, parts = model.network, model.parts
    groups = np.asarray(groups, dtype=np.int64)
    stock = np.asarray(stock, dtype=np.int64).reshape(groups.shape[0], net.n_locations)
    seeds = part_seeds(seed, parts.n_parts, stream=FEED_STREAM)[groups]
    shape = (groups.shape[0], net.n_sites)
    out = {name: np.zeros(shape) for name in ("requests", "within", "wait", "emergency",
                                             "lateral")}
    fields = {"requests": k.SITE_REQUESTS, "within": k.SITE_WITHIN_WINDOW,
              "wait": k.SITE_WAIT_HOURS, "emergency": k.SITE_EMERGENCY,
              "lateral": k.SITE_LATERAL}
    for first in range(0, groups.shape[0], settings.chunk_parts):
        chunk = np.arange(first, min(first + settings.chunk_parts, groups.shape[0]))
        arrays = simulate_network(
            net, parts.subset(groups[chunk]), stock[chunk],
            window_hours=model.service.site_window_hours,
            replications=settings.replications, years=settings.years,
            warmup_years=settings.warmup_years, seed=seed, seeds=seeds[chunk])
        site = arrays.site_parts
        assert site is not None
        for name, field in fields.items():
            out[name][chunk] = site[..., field].sum(axis=1)
    return ColumnFigures(out["requests"], out["within"], out["wait"], out["emergency"],
                         out["lateral"], settings.replications * settings.years)
