"""The exact pricing dynamic program on a three-level tree against brute force.

``tiny`` (central warehouse and two FSLs) does not reach the DP's middle level, nor FSLs
with several sites, where the lost-sales leaf search carries the Erlang loss from one
stock level to the next and prices the FSL's sites as a line in its availability
(:func:`spareplan.evaluation.metric._lost_leaf_line`). Here: a generated network with a
central warehouse, two DCs and one FSL under each (three sites per FSL), every part
priced at random row duals, under the emergency rule (lost-sales FSLs) and the backorder
rule; the minimum found must be the least Lagrangian value over all 3^5 stock vectors
(levels 0-2), each evaluated from scratch by :meth:`ServiceModel.evaluate_many`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spareplan import load_scenario
from spareplan.planning.model import PlanningModel
from spareplan.scenario.generator import MAX_STOCK_PER_LOCATION, generate_scenario

LEVELS = 2


def _model(folder: Path, rule: str) -> PlanningModel:
    path = generate_scenario(folder, n_parts=4, n_fsls=2, n_dcs=2, seed=5,
                             stockout_rule=rule)
    toml = path / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    old = f"max_stock_per_location = {MAX_STOCK_PER_LOCATION}"
    assert old in text
    toml.write_text(text.replace(old, f"max_stock_per_location = {LEVELS}"),
                    encoding="utf-8")
    return PlanningModel.build(load_scenario(path))


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanningModel]:
    root = tmp_path_factory.mktemp("pricing_tree")
    return {rule: _model(root / rule, rule) for rule in ("emergency", "backorder")}


def test_the_network_reaches_the_middle_level(models):
    for model in models.values():
        net = model.network
        assert net.depth.max() == 2
        assert net.n_locations == 5
        leaves = [loc for loc in range(net.n_locations) if net.depth[loc] == 2]
        sites = np.bincount(net.site_primary, minlength=net.n_locations)
        assert all(sites[loc] >= 2 for loc in leaves)


@pytest.mark.parametrize("rule", ["emergency", "backorder"])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e2, 1e4, 1e6]))
def test_pricing_is_the_minimum_over_every_stock_vector(models, rule, seed, scale):
    model = models[rule]
    service = model.service
    n_loc = model.network.n_locations
    vectors = np.array(list(itertools.product(range(LEVELS + 1), repeat=n_loc)),
                       dtype=np.int64)
    rng = np.random.default_rng(seed)
    duals = np.where(model.is_fill_row, 1.0, -1.0) * rng.uniform(0, scale, len(model.rows))
    parts = np.arange(model.n_parts)
    within = np.vstack([model.site_weights(duals, p)[0] for p in parts])
    wait = np.vstack([model.site_weights(duals, p)[1] for p in parts])
    stock, minimum = service.price_many(parts, within, wait)
    for p in parts:
        evaluated = service.evaluate_many(np.full(len(vectors), p), vectors)
        values = [service.lagrangian_value(int(p), e, within[p], wait[p]) for e in evaluated]
        found = service.lagrangian_value(int(p), service.evaluate(int(p), stock[p]),
                                         within[p], wait[p])
        assert found == pytest.approx(min(values), rel=1e-9, abs=1e-9)
        assert minimum[p] == pytest.approx(min(values), rel=1e-9, abs=1e-9)
