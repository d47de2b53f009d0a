"""Acceptance (issue 17): plans and simulations on a real dask.distributed LocalCluster
(processes, 2 workers) are byte-identical to the single-process run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cluster_cases import plan_files, simulation_bytes
from conftest import TINY
from distributed import Client

from spareplan import compile_network, load_scenario
from spareplan.planning import pricing
from spareplan.simulation import engine, simulate_jobs, simulate_network


def _same_files(one: dict[str, bytes], other: dict[str, bytes]) -> None:
    assert sorted(one) == sorted(other)
    assert {"recommendations.csv", "service.csv", "summary.json"} <= set(one)
    for name in one:
        assert one[name] == other[name], name


def test_tiny_plan_is_byte_identical_on_a_local_cluster(client: Client, tmp_path: Path
                                                        ) -> None:
    alone = plan_files(TINY, tmp_path / "alone")
    clustered = plan_files(TINY, tmp_path / "cluster", client=client)
    _same_files(alone, clustered)
    assert b'"verified": true' in alone["summary.json"]


def test_generated_plan_is_byte_identical_on_a_local_cluster(
        client: Client, generated: Path, alone_generated: dict[str, bytes], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "PRICING_TASK_PARTS", 8)  # 4 pricing tasks of the 30 parts
    alone = alone_generated
    clustered = plan_files(generated, tmp_path / "cluster", client=client)
    _same_files(alone, clustered)
    # the feed's column generation ran (not the small-problem enumeration)
    assert b'"method": "column_generation' in alone["summary.json"]


def test_simulations_are_byte_identical_on_a_local_cluster(client: Client, generated: Path
                                                           ) -> None:
    for scenario in (TINY, generated):
        assert simulation_bytes(scenario) == simulation_bytes(scenario, client=client)


def test_many_chunks_are_reduced_in_chunk_order(client: Client, generated: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 12 parts in tasks of 4 (8 tasks over 2 workers): every figure equal to
    the bit, the site totals (summed chunk by chunk on the client) included."""
    monkeypatch.setattr(engine, "CLUSTER_TASK_PARTS", 4)  # read on the client
    network, parts = compile_network(load_scenario(generated))
    rng = np.random.default_rng(5)
    stock = rng.integers(0, 3, size=(parts.n_parts, network.n_locations))
    for keep_parts in (True, False):
        options = dict(replications=3, years=1.0, seed=2, chunk_size=12,
                       keep_parts=keep_parts)
        alone = simulate_network(network, parts, stock, **options)
        clustered = simulate_network(network, parts, stock, client=client, **options)
        for name in ("site_totals", "site_parts", "location_parts", "part_out"):
            assert np.array_equal(getattr(alone, name), getattr(clustered, name)), name
        assert alone.site_totals.sum() > 0
    job_part = np.repeat(np.arange(parts.n_parts), 2)
    job_stock = rng.integers(0, 3, size=(job_part.size, network.n_locations))
    jobs = [simulate_jobs(network, parts, job_part, job_stock, chunk_size=5,
                          replications=3, years=1.0, seed=2, client=c)
            for c in (None, client)]
    for name in ("indptr", "site", "requests_by_replication",
                 "within_window_by_replication", "wait_hours_by_replication", "emergency",
                 "lateral"):
        assert np.array_equal(getattr(jobs[0], name), getattr(jobs[1], name)), name
    assert jobs[0].conservation_residual == jobs[1].conservation_residual
