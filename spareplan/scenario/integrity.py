"""Cross-table rules of a scenario: references, the location tree, SLA coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spareplan.errors import Problem
from spareplan.scenario.document import ScenarioDocument
from spareplan.scenario.supersession_rules import supersession_problems
from spareplan.scenario.tables import MAX_PROBLEMS_PER_RULE


def _line(index: object) -> int:
    """File line of a table row (the header is line 1)."""
    return int(index) + 2  # type: ignore[call-overload]


def _references(problems: list[Problem], frame: pd.DataFrame, source: str, column: str,
                known: set[str], target: str, nullable: bool = False) -> None:
    values = frame[column]
    present = values.notna()
    bad = present & ~values.isin(known) if nullable else ~values.isin(known)
    rows = np.flatnonzero(bad.to_numpy())
    for position in rows[:MAX_PROBLEMS_PER_RULE]:
        problems.append(Problem(source, f"row {int(frame.index[position]) + 2}, column {column}",
                                f"must name an existing {target}", values.iloc[position]))
    if len(rows) > MAX_PROBLEMS_PER_RULE:
        problems.append(Problem(source, f"column {column}",
                                f"must name an existing {target}: "
                                f"{len(rows) - MAX_PROBLEMS_PER_RULE} more rows", None))


def _tree(problems: list[Problem], locations: pd.DataFrame, source: str) -> None:
    """Parents exist, kinds fit (central has no parent), lead times given, no cycle."""
    ids = set(locations["location"])
    parent_of = dict(zip(locations["location"], locations["parent"], strict=True))
    kind_of = dict(zip(locations["location"], locations["kind"], strict=True))
    for index, row in locations.iterrows():
        where = f"row {_line(index)}"
        if row["kind"] == "central":
            if row["parent"] is not None:
                problems.append(Problem(source, f"{where}, column parent",
                                        "a central warehouse must have no parent", row["parent"]))
            continue
        if row["parent"] is None:
            problems.append(Problem(source, f"{where}, column parent",
                                    f"a {row['kind']} location must have a parent", None))
        elif row["parent"] not in ids:
            problems.append(Problem(source, f"{where}, column parent",
                                    "must name an existing location", row["parent"]))
        elif row["parent"] == row["location"]:
            problems.append(Problem(source, f"{where}, column parent",
                                    "a location cannot be its own parent", row["parent"]))
        elif row["parent"] in ids:
            parent_kind = kind_of[row["parent"]]
            allowed = {"dc": ("central",), "fsl": ("central", "dc")}[row["kind"]]
            if parent_kind not in allowed:
                problems.append(Problem(source, f"{where}, column parent",
                                        f"the parent of a {row['kind']} must be a "
                                        f"{' or '.join(allowed)} location",
                                        f"{row['parent']} ({parent_kind})"))
        if pd.isna(row["lead_time_days"]):
            problems.append(Problem(source, f"{where}, column lead_time_days",
                                    "must be given for a location with a parent", None))
    reported: set[str] = set()
    for start in locations["location"]:
        seen: list[str] = []
        node = start
        while node is not None and node in parent_of and node not in seen:
            seen.append(node)
            node = parent_of[node]
        if node is not None and node in seen and node not in reported:
            cycle = seen[seen.index(node):]
            reported.update(cycle)
            problems.append(Problem(source, "column parent",
                                    "the location tree must have no cycle",
                                    " -> ".join([*cycle, node])))
    if not (locations["kind"] == "central").any():
        problems.append(Problem(source, "column kind",
                                "must have at least one central warehouse",
                                sorted(set(locations["kind"]))))


def _volumes(problems: list[Problem], locations: pd.DataFrame, parts: pd.DataFrame,
             files: dict[str, str]) -> None:
    """A volume capacity anywhere needs the volume of every part that can be stocked (every
    part but those with ``max_stock`` 0): a missing volume is not taken as zero."""
    limited = locations.index[locations["capacity_volume_liters"].notna()]
    if not len(limited):
        return
    first = limited[0]
    cause = (f"must be given when a location has a capacity_volume_liters (location "
             f"{locations.at[first, 'location']}, {files['locations']} row {_line(first)})")
    missing = parts["volume_liters"].isna() & ~(parts["max_stock"] == 0)
    rows = parts.index[missing]
    for index in rows[:MAX_PROBLEMS_PER_RULE]:
        problems.append(Problem(files["parts"], f"row {_line(index)}, column volume_liters",
                                cause, None))
    if len(rows) > MAX_PROBLEMS_PER_RULE:
        problems.append(Problem(files["parts"], "column volume_liters",
                                f"{cause}: {len(rows) - MAX_PROBLEMS_PER_RULE} more rows",
                                None))


def check_integrity(document: ScenarioDocument, tables: dict[str, pd.DataFrame],
                    files: dict[str, str]) -> list[Problem]:
    """Every cross-table rule; returns the problems (empty when the scenario holds)."""
    problems: list[Problem] = []
    locations, parts, sites, reach = (tables[n] for n in ("locations", "parts", "sites", "reach"))
    location_ids, part_ids, site_ids = (set(locations["location"]), set(parts["part"]),
                                        set(sites["site"]))
    _tree(problems, locations, files["locations"])

    # Repairable parts need a repair turnaround and a condemnation fraction.
    for column in ("repair_turnaround_days", "condemnation_fraction"):
        missing = (parts["kind"] == "repairable") & parts[column].isna()
        for index in parts.index[missing][:MAX_PROBLEMS_PER_RULE]:
            problems.append(Problem(files["parts"], f"row {int(index) + 2}, column {column}",
                                    "must be given for a repairable part", None))
    bounds = parts["min_stock"].notna() & parts["max_stock"].notna()
    inverted = bounds & (parts["min_stock"] > parts["max_stock"])
    for index in parts.index[inverted][:MAX_PROBLEMS_PER_RULE]:
        problems.append(Problem(files["parts"], f"row {int(index) + 2}, column min_stock",
                                "must be <= max_stock", parts.at[index, "min_stock"]))
    problems.extend(supersession_problems(parts, files["parts"], MAX_PROBLEMS_PER_RULE))
    _volumes(problems, locations, parts, files)

    classes = set(document.sla_classes)
    _references(problems, sites, files["sites"], "sla_class", classes,
                "SLA class of [sla_classes]")
    _references(problems, sites, files["sites"], "primary_location", location_ids, "location")
    _references(problems, reach, files["reach"], "site", site_ids, "site")
    _references(problems, reach, files["reach"], "location", location_ids, "location")
    pairs = set(zip(reach["site"], reach["location"], strict=True))
    for index, row in sites.iterrows():
        primary = row["primary_location"]
        if primary in location_ids and (row["site"], primary) not in pairs:
            where = f"row {_line(index)}, column primary_location"
            problems.append(Problem(files["sites"], where,
                                    "needs a row in the reach table giving its response_hours",
                                    row["primary_location"]))

    machine_types: set[str] = set()
    if "installed_base" in tables:
        base = tables["installed_base"]
        _references(problems, base, files["installed_base"], "site", site_ids, "site")
        machine_types = set(base["machine_type"])
    if "failure_rates" in tables:
        rates = tables["failure_rates"]
        _references(problems, rates, files["failure_rates"], "part", part_ids, "part")
        if "installed_base" not in tables:
            problems.append(Problem(files["failure_rates"], "tables.installed_base",
                                    "failure rates need an installed_base table", None))
        else:
            _references(problems, rates, files["failure_rates"], "machine_type", machine_types,
                        "machine type of the installed base")
    if "demand" in tables:
        demand = tables["demand"]
        _references(problems, demand, files["demand"], "part", part_ids, "part")
        _references(problems, demand, files["demand"], "site", site_ids, "site")
    if not any(name in tables for name in ("demand", "failure_rates", "demand_history")):
        problems.append(Problem("scenario.toml", "tables",
                                "needs a demand source: demand, failure_rates or demand_history",
                                None))
    if "demand_history" in tables:
        history = tables["demand_history"]
        _references(problems, history, files["demand_history"], "part", part_ids, "part")
        _references(problems, history, files["demand_history"], "site", site_ids, "site",
                    nullable=True)
    for name in ("current_stock", "scheduled_receipts", "customer_orders"):
        if name in tables:
            frame = tables[name]
            _references(problems, frame, files[name], "part", part_ids, "part")
            _references(problems, frame, files[name], "location", location_ids, "location")
    if "customer_orders" in tables:
        _references(problems, tables["customer_orders"], files["customer_orders"], "site",
                    site_ids, "site", nullable=True)
    supplier_ids: set[str] = set()
    if "suppliers" in tables:
        supplier_ids = set(tables["suppliers"]["supplier"])
        _references(problems, parts, files["parts"], "supplier", supplier_ids,
                    "supplier of the suppliers table", nullable=True)
    if "order_windows" in tables:
        windows = tables["order_windows"]
        _references(problems, windows, files["order_windows"], "supplier", supplier_ids,
                    "supplier of the suppliers table")
        _references(problems, windows, files["order_windows"], "part", part_ids, "part",
                    nullable=True)
        late = windows["closes"] < windows["opens"]
        for index in windows.index[late][:MAX_PROBLEMS_PER_RULE]:
            problems.append(Problem(files["order_windows"], f"row {int(index) + 2}, column closes",
                                    "must not be before opens", str(windows.at[index, "closes"])))

    # An uptime or availability SLA needs machines at the site.
    machine_classes = {name: "an uptime" if sla.uptime else "an availability"
                       for name, sla in document.sla_classes.items()
                       if sla.uptime or sla.availability}
    if machine_classes:
        machines = (tables["installed_base"].groupby("site")["machines"].sum()
                    if "installed_base" in tables else pd.Series(dtype=float))
        for index, row in sites.iterrows():
            kind = machine_classes.get(row["sla_class"])
            if kind is not None and machines.get(row["site"], 0) <= 0:
                problems.append(Problem(files["sites"], f"row {_line(index)}, column sla_class",
                                        f"{kind} SLA needs machines at the site "
                                        "(installed_base table)", row["sla_class"]))
    return problems
