"""The public face of the simulation's figures: estimates with standard errors, long frames.

The kernels count per replication (:mod:`spareplan.simulation._kernels`); everything here
reads those counts by name and turns them into figures. Each figure is estimated from
``R`` independent replications: per replication ``r`` a value ``x_r`` (a ratio of sums
pooled over the chosen sites and parts, e.g. requests filled within the window / requests),
then the mean ``x̄ = (1/R) Σ x_r`` and the standard error ``s / sqrt(R)`` with ``s`` the
sample standard deviation (ddof 1); a replication without requests gives ``nan`` and is
left out of both. The 95 % confidence interval is ``x̄ ± t_{0.975, R-1} · se`` (Student's t).

Site figures (per site or pooled over sites, parts): ``requests`` (count),
``requests_per_year``, ``fill_rate_primary`` (filled from stock at the primary location on
arrival), ``fill_rate_within_window`` (filled within the site's SLA window),
``mean_wait_hours`` (response time included), ``emergency_per_year``, ``lateral_per_year``,
``emergency_fraction`` and ``lateral_fraction`` (per request).

Location figures (per location or summed over locations, parts): ``expected_backorders``
and ``average_on_hand`` (time averages over the measured window), ``demand_per_year``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from spareplan.codes import DAYS_PER_YEAR, HOURS_PER_YEAR
from spareplan.errors import InputError, ParameterError
from spareplan.evaluation.availability import product_form_availability
from spareplan.result_columns import VERIFICATION_COLUMNS
from spareplan.simulation import _kernels as k
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME, SlaRow

if TYPE_CHECKING:
    from spareplan.network import Network, PartArrays

__all__ = ["LOCATION_FIGURES", "ROW_COLUMNS", "SITE_FIGURES", "Estimate", "JobFigures",
           "SimulationArrays", "mean_se"]

SITE_FIGURES = ("requests", "requests_per_year", "fill_rate_primary",
                "fill_rate_within_window", "mean_wait_hours", "emergency_per_year",
                "lateral_per_year", "emergency_fraction", "lateral_fraction")
"""Names accepted by :meth:`SimulationArrays.site_figure` (see the module docstring)."""

LOCATION_FIGURES = ("expected_backorders", "average_on_hand", "demand_per_year")
"""Names accepted by :meth:`SimulationArrays.location_figure`."""

ROW_COLUMNS = list(VERIFICATION_COLUMNS[:8])
"""The first columns of :meth:`SimulationArrays.rows_frame` (the measured value is
``simulated``, as in ``service.csv``: :mod:`spareplan.result_columns`)."""

# site figure -> (numerator field, denominator field or None, divide by the years)
_SITE_RECIPES: dict[str, tuple[str, str | None, bool]] = {
    "requests": ("requests", None, False),
    "requests_per_year": ("requests", None, True),
    "fill_rate_primary": ("filled_primary", "requests", False),
    "fill_rate_within_window": ("within_window", "requests", False),
    "mean_wait_hours": ("wait_hours", "requests", False),
    "emergency_per_year": ("emergency", None, True),
    "lateral_per_year": ("lateral", None, True),
    "emergency_fraction": ("emergency", "requests", False),
    "lateral_fraction": ("lateral", "requests", False),
}
# location figure -> (field, divide by the measured days (time average) or by the years)
_LOCATION_RECIPES: dict[str, tuple[str, bool]] = {
    "expected_backorders": ("backorder_days", True),
    "average_on_hand": ("on_hand_days", True),
    "demand_per_year": ("demand", False),
}


def mean_se(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error across replications (``axis``), ignoring ``nan`` ones.

    ``se = s / sqrt(n)`` with ``s`` the sample standard deviation (ddof 1) of the ``n``
    finite values; ``nan`` where fewer than two are finite.

    Examples
    --------
    >>> mean, se = mean_se(np.array([1.0, 2.0, 3.0, np.nan]))
    >>> float(mean), round(float(se), 4)
    (2.0, 0.5774)
    """
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        count = np.sum(np.isfinite(values), axis=axis)
        mean = np.nanmean(values, axis=axis) if values.size else values.sum(axis=axis)
        centered = np.where(np.isfinite(values), values - np.expand_dims(mean, axis), 0.0)
        variance = np.sum(centered ** 2, axis=axis) / np.maximum(count - 1, 1)
        se = np.sqrt(variance / np.maximum(count, 1))
    return mean, np.where(count >= 2, se, np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1),
                        np.nan)


