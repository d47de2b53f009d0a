"""Supersession seen by the planner: the newest part carries the chain's demand and the
old parts' stock counts towards it.

``demand_rates`` moves the demand, :func:`spareplan.network.current_stock` (through
:func:`spareplan.demand.supersession.effective_current_stock`) counts the old parts' units
towards the newest part, for the plan's deltas and the simulation of today's stock.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import spareplan
from spareplan.demand.supersession import effective_current_stock

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
PARTS = ("part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
         "condemnation_fraction,criticality,description,replaced_by\n"
         "P-PUMP,1200,repairable,60,20,0.2,critical,Vacuum pump,P-PUMP-B\n"
         "P-PUMP-B,1250,repairable,60,20,0.2,critical,Vacuum pump rev B,P-PUMP-C\n"
         "P-PUMP-C,1300,repairable,60,20,0.2,critical,Vacuum pump rev C,\n"
         "P-FUSE,40,consumable,14,,,medium,Fuse kit,\n")


@pytest.fixture(scope="module")
def superseded(tmp_path_factory: pytest.TempPathFactory) -> spareplan.Scenario:
    folder = tmp_path_factory.mktemp("supersession") / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "parts.csv").write_text(PARTS)
    with (folder / "current_stock.csv").open("a") as handle:
        handle.write("P-PUMP-B,F1,2,1\n")
    return spareplan.load_scenario(folder)


@pytest.fixture(scope="module")
def recommendations(superseded: spareplan.Scenario) -> pd.DataFrame:
    return spareplan.plan(superseded, seed=0, verify=False).recommendations


def test_the_plan_stocks_the_newest_part_only(recommendations: pd.DataFrame) -> None:
    stocked = recommendations[recommendations["stock"] > 0]
    assert set(stocked["part"]) == {"P-PUMP-C", "P-FUSE"}


def test_old_stock_counts_towards_the_newest_part(superseded: spareplan.Scenario,
                                                  recommendations: pd.DataFrame) -> None:
    effective = effective_current_stock(superseded).groupby(["part", "location"])[
        ["on_hand", "on_order"]].sum()
    rows = recommendations.set_index(["part", "location"])
    for (part, location), stock in effective.iterrows():
        if (part, location) in rows.index:
            assert rows.loc[(part, location), "current_stock"] == stock.sum()
    # no "surplus" is reported for units that serve the newest part
    assert not (recommendations["part"].isin({"P-PUMP", "P-PUMP-B"})
                & (recommendations["delta"] < 0)).any()


def test_simulation_of_todays_stock_counts_old_units_towards_the_newest_part(
        superseded: spareplan.Scenario, recommendations: pd.DataFrame) -> None:
    """Planning and simulation read current stock the same way: the simulation of today's
    stock puts the old parts' units on the newest part (and none on the old ones)."""
    from spareplan.network import compile_network
    from spareplan.simulation.verify import current_stock_matrix

    network, parts = compile_network(superseded)
    matrix = current_stock_matrix(superseded, network, parts)
    current = recommendations.set_index(["part", "location"])["current_stock"]
    for part in ("P-PUMP", "P-PUMP-B", "P-PUMP-C"):
        row = parts.part_ids.index(part)
        for column, location in enumerate(network.location_ids):
            expected = int(current.get((part, location), 0))
            assert matrix[row, column] == expected, (part, location)
    assert matrix[parts.part_ids.index("P-PUMP-C")].sum() > 0
    assert matrix[parts.part_ids.index("P-PUMP-B")].sum() == 0
