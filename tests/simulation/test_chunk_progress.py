"""Progress of the chunked simulations (issue 14): ``on_chunk(done, total)`` after every
chunk, counts that only grow and reach the total, and figures to the bit the same with or
without a callback (it touches no random stream and no ordering)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.network import EMERGENCY
from spareplan.planning.feed import FeedSettings, simulate_columns
from spareplan.planning.model import PlanningModel
from spareplan.progress import ChunkCounter, count_and_eta
from spareplan.scenario.load import load_scenario
from spareplan.simulation import simulate_jobs, simulate_network

WINDOWS = np.array([4.0, 8.0, 24.0])


def _system():  # type: ignore[no-untyped-def]
    network = make_network([-1, 0, 0, 0], [0.0, 4.0, 6.0, 3.0], [1, 3, 2],
                           response_hours=np.array([[30.0, 2.0, 6.0, np.inf],
                                                    [30.0, np.inf, 3.0, 2.0],
                                                    [30.0, 5.0, 1.0, np.inf]]),
                           lead_time_cv=[0.0, 0.3, 0.0, 0.3], rule=EMERGENCY)
    parts = make_parts(np.array([[20.0, 12.0, 5.0], [3.0, 1.0, 0.0], [0.0, 0.8, 2.0],
                                 [1.0, 1.0, 1.0], [4.0, 0.0, 2.0]]),
                       repairable=[True, False, True, False, True])
    return network, parts


def _assert_counts(calls: list[tuple[int, int]], total: int, chunks: int) -> None:
    assert len(calls) == chunks
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)  # strictly growing
    assert done[-1] == total and done[0] > 0


@pytest.mark.parametrize("chunk_size", [1, 2, 256])
def test_simulate_network_counts_its_chunks_and_keeps_its_figures(chunk_size: int) -> None:
    network, parts = _system()
    stock = np.array([[2, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1], [0, 1, 1, 1], [3, 1, 0, 1]])
    options = dict(window_hours=WINDOWS, replications=3, years=2.0, seed=5,
                   chunk_size=chunk_size)
    calls: list[tuple[int, int]] = []
    counted = simulate_network(network, parts, stock, **options,
                               on_chunk=lambda done, total: calls.append((done, total)))
    plain = simulate_network(network, parts, stock, **options)
    _assert_counts(calls, 5, -(-5 // chunk_size))
    for name in ("site_totals", "site_parts", "location_parts", "part_out"):
        assert getattr(counted, name).tobytes() == getattr(plain, name).tobytes(), name


def test_simulate_jobs_counts_its_chunks_and_keeps_its_figures() -> None:
    network, parts = _system()
    job_part = np.array([0, 0, 2, 1, 0, 2, 4])
    job_stock = np.array([[2, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 1],
                          [5, 3, 3, 3], [0, 1, 1, 0], [1, 1, 1, 1]])
    options = dict(window_hours=WINDOWS, replications=3, years=2.0, seed=9, chunk_size=3)
    calls: list[tuple[int, int]] = []
    counted = simulate_jobs(network, parts, job_part, job_stock, **options,
                            on_chunk=lambda done, total: calls.append((done, total)))
    plain = simulate_jobs(network, parts, job_part, job_stock, **options)
    assert calls == [(3, 7), (6, 7), (7, 7)]
    _assert_counts(calls, 7, 3)
    for name in ("requests_by_replication", "within_window_by_replication",
                 "wait_hours_by_replication", "emergency", "lateral", "site"):
        assert getattr(counted, name).tobytes() == getattr(plain, name).tobytes(), name


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_counter_reports_count_and_eta_and_skips_a_single_chunk() -> None:
    clock, texts = _Clock(), []
    counter = ChunkCounter(texts.append, "parts simulated {count}", clock=clock)
    clock.now += 10.0
    counter(256, 1024)
    clock.now += 10.0
    counter(512, 1024)
    counter(1024, 1024)
    assert texts == ["parts simulated 256/1,024, about 30 s left",
                     "parts simulated 512/1,024, about 20 s left",
                     "parts simulated 1,024/1,024 done"]  # no ETA once the count is over
    single: list[str] = []
    ChunkCounter(single.append, clock=clock)(200, 200)  # one chunk: nothing to count
    assert single == []
    assert count_and_eta(3, None, 5.0) == "3"


def test_the_feed_notes_its_stock_vectors_with_an_eta(caplog: pytest.LogCaptureFixture
                                                      ) -> None:
    """The feed's simulations log a count per chunk (notes of the progress display);
    here 2 parts x 300 stock vectors: two chunks of at most 256."""
    model = PlanningModel.build(load_scenario("scenarios/tiny"))
    groups = np.repeat(np.arange(model.n_parts), 150)
    stock = np.ones((groups.size, model.network.n_locations), dtype=np.int64)
    settings = FeedSettings(replications=2, years=0.5)
    with caplog.at_level(logging.INFO, logger="spareplan.planning.feed"):
        counted = simulate_columns(model, groups, stock, seed=3, settings=settings)
    notes = [r.getMessage() for r in caplog.records if r.name == "spareplan.planning.feed"]
    assert [note.split(",")[0] for note in notes] == [
        "feed: stock vectors simulated 256/300", "feed: stock vectors simulated 300/300 done"]
    assert "s left" in notes[0]
    plain = simulate_columns(model, groups, stock, seed=3, settings=settings)
    assert counted.within.tobytes() == plain.within.tobytes()
    assert counted.requests.tobytes() == plain.requests.tobytes()


class _Recorder:
    """A fake progress sink: every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, object]] = []

    def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
        self.calls.append(("stage", name, total))

    def advance(self, done: int, *, detail: str = "") -> None:
        self.calls.append(("advance", done, detail))

    def note(self, detail: str) -> None:
        self.calls.append(("note", detail, None))


def test_plan_counts_the_verification_parts_and_plans_the_same() -> None:
    import spareplan

    scenario = load_scenario("scenarios/tiny")
    sink = _Recorder()
    options = dict(seed=4, service_model="analytic", replications=3, years=1.0)
    counted = spareplan.plan(scenario, progress=sink, **options)
    plain = spareplan.plan(scenario, **options)
    start = sink.calls.index(("stage", "verification", 2))  # total: the scenario's parts
    after = sink.calls[start + 1:]
    done = [value for kind, value, _ in after if kind == "advance"]
    assert done == sorted(done) and done[-1] == 2
    for name in ("recommendations", "service"):
        assert (getattr(counted, name).to_csv().encode()
                == getattr(plain, name).to_csv().encode()), name
