"""The array layer of the simulation: validated inputs in, per-replication figures out.

:func:`simulate_network` packs a compiled network (:class:`~spareplan.network.Network`,
:class:`~spareplan.network.PartArrays`) and a stock matrix into the kernels' NamedTuples
(:class:`~spareplan.simulation._kernels.NetworkInput`, ``PartsInput``), derives one seed
per part with :class:`numpy.random.SeedSequence` (the part's replications follow one
another in that part's stream), runs the parts in chunks (bounded memory, reductions in a
fixed order so that results do not depend on the thread count; the chunks run in this
process or, given a ``client``, on the workers of a Dask cluster through
:func:`spareplan.cluster.map_chunks`, with the same figures to the byte) and returns
:class:`~spareplan.simulation.results.SimulationArrays`. :func:`simulate_jobs` runs many
stock vectors of the same parts with common random numbers and keeps compact site figures
(:class:`~spareplan.simulation.results.JobFigures`) for the optimizer. No pandas in this
module (the frames of the figures are built in :mod:`spareplan.simulation.results`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np

from spareplan.cluster.executor import map_chunks
from spareplan.codes import DAYS_PER_YEAR, LATERAL
from spareplan.errors import ParameterError
from spareplan.network import Network, PartArrays, lateral_candidates
from spareplan.simulation import _kernels as k
from spareplan.simulation.results import JobFigures, SimulationArrays

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["EmpiricalDemand", "JobFigures", "SimulationArrays", "part_seeds",
           "simulate_jobs", "simulate_network"]


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


def _check(name: str, ok: bool, rule: str, value: object) -> None:
    if not ok:
        raise ParameterError(name, rule, value)


def _check_run(replications: int, years: float, warmup_years: float, chunk_size: int) -> None:
    _check("replications", isinstance(replications, int | np.integer) and replications >= 2,
           "must be an integer >= 2 (standard errors need two replications)", replications)
    _check("years", bool(np.isfinite(years)) and years > 0, "must be > 0", years)
    _check("warmup_years", bool(np.isfinite(warmup_years)) and warmup_years >= 0,
           "must be >= 0", warmup_years)
    _check("chunk_size", chunk_size >= 1, "must be >= 1", chunk_size)


def _check_stock(name: str, stock: np.ndarray, shape: tuple[int, int], what: str) -> np.ndarray:
    stock = np.asarray(stock)
    _check(name, stock.shape == shape, f"must have shape ({what}, locations) = {shape}",
           stock.shape)
    _check(name, bool(np.all(stock >= 0)) and bool(np.all(stock == np.round(stock))),
           "must be integers >= 0", stock[stock < 0][:5].tolist())
    return stock


def _check_parts(network: Network, parts: PartArrays) -> None:
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


def _network_input(network: Network, window_hours: np.ndarray | None) -> k.NetworkInput:
    """The network packed for the kernels (float64 / int64 arrays)."""
    n_sites = network.n_sites
    window = (np.full(n_sites, np.nan) if window_hours is None
              else np.asarray(window_hours, dtype=float))
    lateral_indptr, lateral_locations = (lateral_candidates(network)
                                         if network.stockout_rule == LATERAL
                                         else (np.zeros(n_sites + 1, dtype=np.int64),
                                               np.empty(0, dtype=np.int64)))
    return k.NetworkInput(
        parent=network.parent.astype(np.int64),
        lead_time_days=network.lead_time_days.astype(float),
        lead_time_cv=network.lead_time_cv.astype(float),
        site_primary=network.site_primary.astype(np.int64),
        response_hours=network.response_hours.astype(float), window_hours=window,
        lateral_indptr=lateral_indptr, lateral_locations=lateral_locations,
        stockout_rule=int(network.stockout_rule),
        emergency_response_hours=float(network.emergency_response_hours))


def _parts_input(parts: PartArrays, empirical: EmpiricalDemand | None) -> k.PartsInput:
    """Every part packed for the kernels, without stock and seeds (see :func:`_rows`).

    Demand in geometric batches: ``q = (v - 1) / (v + 1)`` for a variance-to-mean ``v``,
    batch rate ``lambda (1 - q)`` per day.
    """
    n_parts, n_sites = parts.demand_rate.shape
    vtm = np.asarray(parts.variance_to_mean, dtype=float)
    batch_q = (vtm - 1.0) / (vtm + 1.0)
    if empirical is None:
        empirical = EmpiricalDemand(np.zeros((n_parts, n_sites + 1), dtype=np.int64),
                                    np.empty(0), 1.0)
    return k.PartsInput(
        stock=np.empty((0, 0), dtype=np.int64),
        batch_rate_per_day=np.asarray(parts.demand_rate, dtype=float) / DAYS_PER_YEAR
        * (1.0 - batch_q),
        batch_q=batch_q, empirical_indptr=empirical.indptr,
        empirical_values=empirical.values,
        empirical_period_days=float(empirical.period_days),
        repairable=parts.repairable.astype(np.bool_),
        procurement_lead_time_days=parts.procurement_lead_time_days.astype(float),
        repair_turnaround_days=parts.repair_turnaround_days.astype(float),
        condemnation_fraction=parts.condemnation_fraction.astype(float),
        seed=np.empty(0, dtype=np.int64))


def _rows(packed: k.PartsInput, rows: np.ndarray, stock: np.ndarray, seeds: np.ndarray
          ) -> k.PartsInput:
    """The kernel rows: part ``rows[i]`` with base stock ``stock[i]`` and seed ``seeds[i]``."""
    return packed._replace(
        stock=np.ascontiguousarray(stock, dtype=np.int64),
        batch_rate_per_day=packed.batch_rate_per_day[rows], batch_q=packed.batch_q[rows],
        empirical_indptr=packed.empirical_indptr[rows], repairable=packed.repairable[rows],
        procurement_lead_time_days=packed.procurement_lead_time_days[rows],
        repair_turnaround_days=packed.repair_turnaround_days[rows],
        condemnation_fraction=packed.condemnation_fraction[rows],
        seed=np.ascontiguousarray(seeds, dtype=np.int64))


def _simulate_rows(network: k.NetworkInput, rows: k.PartsInput, replications: int,
                   warmup_days: float, end_days: float,
                   location_out: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the kernel on ``rows``; returns ``(site_out, location_out, part_out)`` with
    shapes ``(P, R, N, F)``, ``(P, R, L, F)``, ``(P, R, F)`` (``location_out`` may be
    given: a caller's view to fill in place)."""
    n_rows = rows.seed.size
    n_sites, n_locations = network.site_primary.size, network.parent.size
    site_out = np.zeros((n_rows, replications, n_sites, len(k.SITE_FIELDS)))
    if location_out is None:
        location_out = np.zeros((n_rows, replications, n_locations, len(k.LOCATION_FIELDS)))
    part_out = np.zeros((n_rows, replications, len(k.PART_FIELDS)))
    # dynamic scheduling: parts differ a lot in work, and a part's figures do not
    # depend on the thread that runs it (its own seed, its own work arrays)
    with numba.parallel_chunksize(1):
        k.simulate_parts(network, rows, warmup_days, end_days,
                         k.Output(site_out, location_out, part_out))
    return site_out, location_out, part_out


