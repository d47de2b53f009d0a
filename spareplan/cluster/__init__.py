"""Per-part work fanned out over a Dask cluster when one machine is not enough.

The work of a plan that grows with the parts — the simulation of stock vectors (the feed,
the holdout, the verification, ``spareplan simulate``) and the analytic pricing and column
evaluation — is independent per part once the SLA multipliers are fixed (DESIGN.md
section 7). :func:`map_chunks` runs a module-level worker function over chunks of parts:
in this process (no client: the in-process loop, numba threads inside each chunk) or on
the workers of a :class:`dask.distributed.Client` (dask.distributed is the engine: no
home-made scheduler). The master LP and the MILP stay on the client.

Results are byte-identical to one machine: chunk boundaries are fixed by the caller (not
by the number of workers), every part draws from its own seed, and the client reduces the
chunks' figures in chunk order. :func:`cluster_client` opens the client of the CLI's
``--cluster local:N`` / ``--scheduler ADDRESS`` options (see ``docs/cluster.md``).

dask is imported only inside the functions that need it: without a client spareplan runs
without dask installed (the ``cluster`` extra installs it).
"""

from spareplan.cluster.executor import TASK_RETRIES, map_chunks
from spareplan.cluster.session import ClusterSpec, cluster_client, parse_cluster_options

__all__ = ["TASK_RETRIES", "ClusterSpec", "cluster_client", "map_chunks",
           "parse_cluster_options"]
