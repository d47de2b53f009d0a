"""Generate complete, valid scenarios of any size from a seed.

:func:`generate_scenario` writes a scenario folder (``scenario.toml`` plus every CSV
table of ``docs/scenario-format.md``) that :func:`spareplan.load_scenario` accepts. All
randomness comes from one ``numpy.random.default_rng(seed)``: the same arguments give
byte-identical files. The work is vectorized (no Python loop over parts), so 50,000
parts x 50 FSLs are written in seconds.

Two profiles:

``"demo"``
    A realistic, readable network (city names, machine types of a medical-imaging OEM).
    Demand is installed-base driven: ``installed_base.csv`` x ``failure_rates.csv``.
    ``scenarios/demo`` is this profile at seed 2026 (see ``scenarios/README.md``).
``"synthetic"``
    Plain ids, for benchmarks. Demand is a sparse ``demand.csv`` of part x site rates:
    every part is demanded at a random subset of the sites. The installed base is sized
    so that every machine sees about :data:`REQUESTS_PER_MACHINE_YEAR` part requests a
    year, which keeps the uptime SLAs attainable at every size.

Both profiles write three SLA classes (gold, silver, bronze; see :data:`SLA_CLASSES_TOML`),
current stock, suppliers with role-based contacts (a few personal mailboxes on purpose,
for ``spareplan warn`` to flag), order windows, scheduled receipts and customer orders
around the early-warning date :data:`AS_OF`. ``with_history=True`` adds a monthly
``demand_history.csv`` drawn from the same rates (negative binomial where the
variance-to-mean ratio exceeds 1, Poisson otherwise).

Command line (no console script; the module is run directly)::

    python -m spareplan.scenario.generator OUT --parts 10000 --fsls 50 --seed 1
    python -m spareplan.scenario.generator scenarios/demo --profile demo --parts 200 \\
        --fsls 12 --sites-per-fsl 3 --machine-types 4 --seed 2026 --overwrite
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spareplan.errors import ParameterError

__all__ = ["AS_OF", "MAX_STOCK_PER_LOCATION", "PROFILES", "REQUESTS_PER_MACHINE_YEAR",
           "SLA_CLASSES_TOML", "STOCKOUT_RULES", "generate_scenario", "main"]

#: Early-warning date of every generated scenario.
AS_OF = dt.date(2026, 11, 23)
#: Synthetic profile: part requests per machine and year the installed base is sized for.
REQUESTS_PER_MACHINE_YEAR = 2.5
#: Upper bound of the stock search per part and location written to ``[policy]``.
MAX_STOCK_PER_LOCATION = 10
PROFILES = ("synthetic", "demo")
STOCKOUT_RULES = ("backorder", "emergency", "lateral")

SLA_CLASSES_TOML = """\
[sla_classes.gold]      # per site: 90% of requests filled within 4 h, machines up 99.5%
scope = "site"
fill_rate_within = { target = 0.90, window_hours = 4.0 }
uptime = { target = 0.995, repair_hours = 4.0 }

[sla_classes.silver]    # pooled over the class's sites
scope = "class"
fill_rate_within = { target = 0.85, window_hours = 8.0 }
uptime = { target = 0.99, repair_hours = 6.0 }

