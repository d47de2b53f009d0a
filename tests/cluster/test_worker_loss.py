"""Acceptance (issue 17): a worker killed mid-run is replaced and its task run again by
Dask; the result is unchanged. A worker plugin ends its worker's process (``os._exit``)
when the worker starts its third spareplan task, once per flag file: the process dies
with the task on it, its nanny starts a new worker, the scheduler runs the task again."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from cluster_cases import plan_files
from distributed import Client
from distributed.diagnostics.plugin import WorkerPlugin

from spareplan.cluster import map_chunks

# the workers cannot import this test module: send its functions and classes by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class KillOnce(WorkerPlugin):
    """End the worker's process when it starts its ``nth`` spareplan task, the first time
    (``flag`` is written just before, so that the new worker and the other one go on)."""

    name = "kill-once"

    def __init__(self, flag: str, nth: int) -> None:
        self.flag, self.nth, self.started = flag, nth, 0

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("spareplan-"):
            return
        self.started += 1
        if self.started >= self.nth and not os.path.exists(self.flag):
            Path(self.flag).write_text(str(os.getpid()), encoding="utf-8")
            os._exit(17)


def test_a_worker_killed_mid_plan_is_retried_and_the_plan_is_unchanged(
        client: Client, generated: Path, alone_generated: dict[str, bytes], tmp_path: Path
) -> None:
    flag = tmp_path / "killed"
    before = set(client.scheduler_info()["workers"])
    client.register_plugin(KillOnce(str(flag), nth=3))
    try:
        clustered = plan_files(generated, tmp_path / "cluster", client=client)
    finally:
        client.unregister_worker_plugin(KillOnce.name)
        client.wait_for_workers(2, timeout=120)  # the replacement, for the next tests
    assert flag.exists(), "no worker was killed: the test did not test anything"
    after = set(client.scheduler_info()["workers"])
    assert before - after, "the killed worker is still listed"
    assert clustered == alone_generated


def _fails_once(value: int, flag: str) -> int:
    """Raise on the first call (per flag file), then return ``value`` squared."""
    if not os.path.exists(flag):
        Path(flag).write_text("raised", encoding="utf-8")
        raise OSError("a transient failure")
    return value * value


def test_a_task_that_raised_is_retried(client: Client, tmp_path: Path) -> None:
    flag = str(tmp_path / "raised")
    chunks = [(v,) for v in range(5)]
    assert list(map_chunks(_fails_once, chunks, (flag,), client)) == [0, 1, 4, 9, 16]
    assert Path(flag).exists()
    with pytest.raises(OSError, match="transient"):  # no retry: the task's own error
        list(map_chunks(_fails_once, [(1,)], (str(tmp_path / "again"),), client, retries=0))
