"""Supersession (``replaced_by``): demand moves to the newest part, old stock serves it,
and a chain with a cycle or a missing part is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spareplan import load_scenario
from spareplan.demand.intermittent import rates_from_history
from spareplan.demand.rates import demand_rates
from spareplan.demand.supersession import (
    effective_current_stock,
    newest_parts,
    supersession_chains,
    supersession_problems,
)
from spareplan.errors import ScenarioError

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
PARTS_HEADER = ("part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
                "condemnation_fraction,criticality,description,replaced_by\n")
# tiny: 4, 2, 3 scanners at S1, S2, S3; P-PUMP 0.5 failures per machine-year.
# P-PUMP -> P-PUMP-B -> P-PUMP-C, P-PUMP-C fails 0.25 times per machine-year itself.


def _scenario(tmp_path: Path, parts: str, *, history: list[tuple[str, str, str, float]]
              | None = None, failures_extra: str = "scanner,P-PUMP-C,0.25,1\n",
              stock_extra: str = "P-PUMP-B,F1,2,1\n") -> Path:
    folder = tmp_path / "superseded"
    shutil.copytree(TINY, folder)
    (folder / "parts.csv").write_text(PARTS_HEADER + parts)
    with (folder / "failure_rates.csv").open("a") as handle:
        handle.write(failures_extra)
    with (folder / "current_stock.csv").open("a") as handle:
        handle.write(stock_extra)
    if history is not None:
        pd.DataFrame(history, columns=["part", "site", "period", "quantity"]).to_csv(
            folder / "demand_history.csv", index=False)
        toml = (folder / "scenario.toml").read_text().replace(
            'current_stock = "current_stock.csv"',
            'current_stock = "current_stock.csv"\ndemand_history = "demand_history.csv"')
        (folder / "scenario.toml").write_text(
            toml + '\n[demand]\nhistory_method = "poisson"\n'
                   'history_and_installed_base = "history"\n')
    return folder


CHAIN = ("P-PUMP,1200,repairable,60,20,0.2,critical,Vacuum pump,P-PUMP-B\n"
         "P-PUMP-B,1250,repairable,60,20,0.2,critical,Vacuum pump rev B,P-PUMP-C\n"
         "P-PUMP-C,1300,repairable,60,20,0.2,critical,Vacuum pump rev C,\n"
         "P-FUSE,40,consumable,14,,,medium,Fuse kit,\n")


def test_newest_part_of_a_chain() -> None:
    parts = pd.DataFrame({"part": ["A", "B", "C", "D"], "replaced_by": ["B", "C", None, None]})
    assert newest_parts(parts) == {"A": "C", "B": "C", "C": "C", "D": "D"}
    chains = supersession_chains(parts)
    assert chains.to_dict("records") == [{"part": "A", "newest_part": "C", "steps": 2},
                                         {"part": "B", "newest_part": "C", "steps": 1}]
    assert newest_parts(pd.DataFrame({"part": ["A"]})) == {"A": "A"}  # no column at all


def test_successor_rate_is_the_sum_of_the_chain(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path, CHAIN))
    rates = demand_rates(scenario).set_index(["part", "site"])
    # installed base: P-PUMP 0.5 and P-PUMP-C 0.25 failures per machine-year, both on
    # the newest part: 0.75 x machines (4, 2, 3)
    for site, machines in (("S1", 4), ("S2", 2), ("S3", 3)):
        assert rates.loc[("P-PUMP-C", site), "rate_per_year"] == pytest.approx(
            0.75 * machines)
    parts = set(rates.index.get_level_values("part"))
    assert parts == {"P-PUMP-C", "P-FUSE"}  # the old parts have no demand of their own
    fuse = rates.loc[("P-FUSE", "S1"), "rate_per_year"]
    assert fuse == pytest.approx(1.5 * 4)  # a part outside every chain is unchanged


def test_history_of_the_chain_is_one_series(tmp_path: Path) -> None:
    months = pd.period_range("2024-01", periods=12, freq="M").astype(str)
    rows = [("P-PUMP", "S1", months[i], 1.0) for i in range(0, 6)]        # 6 in year 1
    rows += [("P-PUMP-C", "S1", months[i], 2.0) for i in range(6, 12)]    # 12 in year 1
    rows += [("P-PUMP-B", "S1", months[3], 1.0)]                          # 1 overlapping
    scenario = load_scenario(_scenario(tmp_path, CHAIN, history=rows))
    rates = demand_rates(scenario).set_index(["part", "site"])
    # one series 1,1,1,2,1,1,2,2,2,2,2,2 over 12 months: 19 a year
    assert rates.loc[("P-PUMP-C", "S1"), "rate_per_year"] == pytest.approx(19.0)
    merged = pd.DataFrame({"period": months, "part": "X", "site": "S1",
                           "quantity": [1, 1, 1, 2, 1, 1, 2, 2, 2, 2, 2, 2]})
    expected = rates_from_history(merged, method="poisson")
    assert rates.loc[("P-PUMP-C", "S1"), "variance_to_mean"] == pytest.approx(
        float(expected["variance_to_mean"].iloc[0]))
    assert rates.loc[("P-PUMP-C", "S1"), "source"] == "history_poisson"
    assert "P-PUMP" not in set(rates.index.get_level_values("part"))


def test_old_stock_is_mapped_to_the_newest_part(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path, CHAIN))
    stock = effective_current_stock(scenario)
    assert list(stock.columns) == ["part", "location", "on_hand", "on_order", "from_part"]
    rows = stock[stock["part"] == "P-PUMP-C"].set_index(["location", "from_part"])
    # tiny: P-PUMP 1 at CW and 1 at F1; added P-PUMP-B 2 on hand + 1 on order at F1
    assert rows.loc[("CW", "P-PUMP"), "on_hand"] == 1
    assert rows.loc[("F1", "P-PUMP"), "on_hand"] == 1
    assert tuple(rows.loc[("F1", "P-PUMP-B"), ["on_hand", "on_order"]]) == (2, 1)
    total = stock.groupby(["part", "location"])[["on_hand", "on_order"]].sum()
    assert tuple(total.loc[("P-PUMP-C", "F1")]) == (3, 1)
    assert tuple(total.loc[("P-FUSE", "F1")]) == (2, 1)  # unchanged, from_part = part
    assert set(stock.loc[stock["part"] == "P-FUSE", "from_part"]) == {"P-FUSE"}
    assert stock["on_hand"].sum() == scenario.table("current_stock")["on_hand"].sum()


def test_cycle_in_replaced_by_is_rejected(tmp_path: Path) -> None:
    parts = ("P-PUMP,1200,repairable,60,20,0.2,critical,Vacuum pump,P-PUMP-B\n"
             "P-PUMP-B,1250,repairable,60,20,0.2,critical,rev B,P-PUMP-C\n"
             "P-PUMP-C,1300,repairable,60,20,0.2,critical,rev C,P-PUMP\n"
             "P-FUSE,40,consumable,14,,,medium,Fuse kit,P-FUSE\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_scenario(tmp_path, parts))
    problems = {(p.source, p.location, p.value): p.rule for p in caught.value.problems}
    assert ("parts.csv", "row 2, column replaced_by", "P-PUMP -> P-PUMP-B -> P-PUMP-C -> "
            "P-PUMP") in problems
    assert "cycle" in problems[("parts.csv", "row 2, column replaced_by",
                                "P-PUMP -> P-PUMP-B -> P-PUMP-C -> P-PUMP")]
    assert problems[("parts.csv", "row 5, column replaced_by", "P-FUSE")] == \
        "a part cannot replace itself"
    assert len(caught.value.problems) == 2  # one problem per cycle, not one per member


def test_missing_successor_is_rejected(tmp_path: Path) -> None:
    parts = CHAIN.replace("rev B,P-PUMP-C", "rev B,P-PUMP-X")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_scenario(tmp_path, parts))
    [problem] = [p for p in caught.value.problems if "replaced_by" in p.location]
    assert (problem.source, problem.location, problem.rule, problem.value) == (
        "parts.csv", "row 3, column replaced_by", "must name an existing part", "P-PUMP-X")


def test_problems_are_capped_per_rule() -> None:
    n = 25
    parts = pd.DataFrame({"part": [f"P{i}" for i in range(n)],
                          "replaced_by": [f"missing{i}" for i in range(n)]})
    problems = supersession_problems(parts)
    assert len(problems) == 11 and "15 more rows" in problems[-1].rule
    ring = pd.DataFrame({"part": [f"P{i}" for i in range(n)],
                         "replaced_by": [f"P{(i + 1) % n}" for i in range(n)]})
    [cycle] = supersession_problems(ring)
    assert cycle.value.startswith("P0 -> P1 -> ") and cycle.value.endswith("P24 -> P0")


def test_no_current_stock_gives_an_empty_frame(tmp_path: Path) -> None:
    folder = _scenario(tmp_path, CHAIN)
    toml = (folder / "scenario.toml").read_text().replace(
        'current_stock = "current_stock.csv"\n', "")
    (folder / "scenario.toml").write_text(toml)
    stock = effective_current_stock(load_scenario(folder))
    assert stock.empty and list(stock.columns) == ["part", "location", "on_hand", "on_order",
                                                   "from_part"]
    assert np.issubdtype(stock["on_hand"].dtype, np.integer)


def test_demand_table_rates_of_a_chain_are_summed(tmp_path: Path) -> None:
    folder = _scenario(tmp_path, CHAIN)
    (folder / "demand.csv").write_text("part,site,rate_per_year,variance_to_mean\n"
                                       "P-PUMP,S1,2.0,1.0\nP-PUMP-C,S1,1.0,4.0\n"
                                       "P-FUSE,S2,3.0,1.3\n")
    toml = (folder / "scenario.toml").read_text().replace(
        'current_stock = "current_stock.csv"',
        'current_stock = "current_stock.csv"\ndemand = "demand.csv"')
    (folder / "scenario.toml").write_text(toml)
    rates = demand_rates(load_scenario(folder)).set_index(["part", "site"])
    row = rates.loc[("P-PUMP-C", "S1")]
    assert row["source"] == "demand_table"
    assert row["rate_per_year"] == pytest.approx(3.0)
    # variance of the sum of independent demands: 2 x 1 + 1 x 4 = 6 over a mean of 3
    assert row["variance_to_mean"] == pytest.approx(2.0)
    assert rates.loc[("P-FUSE", "S2"), "variance_to_mean"] == 1.3  # untouched, bit for bit
