"""One vocabulary: the API's frames are the files' tables, every column has a unit, and
``docs/api.md`` lists them all (:mod:`spareplan.result_columns`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from api_paths import REPO, TINY

from spareplan.cli.simulate import simulate_command
from spareplan.planning.plan import PlanResult
from spareplan.reports.kpis import LOCATION_KPI_COLUMNS, PART_KPI_COLUMNS
from spareplan.reports.plan_outputs import write_plan
from spareplan.result_columns import (
    COLUMNS,
    RECOMMENDATION_COLUMNS,
    SERVICE_COLUMNS,
    VERIFICATION_COLUMNS,
    markdown_table,
    ordered,
    unit_of,
)
from spareplan.scenario.model import Scenario


def _header(path: Path) -> list[str]:
    return list(pd.read_csv(path, nrows=0).columns)


def test_the_service_frame_is_service_csv(verified: PlanResult, tiny: Scenario,
                                          tmp_path: Path) -> None:
    folder = write_plan(verified, tmp_path / "plan", scenario=tiny, plots=False)
    assert _header(folder / "service.csv") == list(verified.service.columns)
    assert list(verified.service.columns) == list(SERVICE_COLUMNS)
    assert _header(folder / "recommendations.csv") == list(verified.recommendations.columns)
    assert list(verified.recommendations.columns) == list(RECOMMENDATION_COLUMNS)
    assert _header(folder / "explanations.csv") == list(verified.explain("P-PUMP").columns)


def test_an_unverified_plan_has_the_same_columns_it_knows(unverified: PlanResult) -> None:
    columns = list(unverified.service.columns)
    assert columns == ordered(columns, SERVICE_COLUMNS)  # same names, same order
    assert "simulated" not in columns and "planned" in columns


def test_the_simulation_rows_are_verification_csv_and_name_the_value_as_service_does(
        verified: PlanResult, tmp_path: Path) -> None:
    rows = verified.verification.rows
    assert list(rows.columns) == list(VERIFICATION_COLUMNS)
    plan = tmp_path / "recommendations.csv"
    verified.recommendations.to_csv(plan, index=False)
    assert simulate_command(TINY, plan=plan, out=tmp_path / "sim", replications=3,
                            years=1.0) == 0
    assert _header(tmp_path / "sim" / "verification.csv") == list(VERIFICATION_COLUMNS)
    shared = [c for c in VERIFICATION_COLUMNS if c in SERVICE_COLUMNS]
    assert {"simulated", "std_error", "ci_low", "ci_high", "target"} <= set(shared)
    merged = verified.service.merge(rows, on="sla_row", suffixes=("", "_rows"))
    pd.testing.assert_series_equal(merged["simulated"], merged["simulated_rows"],
                                   check_names=False)


def test_every_column_of_every_frame_and_file_has_a_unit(verified: PlanResult,
                                                         tiny: Scenario,
                                                         tmp_path: Path) -> None:
    simulation = verified.verification
    frames = [verified.service, verified.recommendations, verified.explain("P-FUSE"),
              simulation.rows, simulation.parts, simulation.locations]
    names = {str(c) for frame in frames for c in frame.columns}
    folder = write_plan(verified, tmp_path / "plan", scenario=tiny, plots=False)
    for path in folder.glob("*.csv"):
        if path.name in ("buy_list.csv", "redeployments.csv", "excess.csv"):
            continue  # the report's lists (docs/report.md)
        names |= set(_header(path))
    names |= set(PART_KPI_COLUMNS) | set(LOCATION_KPI_COLUMNS)
    missing = sorted(n for n in names if n.removesuffix("_se") not in COLUMNS)
    assert not missing, f"columns without a unit and meaning in result_columns: {missing}"
    assert unit_of("simulated_se") == unit_of("simulated") == "share"
    assert unit_of("window_hours") == "hours"


def test_the_docs_list_every_column() -> None:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert markdown_table() in text, "paste result_columns.markdown_table() into docs/api.md"
