"""The lateral rule has one owner (:func:`spareplan.network.lateral_candidates`), read by
the analytic evaluation and by the simulation alike."""

from __future__ import annotations

import numpy as np
from simulation_helpers import make_network

from spareplan.network import LATERAL, lateral_candidates


def test_candidates_are_other_fsls_in_reach_by_response() -> None:
    # CW(0) -> DC-A(1) -> F1(3), F2(4); CW -> DC-B(2) -> F3(5)
    inf = np.inf
    response = np.array([
        [30.0, 8.0, 6.0, 1.0, 3.0, 2.0],   # site 0 at F1: DC-B and every FSL in reach
        [30.0, inf, inf, 5.0, 0.5, inf],   # site 1 at F2
    ])
    network = make_network([-1, 0, 0, 1, 1, 2], [0.0, 5.0, 5.0, 1.0, 1.0, 1.0], [3, 4],
                           response_hours=response, rule=LATERAL)
    indptr, locations = lateral_candidates(network)
    # site 0: F3 (2 h) before F2 (3 h); DC-B is not an FSL, CW and DC-A are its ancestors
    assert locations[indptr[0]:indptr[1]].tolist() == [5, 4]
    assert locations[indptr[1]:indptr[2]].tolist() == [3]


def test_analytic_and_simulation_read_the_same_candidates() -> None:
    import tempfile
    from pathlib import Path

    from spareplan import load_scenario
    from spareplan.evaluation.service import ServiceModel
    from spareplan.network import compile_network
    from spareplan.scenario.generator import generate_scenario

    with tempfile.TemporaryDirectory() as folder:
        path = generate_scenario(Path(folder) / "s", n_parts=5, n_fsls=6, seed=2,
                                 stockout_rule="lateral")
        network, parts = compile_network(load_scenario(path))
    model = ServiceModel(network, parts, np.full(network.n_sites, 4.0))
    indptr, locations = lateral_candidates(network)
    np.testing.assert_array_equal(model.lateral_ptr, indptr)
    np.testing.assert_array_equal(model.lateral_idx, locations)
    assert locations.size > 0
