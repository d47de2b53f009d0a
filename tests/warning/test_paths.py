"""Sample paths (the backtest's outcomes): reproducible, one-for-one, what is known."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from spareplan.network import compile_network
from spareplan.scenario import load_scenario
from spareplan.simulation.engine import part_seeds
from spareplan.warning.paths import path_model, sample_paths


@pytest.fixture(scope="module")
def demo_model():
    network, parts = compile_network(load_scenario("scenarios/demo"))
    model = path_model(network, parts)
    rng = np.random.default_rng(3)
    target = rng.integers(0, 3, size=(parts.n_parts, network.n_locations))
    return model, target


def _run(model, target, parts: np.ndarray, seed: int = 7, weeks: int = 20):
    from spareplan.warning.paths import PathModel

    sub = PathModel(model.parent, model.child_ptr, model.child_idx, model.lead_days,
                    model.lead_cv, model.planned_weeks[parts], model.repairable[parts],
                    model.repair_days[parts], model.procurement_days[parts],
                    model.condemnation[parts], model.site_primary,
                    model.batch_rate_week[parts], model.batch_q[parts])
    seeds = part_seeds(seed, model.n_parts, stream=99)[parts]
    return sample_paths(sub, on_hand=target[parts], target=target[parts],
                        receipts=[[] for _ in parts],
                        firm=np.zeros((len(parts), model.n_locations, weeks), dtype=np.int64),
                        snapshots=weeks, horizon_weeks=6, seeds=seeds)


def test_a_part_path_depends_on_its_seed_only(demo_model) -> None:
    model, target = demo_model
    every = _run(model, target, np.arange(model.n_parts))
    alone = _run(model, target, np.array([17, 3]))
    np.testing.assert_array_equal(every.net[[17, 3]], alone.net)
    np.testing.assert_array_equal(every.receipts[[17, 3]], alone.receipts)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = _run(model, target, np.arange(model.n_parts))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(every.net, single.net)
    assert (every.net < 0).any()  # something happens on these paths


def test_inventory_position_stays_at_the_base_stock(demo_model) -> None:
    """One-for-one: on hand - backorders + in transit + waiting at the parent = S, weekly."""
    model, target = demo_model
    paths = _run(model, target, np.arange(40))
    position = paths.net0 + paths.on_order + paths.pending
    np.testing.assert_array_equal(position, np.repeat(target[:40, None, :], 20, axis=1))
    # what is known as receipts never exceeds what is in transit
    assert np.all(paths.receipts.sum(axis=3) <= paths.on_order)