[sla_classes.bronze]
scope = "class"
fill_rate_within = { target = 0.80, window_hours = 24.0 }
"""

_CITIES = (
    "Hamburg", "Bremen", "Hannover", "Berlin", "Leipzig", "Dresden", "Kiel", "Rostock",
    "Magdeburg", "Erfurt", "Kassel", "Bielefeld", "Munich", "Stuttgart", "Frankfurt",
    "Cologne", "Nuremberg", "Mannheim", "Freiburg", "Augsburg", "Mainz", "Bonn", "Ulm",
    "Regensburg", "Dortmund", "Essen", "Muenster", "Wuerzburg",
)
_SITE_KINDS = ("University Hospital", "Clinic", "Radiology Center", "Hospital",
               "Imaging Practice", "Medical Center")
_MACHINE_TYPES = ("MRI-3T", "CT-128", "XR-DR", "US-PRO", "PET-CT", "MAMMO-3D")
_PART_NOUNS = (
    "Vacuum pump", "Power supply", "Detector board", "Fan assembly", "Fuse kit",
    "Cooling pump", "Gradient amplifier", "Control board", "Touch panel", "Cable set",
    "Collimator motor", "Table drive", "Filter kit", "Coil connector", "Sensor head",
    "Battery pack", "Encoder", "Relay board", "Network switch", "Hard disk",
    "Cryo compressor", "Bearing set", "Transducer", "Tube housing", "Interlock switch",
)
_VENDORS = ("Alder", "Birch", "Cedar", "Delta", "Elm", "Fjord", "Granite", "Harbor",
            "Iris", "Juniper", "Kestrel", "Linden", "Maple", "Nordic", "Orion", "Pine")
_PERSONS = ("j.meyer", "a.schmidt", "k.wagner", "m.becker", "s.hoffmann", "t.klein")


@dataclass(frozen=True)
class _Network:
    """The generated location tree and sites (internal)."""

    locations: pd.DataFrame
    fsl_ids: np.ndarray
    fsl_dc: np.ndarray  # index into dc_ids per FSL (-1 without DCs)
    dc_ids: np.ndarray
    central: str
    sites: pd.DataFrame
    site_fsl: np.ndarray  # FSL index per site
    reach: pd.DataFrame


def _ids(prefix: str, count: int, width: int | None = None) -> np.ndarray:
    width = width or max(2, len(str(count)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, count + 1)], dtype=object)


def _network(rng: np.random.Generator, n_fsls: int, n_dcs: int, sites_per_fsl: int,
             profile: str) -> _Network:
    """Locations (central, DCs, FSLs), sites with SLA class, and reach rows."""
    demo = profile == "demo"
    central = "CW" if demo else "CW1"
    dc_ids = (np.array(["DC-NORTH", "DC-SOUTH", "DC-EAST", "DC-WEST"][:n_dcs], dtype=object)
              if demo and n_dcs <= 4 else _ids("DC", n_dcs))
    fsl_ids = _ids("FSL-" if demo else "F", n_fsls)
    fsl_dc = (np.arange(n_fsls) * n_dcs // n_fsls) if n_dcs else np.full(n_fsls, -1)
    fsl_parent = dc_ids[fsl_dc] if n_dcs else np.full(n_fsls, central, dtype=object)
    city = np.array(_CITIES, dtype=object)
    locations = pd.DataFrame({
        "location": np.concatenate([[central], dc_ids, fsl_ids]),
        "kind": ["central"] + ["dc"] * n_dcs + ["fsl"] * n_fsls,
        "parent": np.concatenate([[""], np.full(n_dcs, central, dtype=object), fsl_parent]),
        "lead_time_days": pd.array(np.concatenate([
            [np.nan], rng.integers(3, 11, n_dcs), rng.integers(1, 6, n_fsls)]), dtype="Int64"),
        "lead_time_cv": np.concatenate([
            [np.nan], np.round(rng.uniform(0.1, 0.4, n_dcs), 2),
            np.round(rng.uniform(0.0, 0.5, n_fsls), 2)]),
        "name": np.concatenate([
            ["Central warehouse"],
            [f"Regional DC {d.split('-')[-1].title()}" for d in dc_ids],
            [f"FSL {city[i % len(city)]}" for i in range(n_fsls)]]),
    })

    # Sites: sites_per_fsl per FSL (demo: sites_per_fsl or one more).
    per_fsl = np.full(n_fsls, sites_per_fsl)
    if demo:
        per_fsl = per_fsl + (rng.random(n_fsls) < 0.35)
    site_fsl = np.repeat(np.arange(n_fsls), per_fsl)
    n_sites = len(site_fsl)
    site_ids = _ids("S-" if demo else "S", n_sites, 3 if demo else None)
    n_gold, n_silver = round(0.25 * n_sites), round(0.40 * n_sites)
    sla = np.empty(n_sites, dtype=object)
    order = rng.permutation(n_sites)
    sla[order[:n_gold]] = "gold"
    sla[order[n_gold:n_gold + n_silver]] = "silver"
    sla[order[n_gold + n_silver:]] = "bronze"
    kinds = np.array(_SITE_KINDS, dtype=object)[rng.integers(0, len(_SITE_KINDS), n_sites)]
    sites = pd.DataFrame({
        "site": site_ids, "sla_class": sla, "primary_location": fsl_ids[site_fsl],
        "name": [f"{k} {city[f % len(city)]} {i + 1}"
                 for i, (k, f) in enumerate(zip(kinds, site_fsl, strict=True))],
    })

    # Reach: primary FSL 1-4 h (gold 1-3.5 h), one or two neighbouring FSLs of the same
    # region 4.5-10 h, the region's DC 12-30 h, the central warehouse 24-48 h.
    gold = sla == "gold"
    primary_hours = np.round(rng.uniform(1.0, 4.0, n_sites) * 2) / 2
    primary_hours[gold] = np.minimum(primary_hours[gold], 3.5)
    frames = [pd.DataFrame({"site": site_ids, "location": fsl_ids[site_fsl],
                            "response_hours": primary_hours})]
    region = fsl_dc if n_dcs else np.zeros(n_fsls, dtype=int)
    region_size = np.bincount(region)[region]
    position = np.zeros(n_fsls, dtype=int)
    for r in np.unique(region):  # loop over regions only
        members = np.flatnonzero(region == r)
        position[members] = np.arange(len(members))
    first_of_region = np.array([np.flatnonzero(region == region[f])[0] for f in range(n_fsls)])
    n_lateral = np.minimum(rng.integers(1, 3, n_sites), region_size[site_fsl] - 1)
    for step, offset in ((1, 1), (2, -1)):
        has = n_lateral >= step
        fsl = site_fsl[has]
        neighbour = first_of_region[fsl] + (position[fsl] + offset) % region_size[fsl]
        frames.append(pd.DataFrame({
            "site": site_ids[has], "location": fsl_ids[neighbour],
            "response_hours": np.round(rng.uniform(4.5, 10.0, int(has.sum())) * 2) / 2}))
    if n_dcs:
        frames.append(pd.DataFrame({
            "site": site_ids, "location": dc_ids[fsl_dc[site_fsl]],
            "response_hours": np.round(rng.uniform(12.0, 30.0, n_sites))}))
    frames.append(pd.DataFrame({
        "site": site_ids, "location": np.full(n_sites, central, dtype=object),
        "response_hours": np.round(rng.uniform(24.0, 48.0, n_sites))}))
    reach = pd.concat(frames, ignore_index=True)
    reach["_order"] = reach["site"].map({s: i for i, s in enumerate(site_ids)})
    reach = (reach.sort_values(["_order", "response_hours"], kind="stable")
             .drop(columns="_order").reset_index(drop=True))
    return _Network(locations, fsl_ids, fsl_dc, dc_ids, central, sites, site_fsl, reach)


def _parts(rng: np.random.Generator, n_parts: int, profile: str) -> pd.DataFrame:
    """Parts: cost (lognormal 20-20,000), ~40% repairable, lead times, suppliers."""
    demo = profile == "demo"
    part_ids = _ids("P-" if demo else "P", n_parts, 5 if demo else None)
    unit_cost = np.round(np.clip(rng.lognormal(np.log(350.0), 1.4, n_parts), 20.0, 20000.0), 2)
    rank = np.argsort(np.argsort(unit_cost)) / max(n_parts - 1, 1)
    repairable = rng.random(n_parts) < 0.85 * rank  # expensive parts are repaired
    # Procurement lead time: 14-120 days, longer for expensive parts.
    lead = np.round(14 + 106 * np.clip(0.6 * rank + 0.4 * rng.random(n_parts), 0, 1))
    turnaround = np.where(repairable, rng.integers(10, 41, n_parts), np.nan)
    condemnation = np.where(repairable, np.round(rng.uniform(0.05, 0.30, n_parts), 2), np.nan)
    n_suppliers = int(np.clip(n_parts // 20, 3, 500))
    supplier = _ids("SUP-", n_suppliers, 3)[rng.integers(0, n_suppliers, n_parts)]
    criticality = np.array(["low", "medium", "high", "critical"], dtype=object)[
        rng.choice(4, n_parts, p=[0.2, 0.45, 0.25, 0.10])]
    frame = pd.DataFrame({
        "part": part_ids, "unit_cost": unit_cost,
        "kind": np.where(repairable, "repairable", "consumable"),
        "procurement_lead_time_days": lead.astype(np.int64),
        "repair_turnaround_days": pd.array(turnaround, dtype="Int64"),
        "condemnation_fraction": condemnation, "supplier": supplier,
        "criticality": criticality,
        "weight_kg": np.round(np.clip(rng.lognormal(0.0, 1.2, n_parts), 0.05, 150.0), 2),
    })
    if demo:
        nouns = np.array(_PART_NOUNS, dtype=object)[rng.integers(0, len(_PART_NOUNS), n_parts)]
        frame["description"] = [f"{noun} rev {chr(65 + i % 6)}" for i, noun in enumerate(nouns)]
    return frame


def _installed_base_demand(rng: np.random.Generator, network: _Network, parts: pd.DataFrame,
                           n_machine_types: int
                           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Demo profile: installed base (2-4 types per site), failure rates, implied rates."""
    n_sites, n_parts = len(network.sites), len(parts)
    types = np.array(_MACHINE_TYPES[:n_machine_types] if n_machine_types <= len(_MACHINE_TYPES)
                     else _ids("MT", n_machine_types), dtype=object)
    n_types = len(types)
    k = np.minimum(rng.integers(2, 5, n_sites), n_types)
    chosen = np.argsort(rng.random((n_sites, n_types)), axis=1) < k[:, None]  # random k types
    machines = rng.integers(1, 7, (n_sites, n_types))
    gold = (network.sites["sla_class"] == "gold").to_numpy()
    machines[gold] += 1
    site_index, type_index = np.nonzero(chosen)
    installed_base = pd.DataFrame({
        "site": network.sites["site"].to_numpy()[site_index],
        "machine_type": types[type_index],
        "machines": machines[site_index, type_index]})

    # A part fails on a random subset of the machine types (at least one); the raw
    # lognormal rates are scaled so that a machine of each type sees 2-3.5 failures a year.
    fails = rng.random((n_types, n_parts)) < 0.2
    fails[rng.integers(0, n_types, n_parts), np.arange(n_parts)] = True
    raw = rng.lognormal(0.0, 1.0, (n_types, n_parts)) * fails
    total = rng.uniform(2.0, 3.5, n_types)
    per_machine = np.round(raw * (total / raw.sum(axis=1))[:, None], 4)
    per_machine[fails] = np.maximum(per_machine[fails], 0.0005)
    type_idx, part_idx = np.nonzero(fails)
    failure_rates = pd.DataFrame({
        "machine_type": types[type_idx], "part": parts["part"].to_numpy()[part_idx],
        "failures_per_machine_year": per_machine[type_idx, part_idx],
        "parts_per_failure": np.where(
            (parts["kind"].to_numpy()[part_idx] == "consumable")
            & (rng.random(len(part_idx)) < 0.05), 2, 1)})
    merged = installed_base.merge(failure_rates, on="machine_type")
    merged["rate_per_year"] = (merged["machines"] * merged["failures_per_machine_year"]
                               * merged["parts_per_failure"])
    rates = merged.groupby(["part", "site"], as_index=False, sort=True)["rate_per_year"].sum()
    rates["variance_to_mean"] = 1.0
    return installed_base, failure_rates, rates