def simulate_network(
    network: Network, parts: PartArrays, stock: np.ndarray, *,
    window_hours: np.ndarray | None = None, replications: int = 20, years: float = 5.0,
    warmup_years: float = 1.0, seed: int = 0, empirical: EmpiricalDemand | None = None,
    keep_parts: bool = True, chunk_size: int = 256, seeds: np.ndarray | None = None,
    client: Client | None = None, on_chunk: Callable[[int, int], None] | None = None,
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
        Parts per kernel call, and per sum of the site totals (on a cluster, tasks of
        :data:`CLUSTER_TASK_PARTS` parts within each chunk; the chunks do not depend on
        the number of workers, so neither do the figures).
    seeds : numpy.ndarray, optional
        int64 ``(P,)``: the seed of every row of ``parts`` instead of
        ``part_seeds(seed, P)``. Lets a caller simulate several stock vectors of the same
        part with the same random numbers (common random numbers): pass
        ``parts.subset(job_part)``, the jobs' stock rows and ``part_seeds(seed, n,
        stream)[job_part]`` (:func:`simulate_jobs` does this compactly).
    client : dask.distributed.Client, optional
        Run the chunks on its workers (:func:`spareplan.cluster.map_chunks`); the figures
        are byte-identical to this process's.
    on_chunk : callable, optional
        ``on_chunk(done, total)`` after each chunk's figures are stored: parts done so
        far and ``P``, in order, from the calling thread (a progress display:
        :class:`spareplan.progress.ChunkCounter`). It is given counts only; the figures
        do not depend on it.

    Returns
    -------
    SimulationArrays
        Read its figures by name (:meth:`SimulationArrays.site_estimate`,
        :meth:`SimulationArrays.sites_frame`, ...).
    """
    n_parts, n_locations, n_sites = parts.n_parts, network.n_locations, network.n_sites
    _check_run(replications, years, warmup_years, chunk_size)
    stock = _check_stock("stock", stock, (n_parts, n_locations), "parts")
    _check_parts(network, parts)
    if seeds is None:
        seeds = part_seeds(seed, n_parts)
    seeds = np.asarray(seeds, dtype=np.int64)
    _check("seeds", seeds.shape == (n_parts,), f"must have shape ({n_parts},)", seeds.shape)
    warmup_days = warmup_years * DAYS_PER_YEAR
    end_days = warmup_days + years * DAYS_PER_YEAR
    kernel_network = _network_input(network, window_hours)
    packed = _parts_input(parts, empirical)

    site_totals = np.zeros((replications, n_sites, len(k.SITE_FIELDS)))
    site_parts = (np.zeros((n_parts, replications, n_sites, len(k.SITE_FIELDS)))
                  if keep_parts else None)
    location_parts = np.zeros((n_parts, replications, n_locations, len(k.LOCATION_FIELDS)))
    part_out = np.zeros((n_parts, replications, len(k.PART_FIELDS)))
    # a cluster's tasks are sub-chunks of the chunks; the site totals are still summed
    # chunk by chunk over the same (chunk, R, N, F) arrays, so to the same bits
    task = chunk_size if client is None else min(chunk_size, CLUSTER_TASK_PARTS)
    spans = [(start, min(start + task, chunk_start + chunk_size, n_parts))
             for chunk_start in range(0, n_parts, chunk_size)
             for start in range(chunk_start, min(chunk_start + chunk_size, n_parts), task)]
    chunks = [(_chunk_rows(packed, np.arange(start, stop), stock[start:stop],
                           seeds[start:stop]),) for start, stop in spans]
    shared = (kernel_network, packed.empirical_values, replications, warmup_days, end_days,
              keep_parts or task < chunk_size)
    pending: list[np.ndarray] = []  # the site figures of the chunk being summed
    for (start, stop), (totals, sites, locations, part) in zip(
            spans, map_chunks(_network_chunk, chunks, shared, client), strict=True):
        location_parts[start:stop] = locations
        part_out[start:stop] = part
        if site_parts is not None:
            site_parts[start:stop] = sites
        if task == chunk_size:
            site_totals += totals  # chunk order: the same sums on any executor
        else:
            pending.append(sites)
            if stop % chunk_size == 0 or stop == n_parts:
                site_totals += np.concatenate(pending).sum(axis=0)
                pending = []
        if on_chunk is not None:
            on_chunk(stop, n_parts)
    return SimulationArrays(site_totals=site_totals, site_parts=site_parts,
                            location_parts=location_parts, part_out=part_out, years=years,
                            network=network, parts=parts, stock=stock)


def simulate_jobs(
    network: Network, parts: PartArrays, job_part: np.ndarray, job_stock: np.ndarray, *,
    window_hours: np.ndarray | None = None, replications: int = 20, years: float = 5.0,
    warmup_years: float = 1.0, seed: int = 0, stream: int = 1,
    empirical: EmpiricalDemand | None = None, chunk_size: int = 256,
    client: Client | None = None, on_chunk: Callable[[int, int], None] | None = None,
) -> JobFigures:
    """Simulate ``K`` jobs (a part, a stock vector) with common random numbers per part.

    Job ``j`` simulates part ``job_part[j]`` at base stock ``job_stock[j]`` from the seed
    ``part_seeds(seed, P, stream)[job_part[j]]``: every job of a part replays the same
    random stream (common random numbers), so differences between the stock vectors of a
    part are not blurred by different demand paths. The figures are identical to
    ``simulate_network(network, parts.subset(job_part), job_stock, seeds=part_seeds(seed,
    P, stream)[job_part])``, kept only for the sites where the part has demand and only
    for the site fields the optimizer reads, so that tens of thousands of jobs fit in
    memory (``M x R x 3`` floats, ``M`` the job-site pairs with demand).

    The demand paths of two jobs of a part coincide exactly under every stock-out rule:
    demand is the only user of the sequential generator, and a transit time or
    condemnation is keyed by the demand unit and the location it orders into (see
    :mod:`spareplan.simulation._kernels`), so the same order gets the same draw whatever
    the stock.

    Parameters
    ----------
    network, parts : Network, PartArrays
        The network and every part (``P`` rows).
    job_part : numpy.ndarray
        int ``(K,)``: the part of each job, in ``0..P-1``.
    job_stock : numpy.ndarray
        int ``(K, L)``: the base stock of each job, >= 0.
    window_hours, replications, years, warmup_years, seed, empirical, chunk_size, client
        As :func:`simulate_network` (with a client, tasks of at most
        :data:`CLUSTER_JOB_CHUNK` jobs: a job's figures do not depend on its chunk).
    on_chunk : callable, optional
        ``on_chunk(done, total)`` after each chunk: jobs done so far and ``K`` (as in
        :func:`simulate_network`).
    stream : int
        Family of random streams (:func:`part_seeds`); 0 is the verification's, so the
        optimizer's feed uses another (default 1).

    Returns
    -------
    JobFigures
    """
    n_parts, n_locations = parts.n_parts, network.n_locations
    _check_run(replications, years, warmup_years, chunk_size)
    job_part = np.asarray(job_part)
    _check("job_part", job_part.ndim == 1 and job_part.dtype.kind in "iu"
           and bool(np.all((job_part >= 0) & (job_part < n_parts))),
           f"must be a 1-d array of part positions in 0..{n_parts - 1}",
           job_part[(job_part < 0) | (job_part >= n_parts)][:5].tolist()
           if job_part.dtype.kind in "iu" else job_part.dtype)
    job_part = job_part.astype(np.int64)
    n_jobs = job_part.size
    job_stock = _check_stock("job_stock", job_stock, (n_jobs, n_locations), "jobs")
    _check_parts(network, parts)
    warmup_days = warmup_years * DAYS_PER_YEAR
    end_days = warmup_days + years * DAYS_PER_YEAR
    kernel_network = _network_input(network, window_hours)
    packed = _parts_input(parts, empirical)
    seeds = part_seeds(seed, n_parts, stream)
    has_demand = np.asarray(parts.demand_rate) > 0
    if empirical is not None:
        has_demand |= np.diff(empirical.indptr, axis=1) > 0
    indptr = np.concatenate([[0], np.cumsum(has_demand[job_part].sum(axis=1))]).astype(np.int64)
    site = np.empty(int(indptr[-1]), dtype=np.int64)
    by_replication = {name: np.empty((site.size, replications)) for name in _JOB_FIELDS}
    conservation = 0.0
    if client is not None:  # more tasks than workers; the figures do not depend on it
        chunk_size = min(chunk_size, CLUSTER_JOB_CHUNK)
    starts = range(0, n_jobs, chunk_size)
    chunks = []
    for start in starts:
        rows = job_part[start:start + chunk_size]
        chunks.append((_chunk_rows(packed, rows, job_stock[start:start + chunk_size],
                                   seeds[rows]), has_demand[rows]))
    shared = (kernel_network, packed.empirical_values, replications, warmup_days, end_days)
    for start, (sites, figures, residual) in zip(
            starts, map_chunks(_jobs_chunk, chunks, shared, client), strict=True):
        entries = slice(int(indptr[start]), int(indptr[min(start + chunk_size, n_jobs)]))
        site[entries] = sites
        for name, values in by_replication.items():
            values[entries] = figures[name]
        conservation = max(conservation, residual)
        if on_chunk is not None:
            on_chunk(min(start + chunk_size, n_jobs), n_jobs)
    requests, within, wait, emergency, lateral = (by_replication[name]
                                                  for name in _JOB_FIELDS)
    return JobFigures(
        job_part=job_part, indptr=indptr, site=site, requests=requests.sum(axis=1),
        within_window=within.sum(axis=1), wait_hours=wait.sum(axis=1),
        emergency=emergency.sum(axis=1), lateral=lateral.sum(axis=1),
        requests_by_replication=requests, within_window_by_replication=within,
        wait_hours_by_replication=wait, replications=replications, years=years,
        n_sites=network.n_sites, conservation_residual=conservation)


#: Parts per task of :func:`simulate_network` on a cluster (within its chunks of
#: ``chunk_size`` parts, whose site totals the client sums as one machine does): a
#: verification of a few hundred parts is then more tasks than workers.
CLUSTER_TASK_PARTS = 32

#: Jobs per task of :func:`simulate_jobs` on a cluster (at most ``chunk_size``): a job's
#: figures are its own (no sum across jobs), so the chunks change no figure, and smaller
#: tasks keep every worker busy on a few hundred jobs (the feed simulates tens of columns
#: at a time).
CLUSTER_JOB_CHUNK = 32

_JOB_FIELDS = ("requests", "within_window", "wait_hours", "emergency", "lateral")


def _chunk_rows(packed: k.PartsInput, rows: np.ndarray, stock: np.ndarray,
                seeds: np.ndarray) -> k.PartsInput:
    """:func:`_rows` of one chunk without the flat empirical histories (shared by every
    chunk: they travel once to each worker, not once per chunk)."""
    return _rows(packed, rows, stock, seeds)._replace(empirical_values=np.empty(0))


def _network_chunk(rows: k.PartsInput, network: k.NetworkInput, empirical_values: np.ndarray,
                   replications: int, warmup_days: float, end_days: float, keep_parts: bool
                   ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """One chunk of :func:`simulate_network` (run in this process or on a worker): the
    site figures summed over the chunk's parts ``(R, N, F)``, per part when
    ``keep_parts``, and the location and part figures."""
    site_out, location_out, part_out = _simulate_rows(
        network, rows._replace(empirical_values=empirical_values), replications,
        warmup_days, end_days)
    return site_out.sum(axis=0), (site_out if keep_parts else None), location_out, part_out


def _jobs_chunk(rows: k.PartsInput, has_demand: np.ndarray, network: k.NetworkInput,
                empirical_values: np.ndarray, replications: int, warmup_days: float,
                end_days: float) -> tuple[np.ndarray, dict[str, np.ndarray], float]:
    """One chunk of :func:`simulate_jobs` (run in this process or on a worker): the demand
    sites of its jobs (jobs in order, then their sites ``has_demand (c, N)``), their
    figures per replication ``(m, R)`` by name, and the largest conservation residual."""
    site_out, _, part_out = _simulate_rows(
        network, rows._replace(empirical_values=empirical_values), replications,
        warmup_days, end_days)
    chosen = site_out.transpose(0, 2, 1, 3)[has_demand]  # (m, R, F)
    figures = {name: chosen[:, :, k.SITE_FIELDS.index(name)] for name in _JOB_FIELDS}
    residual = float(part_out[..., k.PART_FIELDS.index("conservation")].max(initial=0.0))
    return np.nonzero(has_demand)[1], figures, residual
