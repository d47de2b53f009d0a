"""Plan verification API and CLI: rows, CIs, validation errors, determinism, threads."""

from __future__ import annotations

import json
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest
from simulation_helpers import make_network, make_parts

from spareplan.cli.simulate import simulate_command
from spareplan.errors import InputError
from spareplan.network import EMERGENCY, LATERAL
from spareplan.scenario import load_scenario
from spareplan.simulation import EmpiricalDemand, simulate_network
from spareplan.simulation.verify import ROW_COLUMNS, simulate_plan

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():  # type: ignore[no-untyped-def]
    return load_scenario(TINY)


def test_rows_have_confidence_intervals(tiny) -> None:  # type: ignore[no-untyped-def]
    result = simulate_plan(tiny, replications=4, years=2.0, seed=3)
    rows = result.to_frame()
    assert list(rows.columns[:len(ROW_COLUMNS)]) == ROW_COLUMNS
    assert len(rows) == 3
    assert ((rows["simulated"] >= 0) & (rows["simulated"] <= 1)).all()
    assert (rows["ci_low"] <= rows["simulated"]).all()
    assert (rows["simulated"] <= rows["ci_high"]).all()
    assert result.summary["conservation_residual"] == 0
    assert not result.parts.empty and not result.locations.empty
    again = simulate_plan(tiny, replications=4, years=2.0, seed=3)
    pd.testing.assert_frame_equal(rows, again.to_frame())


def test_more_stock_in_the_plan_improves_service(tiny) -> None:  # type: ignore[no-untyped-def]
    rich = pd.DataFrame({"part": ["P-PUMP", "P-FUSE"] * 3,
                         "location": ["CW", "CW", "F1", "F1", "F2", "F2"], "stock": 6})
    poor = simulate_plan(tiny, rich.assign(stock=0), replications=4, years=2.0)
    good = simulate_plan(tiny, rich, replications=4, years=2.0)
    assert (good.rows["simulated"] >= poor.rows["simulated"]).all()
    assert good.all_met


@pytest.mark.parametrize(("column", "value", "message"), [
    ("part", "NOPE", "row 2, column part"),
    ("location", "XX", "row 2, column location"),
    ("stock", -1, "row 2, column stock"),
    ("stock", 1.5, "row 2, column stock"),
])
def test_bad_plan_rows_name_row_and_value(tiny, column: str, value: object,  # type: ignore[no-untyped-def]
                                          message: str) -> None:
    plan = pd.DataFrame({"part": ["P-PUMP", "P-FUSE"], "location": ["F1", "F1"],
                         "stock": [1, 1]}).astype(object)
    plan.loc[1, column] = value
    with pytest.raises(InputError, match=message) as error:
        simulate_plan(tiny, plan, replications=2, years=1.0)
    assert repr(value) in str(error.value)


def test_bad_parameters_raise_input_errors(tiny) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="years"):
        simulate_plan(tiny, years=0.0)
    with pytest.raises(InputError, match="replications"):
        simulate_plan(tiny, replications=1)
    network = make_network([-1], [0.0], [0])
    with pytest.raises(InputError, match="demand_rate"):
        simulate_network(network, make_parts(np.array([[-1.0]])), np.array([[1]]))


def test_cli_writes_atomically_and_returns_exit_codes(tiny, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "recommendations.csv"
    pd.DataFrame({"part": ["P-PUMP", "P-FUSE"] * 3,
                  "location": ["CW", "CW", "F1", "F1", "F2", "F2"], "stock": 6,
                  "note": "x"}).to_csv(plan, index=False)
    out = tmp_path / "out"
    assert simulate_command(TINY, plan=plan, out=out, replications=3, years=1.0) == 0
    table = pd.read_csv(out / "verification.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert len(table) == 3 and summary["all_rows_met"] is True
    assert sorted(p.name for p in out.iterdir()) == [".spareplan-output", "summary.json",
                                                      "verification.csv"]
    pd.DataFrame({"part": ["P-PUMP"], "location": ["F1"], "stock": [0]}).to_csv(plan,
                                                                               index=False)
    assert simulate_command(TINY, plan=plan, out=out, replications=3, years=1.0) == 1
    pd.DataFrame({"part": ["P-X"], "location": ["F1"], "stock": [0]}).to_csv(plan, index=False)
    bad = tmp_path / "bad"
    with pytest.raises(InputError, match=r"recommendations\.csv: row 1, column part"):
        simulate_command(TINY, plan=plan, out=bad, replications=3, years=1.0)
    assert not bad.exists() or not any(bad.iterdir())
    with pytest.raises(InputError, match="--years"):
        simulate_command(TINY, plan=None, out=bad, years=0.0)


def _three_level(rule: int) -> tuple:  # type: ignore[type-arg]
    """A central warehouse and three FSLs, two sites, three mixed parts."""
    network = make_network([-1, 0, 0, 0], [0.0, 4.0, 6.0, 3.0], [1, 3],
                           response_hours=np.array([[30.0, 2.0, 6.0, np.inf],
                                                    [30.0, np.inf, 3.0, 2.0]]),
                           lead_time_cv=[0.0, 0.3, 0.0, 0.5], rule=rule)
    rates = np.array([[20.0, 12.0], [3.0, 1.0], [0.5, 0.8]])
    parts = make_parts(rates, repairable=[True, False, True], repair_days=[15.0, 0.0, 30.0],
                       procurement_days=[60.0, 20.0, 90.0], condemnation=[0.3, 1.0, 0.1],
                       variance_to_mean=np.array([[1.0, 2.5], [1.0, 1.0], [4.0, 1.0]]))
    return network, parts


@pytest.mark.parametrize("rule", [0, EMERGENCY, LATERAL])
def test_units_are_conserved_and_threads_do_not_matter(rule: int) -> None:
    network, parts = _three_level(rule)
    stock = np.array([[2, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]])
    history = EmpiricalDemand.from_series(3, 2, {(1, 1): np.array([0, 0, 2, 1, 0, 3.5])},
                                          period_days=30.0)
    runs = []
    threads = numba.get_num_threads()
    try:
        for count in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(count)
            runs.append(simulate_network(network, parts, stock, window_hours=np.array([4.0,
                                                                                       8.0]),
                                         replications=3, years=3.0, seed=7,
                                         empirical=history, chunk_size=2))
    finally:
        numba.set_num_threads(threads)
    one, two = runs
    assert one.conservation_residual == 0
    np.testing.assert_array_equal(one.site_totals, two.site_totals)
    np.testing.assert_array_equal(one.location_parts, two.location_parts)
    np.testing.assert_array_equal(one.part_out, two.part_out)
    if rule == LATERAL:
        assert one.site_estimate("lateral_per_year").mean > 0
    if rule != 0:
        assert one.site_estimate("emergency_per_year").mean > 0
