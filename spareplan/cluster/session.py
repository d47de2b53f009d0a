"""The CLI's cluster options: ``--cluster local:N`` starts one, ``--scheduler`` joins one.

:func:`parse_cluster_options` checks the options before any work (a bad value is a
:class:`~spareplan.errors.ParameterError` naming the option, the rule and the value: exit
2, nothing written); :func:`cluster_client` opens the :class:`dask.distributed.Client`
for the run and closes it (and the LocalCluster it started) at the end.

``local:N`` starts N worker processes with one Dask thread each; each worker's numba
kernels get ``max(1, cores // N)`` threads (``NUMBA_NUM_THREADS``), so that N workers use
the machine's cores once, not N times. Dask's own log lines stay below warnings; its
HTTP endpoint takes a free port (two runs at once do not collide on 8787).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spareplan.errors import ParameterError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["CONNECT_TIMEOUT_SECONDS", "MAX_LOCAL_WORKERS", "ClusterSpec", "cluster_client",
           "parse_cluster_options"]

#: Seconds to reach a scheduler given by ``--scheduler`` before the run is refused.
CONNECT_TIMEOUT_SECONDS = 10.0
#: Most worker processes ``--cluster local:N`` starts on one machine.
MAX_LOCAL_WORKERS = 256

_LOCAL = re.compile(r"local:(\d+)")


@dataclass(frozen=True)
class ClusterSpec:
    """Where the per-part work runs: ``local_workers`` processes of a LocalCluster started
    for the run, or the scheduler at ``scheduler``."""

    local_workers: int | None = None
    scheduler: str | None = None

    def describe(self) -> str:
        if self.local_workers is not None:
            return f"a local Dask cluster of {self.local_workers} worker process(es)"
        return f"the Dask scheduler at {self.scheduler}"


def parse_cluster_options(cluster: str | None, scheduler: str | None) -> ClusterSpec | None:
    """The checked ``--cluster`` / ``--scheduler`` options (``None``: this process only).

    Raises
    ------
    ParameterError
        Both given; ``--cluster`` not ``local:N`` with N from 1 to
        :data:`MAX_LOCAL_WORKERS`; an empty ``--scheduler``; dask.distributed missing.

    Examples
    --------
    >>> parse_cluster_options("local:2", None)
    ClusterSpec(local_workers=2, scheduler=None)
    >>> parse_cluster_options("local:0", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    spareplan.errors.ParameterError: parameter --cluster: must be local:N with N worker ...
    """
    if cluster is None and scheduler is None:
        return None
    if cluster is not None and scheduler is not None:
        raise ParameterError("--cluster", "cannot be combined with --scheduler (start a local "
                             "cluster or join one)", cluster)
    if cluster is not None:
        match = _LOCAL.fullmatch(cluster.strip())
        if match is None or not 1 <= int(match.group(1)) <= MAX_LOCAL_WORKERS:
            raise ParameterError("--cluster", f"must be local:N with N worker processes from "
                                 f"1 to {MAX_LOCAL_WORKERS}", cluster)
        spec = ClusterSpec(local_workers=int(match.group(1)))
    else:
        assert scheduler is not None
        if not scheduler.strip():
            raise ParameterError("--scheduler", "must be the address of a Dask scheduler "
                                 "(e.g. tcp://host:8786)", scheduler)
        spec = ClusterSpec(scheduler=scheduler.strip())
    _require_distributed("--cluster" if cluster is not None else "--scheduler")
    return spec


def _require_distributed(option: str) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ParameterError(option, "needs dask.distributed (pip install "
                             "'spareplan[cluster]')", "not installed") from None


def _quiet_close(cluster: Any) -> None:
    """Close a LocalCluster without the nanny's warnings about workers slow to exit (a
    worker still busy is killed: the run is over)."""
    nanny = logging.getLogger("distributed.nanny")
    level = nanny.level
    nanny.setLevel(logging.ERROR)
    try:
        cluster.close()
    finally:
        nanny.setLevel(level)


@contextmanager
def cluster_client(spec: ClusterSpec | None) -> Iterator[Client | None]:
    """The client of the run (``None`` without a spec), closed at the end.

    Raises
    ------
    ParameterError
        ``--scheduler``: no scheduler answered within :data:`CONNECT_TIMEOUT_SECONDS`.
    """
    if spec is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if spec.local_workers is not None:
        threads = max(1, (os.cpu_count() or 1) // spec.local_workers)
        cluster = LocalCluster(n_workers=spec.local_workers, threads_per_worker=1,
                               processes=True, dashboard_address=":0",
                               silence_logs=logging.WARNING,
                               env={"NUMBA_NUM_THREADS": str(threads)})
        try:
            with Client(cluster) as client:
                yield client
        finally:
            _quiet_close(cluster)
        return
    logging.getLogger("distributed").setLevel(logging.WARNING)
    try:
        client = Client(spec.scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise ParameterError("--scheduler", f"must be the address of a running Dask "
                             f"scheduler, reachable within {CONNECT_TIMEOUT_SECONDS:g} s "
                             f"({str(error).strip()[:160]})", spec.scheduler) from None
    with client:
        yield client