def _sparse_demand(rng: np.random.Generator, network: _Network, parts: pd.DataFrame,
                   n_machine_types: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic profile: each part demanded at a random subset of sites; installed base."""
    n_sites, n_parts = len(network.sites), len(parts)
    share = np.clip(rng.beta(1.2, 12.0, n_parts), 1.0 / n_sites, 1.0)  # mean ~9% of sites
    demanded = rng.random((n_parts, n_sites)) < share[:, None]
    demanded[np.arange(n_parts), rng.integers(0, n_sites, n_parts)] = True
    part_idx, site_idx = np.nonzero(demanded)
    rate = np.round(np.clip(rng.lognormal(np.log(0.3), 1.0, len(part_idx)), 0.05, 3.0), 3)
    dispersion = np.where(rng.random(len(part_idx)) < 0.2,
                          np.round(rng.uniform(1.1, 2.5, len(part_idx)), 2), 1.0)
    rates = pd.DataFrame({"part": parts["part"].to_numpy()[part_idx],
                          "site": network.sites["site"].to_numpy()[site_idx],
                          "rate_per_year": rate, "variance_to_mean": dispersion})
    types = _ids("MT", n_machine_types)
    site_demand = np.bincount(site_idx, weights=rate, minlength=n_sites)
    k = rng.integers(1, n_machine_types + 1, n_sites)
    chosen = np.argsort(rng.random((n_sites, n_machine_types)), axis=1) < k[:, None]
    per_type = np.maximum(1, np.ceil(site_demand / REQUESTS_PER_MACHINE_YEAR / k)).astype(int)
    site_index, type_index = np.nonzero(chosen)
    installed_base = pd.DataFrame({
        "site": network.sites["site"].to_numpy()[site_index],
        "machine_type": types[type_index], "machines": per_type[site_index]})
    return rates, installed_base


def _current_state(rng: np.random.Generator, network: _Network, parts: pd.DataFrame,
                   rates: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Current stock, scheduled receipts and customer orders around :data:`AS_OF`."""
    part_ids = parts["part"].to_numpy()
    part_index = pd.Index(part_ids)
    site_fsl = pd.Series(network.site_fsl, index=network.sites["site"].to_numpy())
    p = part_index.get_indexer(rates["part"])
    f = site_fsl.loc[rates["site"].to_numpy()].to_numpy()
    n_parts, n_fsls = len(part_ids), len(network.fsl_ids)
    fsl_rate = np.zeros((n_parts, n_fsls))
    np.add.at(fsl_rate, (p, f), rates["rate_per_year"].to_numpy())
    total = fsl_rate.sum(axis=1)

    # On hand: FSLs about a quarter-year of demand (+1 for stocked parts), central more.
    fsl_on_hand = rng.poisson(fsl_rate * 0.25 + (fsl_rate > 0) * 0.6)
    p_idx, f_idx = np.nonzero(fsl_on_hand)
    frames = [pd.DataFrame({"part": part_ids[p_idx], "location": network.fsl_ids[f_idx],
                            "on_hand": fsl_on_hand[p_idx, f_idx], "on_order": 0})]
    if len(network.dc_ids):
        dc_rate = np.zeros((n_parts, len(network.dc_ids)))
        np.add.at(dc_rate.T, network.fsl_dc, fsl_rate.T)
        dc_on_hand = rng.poisson(dc_rate * 0.15)
        p_idx, d_idx = np.nonzero(dc_on_hand)
        frames.append(pd.DataFrame({"part": part_ids[p_idx], "location": network.dc_ids[d_idx],
                                    "on_hand": dc_on_hand[p_idx, d_idx], "on_order": 0}))
    central_on_hand = rng.poisson(total * 0.3 + 1.0)
    on_order = rng.binomial(1, 0.15, n_parts) * rng.integers(1, 4, n_parts)
    keep = (central_on_hand > 0) | (on_order > 0)
    frames.append(pd.DataFrame({"part": part_ids[keep],
                                "location": np.full(int(keep.sum()), network.central,
                                                    dtype=object),
                                "on_hand": central_on_hand[keep], "on_order": on_order[keep]}))
    current_stock = pd.concat(frames, ignore_index=True)

    # Scheduled receipts: the central warehouse's open orders and repairs due back.
    ordered = np.flatnonzero(on_order > 0)
    repair = (parts["kind"].to_numpy()[ordered] == "repairable") & (rng.random(len(ordered))
                                                                    < 0.5)
    due = pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(3, 100, len(ordered)), unit="D")
    scheduled_receipts = pd.DataFrame({
        "part": part_ids[ordered], "location": network.central,
        "due_date": due.strftime("%Y-%m-%d"), "quantity": on_order[ordered],
        "kind": np.where(repair, "repair", "purchase"),
        "reference": [f"{'RO' if r else 'PO'}-{26000 + i}" for i, r in enumerate(repair)]})

    # A few customer orders (planned installations, upgrades) Dec 2026 - Feb 2027.
    n_orders = int(np.clip(n_parts // 25, 3, 400))
    demanded = rates.iloc[rng.choice(len(rates), n_orders, replace=False)]
    order_fsl = site_fsl.loc[demanded["site"].to_numpy()].to_numpy()
    due = pd.Timestamp("2026-12-01") + pd.to_timedelta(rng.integers(0, 90, n_orders), unit="D")
    customer_orders = pd.DataFrame({
        "part": demanded["part"].to_numpy(), "location": network.fsl_ids[order_fsl],
        "due_date": due.strftime("%Y-%m-%d"), "quantity": rng.integers(1, 4, n_orders),
        "site": demanded["site"].to_numpy(),
        "reference": [f"CO-{27000 + i}" for i in range(n_orders)]})
    customer_orders = customer_orders.sort_values(["due_date", "reference"], ignore_index=True)
    return current_stock, scheduled_receipts, customer_orders


def _suppliers(rng: np.random.Generator, parts: pd.DataFrame
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppliers (role-based contacts, a few personal ones) and their order windows."""
    supplier_ids = np.unique(parts["supplier"].to_numpy().astype(str))
    n = len(supplier_ids)
    vendor = [f"{_VENDORS[i % len(_VENDORS)]}{'' if i < len(_VENDORS) else i // len(_VENDORS)}"
              for i in range(n)]
    domain = [f"{v.lower()}-parts.example" for v in vendor]
    role = np.array(("parts-desk", "service-parts", "orders", "spares"), dtype=object)[
        rng.integers(0, 4, n)]
    draw = rng.random(n)  # the ~20% smallest draws (at least 2) get a personal mailbox
    personal = draw <= np.sort(draw)[min(n, max(2, round(0.2 * n))) - 1]
    person = np.array(_PERSONS, dtype=object)[rng.integers(0, len(_PERSONS), n)]
    contact = [f"{p if is_personal else r}@{d}"
               for p, r, d, is_personal in zip(person, role, domain, personal, strict=True)]
    reviewed = pd.Timestamp("2025-05-01") + pd.to_timedelta(rng.integers(0, 560, n), unit="D")
    renewal = pd.Timestamp("2026-12-01") + pd.to_timedelta(rng.integers(0, 395, n), unit="D")
    suppliers = pd.DataFrame({
        "supplier": supplier_ids, "name": [f"{v} Components GmbH" for v in vendor],
        "contact": contact,
        "escalation": [f"key-account@{d};head-of-service@{d}" for d in domain],
        "contact_reviewed": reviewed.strftime("%Y-%m-%d"),
        "contract_renewal": renewal.strftime("%Y-%m-%d")})

    # Yearly buy windows for about a third of the suppliers, plus a last-time-buy window
    # for a few single parts.
    yearly = np.flatnonzero(rng.random(n) < 0.35)
    opens = pd.Timestamp("2027-01-04") + pd.to_timedelta(rng.integers(0, 120, len(yearly)),
                                                          unit="D")
    closes = opens + pd.to_timedelta(rng.integers(14, 43, len(yearly)), unit="D")
    windows = [pd.DataFrame({"supplier": supplier_ids[yearly], "part": "",
                             "opens": opens.strftime("%Y-%m-%d"),
                             "closes": closes.strftime("%Y-%m-%d"),
                             "description": "yearly buy window"})]
    n_last = int(np.clip(len(parts) // 100, 1, 50))
    last = rng.choice(len(parts), n_last, replace=False)
    opens = pd.Timestamp("2026-12-01") + pd.to_timedelta(rng.integers(0, 60, n_last), unit="D")
    windows.append(pd.DataFrame({
        "supplier": parts["supplier"].to_numpy()[last], "part": parts["part"].to_numpy()[last],
        "opens": opens.strftime("%Y-%m-%d"),
        "closes": (opens + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
        "description": "last-time buy before discontinuation"}))
    order_windows = pd.concat(windows, ignore_index=True)
    return suppliers, order_windows


def _history(rng: np.random.Generator, rates: pd.DataFrame, months: int) -> pd.DataFrame:
    """Monthly demand per part and site, ``months`` months up to the month before AS_OF.

    Draws are Poisson with mean rate/12, mixed with a gamma of shape m/(v-1) and scale
    (v-1) where the variance-to-mean v exceeds 1 (negative binomial). Zero months are
    left out (the table is sparse).
    """
    mean = rates["rate_per_year"].to_numpy() / 12.0
    vtm = rates["variance_to_mean"].to_numpy()
    over = vtm > 1.0
    lam = np.broadcast_to(mean[:, None], (len(mean), months)).copy()
    if over.any():
        shape = (mean[over] / (vtm[over] - 1.0))[:, None]
        lam[over] = rng.gamma(np.broadcast_to(shape, (int(over.sum()), months)),
                              (vtm[over] - 1.0)[:, None])
    quantity = rng.poisson(lam)
    pair, month = np.nonzero(quantity)
    periods = pd.period_range(end=pd.Period(AS_OF, "M") - 1, periods=months, freq="M")
    history = pd.DataFrame({"period": periods.strftime("%Y-%m").to_numpy()[month],
                            "part": rates["part"].to_numpy()[pair],
                            "site": rates["site"].to_numpy()[pair],
                            "quantity": quantity[pair, month]})
    return history.sort_values(["period", "part", "site"], ignore_index=True)


def _toml(name: str, description: str, tables: list[str], stockout_rule: str) -> str:
    # The header keeps the module's former name (a shim runs it still): the committed
    # scenarios/demo stays byte-identical to its generator, and with it every input hash.
    table_lines = "\n".join(f'{t} = "{t}.csv"' for t in tables)
    return f"""\
# {name}: written by spareplan.scenario_generator (see scenarios/README.md).
format_version = 1
name = "{name}"
description = "{description}"
currency = "EUR"

[tables]
{table_lines}

[costs]
holding_rate_per_year = 0.25     # fraction of unit cost per year
emergency_shipment_cost = 250.0  # EUR per unit shipped in an emergency
lateral_shipment_cost = 120.0    # EUR per unit shipped between FSLs

[policy]
stockout_rule = "{stockout_rule}"
emergency_response_hours = 48.0
max_stock_per_location = {MAX_STOCK_PER_LOCATION}

{SLA_CLASSES_TOML}
[demand]
history_period = "month"
history_method = "poisson"

[early_warning]
as_of = {AS_OF.isoformat()}
horizon_weeks = 12
contact_review_months = 12
# alert thresholds tuned with `spareplan warn-backtest` on the demo and its plan (recall
# 90.1 %, precision 50.1 %; the package defaults 0.05 / 0.005 gave 88.0 %, 55.0 %): tune
# them per scenario the same way (benchmarks/README.md, early warning)
internal_risk_probability = 0.04
all_clear_probability = 0.004
"""


def _check(n_parts: int, n_fsls: int, n_dcs: int, sites_per_fsl: int, n_machine_types: int,
           profile: str, stockout_rule: str, history_months: int) -> None:
    for name, value, least in (("n_parts", n_parts, 1), ("n_fsls", n_fsls, 1),
                               ("n_dcs", n_dcs, 0), ("sites_per_fsl", sites_per_fsl, 1),
                               ("n_machine_types", n_machine_types, 1),
                               ("history_months", history_months, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ParameterError(name, f"must be an integer >= {least}", value)
    if n_dcs > n_fsls:
        raise ParameterError("n_dcs", f"must be <= n_fsls ({n_fsls})", n_dcs)
    if profile not in PROFILES:
        raise ParameterError("profile", f"must be one of {', '.join(PROFILES)}", profile)
    if stockout_rule not in STOCKOUT_RULES:
        raise ParameterError("stockout_rule", f"must be one of {', '.join(STOCKOUT_RULES)}",
                             stockout_rule)


def generate_scenario(out_dir: Path, *, n_parts: int, n_fsls: int, n_dcs: int = 2,
                      sites_per_fsl: int = 3, n_machine_types: int = 3, seed: int = 0,
                      profile: str = "synthetic", stockout_rule: str = "emergency",
                      with_history: bool = False, history_months: int = 36,
                      overwrite: bool = False) -> Path:
    """Write a complete, valid scenario folder generated from ``seed``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder to create. It must not exist unless ``overwrite`` is true, and then only
        an existing scenario folder (one holding ``scenario.toml``) is replaced.
    n_parts, n_fsls, n_dcs : int
        Numbers of parts, field stocking locations and regional DCs (0: the FSLs hang
        directly under the central warehouse). There is one central warehouse.
    sites_per_fsl : int
        Customer sites whose primary location is each FSL (the demo profile adds one
        more to about a third of the FSLs).
    n_machine_types : int
        Machine types of the installed base.
    seed : int
        Seed of ``numpy.random.default_rng``; same arguments, byte-identical files.
    profile : {"synthetic", "demo"}
        See the module docstring.
    stockout_rule : {"backorder", "emergency", "lateral"}
        ``[policy] stockout_rule`` of the scenario.
    with_history : bool
        Also write ``demand_history.csv`` (monthly draws from the rates) and name it in
        ``[tables]``. Where the demand source is ``demand.csv`` that table still wins
        (see the precedence in docs/scenario-format.md); remove ``demand`` from
        ``[tables]`` to plan from the history.
    history_months : int
        Months of history, ending the month before :data:`AS_OF`.
    overwrite : bool
        Replace an existing scenario folder at ``out_dir``.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Examples
    --------
    >>> from spareplan import load_scenario  # doctest: +SKIP
    >>> path = generate_scenario(Path("big"), n_parts=10_000, n_fsls=50)  # doctest: +SKIP
    >>> load_scenario(path).summary()["parts"]  # doctest: +SKIP
    10000
    """
    _check(n_parts, n_fsls, n_dcs, sites_per_fsl, n_machine_types, profile, stockout_rule,
           history_months)
    out_dir = Path(out_dir)
    if out_dir.exists() and not (overwrite and (out_dir / "scenario.toml").is_file()):
        raise ParameterError("out_dir", "must not exist (overwrite=True replaces an existing "
                             "scenario folder)", str(out_dir))
    rng = np.random.default_rng(seed)
    network = _network(rng, n_fsls, n_dcs, sites_per_fsl, profile)
    parts = _parts(rng, n_parts, profile)
    tables: dict[str, pd.DataFrame] = {
        "locations": network.locations, "parts": parts, "sites": network.sites,
        "reach": network.reach}
    if profile == "demo":
        installed_base, failure_rates, rates = _installed_base_demand(
            rng, network, parts, n_machine_types)
        tables["installed_base"] = installed_base
        tables["failure_rates"] = failure_rates
    else:
        rates, installed_base = _sparse_demand(rng, network, parts, n_machine_types)
        tables["installed_base"] = installed_base
        tables["demand"] = rates
    current_stock, receipts, orders = _current_state(rng, network, parts, rates)
    suppliers, order_windows = _suppliers(rng, parts)
    tables.update(current_stock=current_stock, scheduled_receipts=receipts,
                  customer_orders=orders, suppliers=suppliers, order_windows=order_windows)
    if with_history:
        tables["demand_history"] = _history(rng, rates, history_months)

    name = out_dir.name or "generated"
    description = (f"{profile} scenario: {n_parts} parts, 1 central warehouse, {n_dcs} DCs, "
                   f"{n_fsls} FSLs, {len(network.sites)} sites; seed {seed}.")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for table, frame in tables.items():
            frame.to_csv(staging / f"{table}.csv", index=False, lineterminator="\n")
        (staging / "scenario.toml").write_text(
            _toml(name, description, list(tables), stockout_rule), encoding="utf-8")
        if out_dir.exists():
            old = out_dir.with_name(f".{name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            staging.rename(out_dir)
            shutil.rmtree(old)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m spareplan.scenario.generator OUT --parts N --fsls M``."""
    parser = argparse.ArgumentParser(prog="python -m spareplan.scenario.generator",
                                     description="Write a generated scenario folder.")
    parser.add_argument("out", type=Path, help="scenario folder to create")
    parser.add_argument("--parts", type=int, required=True, help="number of parts")
    parser.add_argument("--fsls", type=int, required=True, help="number of FSLs")
    parser.add_argument("--dcs", type=int, default=2, help="regional DCs (default 2)")
    parser.add_argument("--sites-per-fsl", type=int, default=3)
    parser.add_argument("--machine-types", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=PROFILES, default="synthetic")
    parser.add_argument("--stockout-rule", choices=STOCKOUT_RULES, default="emergency")
    parser.add_argument("--history", action="store_true", help="also write demand_history.csv")
    parser.add_argument("--history-months", type=int, default=36)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing scenario folder")
    args = parser.parse_args(argv)
    try:
        path = generate_scenario(
            args.out, n_parts=args.parts, n_fsls=args.fsls, n_dcs=args.dcs,
            sites_per_fsl=args.sites_per_fsl, n_machine_types=args.machine_types,
            seed=args.seed, profile=args.profile, stockout_rule=args.stockout_rule,
            with_history=args.history, history_months=args.history_months,
            overwrite=args.overwrite)
    except ParameterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
