"""One executor for per-part work: chunks in order, in this process or on Dask workers.

:func:`map_chunks` calls ``function(*chunk, *shared)`` for every chunk and yields the
results in chunk order. Without a client it is the plain in-process loop (the numba
kernels run their threads inside each call). With a :class:`dask.distributed.Client`
everything travels as tasks, not as scattered data, so that a worker that dies loses
nothing the scheduler cannot rebuild: the shared arguments (the network packed for the
kernels) are one task's result, which each worker fetches once; every chunk's arguments
travel with its task (``client.map`` with :data:`TASK_RETRIES` retries; a worker that
dies mid-task is replaced by its nanny and the scheduler runs the task again elsewhere).
Seen in the worker-loss test: data scattered with ``broadcast=True`` was lost with the
worker that died (Dask's memory manager had dropped the other replicas), and a chunk
scattered to one worker dies with it. The results are gathered one chunk after the other
so that the caller's reduction runs in the same fixed order as on one machine.

The function must be a module-level function taking arrays and scalars (pickled by
reference); chunk boundaries are the caller's and must not depend on the cluster's size.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from spareplan.errors import ClusterFailure

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["TASK_RETRIES", "map_chunks"]

#: Times a task that raised is run again before its error is the run's (a worker that
#: dies is handled by the scheduler apart: ``distributed.scheduler.allowed-failures``).
TASK_RETRIES = 2


class _Arguments:
    """A chunk's arguments as one opaque value of a task (Dask does not look into it for
    keys or tasks, and keeps it with the task: a worker that dies loses nothing)."""

    __slots__ = ("values",)

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.values = values


def _unwrap(shared: _Arguments) -> tuple[Any, ...]:
    """The shared arguments as a task's result (recomputed if the workers holding it
    die, unlike scattered data)."""
    return shared.values


def _apply(chunk: _Arguments, function: Callable[..., Any], shared: tuple[Any, ...]) -> Any:
    """The task run on a worker: ``function(*chunk, *shared)``."""
    return function(*chunk.values, *shared)


def map_chunks(function: Callable[..., Any], chunks: Sequence[tuple[Any, ...]],
               shared: tuple[Any, ...] = (), client: Client | None = None,
               retries: int = TASK_RETRIES) -> Iterator[Any]:
    """``function(*chunk, *shared)`` for every chunk, the results in chunk order.

    Parameters
    ----------
    function : callable
        A module-level function (picklable by reference) of arrays and scalars.
    chunks : sequence of tuples
        The per-chunk arguments, in the order of the reduction.
    shared : tuple
        Arguments common to every chunk (sent once to every worker).
    client : dask.distributed.Client, optional
        Run on its workers; ``None``: in this process.
    retries : int
        Retries of a task that raised (Dask's ``retries=``).

    Yields
    ------
    object
        ``function``'s result for each chunk, in the order of ``chunks``.

    Raises
    ------
    ClusterFailure
        A task's workers died more often than the scheduler allows, or the cluster was
        lost.

    Examples
    --------
    >>> list(map_chunks(pow, [(2,), (3,)], shared=(10,)))
    [1024, 59049]
    """
    if client is None:
        for chunk in chunks:
            yield function(*chunk, *shared)
        return
    yield from _on_cluster(function, list(chunks), shared, client, retries)


def _on_cluster(function: Callable[..., Any], chunks: list[tuple[Any, ...]],
                shared: tuple[Any, ...], client: Client, retries: int) -> Iterator[Any]:
    """:func:`map_chunks` on a Dask client."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    if not chunks:
        return
    name = f"spareplan-{function.__name__.strip('_')}-{uuid.uuid4().hex[:12]}"
    futures: list[Any] = []
    try:
        try:
            shared_future = client.submit(_unwrap, _Arguments(shared), pure=False,
                                          key=f"{name}-shared")
            futures = client.map(_apply, [_Arguments(chunk) for chunk in chunks],
                                 function=function, shared=shared_future, pure=False,
                                 retries=retries,
                                 key=[f"{name}-{i}" for i in range(len(chunks))])
            del shared_future  # the tasks hold it while they need it
        except (OSError, TimeoutError) as error:
            raise ClusterFailure(f"the Dask cluster could not take the work of "
                                 f"{function.__name__} ({error})") from None
        for i in range(len(futures)):
            try:
                result = futures[i].result()
            except KilledWorker as error:
                raise ClusterFailure(
                    f"a task of {function.__name__} (chunk {i + 1} of {len(futures)}) "
                    f"killed its workers more often than the scheduler allows ({error}); "
                    "no output was written") from None
            except (CommClosedError, CancelledError) as error:  # not a task's own error
                raise ClusterFailure(f"the Dask cluster was lost during {function.__name__} "
                                     f"(chunk {i + 1} of {len(futures)}: {error}); no output "
                                     "was written") from None
            futures[i] = None
            yield result
    finally:
        remaining = [f for f in futures if f is not None]
        if remaining:
            try:
                client.cancel(remaining)
            except (OSError, TimeoutError, RuntimeError):  # the cluster is gone already
                pass
