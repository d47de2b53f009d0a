"""The simulation feed: what a part's stock vector buys in the simulated system.

The numba simulation (:func:`spareplan.simulation.simulate_jobs`) is run on stock vectors
of parts with a random-number family of its own (stream :data:`FEED_STREAM`; the
verification uses stream 0, so a plan is never judged by the random numbers that chose
it). Every stock vector of a part replays the part's stream: common random numbers, so
the differences between two columns of a part are measured on the same demand and the
same transit times, and the optimizer cannot pick a column for the luck of its own draws.

:func:`simulate_columns` gives the columns' per site figures; :func:`row_errors` the
standard error of every SLA row's activity at a plan, from its replications, which sizes
the margin the optimizer keeps against the noise of the feed and of the verification
(:func:`noise_margins`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from spareplan.errors import ParameterError
from spareplan.planning.model import PlanningModel
from spareplan.progress import ChunkCounter
from spareplan.simulation import simulate_jobs

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["FEED_STREAM", "HOLDOUT_STREAM", "ColumnFigures", "FeedSettings", "RowErrors",
           "noise_margins", "plan_row_values", "row_errors", "row_values_by_replication",
           "shrunk_ratio", "simulate_columns", "uptime_activity"]

LOG = logging.getLogger(__name__)

#: The random-number family of the feed (the verification's is 0).
FEED_STREAM = 1
#: The family of the holdout that measures the optimizer's curse (see feed_plan).
HOLDOUT_STREAM = 2


@dataclass(frozen=True)
class FeedSettings:
    """Size of the feed simulation, its surrogate's shrinkage and the plan's margin.

    Attributes
    ----------
    replications, years, warmup_years
        Of every column's simulation. The feed is larger than the default verification
        (20 x 5 years): its noise enters the plan, the verification's only the verdict.
    prior_misses
        Pseudo-observations of the surrogate's correction factors (:func:`shrunk_ratio`).
    z, reference_years
        Standard errors of margin per SLA row, against the feed's noise and that of an
        independent check of ``reference_years`` measured years (:func:`noise_margins`):
        24, the smallest check a plan is meant to pass (8 x 3 years; the default
        verification, 20 x 5 years, is sharper). Measured on the demo: 100 years gave
        395,424 a year and two gold uptime rows below target in an 8 x 3 check; 24 gave
        408,934 and none (``benchmarks/README.md``).
    pricing_rounds
        Rounds of surrogate pricing after the analytic columns (each simulates the new
        columns it proposes).
    near_replications, near_distance
        After the first plan, the columns within ``near_distance`` units of each part's
        chosen stock vector are simulated again with ``near_replications`` replications
        (the same stream: the first ``replications`` are the feed's), and the plan is
        re-optimized over them: less noise in the columns the optimizer chooses among,
        less of the optimizer's curse. Off when not above ``replications``.
    curse_rounds
        Times the plan is re-measured on the holdout stream and re-optimized with the
        margins it shows (see :mod:`~spareplan.planning.feed_plan`).
    """

    replications: int = 40
    years: float = 5.0
    warmup_years: float = 1.0
    prior_misses: float = 2.0
    z: float = 1.0
    reference_years: float = 24.0
    pricing_rounds: int = 3
    curse_rounds: int = 2
    near_replications: int = 160
    near_distance: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.replications, bool) or self.replications < 2:
            raise ParameterError("feed replications", "must be >= 2", self.replications)
        if not (self.years > 0 and math.isfinite(self.years)):
            raise ParameterError("feed years", "must be a finite number > 0", self.years)
        if not (self.z >= 0 and math.isfinite(self.z)):
            raise ParameterError("feed z", "must be a finite number >= 0", self.z)
        if not (self.reference_years > 0 and math.isfinite(self.reference_years)):
            raise ParameterError("feed reference_years", "must be a finite number > 0",
                                 self.reference_years)
        if self.pricing_rounds < 0:
            raise ParameterError("feed pricing_rounds", "must be >= 0", self.pricing_rounds)
        if self.curse_rounds < 0:
            raise ParameterError("feed curse_rounds", "must be >= 0", self.curse_rounds)
        if self.near_replications < 0 or self.near_distance < 0:
            raise ParameterError("feed near_replications and near_distance", "must be >= 0",
                                 (self.near_replications, self.near_distance))

    @property
    def measured_years(self) -> float:
        """Replications x years of every column."""
        return self.replications * self.years

    def label(self) -> str:
        return f"{self.replications} x {self.years:g} years"


@dataclass(frozen=True, eq=False)
class ColumnFigures:
    """Feed figures of ``K`` columns (a part and a stock vector each), per site ``(K, N)``,
    summed over every replication: requests, requests filled within the window, hours
    waited (response included), emergency and lateral shipments; ``groups`` (K,) the
    columns' parts; and, when asked for, per
    replication ``(K, R, N)`` the requests, within-window fills and hours waited.
    ``years`` is the measured time of one replication."""

    requests: np.ndarray
    within: np.ndarray
    wait_hours: np.ndarray
    emergency: np.ndarray
    lateral: np.ndarray
    groups: np.ndarray
    by_replication: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    replications: int
    years: float

    @property
    def measured_years(self) -> float:
        return self.replications * self.years


def simulate_columns(model: PlanningModel, groups: np.ndarray, stock: np.ndarray, *,
                     seed: int, settings: FeedSettings, per_replication: bool = False,
                     stream: int = FEED_STREAM, client: Client | None = None
                     ) -> ColumnFigures:
    """Simulate the stock vectors ``stock`` (K, L) of parts ``groups`` (K,) with the
    feed's random numbers (every column of a part replays the part's stream); the figures
    per replication only with ``per_replication`` (memory K x R x N); on the workers of
    ``client`` when given (the same figures). A simulation of several chunks reports its
    count and ETA after each chunk as an INFO record of this module's logger (a note of
    the progress display: :func:`spareplan.progress.forward_logs`)."""
    net = model.network
    groups = np.asarray(groups, dtype=np.int64)
    stock = np.asarray(stock, dtype=np.int64).reshape(groups.shape[0], net.n_locations)
    counter = ChunkCounter(lambda text: LOG.info("%s", text),
                           "feed: stock vectors simulated {count}")
    jobs = simulate_jobs(net, model.parts, groups, stock,
                         window_hours=model.service.site_window_hours,
                         replications=settings.replications, years=settings.years,
                         warmup_years=settings.warmup_years, seed=seed, stream=stream,
                         client=client, on_chunk=counter)
    return ColumnFigures(
        requests=jobs.dense("requests"), within=jobs.dense("within_window"),
        wait_hours=jobs.dense("wait_hours"), emergency=jobs.dense("emergency"),
        lateral=jobs.dense("lateral"), groups=groups,
        by_replication=(jobs.dense("requests_by_replication"),
                        jobs.dense("within_window_by_replication"),
                        jobs.dense("wait_hours_by_replication")) if per_replication
        else None,
        replications=settings.replications, years=settings.years)


def uptime_activity(model: PlanningModel, rate: np.ndarray, requests: np.ndarray,
                    wait_hours: np.ndarray, years: float) -> np.ndarray:
    """Uptime rows' activity (..., rows) of the feed, with the demand count as control.

    The verification measures a site's downtime as ``requests x (repair + response) +
    excess``, the excess being the hours waited beyond the primary location's response
    (lateral and emergency responses, backorder delays). The feed replaces the first term
    by its known expectation ``lambda T (repair + response)`` (a control variate with
    coefficient 1; Law 2015, sec. 11.4): unbiased, and the noise of the demand count,
    common to every stock vector of a part, no longer enters the feed's estimate of a
    plan. ``rate`` (..., N) is the demand per year, ``requests`` and ``wait_hours``
    (..., N) are summed over ``years``.
    """
    response = model.response_hours
    expected = rate * (model.site_repair_hours + response)
    excess = (wait_hours - requests * response) / years
    return np.asarray((expected + excess) @ model.uptime_map)


def availability_activity(model: PlanningModel, groups: np.ndarray, requests: np.ndarray,
                          wait_hours: np.ndarray, years: float, *, controlled: bool = True
                          ) -> np.ndarray:
    """Availability rows' activity ``(..., rows)`` (0 on the other rows) of the columns of
    ``groups``: each column's log-unavailability a = -Z log(1 - EBO / Q) from its
    simulated expected backorders EBO (:meth:`PlanningModel.log_unavailability`).

    EBO of a column in a row = sum over the row's sites of its hours waited per year /
    8760 h (Little's law, the verification's estimator); with ``controlled`` the demand
    count is the control of :func:`uptime_activity`: the hours waited are ``lambda T
    response + excess``. ``requests`` and ``wait_hours`` are ``(K, ..., N)`` per column
    (``groups`` (K,)), summed over ``years``; the result keeps the leading axes."""
    requests = np.asarray(requests, dtype=np.float64)
    wait_hours = np.asarray(wait_hours, dtype=np.float64)
    activity = np.zeros((*wait_hours.shape[:-1], len(model.rows)))
    if not model.availability_rows.size:
        return activity
    groups = np.asarray(groups, dtype=np.int64)
    if controlled:
        response = model.response_hours
        rate = model.parts.demand_rate[groups].reshape(
            (groups.shape[0],) + (1,) * (wait_hours.ndim - 2) + (-1,))
        hours = rate * response + (wait_hours - requests * response) / years
    else:
        hours = wait_hours / years
    backorders = np.asarray(hours.reshape(-1, hours.shape[-1]) @ model.availability_map)[
        :, model.availability_rows].reshape(*hours.shape[:-1], -1)
    parts = np.broadcast_to(groups.reshape((-1,) + (1,) * (hours.ndim - 2)),
                            hours.shape[:-1])
    flat = model.log_unavailability(parts.ravel(), backorders.reshape(
        -1, backorders.shape[-1])).reshape(backorders.shape)
    activity[..., model.availability_rows] = flat
    return activity


@dataclass(frozen=True)
class RowErrors:
    """Standard errors of every SLA row's value at one plan (rows,).

    Attributes
    ----------
    feed : float64 (rows,)
        Of the feed's estimate (its own estimators: the fill ratio, the controlled
        uptime of :func:`uptime_activity`) over the feed's measured years.
    check_per_year : float64 (rows,)
        Of the verification's estimators over one measured year: ``check_per_year /
        sqrt(Y)`` is the standard error of a check of ``Y`` measured years.
    """

    feed: np.ndarray
    check_per_year: np.ndarray

    def check(self, years: float) -> np.ndarray:
        """Standard error of a check of ``years`` measured years."""
        return self.check_per_year / math.sqrt(years)


def row_values_by_replication(model: PlanningModel, figures: ColumnFigures, *,
                              controlled: bool) -> np.ndarray:
    """Every SLA row's value ``(R, rows)`` of the plan made of the columns of ``figures``
    (one per part), per replication: fill rate within the window ``within / requests``
    over the row's sites, availability ``1 - downtime share``; the uptime with the demand
    count as control (:func:`uptime_activity`) when ``controlled``, else as the
    verification measures it."""
    if figures.by_replication is None:
        raise ValueError("the figures were simulated without per_replication")
    requests, within, wait = (f.sum(axis=0) for f in figures.by_replication)  # (R, N)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.asarray(within @ model.fill_map) / np.asarray(requests @ model.fill_map)
    if controlled:
        rate = model.parts.demand_rate[figures.groups].sum(axis=0)
        downtime = uptime_activity(model, rate[None, :], requests, wait, figures.years)
    else:
        downtime = np.asarray((requests * model.site_repair_hours + wait) / figures.years
                              @ model.uptime_map)
    if model.availability_rows.size:  # per part, then summed: (K, R, rows) -> (R, rows)
        downtime = downtime + availability_activity(
            model, figures.groups, figures.by_replication[0], figures.by_replication[2],
            figures.years, controlled=controlled).sum(axis=0)
    return np.where(model.is_fill_row, np.nan_to_num(fill, nan=1.0),
                    model.row_value(downtime))


def row_errors(model: PlanningModel, figures: ColumnFigures) -> RowErrors:
    """Standard errors of every SLA row at the plan of ``figures`` (one column per part),
    from the spread of its replications: the feed's estimators and the verification's."""
    n = figures.replications
    feed = row_values_by_replication(model, figures, controlled=True)
    check = row_values_by_replication(model, figures, controlled=False)
    return RowErrors(feed.std(axis=0, ddof=1) / math.sqrt(n),
                     check.std(axis=0, ddof=1) * math.sqrt(figures.years))


def plan_row_values(model: PlanningModel, figures: ColumnFigures) -> np.ndarray:
    """Every SLA row's value (rows,) of the plan made of the columns of ``figures`` (one
    per part), by the feed's estimators over every replication: the pooled fill ratio
    ``sum within / sum requests`` and the controlled uptime (:func:`uptime_activity`)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = (np.asarray(figures.within.sum(axis=0) @ model.fill_map)
                / np.asarray(figures.requests.sum(axis=0) @ model.fill_map))
    rate = model.parts.demand_rate[figures.groups].sum(axis=0)
    downtime = uptime_activity(model, rate, figures.requests.sum(axis=0),
                               figures.wait_hours.sum(axis=0), figures.measured_years)
    if model.availability_rows.size:
        downtime = downtime + availability_activity(
            model, figures.groups, figures.requests, figures.wait_hours,
            figures.measured_years).sum(axis=0)
    return np.where(model.is_fill_row, np.nan_to_num(fill, nan=1.0),
                    model.row_value(downtime))


