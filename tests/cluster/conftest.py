"""A real dask.distributed LocalCluster (2 worker processes, 1 thread each) for the
cluster tests, and the scenarios they plan. dask is in the ``test`` extra: without it
these tests fail, they are not skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_cases import plan_files
from distributed import Client

from spareplan.cluster import ClusterSpec, cluster_client
from spareplan.scenario.generator import generate_scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """A LocalCluster of 2 worker processes through the CLI's own opener (``local:2``),
    one for the session (a test that kills a worker waits for its replacement)."""
    with cluster_client(ClusterSpec(local_workers=2)) as opened:
        assert opened is not None
        yield opened


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated scenario: 30 parts, 4 FSLs, 2 DCs (demo profile)."""
    return generate_scenario(tmp_path_factory.mktemp("cluster") / "gen30", n_parts=30,
                             n_fsls=4, seed=3, profile="demo")


@pytest.fixture(scope="session")
def alone_generated(generated: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> dict[str, bytes]:
    """The single-process plan files of the generated scenario (computed once)."""
    return plan_files(generated, tmp_path_factory.mktemp("alone") / "plan")
