"""The kernels stay behind the public face: nobody outside the simulation package reads
their layout, and their NamedTuples can be cached by numba."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.errors import ParameterError
from spareplan.simulation import LOCATION_FIGURES, SITE_FIGURES, simulate_network
from spareplan.simulation import _kernels as k

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = re.compile(r"simulation\._kernels|simulation import _kernels")


def test_no_file_outside_the_simulation_package_imports_its_kernels() -> None:
    readers = []
    for folder in ("spareplan", "tests", "benchmarks", "notebooks", "solvers"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".ipynb") or ".venv" in path.parts:
                continue
            if path.is_relative_to(ROOT / "spareplan" / "simulation") or path == Path(__file__):
                continue
            if PRIVATE.search(path.read_text(encoding="utf-8")):
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


@pytest.mark.parametrize("kind", [k.NetworkInput, k.RootResupply, k.PartInput, k.PartsInput,
                                  k.Queues, k.Heap, k.DemandState, k.Workspace, k.Output])
def test_kernel_tuples_are_module_level(kind: type) -> None:
    """numba's cache pickles argument types by reference: the classes must be importable."""
    assert getattr(k, kind.__name__) is kind and kind.__qualname__ == kind.__name__
    assert pickle.loads(pickle.dumps(kind)) is kind


def test_figures_by_name_agree_with_each_other() -> None:
    network = make_network([-1, 0, 0], [0.0, 4.0, 7.0], [1, 2, 1])
    parts = make_parts(np.array([[20.0, 5.0, 10.0], [2.0, 0.0, 1.0]]))
    result = simulate_network(network, parts, np.array([[2, 1, 1], [1, 0, 1]]),
                              window_hours=np.array([4.0, 4.0, 48.0]), replications=3,
                              years=2.0, seed=1)
    requests = result.site_field("requests")
    np.testing.assert_array_equal(result.site_figure("requests"), requests.sum(axis=1))
    np.testing.assert_array_equal(requests, result.site_field("requests", per_part=True)
                                  .sum(axis=0))
    pooled = result.site_figure("fill_rate_within_window", sites=[0, 2], parts=[1])
    counts = result.site_field("within_window", per_part=True)[1][:, [0, 2]].sum(axis=1)
    np.testing.assert_allclose(pooled, counts / result.site_field(
        "requests", per_part=True)[1][:, [0, 2]].sum(axis=1))
    frame = result.sites_frame()
    assert len(frame) == int((parts.demand_rate > 0).sum())
    row = frame[(frame["part"] == "P0") & (frame["site"] == "S1")].iloc[0]
    estimate = result.site_estimate("requests_per_year", sites=[1], parts=[0])
    assert row["requests_per_year"] == pytest.approx(estimate.mean)
    assert row["requests_per_year_se"] == pytest.approx(estimate.std_error)
    backorders = result.location_estimate("expected_backorders", locations=[1], parts=[0])
    locations = result.locations_frame()
    line = locations[(locations["part"] == "P0") & (locations["location"] == "L1")].iloc[0]
    assert line["expected_backorders"] == pytest.approx(backorders.mean)
    assert backorders.half_width() > 0
    assert set(SITE_FIGURES) >= {"fill_rate_primary", "mean_wait_hours"}
    assert set(LOCATION_FIGURES) == {"expected_backorders", "average_on_hand",
                                     "demand_per_year"}


def test_unknown_names_and_missing_parts_are_clear_errors() -> None:
    network = make_network([-1], [0.0], [0])
    result = simulate_network(network, make_parts(np.array([[3.0]])), np.array([[1]]),
                              replications=2, years=0.5, keep_parts=False)
    with pytest.raises(ParameterError, match="figure: must be one of requests"):
        result.site_figure("fill")
    with pytest.raises(ParameterError, match="field: must be one of backorder_days"):
        result.location_field("backorders")
    with pytest.raises(ParameterError, match="keep_parts=True"):
        result.site_figure("requests", parts=[0])
    with pytest.raises(ParameterError, match="keep_parts=True"):
        result.sites_frame()