def noise_margins(errors: RowErrors, settings: FeedSettings) -> np.ndarray:
    """The margin of every SLA row (rows,): ``z`` standard errors of the difference
    between an independent check's estimate and the feed's.

    The feed and a check of ``reference_years`` measured years are independent estimates
    of the same plan's rows; their difference has variance ``se_feed^2 +
    se_check(reference_years)^2``, each from its own estimators (:class:`RowErrors`). A
    plan that meets ``target + margin`` in the feed meets the target in such a check with
    probability about ``Phi(z)`` per row, less what the optimizer gains from the feed's
    noise (the curse, measured apart). The margin does not depend on the size of the
    verification actually run, so the plan does not either: a smaller check is noisier,
    and says so in its half-widths.
    """
    return settings.z * np.sqrt(errors.feed ** 2
                                + errors.check(settings.reference_years) ** 2)


def shrunk_ratio(observed: np.ndarray, expected: np.ndarray, primary: np.ndarray,
                 n_locations: int, prior: np.ndarray) -> np.ndarray:
    """Observed over expected per part and site (P, N): a ratio of sums over the sites of
    the site's primary location, shrunk towards the part's ratio over every site, and that
    towards 1, by ``prior`` pseudo-observations (an empirical-Bayes ratio estimator):

        m_pj = (O_pj + k m_p) / (E_pj + k),   m_p = (O_p + k) / (E_p + k).
    """
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
