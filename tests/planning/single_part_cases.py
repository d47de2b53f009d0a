"""Single-part multi-echelon cases written as scenario folders (issue 13): a central
depot feeding ``n_bases`` bases, one part, one SLA class over every base's site.

Small enough for brute force over every stock vector, large enough (6 locations, 0-4
units each: 15,625 vectors) to go through column generation rather than enumeration.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from spareplan import load_scenario
from spareplan.planning.model import PlanningModel

#: Machines and failures per machine-year of base k's site (differ so bases differ).
MACHINES = (6, 4, 5, 3, 8)
FAILURES_PER_MACHINE_YEAR = 1.5
LEAD_DAYS = (2.0, 4.0, 3.0, 5.0, 2.0)


def write_scenario(folder: Path, *, name: str, tables: dict[str, str], settings: str
                   ) -> Path:
    """A scenario folder: one CSV per entry of ``tables`` (table name -> content) and a
    scenario.toml naming them, then ``settings`` (its [costs], [policy] and SLA sections).
    The one writer of the small cases of tests/planning."""
    folder.mkdir(parents=True)
    for table, text in tables.items():
        (folder / f"{table}.csv").write_text(text)
    listed = "".join(f'{table} = "{table}.csv"\n' for table in tables)
    (folder / "scenario.toml").write_text(
        f'format_version = 1\nname = "{name}"\n[tables]\n{listed}{settings}')
    return folder


def write_depot_bases(folder: Path, *, kind: str, target: float, n_bases: int = 5,
                      max_stock: int = 4, rule: str = "backorder", window_hours: float = 8.0,
                      budget: float | None = None, repairable: bool = True,
                      penalty: float = 0.0) -> Path:
    """Write the case: ``kind`` ``"uptime"`` (expected backorders) or ``"fill"``, with a
    contract ``penalty`` per downtime hour or per request missing the window."""
    bases = [f"B{k + 1}" for k in range(n_bases)]
    part_kind = ("P1,5000,repairable,90,30,0.1\n" if repairable
                 else "P1,5000,consumable,30,,\n")
    tables = {
        "locations": "location,kind,parent,lead_time_days\nD,central,,\n"
                     + "".join(f"{b},fsl,D,{LEAD_DAYS[k]}\n" for k, b in enumerate(bases)),
        "parts": "part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
                 "condemnation_fraction\n" + part_kind,
        "sites": "site,sla_class,primary_location\n"
                 + "".join(f"S{k + 1},fleet,{b}\n" for k, b in enumerate(bases)),
        "reach": "site,location,response_hours\n"
                 + "".join(f"S{k + 1},{b},1\nS{k + 1},D,24\n" for k, b in enumerate(bases)),
        "installed_base": "site,machine_type,machines\n"
                          + "".join(f"S{k + 1},m,{MACHINES[k]}\n" for k in range(n_bases)),
        "failure_rates": "machine_type,part,failures_per_machine_year\n"
                         f"m,P1,{FAILURES_PER_MACHINE_YEAR}\n",
    }
    commitment = (f"uptime = {{ target = {target!r}, repair_hours = 0.0, "
                  f"penalty_per_downtime_hour = {penalty!r} }}" if kind == "uptime"
                  else f"fill_rate_within = {{ target = {target!r}, "
                       f"window_hours = {window_hours!r}, penalty_per_miss = {penalty!r} }}")
    budget_line = "" if budget is None else f"inventory_budget = {budget!r}\n"
    return write_scenario(folder, name=f"depot-{n_bases}-bases", tables=tables, settings=f"""[costs]
holding_rate_per_year = 0.2
{budget_line}[policy]
stockout_rule = "{rule}"
max_stock_per_location = {max_stock}
[sla_classes.fleet]
scope = "class"
{commitment}
""")


def every_column(model: PlanningModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stock vector of the single part with its yearly cost and SLA-row activity."""
    lo, hi = model.service.bounds(0)
    stock = np.array(list(itertools.product(*(range(a, b + 1) for a, b in zip(lo, hi,
                                                                            strict=True)))),
                     dtype=np.int64)
    parts = np.zeros(stock.shape[0], dtype=np.int64)
    services = model.service.evaluate_many(parts, stock)
    cost = np.array([s.cost for s in services])
    activity = model.coefficients(parts, np.vstack([s.within for s in services]),
                                  np.vstack([s.wait_hours for s in services]))
    return stock, cost, activity


def brute_force_cost(model: PlanningModel, cost: np.ndarray, activity: np.ndarray
                     ) -> float:
    """Least cost of a column meeting every SLA row of ``model`` (inf: none does)."""
    tol = 1e-9
    ok = (np.all(activity >= model.row_lower - tol, axis=1)
          & np.all(activity <= model.row_upper + tol, axis=1))
    return float(cost[ok].min()) if ok.any() else float("inf")


def load_model(folder: Path) -> PlanningModel:
    return PlanningModel.build(load_scenario(folder))
