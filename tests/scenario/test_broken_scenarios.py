"""The broken-scenario corpus: every bad input gives a ScenarioError that says where and why.

Each case copies ``scenarios/tiny`` into a temporary folder and applies one mutation (or
overlays a committed fixture from ``tests/fixtures/broken``). Each case asserts:

1. ``load_scenario`` raises :class:`ScenarioError` whose message names the file, the
   field or column (and the row where there is one) and the value received;
2. ``spareplan validate`` exits 2 with that message and no traceback;
3. ``spareplan plan --out DIR`` exits 2 and leaves no output folder (and no staging
   folder) behind.

The command line is exercised in-process for every case (typer's ``CliRunner``: about
30 ms a case) and as a real ``python -m spareplan`` subprocess for a few representative
cases; a subprocess costs ~1.5 s of interpreter and import start-up, so the subprocess
sweep over the whole corpus runs only with ``SPAREPLAN_SLOW_TESTS=1``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from _scenario_paths import BROKEN_FIXTURES, REPO, copy_tiny

from spareplan.errors import ScenarioError
from spareplan.scenario import load_scenario

CLI_APP = REPO / "spareplan" / "cli" / "app.py"
SLOW = os.environ.get("SPAREPLAN_SLOW_TESTS") == "1"

Mutation = Callable[[Path], None]


def edit(file: str, old: str, new: str) -> Mutation:
    """Replace the first ``old`` in ``file`` by ``new`` (``old`` must be there)."""

    def mutate(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def write(file: str, content: str | bytes) -> Mutation:
    """Write ``content`` to ``file`` (a new file or a replacement)."""

    def mutate(folder: Path) -> None:
        path = folder / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def delete(file: str) -> Mutation:
    """Remove ``file`` from the scenario folder."""

    def mutate(folder: Path) -> None:
        (folder / file).unlink()

    return mutate


def overlay(fixture: str) -> Mutation:
    """Copy every file of ``tests/fixtures/broken/<fixture>`` over the scenario."""

    def mutate(folder: Path) -> None:
        for path in (BROKEN_FIXTURES / fixture).iterdir():
            shutil.copy(path, folder / path.name)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    """Apply several mutations that together make one broken input."""

    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)

    return mutate


def add_table(name: str, content: str) -> Mutation:
    """Write ``<name>.csv`` and name it in ``[tables]``."""
    return chain(write(f"{name}.csv", content),
                 edit("scenario.toml", "[tables]\n", f'[tables]\n{name} = "{name}.csv"\n'))


@dataclass(frozen=True)
class Case:
    """One broken scenario: an id, the mutation, and substrings the message must hold."""

    id: str
    mutate: Mutation
    expect: tuple[str, ...]


CASES = [
    # --- the TOML document
    Case("missing_toml", delete("scenario.toml"),
         ("scenario.toml", "scenario file must exist", "received")),
    Case("toml_syntax_error", edit("scenario.toml", "[costs]", "[costs"),
         ("scenario.toml", "syntax", "must be valid TOML", "line 17")),
    Case("toml_unknown_key", edit("scenario.toml", "[costs]\n", "[costs]\nholdign_rate = 0.3\n"),
         ("scenario.toml", "field costs.holdign_rate", "not a known field", "0.3")),
    Case("toml_bad_type_target",
         edit("scenario.toml", "target = 0.80", 'target = "high"'),
         ("scenario.toml", "field sla_classes.gold.fill_rate_within.target", "'high'")),
    Case("toml_target_above_1", edit("scenario.toml", "target = 0.80", "target = 1.2"),
         ("scenario.toml", "field sla_classes.gold.fill_rate_within.target",
          "less than or equal to 1", "1.2")),
    Case("toml_negative_holding_rate",
         edit("scenario.toml", "holding_rate_per_year = 0.25", "holding_rate_per_year = -0.1"),
         ("scenario.toml", "field costs.holding_rate_per_year", "-0.1")),
    Case("toml_unknown_stockout_rule",
         edit("scenario.toml", 'stockout_rule = "emergency"', 'stockout_rule = "teleport"'),
         ("scenario.toml", "field policy.stockout_rule", "'teleport'")),
    Case("toml_missing_costs",
         edit("scenario.toml", "[costs]\nholding_rate_per_year = 0.25", "[costs]"),
         ("scenario.toml", "field costs.holding_rate_per_year", "is required")),
    Case("toml_sla_class_without_commitment",
         edit("scenario.toml", 'scope = "site"\nfill_rate_within = { target = 0.80, '
              'window_hours = 4.0 }', 'scope = "site"'),
         ("scenario.toml", "field sla_classes.gold",
          "needs fill_rate_within, uptime and/or availability")),
    # --- the availability commitment (product form) and the units installed per machine
    Case("toml_availability_target_1",
         edit("scenario.toml", "uptime = { target = 0.995, repair_hours = 4.0 }",
              "availability = { target = 1.0 }"),
         ("scenario.toml", "field sla_classes.silver.availability.target",
          "less than 1", "1.0")),
    Case("toml_availability_target_0",
         edit("scenario.toml", "uptime = { target = 0.995, repair_hours = 4.0 }",
              "availability = { target = 0.0 }"),
         ("scenario.toml", "field sla_classes.silver.availability.target",
          "greater than 0", "0.0")),
    Case("toml_availability_unknown_key",
         edit("scenario.toml", "uptime = { target = 0.995, repair_hours = 4.0 }",
              "availability = { target = 0.99, repair_hours = 4.0 }"),
         ("scenario.toml", "field sla_classes.silver.availability.repair_hours",
          "is not a known field")),
    Case("units_per_machine_zero",
         write("failure_rates.csv", "machine_type,part,failures_per_machine_year,"
               "parts_per_failure,units_per_machine\nscanner,P-PUMP,0.5,1,0\n"
               "scanner,P-FUSE,1.5,1,2\n"),
         ("failure_rates.csv", "row 2, column units_per_machine", "must be >= 1", "'0'")),
    Case("units_per_machine_not_whole",
         write("failure_rates.csv", "machine_type,part,failures_per_machine_year,"
               "parts_per_failure,units_per_machine\nscanner,P-PUMP,0.5,1,2\n"
               "scanner,P-FUSE,1.5,1,1.5\n"),
         ("failure_rates.csv", "row 3, column units_per_machine", "whole", "'1.5'")),
    Case("toml_not_utf8", overlay("toml_latin1"),
         ("scenario.toml", "line 1", "must be UTF-8 text", "xdc")),
    Case("missing_table_file", delete("parts.csv"),
         ("scenario.toml", "field tables.parts", "file must exist", "'parts.csv'")),
    Case("no_demand_source",
         edit("scenario.toml", 'failure_rates = "failure_rates.csv"\n', ""),
         ("scenario.toml", "tables", "needs a demand source")),
    # --- table values
    Case("condemnation_above_1",
         edit("parts.csv", "repairable,60,20,0.2,", "repairable,60,20,1.5,"),
         ("parts.csv", "row 2, column condemnation_fraction", "must be <= 1", "'1.5'")),
    Case("negative_lead_time", edit("locations.csv", "F1,fsl,CW,3,", "F1,fsl,CW,-3,"),
         ("locations.csv", "row 3, column lead_time_days", "must be >= 0", "'-3'")),
    Case("negative_procurement_lead_time",
         edit("parts.csv", "P-FUSE,40,consumable,14,", "P-FUSE,40,consumable,-14,"),
         ("parts.csv", "row 3, column procurement_lead_time_days", "must be >= 0", "'-14'")),
    Case("bad_number", edit("parts.csv", "P-FUSE,40,", "P-FUSE,12x,"),
         ("parts.csv", "row 3, column unit_cost", "must be a number", "'12x'")),
    Case("nan_cost", edit("parts.csv", "P-FUSE,40,", "P-FUSE,nan,"),
         ("parts.csv", "row 3, column unit_cost", "'nan'")),
    Case("inf_lead_time", edit("locations.csv", "F2,fsl,CW,5,", "F2,fsl,CW,inf,"),
         ("locations.csv", "row 4, column lead_time_days", "must be finite", "'inf'")),
    Case("zero_unit_cost", edit("parts.csv", "P-FUSE,40,", "P-FUSE,0,"),
         ("parts.csv", "row 3, column unit_cost", "must be > 0", "'0'")),
    Case("fractional_machines", edit("installed_base.csv", "S2,scanner,2", "S2,scanner,2.5"),
         ("installed_base.csv", "row 3, column machines", "whole number", "'2.5'")),
    Case("bad_choice", edit("parts.csv", "consumable", "consumible"),
         ("parts.csv", "row 3, column kind", "must be one of consumable, repairable",
          "'consumible'")),
    Case("negative_response_hours", edit("reach.csv", "S1,F2,6", "S1,F2,-6"),
         ("reach.csv", "row 3, column response_hours", "must be >= 0", "'-6'")),
    Case("bad_date",
         add_table("scheduled_receipts",
                   "part,location,due_date,quantity\nP-PUMP,CW,2026-13-01,1\n"),
         ("scheduled_receipts.csv", "row 2, column due_date", "YYYY-MM-DD", "'2026-13-01'")),
    # --- table shape
    Case("empty_table", write("sites.csv", "site,sla_class,primary_location,name\n"),
         ("sites.csv", "rows", "at least one data row")),
    Case("empty_file", write("reach.csv", ""), ("reach.csv", "header", "header row")),
    Case("header_missing_column",
         write("parts.csv", "part,kind,procurement_lead_time_days\nP-PUMP,consumable,60\n"
               "P-FUSE,consumable,14\n"),
         ("parts.csv", "header", "must have column 'unit_cost'")),
    Case("unknown_column",
         edit("sites.csv", "site,sla_class,primary_location,name",
              "site,sla_class,primary_location,name,colour"),
         ("sites.csv", "header", "unknown column 'colour'")),
    Case("duplicate_ids", edit("parts.csv", "P-PUMP,1200", "P-FUSE,1200"),
         ("parts.csv", "row 3, column part", "must be unique", "'P-FUSE'")),
    Case("duplicate_reach_pair", edit("reach.csv", "S1,F2,6", "S1,F1,6"),
         ("reach.csv", "row 3, column site, location", "must be unique", "'S1 / F1'")),
    Case("csv_not_utf8", write("parts.csv", (
        b"part,unit_cost,kind,procurement_lead_time_days\nP-PUMP,1200,consumable,60\n"
        b"P-FUSE,40,consumable,14\xff\n")),
         ("parts.csv", "line 3", "must be UTF-8 text", "xff")),
    # --- cross-table rules
    Case("unknown_parent", edit("locations.csv", "F2,fsl,CW,", "F2,fsl,CX,"),
         ("locations.csv", "row 4, column parent", "must name an existing location", "'CX'")),
    Case("cycle_in_tree",
         edit("locations.csv", "F2,fsl,CW,5,FSL South",
              "F2,fsl,DB,5,FSL South\nDA,dc,DB,2,Loop A\nDB,dc,DA,2,Loop B"),
         ("locations.csv", "column parent", "must have no cycle", "DB -> DA -> DB")),
    Case("wrong_parent_kind", edit("locations.csv", "F2,fsl,CW,", "F2,fsl,F1,"),
         ("locations.csv", "row 4, column parent", "must be a central or dc location",
          "'F1 (fsl)'")),
    Case("fsl_without_parent", edit("locations.csv", "F2,fsl,CW,", "F2,fsl,,"),
         ("locations.csv", "row 4, column parent", "must have a parent")),
    Case("site_unknown_primary", edit("sites.csv", "S3,silver,F2", "S3,silver,F9"),
         ("sites.csv", "row 4, column primary_location", "existing location", "'F9'")),
    Case("primary_without_reach", edit("sites.csv", "S2,silver,F1", "S2,silver,F2"),
         ("sites.csv", "row 3, column primary_location", "reach table", "'F2'")),
    Case("reach_unknown_site", edit("reach.csv", "S3,CW,30", "S9,CW,30"),
         ("reach.csv", "row 9, column site", "must name an existing site", "'S9'")),
    Case("failure_rate_unknown_part", edit("failure_rates.csv", "scanner,P-PUMP", "scanner,P-NOPE"),
         ("failure_rates.csv", "row 2, column part", "must name an existing part", "'P-NOPE'")),
    Case("demand_unknown_part",
         add_table("demand", "part,site,rate_per_year\nP-PUMP,S1,0.5\nP-GHOST,S2,1.0\n"),
         ("demand.csv", "row 3, column part", "must name an existing part", "'P-GHOST'")),
    Case("repairable_without_turnaround",
         edit("parts.csv", "repairable,60,20,0.2", "repairable,60,,0.2"),
         ("parts.csv", "row 2, column repair_turnaround_days", "repairable part", "None")),
    Case("min_above_max",
         write("parts.csv", "part,unit_cost,kind,procurement_lead_time_days,min_stock,max_stock\n"
               "P-PUMP,1200,consumable,60,3,1\nP-FUSE,40,consumable,14,,\n"),
         ("parts.csv", "row 2, column min_stock", "must be <= max_stock", "3")),
    Case("unknown_sla_class", edit("sites.csv", "S1,gold", "S1,platinum"),
         ("sites.csv", "row 2, column sla_class", "SLA class", "'platinum'")),
    Case("uptime_without_installed_base",
         edit("installed_base.csv", "S3,scanner,3", "S3,scanner,0"),
         ("sites.csv", "row 4, column sla_class", "uptime SLA needs machines", "'silver'")),
    Case("stock_at_unknown_location", edit("current_stock.csv", "P-FUSE,F2,", "P-FUSE,F7,"),
         ("current_stock.csv", "row 5, column location", "existing location", "'F7'")),
    # --- volume capacity and the inventory budget
    Case("negative_capacity_volume",
         write("locations.csv", "location,kind,parent,lead_time_days,capacity_volume_liters\n"
               "CW,central,,,\nF1,fsl,CW,3,-40\nF2,fsl,CW,5,\n"),
         ("locations.csv", "row 3, column capacity_volume_liters", "must be >= 0", "'-40'")),
    Case("capacity_volume_without_part_volume",
         chain(write("locations.csv", "location,kind,parent,lead_time_days,"
                     "capacity_volume_liters\nCW,central,,,\nF1,fsl,CW,3,\nF2,fsl,CW,5,40\n"),
               edit("parts.csv", "criticality,description", "criticality,description,"
                    "volume_liters"),
               edit("parts.csv", "critical,Vacuum pump", "critical,Vacuum pump,"),
               edit("parts.csv", "medium,Fuse kit", "medium,Fuse kit,2.5")),
         ("parts.csv", "row 2, column volume_liters", "must be given when a location has a "
          "capacity_volume_liters (location F2, locations.csv row 4)", "None")),
    Case("toml_negative_inventory_budget",
         edit("scenario.toml", "[costs]\n", "[costs]\ninventory_budget = -5000.0\n"),
         ("scenario.toml", "field costs.inventory_budget", "greater than 0", "-5000.0")),
    Case("toml_infinite_inventory_budget",
         edit("scenario.toml", "[costs]\n", "[costs]\ninventory_budget = inf\n"),
         ("scenario.toml", "field costs.inventory_budget", "finite number", "inf")),
]
REPRESENTATIVE = ("toml_syntax_error", "cycle_in_tree")


def build(case: Case, root: Path) -> Path:
    """The broken scenario of ``case`` in ``root/<id>``."""
    folder = copy_tiny(root / case.id)
    case.mutate(folder)
    return folder


def assert_message(case: Case, message: str) -> None:
    missing = [text for text in case.expect if text not in message]
    assert not missing, f"{case.id}: {missing} not in message:\n{message}"
    assert "Traceback" not in message


def test_corpus_is_large_and_ids_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_load_reports_file_field_and_value(case: Case, tmp_path: Path) -> None:
    folder = build(case, tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert caught.value.problems, "a ScenarioError must list its problems"
    assert_message(case, str(caught.value))


needs_cli = pytest.mark.skipif(not CLI_APP.exists(), reason="spareplan/cli/app.py not written yet")


@needs_cli
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cli_in_process_exit_2_no_output(case: Case, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spareplan.cli.app import app

    folder = build(case, tmp_path / "scenarios")
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2, result.output
    assert_message(case, result.output)

    outs = tmp_path / "outs"
    outs.mkdir()
    result = runner.invoke(app, ["plan", str(folder), "--out", str(outs / "out")])
    assert result.exit_code == 2, result.output
    assert_message(case, result.output)
    assert not (outs / "out").exists()
    assert list(outs.iterdir()) == [], "a staging folder was left behind"


def _run_cli(folder: Path, outs: Path) -> tuple[subprocess.CompletedProcess[str], ...]:
    command = [sys.executable, "-m", "spareplan"]
    validate = subprocess.run([*command, "validate", str(folder)], capture_output=True,
                              text=True, timeout=120, cwd=REPO)
    plan = subprocess.run([*command, "plan", str(folder), "--out", str(outs / "out")],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    return validate, plan


def _subprocess_check(cases: list[Case], root: Path) -> None:
    prepared = []
    for case in cases:
        folder = build(case, root / "scenarios")
        outs = root / "outs" / case.id
        outs.mkdir(parents=True)
        prepared.append((case, folder, outs))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda item: _run_cli(item[1], item[2]), prepared))
    for (case, _, outs), (validate, plan) in zip(prepared, results, strict=True):
        for result in (validate, plan):
            output = result.stdout + result.stderr
            assert result.returncode == 2, f"{case.id}: {result.args}\n{output}"
            assert_message(case, output)
        assert not (outs / "out").exists()
        assert list(outs.iterdir()) == [], f"{case.id}: a staging folder was left behind"


@needs_cli
def test_cli_subprocess_representative_cases(tmp_path: Path) -> None:
    _subprocess_check([case for case in CASES if case.id in REPRESENTATIVE], tmp_path)


@needs_cli
@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="set SPAREPLAN_SLOW_TESTS=1 (about 1.5 s per command)")
def test_cli_subprocess_every_case(tmp_path: Path) -> None:
    _subprocess_check(CASES, tmp_path)
