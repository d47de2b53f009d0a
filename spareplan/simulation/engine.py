"""The array layer of the simulation: validated inputs in, per-replication figures out.

:func:`simulate_network` packs a compiled network (:class:`~spareplan.network.Network`,
:class:`~spareplan.network.PartArrays`) and a stock matrix for the numba kernels, derives
one seed per part with :class:`numpy.random.SeedSequence` (the part's replications follow
one another in that part's stream), runs the parts
in chunks (bounded memory, reductions in a fixed order so that results do not depend on
the thread count) and returns :class:`SimulationArrays`. No pandas here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from spareplan.codes import DAYS_PER_YEAR, LATERAL
from spareplan.errors import ParameterError
from spareplan.network import Network, PartArrays
from spareplan.simulation import _kernels as k

__all__ = ["EmpiricalDemand", "SimulationArrays", "lateral_candidates", "part_seeds",
           "simulate_network"]


@dataclass(frozen=True)
class EmpiricalDemand:
    """Demand histories to resample instead of the (compound) Poisson rates.

    Attributes
    ----------
    indptr : numpy.ndarray
        int64 ``(P, N + 1)``: the history of part ``p`` at site ``s`` is
        ``values[indptr[p, s]:indptr[p, s + 1]]`` (empty: that pair keeps its rate).
    values : numpy.ndarray
        float64 units per period, every pair's history one after the other.
    period_days : float
        Length of a history period in days (e.g. 365 / 12 for months).
    """

    indptr: np.ndarray
    values: np.ndarray
    period_days: float

    @classmethod
    def from_series(cls, n_parts: int, n_sites: int,
                    series: dict[tuple[int, int], np.ndarray], period_days: float
                    ) -> EmpiricalDemand:
        """Pack ``{(part, site): history}`` (integer positions) into the flat layout."""
        indptr = np.zeros((n_parts, n_sites + 1), dtype=np.int64)
        chunks: list[np.ndarray] = []
        offset = 0
        for p in range(n_parts):
            indptr[p, 0] = offset
            for s in range(n_sites):
                values = np.asarray(series.get((p, s), np.empty(0)), dtype=float)
                if values.size and (np.any(values < 0) or not np.all(np.isfinite(values))):
                    raise ParameterError(f"empirical history of part {p}, site {s}",
                                         "must be finite and >= 0", values.tolist())
                if values.size and values.sum() == 0:
                    values = np.empty(0)  # no demand at all: the rate (0) applies
                chunks.append(values)
                offset += values.size
                indptr[p, s + 1] = offset
        flat = np.concatenate(chunks) if chunks else np.empty(0)
        return cls(indptr=indptr, values=flat, period_days=float(period_days))


@dataclass(frozen=True)
class SimulationArrays:
    """Raw simulation figures.

    Attributes
    ----------
    site_totals : numpy.ndarray
        ``(R, N, SITE_FIELDS)`` counts summed over parts, per replication.
    site_parts : numpy.ndarray | None
        ``(P, R, N, SITE_FIELDS)`` per part (``keep_parts=True`` only).
    location_parts : numpy.ndarray
        ``(P, R, L, LOCATION_FIELDS)`` per part: backorder and on-hand integrals (unit-days)
        and units demanded.
    part_out : numpy.ndarray
        ``(P, R, PART_FIELDS)``: units demanded, events, conservation residual, reruns
        of the part with doubled work-array capacities.
    years : float
        Measured horizon per replication (years).
    """

    site_totals: np.ndarray
    site_parts: np.ndarray | None
    location_parts: np.ndarray
    part_out: np.ndarray
    years: float

    @property
    def replications(self) -> int:
        return self.site_totals.shape[0]


def part_seeds(seed: int, n_parts: int, stream: int = 0) -> np.ndarray:
    """One 32-bit seed per part, ``(P,)`` int64.

    ``SeedSequence(seed).spawn(n_parts)`` gives every part its own stream; the seed of
    part ``p`` depends on ``seed`` and ``p`` only, so a part's figures do not depend on the
    thread count, on how parts are chunked or on how many parts are simulated with it.
    The kernel seeds numba's generator with it once and runs the part's replications
    one after the other from that stream.

    ``stream`` selects a family of streams independent of the others for the same
    ``seed``: stream 0 is the verification's (``SeedSequence(seed)``), stream k > 0 uses
    ``SeedSequence(seed, spawn_key=(k,))``. The optimizer's simulation feed and the
    verification of its plan draw from different families, so the verification never
    reuses the random numbers that chose the plan.
    """
    root = (np.random.SeedSequence(seed) if stream == 0
            else np.random.SeedSequence(seed, spawn_key=(int(stream),)))
    children = root.spawn(n_parts)
    return np.array([child.generate_state(1, dtype=np.uint32)[0] for child in children],
                    dtype=np.int64)


def lateral_candidates(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Lateral candidates per site (``indptr``, ``locations``), by increasing response.

    A candidate is in the site's reach (finite response), is not the primary location and
    not one of its ancestors (those are the emergency chain).
    """
    indptr = [0]
    flat: list[int] = []
    for site in range(network.n_sites):
        primary = int(network.site_primary[site])
        excluded = {primary}
        up = int(network.parent[primary])
        while up >= 0:
            excluded.add(up)
            up = int(network.parent[up])
        reach = [(network.response_hours[site, loc], loc) for loc in range(network.n_locations)
                 if np.isfinite(network.response_hours[site, loc]) and loc not in excluded]
        flat.extend(loc for _, loc in sorted(reach))
        indptr.append(len(flat))
    return np.asarray(indptr, dtype=np.int64), np.asarray(flat, dtype=np.int64)


