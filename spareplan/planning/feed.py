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

import math
from dataclasses import dataclass

import numpy as np

from spareplan.errors import ParameterError
from spareplan.planning.model import PlanningModel
from spareplan.simulation import simulate_jobs

__all__ = ["FEED_STREAM", "HOLDOUT_STREAM", "ColumnFigures", "FeedSettings", "noise_margins",
           "row_errors", "shrunk_ratio", "simulate_columns"]

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
        independent check of ``reference_years`` measured years (the default
        verification, 20 x 5 years; :func:`noise_margins`).
    pricing_rounds
        Rounds of surrogate pricing after the analytic columns (each simulates the new
        columns it proposes).
    """

    replications: int = 40
    years: float = 5.0
    warmup_years: float = 1.0
    prior_misses: float = 2.0
    z: float = 1.0
    reference_years: float = 100.0
    pricing_rounds: int = 3

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
    waited (response included), emergency and lateral shipments; and, when asked for, per
    replication ``(K, R, N)`` the requests, within-window fills and hours waited.
    ``years`` is the measured time of one replication."""

    requests: np.ndarray
    within: np.ndarray
    wait_hours: np.ndarray
    emergency: np.ndarray
    lateral: np.ndarray
    by_replication: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    replications: int
    years: float

    @property
    def measured_years(self) -> float:
        return self.replications * self.years


def simulate_columns(model: PlanningModel, groups: np.ndarray, stock: np.ndarray, *,
                     seed: int, settings: FeedSettings, per_replication: bool = False,
                     stream: int = FEED_STREAM) -> ColumnFigures:
    """Simulate the stock vectors ``stock`` (K, L) of parts ``groups`` (K,) with the
    feed's random numbers (every column of a part replays the part's stream); the figures
    per replication only with ``per_replication`` (memory K x R x N)."""
    net = model.network
    groups = np.asarray(groups, dtype=np.int64)
    stock = np.asarray(stock, dtype=np.int64).reshape(groups.shape[0], net.n_locations)
    jobs = simulate_jobs(net, model.parts, groups, stock,
                         window_hours=model.service.site_window_hours,
                         replications=settings.replications, years=settings.years,
                         warmup_years=settings.warmup_years, seed=seed, stream=stream)
    return ColumnFigures(
        requests=jobs.dense("requests"), within=jobs.dense("within_window"),
        wait_hours=jobs.dense("wait_hours"), emergency=jobs.dense("emergency"),
        lateral=jobs.dense("lateral"),
        by_replication=(jobs.dense("requests_by_replication"),
                        jobs.dense("within_window_by_replication"),
                        jobs.dense("wait_hours_by_replication")) if per_replication
        else None,
        replications=settings.replications, years=settings.years)


def row_activity_by_replication(model: PlanningModel, figures: ColumnFigures
                                ) -> np.ndarray:
    """Every SLA row's activity ``(R, rows)`` of the plan made of the columns of
    ``figures`` (one per part), per replication: the model's coefficients applied to each
    replication's figures."""
    if figures.by_replication is None:
        raise ValueError("the figures were simulated without per_replication")
    requests, within, wait = (f.sum(axis=0) / figures.years for f in figures.by_replication)
    return (np.asarray(within @ model.fill_map)
            + np.asarray((requests * model.site_repair_hours + wait) @ model.uptime_map))


def row_errors(model: PlanningModel, figures: ColumnFigures) -> np.ndarray:
    """Standard error of every SLA row's activity ``(rows,)`` at the plan of ``figures``
    (one column per part): the spread of the replications over the root of their number."""
    activity = row_activity_by_replication(model, figures)
    return activity.std(axis=0, ddof=1) / math.sqrt(figures.replications)


def noise_margins(errors: np.ndarray, settings: FeedSettings) -> np.ndarray:
    """The margin of every SLA row (rows,): ``z`` standard errors of the difference
    between an independent check's estimate and the feed's.

    The feed and a check of ``reference_years`` measured years are independent estimates
    of the same plan's rows; their difference has variance
    ``se_feed^2 (1 + feed_years / reference_years)`` (the variance of a time average falls
    with the measured years). A plan that meets ``target + margin`` in the feed meets the
    target in such a check with probability about ``Phi(z)`` per row, less what the
    optimizer gains from the feed's noise (measured in ``benchmarks/README.md``). The
    margin does not depend on the size of the verification actually run, so the plan does
    not either: a smaller check is noisier, and says so in its half-widths.
    """
    scale = math.sqrt(1.0 + settings.measured_years / settings.reference_years)
    return settings.z * np.asarray(errors, dtype=np.float64) * scale


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