def _field(names: tuple[str, ...], name: str, what: str) -> int:
    if name not in names:
        raise ParameterError(what, f"must be one of {', '.join(names)}", name)
    return names.index(name)


@dataclass(frozen=True)
class Estimate:
    """A figure estimated from independent replications.

    Attributes
    ----------
    mean, std_error : float
        ``x̄`` and ``s / sqrt(R)`` over the replications with a value (``nan`` if none).
    replications : int
        ``R``, replications with a finite value.
    """

    mean: float
    std_error: float
    replications: int

    @classmethod
    def from_replications(cls, values: np.ndarray) -> Estimate:
        """The estimate from one value per replication (``nan`` values left out)."""
        values = np.asarray(values, dtype=float)
        mean, se = mean_se(values, axis=0)
        return cls(float(mean), float(se), int(np.isfinite(values).sum()))

    def half_width(self, level: float = 0.95) -> float:
        """Half-width of the ``level`` confidence interval: ``t_{(1+level)/2, R-1} · se``."""
        if self.replications < 2 or not np.isfinite(self.std_error):
            return float("nan")
        return float(stats.t.ppf(0.5 + level / 2.0, self.replications - 1) * self.std_error)


@dataclass(frozen=True)
class SimulationArrays:
    """The figures of a :func:`~spareplan.simulation.simulate_network` run.

    Read them by name: :meth:`site_estimate` / :meth:`location_estimate` (mean and standard
    error pooled over chosen sites, locations and parts), :meth:`site_figure` /
    :meth:`location_figure` (one value per replication), the long frames
    :meth:`sites_frame`, :meth:`locations_frame` and :meth:`rows_frame` (per part and site,
    per part and location, per SLA row), and the raw counts :meth:`site_field`,
    :meth:`location_field`, :meth:`part_field`. The arrays below keep the kernel's layout
    (the last axis is a field, named by the ``*_FIELDS`` tuples of the kernel module); they
    are there for exact comparisons, not to be indexed by position.

    Attributes
    ----------
    site_totals : numpy.ndarray
        ``(R, N, site fields)`` counts summed over parts, per replication.
    site_parts : numpy.ndarray | None
        ``(P, R, N, site fields)`` per part (``keep_parts=True`` only).
    location_parts : numpy.ndarray
        ``(P, R, L, location fields)`` per part: backorder and on-hand integrals (unit-days)
        and units demanded.
    part_out : numpy.ndarray
        ``(P, R, part fields)``: units demanded, events, conservation residual, reruns.
    years : float
        Measured horizon per replication (years).
    network, parts : Network, PartArrays
        What was simulated (one row of ``parts`` per simulated row).
    stock : numpy.ndarray
        The base stock ``(P, L)`` simulated.
    """

    site_totals: np.ndarray
    site_parts: np.ndarray | None
    location_parts: np.ndarray
    part_out: np.ndarray
    years: float
    network: Network
    parts: PartArrays
    stock: np.ndarray

    @property
    def replications(self) -> int:
        return self.site_totals.shape[0]

    # --- raw counts ---------------------------------------------------------------------

    def site_field(self, field: str, *, per_part: bool = False) -> np.ndarray:
        """Raw count of a site field (``_kernels.SITE_FIELDS``: requests, filled_primary,
        within_window, wait_hours, emergency, lateral): ``(R, N)`` summed over parts, or
        ``(P, R, N)`` with ``per_part`` (needs ``keep_parts=True``)."""
        index = _field(k.SITE_FIELDS, field, "field")
        if not per_part:
            return self.site_totals[..., index]
        return self._site_parts()[..., index]

    def location_field(self, field: str) -> np.ndarray:
        """Raw ``(P, R, L)`` location field: backorder_days, on_hand_days (integrals in
        unit-days over the measured window) or demand (units)."""
        return self.location_parts[..., _field(k.LOCATION_FIELDS, field, "field")]

    def part_field(self, field: str) -> np.ndarray:
        """Raw ``(P, R)`` part counter: demand_units, events (warm-up included),
        conservation (largest unit-conservation residual, 0 when sound), reruns."""
        return self.part_out[..., _field(k.PART_FIELDS, field, "field")]

    @property
    def conservation_residual(self) -> float:
        """Largest |on hand + in transit - waiting customers - sum S| seen (0 when sound)."""
        return float(self.part_field("conservation").max(initial=0.0))

    # --- figures per replication and their estimates ------------------------------------

    def _site_parts(self) -> np.ndarray:
        if self.site_parts is None:
            raise ParameterError("parts", "per-part site figures need "
                                 "simulate_network(..., keep_parts=True)", "keep_parts=False")
        return self.site_parts

    def _site_sum(self, field: str, sites: Sequence[int] | np.ndarray | None,
                  parts: Sequence[int] | np.ndarray | None) -> np.ndarray:
        index = k.SITE_FIELDS.index(field)
        counts = (self.site_totals if parts is None
                  else self._site_parts()[np.asarray(parts, dtype=np.int64)].sum(axis=0))
        chosen = counts[:, :, index] if sites is None else counts[:, sites, index]
        return chosen.sum(axis=1)

    def site_figure(self, figure: str, *, sites: Sequence[int] | np.ndarray | None = None,
                    parts: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """One value per replication ``(R,)`` of a site figure (:data:`SITE_FIGURES`),
        pooled over ``sites`` and ``parts`` (integer positions; default all): a ratio of
        sums, ``nan`` in a replication without requests."""
        numerator, denominator, per_year = _SITE_RECIPES[
            SITE_FIGURES[_field(SITE_FIGURES, figure, "figure")]]
        values = self._site_sum(numerator, sites, parts)
        if denominator is not None:
            values = _ratio(values, self._site_sum(denominator, sites, parts))
        return values / self.years if per_year else values

    def location_figure(self, figure: str, *,
                        locations: Sequence[int] | np.ndarray | None = None,
                        parts: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """One value per replication ``(R,)`` of a location figure (:data:`LOCATION_FIGURES`)
        summed over ``locations`` and ``parts`` (integer positions; default all)."""
        field, time_average = _LOCATION_RECIPES[
            LOCATION_FIGURES[_field(LOCATION_FIGURES, figure, "figure")]]
        values = self.location_field(field)
        if parts is not None:
            values = values[np.asarray(parts, dtype=np.int64)]
        if locations is not None:
            values = values[:, :, np.asarray(locations, dtype=np.int64)]
        total = values.sum(axis=(0, 2))
        return total / (self.years * DAYS_PER_YEAR) if time_average else total / self.years

    def site_estimate(self, figure: str, *, sites: Sequence[int] | np.ndarray | None = None,
                      parts: Sequence[int] | np.ndarray | None = None) -> Estimate:
        """Mean and standard error of :meth:`site_figure` across replications."""
        return Estimate.from_replications(self.site_figure(figure, sites=sites, parts=parts))

    def location_estimate(self, figure: str, *,
                          locations: Sequence[int] | np.ndarray | None = None,
                          parts: Sequence[int] | np.ndarray | None = None) -> Estimate:
        """Mean and standard error of :meth:`location_figure` across replications."""
        return Estimate.from_replications(
            self.location_figure(figure, locations=locations, parts=parts))

    # --- long frames ----------------------------------------------------------------------

    def sites_frame(self, repair_hours: np.ndarray | None = None) -> pd.DataFrame:
        """Per part and site with demand (rate > 0): ``part, site, location`` (primary),
        then mean and ``*_se`` of requests per year, fill rate at the primary location, fill
        within the window, mean wait (h), downtime hours per year (only with
        ``repair_hours`` per site: requests x repair hours + waits; ``nan`` counts as 0),
        emergency and lateral shipments per year. Needs ``keep_parts=True``."""
        site = self._site_parts()  # (P, R, N, F)
        years = self.years

        def field(name: str) -> np.ndarray:
            return site[..., k.SITE_FIELDS.index(name)]

        requests = field("requests")
        figures = {
            "requests_per_year": requests / years,
            "fill_rate_primary": _ratio(field("filled_primary"), requests),
            "fill_rate_within_window": _ratio(field("within_window"), requests),
            "mean_wait_hours": _ratio(field("wait_hours"), requests),
        }
        if repair_hours is not None:
            figures["downtime_hours_per_year"] = (requests * np.nan_to_num(repair_hours)
                                                  + field("wait_hours")) / years
        figures["emergency_per_year"] = field("emergency") / years
        figures["lateral_per_year"] = field("lateral") / years
        network, parts = self.network, self.parts
        p_index, s_index = np.nonzero(parts.demand_rate > 0)
        frame = pd.DataFrame({
            "part": np.asarray(parts.part_ids, dtype=object)[p_index],
            "site": np.asarray(network.site_ids, dtype=object)[s_index],
            "location": np.asarray(network.location_ids, dtype=object)[
                network.site_primary[s_index]],
        })
        for name, values in figures.items():
            mean, se = mean_se(values, axis=1)
            frame[name] = mean[p_index, s_index]
            frame[f"{name}_se"] = se[p_index, s_index]
        return frame

    def locations_frame(self) -> pd.DataFrame:
        """Per part and location with stock or demand: ``part, location, stock``, then mean
        and ``*_se`` of expected backorders, average on hand and units demanded per year."""
        days = self.years * DAYS_PER_YEAR
        figures = {
            "expected_backorders": self.location_field("backorder_days") / days,
            "average_on_hand": self.location_field("on_hand_days") / days,
            "demand_per_year": self.location_field("demand") / self.years,
        }
        n_parts, n_locations = self.stock.shape
        frame = pd.DataFrame({
            "part": np.repeat(np.asarray(self.parts.part_ids, dtype=object), n_locations),
            "location": np.tile(np.asarray(self.network.location_ids, dtype=object), n_parts),
            "stock": self.stock.ravel(),
        })
        for name, values in figures.items():
            mean, se = mean_se(values, axis=1)
            frame[name] = mean.ravel()
            frame[f"{name}_se"] = se.ravel()
        keep = (frame["stock"] > 0) | (frame["demand_per_year"] > 0)
        return frame[keep].reset_index(drop=True)

    def rows_frame(self, rows: Sequence[SlaRow], positions: np.ndarray | None = None
                   ) -> pd.DataFrame:
        """One line per SLA row (:func:`spareplan.sla.sla_rows`), measured over its sites
        and every part: ``sla_row, kind, target, simulated, std_error, ci_low, ci_high,
        meets_target, sla_class, sites, replications``
        (:data:`~spareplan.result_columns.VERIFICATION_COLUMNS`).

        Fill rate within W hours = requests filled within W / requests; uptime = 1 -
        (requests x repair hours + waits) / (machines x 8760 h x years), per replication.
        Availability (Sherbrooke's product form) = prod over parts i of (1 - EBO_i /
        Q_i)^(Q_i / N) per replication, with EBO_i = the part's hours waited by the row's
        requests / (8760 h x years) (Little's law: the time-average number waiting),
        Q_i its units installed over the row's sites (``positions``, (P, N), required
        for availability rows; needs ``keep_parts=True``) and N the row's machines
        (:func:`~spareplan.evaluation.availability.product_form_availability`); its
        standard error is that of the per-replication values (batch means).
        ``meets_target`` compares the point estimate with the target; a row without
        demand has value ``nan`` and meets its target. The 95 % confidence interval
        (Student t over replications) is clipped to [0, 1], where every kind lives.
        """
        totals = self.site_totals  # (R, N, F)
        replications = self.replications
        network = self.network
        records = []
        t_quantile = float(stats.t.ppf(0.975, replications - 1))
        requests_index = k.SITE_FIELDS.index("requests")
        within_index = k.SITE_FIELDS.index("within_window")
        wait_index = k.SITE_FIELDS.index("wait_hours")
        for row in rows:
            sites = row.sites
            requests = totals[:, sites, requests_index].sum(axis=1)
            if row.kind == FILL_RATE:
                per_replication = _ratio(totals[:, sites, within_index].sum(axis=1), requests)
            elif row.kind == UPTIME:
                downtime = (requests * row.repair_hours
                            + totals[:, sites, wait_index].sum(axis=1))
                machine_hours = network.machines[sites].sum() * HOURS_PER_YEAR * self.years
                per_replication = (1.0 - downtime / machine_hours if machine_hours > 0
                                   else np.full(replications, np.nan))
            elif row.kind == AVAILABILITY:
                per_replication = self._availability(row, positions, requests)
            else:  # pragma: no cover - sla_rows only makes the three kinds
                raise InputError(f"SLA row {row.name}: unknown kind (received {row.kind!r})")
            mean_array, se_array = mean_se(per_replication, axis=0)
            mean, se = float(mean_array), float(se_array)
            half = t_quantile * se if np.isfinite(se) else np.nan
            records.append({
                "sla_row": row.name, "kind": row.kind, "target": row.target, "simulated": mean,
                "std_error": se, "ci_low": max(mean - half, 0.0),
                "ci_high": min(mean + half, 1.0),
                "meets_target": bool(not np.isfinite(mean) or mean >= row.target),
                "sla_class": row.sla_class,
                "sites": ";".join(network.site_ids[s] for s in sites),
                "replications": replications,
            })
        return pd.DataFrame.from_records(records, columns=list(VERIFICATION_COLUMNS))

    def _availability(self, row: SlaRow, positions: np.ndarray | None,
                      requests: np.ndarray) -> np.ndarray:
        """Product-form availability of ``row`` per replication ``(R,)`` (see
        :meth:`rows_frame`); ``nan`` in a replication without requests."""
        if positions is None:
            raise ParameterError("positions", "availability rows need the units installed "
                                 "per part and site", None)
        machines = float(self.network.machines[row.sites].sum())
        if not machines > 0:
            return np.full(self.replications, np.nan)
        wait = self.site_field("wait_hours", per_part=True)[:, :, row.sites].sum(axis=2)
        backorders = wait / (HOURS_PER_YEAR * self.years)  # (P, R)
        installed = np.asarray(positions, dtype=np.float64)[:, row.sites].sum(axis=1)
        value = product_form_availability(backorders.T, installed[None, :], machines)
        return np.where(requests > 0, value, np.nan)


@dataclass(frozen=True)
class JobFigures:
    """Site figures of ``K`` simulated jobs (a part and a stock vector), compactly.

    Only the sites where the job's part has demand (rate > 0) are stored (the others have
    no requests); the entries of job ``j`` are ``indptr[j]:indptr[j + 1]`` (CSR layout), in
    increasing site order.

    Attributes
    ----------
    job_part : numpy.ndarray
        int64 ``(K,)``: the part of every job.
    indptr : numpy.ndarray
        int64 ``(K + 1,)``: entry offsets per job.
    site : numpy.ndarray
        int64 ``(M,)``: the site of every entry.
    requests, within_window, wait_hours : numpy.ndarray
        float64 ``(M,)``: sums over the replications of the measured requests, of those
        filled within the site's window, and of their waits in hours (response included).
    emergency, lateral : numpy.ndarray
        float64 ``(M,)``: sums over the replications of the units shipped in an emergency
        and laterally.
    requests_by_replication, within_window_by_replication, wait_hours_by_replication
        float64 ``(M, R)``: the same per replication.
    replications : int
        ``R``.
    years : float
        Measured years per replication.
    n_sites : int
        ``N``, the number of sites of the network (for :meth:`dense`).
    conservation_residual : float
        Largest unit-conservation residual of any job and replication (0 when sound).
    """

    job_part: np.ndarray
    indptr: np.ndarray
    site: np.ndarray
    requests: np.ndarray
    within_window: np.ndarray
    wait_hours: np.ndarray
    emergency: np.ndarray
    lateral: np.ndarray
    requests_by_replication: np.ndarray
    within_window_by_replication: np.ndarray
    wait_hours_by_replication: np.ndarray
    replications: int
    years: float
    n_sites: int
    conservation_residual: float

    @property
    def n_jobs(self) -> int:
        return int(self.job_part.size)

    def entries(self, job: int) -> slice:
        """The entries of ``job`` (index ``site``, ``requests``, ...)."""
        return slice(int(self.indptr[job]), int(self.indptr[job + 1]))

    def dense(self, figure: str) -> np.ndarray:
        """``(K, N)`` sums of ``figure`` (requests, within_window, wait_hours, emergency,
        lateral), 0 where the
        part has no demand; or ``(K, R, N)`` for a ``*_by_replication`` name. Small cases
        only (memory ``K x N`` or ``K x R x N``)."""
        names = ("requests", "within_window", "wait_hours")
        known = [*names, "emergency", "lateral", *(f"{n}_by_replication" for n in names)]
        if figure not in known:
            raise ParameterError("figure", "must be one of " + ", ".join(known), figure)
        values = getattr(self, figure)
        job = np.repeat(np.arange(self.n_jobs), np.diff(self.indptr))
        if values.ndim == 1:
            out = np.zeros((self.n_jobs, self.n_sites))
            out[job, self.site] = values
            return out
        out = np.zeros((self.n_jobs, self.replications, self.n_sites))
        out[job, :, self.site] = values
        return out