def _check(name: str, ok: bool, rule: str, value: object) -> None:
    if not ok:
        raise ParameterError(name, rule, value)


def simulate_network(
    network: Network, parts: PartArrays, stock: np.ndarray, *,
    window_hours: np.ndarray | None = None, replications: int = 20, years: float = 5.0,
    warmup_years: float = 1.0, seed: int = 0, empirical: EmpiricalDemand | None = None,
    keep_parts: bool = True, chunk_size: int = 256, seeds: np.ndarray | None = None,
) -> SimulationArrays:
    """Simulate every part of a network with base-stock levels ``stock``.

    Parameters
    ----------
    network, parts : Network, PartArrays
        From :func:`spareplan.network.compile_network` (or built by hand).
    stock : numpy.ndarray
        Base stock S, int ``(P, L)``, >= 0.
    window_hours : numpy.ndarray, optional
        SLA window per site (``nan``: none); default none.
    replications, years, warmup_years, seed
        Independent replications of ``warmup_years + years``; the first ``warmup_years``
        are not measured. ``seed`` drives every random draw.
    empirical : EmpiricalDemand, optional
        Histories to resample for some (part, site) pairs.
    keep_parts : bool
        Keep the per-part site figures (memory ``P x R x N x 6`` floats).
    chunk_size : int
        Parts per kernel call.
    seeds : numpy.ndarray, optional
        int64 ``(P,)``: the seed of every row of ``parts`` instead of
        ``part_seeds(seed, P)``. Lets a caller simulate several stock vectors of the same
        part with the same random numbers (common random numbers): pass
        ``parts.subset(job_part)``, the jobs' stock rows and ``part_seeds(seed, n,
        stream)[job_part]``.

    Returns
    -------
    SimulationArrays
    """
    n_parts, n_locations, n_sites = parts.n_parts, network.n_locations, network.n_sites
    _check("replications", isinstance(replications, int | np.integer) and replications >= 2,
           "must be an integer >= 2 (standard errors need two replications)", replications)
    _check("years", bool(np.isfinite(years)) and years > 0, "must be > 0", years)
    _check("warmup_years", bool(np.isfinite(warmup_years)) and warmup_years >= 0,
           "must be >= 0", warmup_years)
    _check("chunk_size", chunk_size >= 1, "must be >= 1", chunk_size)
    stock = np.asarray(stock)
    _check("stock", stock.shape == (n_parts, n_locations),
           f"must have shape (parts, locations) = {(n_parts, n_locations)}", stock.shape)
    _check("stock", bool(np.all(stock >= 0)) and bool(np.all(stock == np.round(stock))),
           "must be integers >= 0", stock[stock < 0][:5].tolist())
    rate = np.asarray(parts.demand_rate, dtype=float)
    _check("demand_rate", bool(np.all(np.isfinite(rate))) and bool(np.all(rate >= 0)),
           "must be finite and >= 0", rate[~(rate >= 0)][:5].tolist())
    vtm = np.asarray(parts.variance_to_mean, dtype=float)
    _check("variance_to_mean", bool(np.all(vtm >= 1.0)), "must be >= 1",
           vtm[~(vtm >= 1.0)][:5].tolist())
    for name, values in (("lead_time_days", network.lead_time_days),
                         ("procurement_lead_time_days", parts.procurement_lead_time_days),
                         ("repair_turnaround_days", parts.repair_turnaround_days)):
        _check(name, bool(np.all(np.asarray(values) >= 0)), "must be >= 0",
               np.asarray(values)[~(np.asarray(values) >= 0)][:5].tolist())

    batch_q = (vtm - 1.0) / (vtm + 1.0)
    batch_rate = rate / DAYS_PER_YEAR * (1.0 - batch_q)
    if window_hours is None:
        window_hours = np.full(n_sites, np.nan)
    window_hours = np.asarray(window_hours, dtype=float)
    lateral_indptr, lateral_locations = (lateral_candidates(network)
                                         if network.stockout_rule == LATERAL
                                         else (np.zeros(n_sites + 1, dtype=np.int64),
                                               np.empty(0, dtype=np.int64)))
    rule = int(network.stockout_rule)
    if empirical is None:
        empirical = EmpiricalDemand(np.zeros((n_parts, n_sites + 1), dtype=np.int64),
                                    np.empty(0), 1.0)
    if seeds is None:
        seeds = part_seeds(seed, n_parts)
    seeds = np.asarray(seeds, dtype=np.int64)
    _check("seeds", seeds.shape == (n_parts,), f"must have shape ({n_parts},)", seeds.shape)
    warmup = warmup_years * DAYS_PER_YEAR
    end = warmup + years * DAYS_PER_YEAR

    site_totals = np.zeros((replications, n_sites, k.SITE_FIELDS))
    site_parts = (np.zeros((n_parts, replications, n_sites, k.SITE_FIELDS))
                  if keep_parts else None)
    location_parts = np.zeros((n_parts, replications, n_locations, k.LOCATION_FIELDS))
    part_out = np.zeros((n_parts, replications, k.PART_FIELDS))
    for start in range(0, n_parts, chunk_size):
        chunk = slice(start, min(start + chunk_size, n_parts))
        size = chunk.stop - chunk.start
        site_out = np.zeros((size, replications, n_sites, k.SITE_FIELDS))
        # dynamic scheduling: parts differ a lot in work, and a part's figures do not
        # depend on the thread that runs it (its own seed, its own work arrays)
        with numba.parallel_chunksize(1):
            k.simulate_parts(
                network.parent.astype(np.int64), network.lead_time_days.astype(float),
                network.lead_time_cv.astype(float), network.site_primary.astype(np.int64),
                network.response_hours.astype(float), window_hours, lateral_indptr,
                lateral_locations, rule, float(network.emergency_response_hours),
                stock[chunk].astype(np.int64), batch_rate[chunk], batch_q[chunk],
                empirical.indptr[chunk], empirical.values, float(empirical.period_days),
                parts.repairable[chunk].astype(np.bool_),
                parts.procurement_lead_time_days[chunk].astype(float),
                parts.repair_turnaround_days[chunk].astype(float),
                parts.condemnation_fraction[chunk].astype(float),
                seeds[chunk], warmup, end, site_out, location_parts[chunk], part_out[chunk])
        site_totals += site_out.sum(axis=0)
        if site_parts is not None:
            site_parts[chunk] = site_out
    return SimulationArrays(site_totals=site_totals, site_parts=site_parts,
                            location_parts=location_parts, part_out=part_out, years=years)

