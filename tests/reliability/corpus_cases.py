"""The acceptance corpus: malformed and hostile inputs for every command.

Each :class:`Case` prepares its inputs in an empty work folder (a copy of a bundled
scenario with one change, a plan file, a history file, an odd ``--out``) and names the
substrings its message must hold: the file, the row or field, the rule and the value. The
cases differ from the 46 of ``tests/scenario/test_broken_scenarios.py``: those cover the
ordinary rules of the format, these cover what a hostile file, an odd export, a huge or
non-finite number, a special file or a misplaced ``--out`` does. ``xfail`` names the
owner of a case that another part of the code must fix (strict: it turns green, and
then fails as a reminder, when the fix is merged).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reliability_helpers import TINY, WARNING, Change, chain, copy_scenario, edit, table_path, write

Setup = Callable[[Path], list[str]]



@dataclass(frozen=True)
class Case:
    """One bad input: the command, how to prepare it, what the message must say."""

    id: str
    command: str
    setup: Setup
    expect: tuple[str, ...]
    #: The case gives its own --out (an output-contract case); else OUT holds a previous
    #: output of the command that must stay as it is.
    own_out: bool = False
    xfail: str | None = None
    #: A scenario case whose scenario is also run through ``spareplan validate``.
    scenario: bool = False


#: Options that keep a run short if an input slipped through (a case's own options win).
EXTRA: dict[str, list[tuple[str, str]]] = {
    "plan": [("--replications", "2"), ("--years", "1")],
    "simulate": [("--replications", "2"), ("--years", "1")],
    "frontier": [("--points", "2")], "warn": [], "validate": [], "backtest": []}


def scenario(*changes: Change, base: Path = TINY, extra: tuple[str, ...] = ()) -> Setup:
    """A copy of ``base`` with ``changes`` applied, as the command's first argument."""

    def setup(work: Path) -> list[str]:
        folder = copy_scenario(base, work / "scenario")
        chain(*changes)(folder)
        return [str(folder), *extra]

    return setup


def with_file(name: str, content: str | bytes, *args: str, base: Path = TINY) -> Setup:
    """The scenario ``base`` plus a file ``name`` in the work folder; ``{file}`` in
    ``args`` is replaced by its path."""

    def setup(work: Path) -> list[str]:
        folder = copy_scenario(base, work / "scenario")
        path = work / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return [str(folder), *(a.replace("{file}", str(path)) for a in args)]

    return setup


def history(content: str | bytes, *args: str) -> Setup:
    """A demand history file as the first argument of ``backtest``."""

    def setup(work: Path) -> list[str]:
        path = work / "history.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return [str(path), *args]

    return setup


def good_history(months: int = 24) -> str:
    rows = ["period,part,site,quantity"]
    for month in range(months):
        year, m = 2020 + month // 12, month % 12 + 1
        rows += [f"{year}-{m:02d},P-PUMP,S1,{month % 3}", f"{year}-{m:02d},P-FUSE,S2,{month % 2}"]
    return "\n".join(rows) + "\n"


def special(kind: str, name: str = "parts.csv") -> Change:
    """Replace ``name`` of the scenario by a folder, a FIFO, a sparse 3 GiB file…"""

    def change(folder: Path) -> None:
        path = folder / name
        path.unlink()
        if kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "sparse":
            with path.open("wb") as handle:
                handle.truncate(3 * 1024**3)
        elif kind == "dangling":
            path.symlink_to(folder / "no-such-file.csv")
        elif kind == "loop":
            path.symlink_to(folder / "loop.csv")
            (folder / "loop.csv").symlink_to(path)
        else:
            raise AssertionError(kind)

    return change


def outside(kind: str, secret: str = "TOP-SECRET-CONTENT") -> Change:
    """Make ``[tables] parts`` lead out of the scenario folder to a file holding ``secret``
    (``absolute``, ``dotdot`` or ``symlink``)."""

    def change(folder: Path) -> None:
        target = folder.parent / "secret.csv"
        target.write_text(f"{secret}\n{secret},1\n", encoding="utf-8")
        if kind == "absolute":
            table_path("parts", str(target))(folder)
        elif kind == "dotdot":
            table_path("parts", "../secret.csv")(folder)
        else:
            (folder / "parts.csv").unlink()
            (folder / "parts.csv").symlink_to(target)

    return change


def nested(depth: int, opener: str = "[", closer: str = "]") -> Change:
    return edit("scenario.toml", "[tables]\n", f"deep = {opener * depth}1{closer * depth}\n"
                "[tables]\n")


PARTS_HEADER = ("part,unit_cost,kind,procurement_lead_time_days,repair_turnaround_days,"
                "condemnation_fraction,criticality,description")
PUMP = "P-PUMP,1200,repairable,60,20,0.2,critical,Vacuum pump"
FUSE = "P-FUSE,40,consumable,14,,,medium,Fuse kit"


def parts(*rows: str, header: str = PARTS_HEADER) -> Change:
    return write("parts.csv", "\n".join([header, *rows]) + "\n")


def contract(kind: str, command: str) -> Setup:
    """An ``--out`` that breaks the output contract, for ``command``."""

    def setup(work: Path) -> list[str]:
        base = WARNING if command == "warn" else TINY
        if command == "backtest":
            first = history(good_history())(work)
            inputs = Path(first[0])
        else:
            folder = copy_scenario(base, work / "scenario")
            first = [str(folder)]
            inputs = folder
        out = work / "out"
        if kind == "file":
            out.write_text("my thesis\n")
        elif kind == "foreign":
            out.mkdir()
            (out / "thesis.tex").write_text("my thesis\n")
        elif kind == "input":
            out = inputs
        elif kind == "inside":
            out = (inputs if inputs.is_dir() else inputs.parent) / "out"
        elif kind == "parent":
            out = work
        elif kind == "symlink":
            (work / "elsewhere").mkdir()
            out.symlink_to(work / "elsewhere")
        elif kind == "readonly":
            out = Path("/proc/spareplan-out")
        elif kind == "under_file":
            (work / "a-file").write_text("x\n")
            out = work / "a-file" / "out"
        elif kind == "other_command":
            from reliability_helpers import previous_output

            previous_output(out, "frontier" if command != "frontier" else "plan")
        else:
            raise AssertionError(kind)
        return [*first, "--out", str(out)]

    return setup


EXPECT_CONTRACT = {
    "file": ("parameter --out", "it is a file", "received"),
    "foreign": ("parameter --out", "'thesis.tex'", "spareplan did not write"),
    "input": ("parameter --out", "must not be", "received"),
    "inside": ("parameter --out", "must not lie inside", "received"),
    "parent": ("parameter --out", "must not hold", "received"),
    "symlink": ("parameter --out", "must not be a symbolic link", "received"),
    "readonly": ("parameter --out", "where files can be written", "/proc/spareplan-out"),
    "under_file": ("parameter --out", "is a file", "a-file"),
    "other_command": ("parameter --out", "holds the output of `spareplan", "received"),
}

CASES: list[Case] = []


def add(case: Case) -> None:
    CASES.append(case)


# --------------------------------------------------------------------------- the TOML
TOML_VALUES = [
    ("emergency_cost_inf", "emergency_shipment_cost = 300.0", "emergency_shipment_cost = inf",
     "field costs.emergency_shipment_cost", "finite", "inf", "plan"),
    ("lateral_cost_nan", "lateral_shipment_cost = 100.0", "lateral_shipment_cost = nan",
     "field costs.lateral_shipment_cost", "finite", "nan", "simulate"),
    ("holding_rate_minus_inf", "holding_rate_per_year = 0.25", "holding_rate_per_year = -inf",
     "field costs.holding_rate_per_year", "finite", "-inf", "frontier"),
    ("emergency_hours_inf", "emergency_response_hours = 24.0",
     "emergency_response_hours = +inf", "field policy.emergency_response_hours", "finite",
     "inf", "plan"),
    ("window_nan", "window_hours = 4.0", "window_hours = nan",
     "field sla_classes.gold.fill_rate_within.window_hours", "finite", "nan", "simulate"),
    ("repair_hours_inf", "repair_hours = 4.0", "repair_hours = inf",
     "field sla_classes.silver.uptime.repair_hours", "finite", "inf", "plan"),
    ("target_nan", "target = 0.80", "target = nan",
     "field sla_classes.gold.fill_rate_within.target", "finite", "nan", "frontier"),
    ("emergency_cost_1e300", "emergency_shipment_cost = 300.0",
     "emergency_shipment_cost = 1e300", "field costs.emergency_shipment_cost",
     "less than or equal to 1000000000000", "1e+300", "plan"),
    ("window_hours_1e12", "window_hours = 4.0", "window_hours = 1e12",
     "field sla_classes.gold.fill_rate_within.window_hours", "less than or equal to 876600",
     "1000000000000.0", "simulate"),
    ("max_stock_float_1e19", "max_stock_per_location = 3", "max_stock_per_location = 1e19",
     "field policy.max_stock_per_location", "integer", "1e+19", "plan"),
    ("max_stock_huge_int", "max_stock_per_location = 3",
     "max_stock_per_location = 99999999999999999999999999999999999999",
     "field policy.max_stock_per_location", "less than or equal to 1000",
     "an integer of 38 digits", "frontier"),
    ("name_blank", 'name = "tiny"', 'name = "   "', "field name", "must not be blank",
     "'   '", "plan"),
    ("name_empty", 'name = "tiny"', 'name = ""', "field name", "at least 1 character", "''",
     "simulate"),
    ("format_version_2", "format_version = 1", "format_version = 2", "field format_version",
     "Input should be 1", "2", "plan"),
    ("tables_path_number", 'parts = "parts.csv"', "parts = 42", "field tables.parts",
     "valid string", "42", "frontier"),
    ("stockout_rule_number", 'stockout_rule = "emergency"', "stockout_rule = 3",
     "field policy.stockout_rule", "'backorder', 'emergency' or 'lateral'", "3", "plan"),
    ("currency_table", 'currency = "EUR"', "currency = { code = 'EUR' }", "field currency",
     "valid string", "{'code': 'EUR'}", "simulate"),
    ("scope_unknown", 'scope = "site"', 'scope = "planet"', "field sla_classes.gold.scope",
     "'site' or 'class'", "'planet'", "plan"),
]
for case_id, old, new, field, rule, value, command in TOML_VALUES:
    add(Case(f"toml_{case_id}", command, scenario(edit("scenario.toml", old, new)),
             ("scenario.toml", field, rule, f"(received {value}"), scenario=True))

add(Case("toml_nested_arrays_3000", "plan", scenario(nested(3000)),
         ("scenario.toml", "syntax", "nested too deep")))
add(Case("toml_nested_inline_tables_3000", "validate", scenario(nested(3000, "{a=", "}")),
         ("scenario.toml", "syntax", "nested too deep")))
add(Case("toml_nested_arrays_200_unknown_key", "simulate", scenario(nested(200)),
         ("scenario.toml", "field deep", "not a known field", "[[[")))
add(Case("toml_sla_class_names_nfc_nfd", "validate",
         scenario(edit("scenario.toml", "[sla_classes.silver]",
                       '[sla_classes."caf\u00e9"]\nfill_rate_within = { target = 0.5, '
                       'window_hours = 8.0 }\n[sla_classes."cafe\u0301"]\nfill_rate_within = '
                       '{ target = 0.5, window_hours = 8.0 }\n[sla_classes.silver]')),
         ("scenario.toml", "field sla_classes", "once Unicode-normalized (NFC)")))
add(Case("toml_empty_file", "plan", scenario(write("scenario.toml", "")),
         ("scenario.toml", "field name", "is required", "field tables")))
add(Case("toml_binary", "validate",
         scenario(write("scenario.toml", bytes(range(256)) * 4)),
         ("scenario.toml", "must be UTF-8 text", "received b'\\x80'")))
add(Case("toml_nul_bytes", "frontier",
         scenario(edit("scenario.toml", "[costs]", "[costs]\x00")),
         ("scenario.toml", "line 17", "must be text without NUL characters", "\\x00")))
add(Case("toml_duplicate_key", "validate",
         scenario(edit("scenario.toml", 'name = "tiny"', 'name = "tiny"\nname = "again"')),
         ("scenario.toml", "syntax", "must be valid TOML", "line")))
add(Case("toml_is_a_folder", "plan", lambda work: _toml_folder(work),
         ("scenario.toml", "a scenario folder holds scenario.toml", "received []")))
add(Case("toml_fifo", "validate", lambda work: _toml_special(work, "fifo"),
         ("scenario.toml", "must be a regular file; it is a named pipe (FIFO)")))
add(Case("toml_dev_zero", "plan", lambda work: _toml_special(work, "zero"),
         ("zero", "must be a regular file; it is a character device")))
add(Case("toml_oversize_sparse", "validate", lambda work: _toml_special(work, "sparse"),
         ("scenario.toml", "must be at most 16.0 MiB", "32.0 MiB")))
add(Case("toml_and_csv_problems_in_one_run", "validate",
         scenario(edit("scenario.toml", "[costs]\n", "[costs]\nholdign_rate = 0.3\n"),
                  edit("parts.csv", "P-FUSE,40,", "P-FUSE,forty,")),
         ("field costs.holdign_rate", "not a known field",
          "parts.csv: row 3, column unit_cost: must be a number (received 'forty')")))
add(Case("toml_critical_levels_empty", "warn",
         scenario(edit("scenario.toml", "[early_warning]\n",
                       "[early_warning]\ncritical_levels = []\n"), base=WARNING),
         ("scenario.toml", "field early_warning.critical_levels", "at least 1 item", "[]")))
add(Case("toml_as_of_text", "warn",
         scenario(edit("scenario.toml", "as_of = 2025-03-03", 'as_of = "soon"'), base=WARNING),
         ("scenario.toml", "field early_warning.as_of", "valid date", "'soon'")))
add(Case("toml_horizon_huge", "warn",
         scenario(edit("scenario.toml", "horizon_weeks = 12", "horizon_weeks = 10000000"),
                  base=WARNING),
         ("scenario.toml", "field early_warning.horizon_weeks", "less than or equal to 520",
          "10000000")))


def _toml_folder(work: Path) -> list[str]:
    folder = copy_scenario(TINY, work / "scenario")
    (folder / "scenario.toml").unlink()
    (folder / "scenario.toml").mkdir()
    return [str(folder / "scenario.toml")]


def _toml_special(work: Path, kind: str) -> list[str]:
    folder = copy_scenario(TINY, work / "scenario")
    path = folder / "scenario.toml"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
        return [str(path)]
    if kind == "zero":
        return ["/dev/zero"]
    with path.open("wb") as handle:
        handle.truncate(32 * 1024**2)
    return [str(path)]


# --------------------------------------------------------------------------- table paths
add(Case("table_absolute_path", "validate", scenario(outside("absolute")),
         ("field tables.parts", "not an absolute path", "secret.csv")))
add(Case("table_dotdot_path", "plan", scenario(outside("dotdot")),
         ("field tables.parts", "leading outside the scenario folder", "'../secret.csv'")))
add(Case("table_symlink_outside", "simulate", scenario(outside("symlink")),
         ("field tables.parts", "symbolic link to a file outside", "'parts.csv'")))
add(Case("table_etc_hostname", "frontier", scenario(table_path("parts", "/etc/hostname")),
         ("field tables.parts", "absolute path", "'/etc/hostname'")))
add(Case("table_is_folder", "plan", scenario(special("folder")),
         ("field tables.parts", "must be a regular file; it is a folder", "'parts.csv'")))
add(Case("table_fifo", "validate", scenario(special("fifo", "sites.csv")),
         ("field tables.sites", "it is a named pipe (FIFO)", "'sites.csv'")))
add(Case("table_fifo_under_warn", "warn", scenario(special("fifo", "suppliers.csv"),
                                                    base=WARNING),
         ("field tables.suppliers", "named pipe", "'suppliers.csv'")))
add(Case("table_oversize_sparse", "simulate", scenario(special("sparse", "reach.csv")),
         ("field tables.reach", "must be at most 2.0 GiB", "3.0 GiB")))
add(Case("table_dangling_symlink", "plan", scenario(special("dangling")),
         ("field tables.parts", "file must exist", "'parts.csv'")))
add(Case("table_symlink_loop", "validate", scenario(special("loop")),
         ("field tables.parts", "must be a readable path", "'parts.csv'")))
add(Case("table_path_empty", "frontier", scenario(table_path("parts", "")),
         ("field tables.parts", "must be a file name", "''")))
add(Case("table_path_nul", "validate", scenario(table_path("parts", "parts\\u0000.csv")),
         ("field tables.parts", "no NUL character", "parts\\x00.csv")))
add(Case("table_path_too_long", "plan", scenario(table_path("parts", "p" * 300 + ".csv")),
         ("field tables.parts", "File name too long", "ppp")))
add(Case("table_named_twice", "validate", scenario(table_path("parts", "sites.csv")),
         ("sites.csv", "header", "must have column 'unit_cost'")))
add(Case("table_dev_zero_allowed_outside", "validate",
         lambda work: ["--allow-outside-tables",
                       *scenario(table_path("parts", "/dev/zero"))(work)],
         ("field tables.parts", "it is a character device", "'/dev/zero'")))

# --------------------------------------------------------------------------- table text
TABLES = [
    ("trailing_comma_every_row", "plan",
     parts(PUMP + ",", FUSE + ","),
     ("parts.csv", "row 2", "one field more than the header", "trailing comma", "9 fields")),
    ("extra_field_one_row", "simulate", parts(PUMP, FUSE + ",extra"),
     ("parts.csv", "row 3", "has 9 fields but the header has 8", "9 fields")),
    ("decimal_comma_in_comma_file", "frontier",
     edit("parts.csv", "P-FUSE,40,", "P-FUSE,40,5,"),
     ("parts.csv", "row 3", "has 9 fields", "a comma inside a value that is not quoted")),
    ("duplicated_header", "validate",
     parts(PUMP + ",1", FUSE + ",2", header=PARTS_HEADER + ",unit_cost"),
     ("parts.csv", "header", "column 'unit_cost' appears 2 times (columns 2 and 9)")),
    ("blank_header_name", "plan",
     write("sites.csv", "site,,primary_location\nS1,gold,F1\nS2,silver,F1\nS3,silver,F2\n"),
     ("sites.csv", "header", "column 2 of the header is blank")),
    ("trailing_comma_header", "simulate",
     write("reach.csv", "site,location,response_hours,\nS1,F1,2,\nS2,F1,3,\nS3,F2,2,\n"),
     ("reach.csv", "header", "the last header is blank (a trailing delimiter?)")),
    ("thousands_separator", "validate",
     edit("parts.csv", "P-PUMP,1200,", 'P-PUMP,"1,200",'),
     ("parts.csv", "row 2, column unit_cost", "no thousands separators", "'1,200'")),
    ("semicolon_thousands", "plan",
     write("locations.csv", "location;kind;parent;lead_time_days\nCW;central;;\n"
           "F1;fsl;CW;1.234,5\nF2;fsl;CW;5\n"),
     ("locations.csv", "row 3, column lead_time_days", "no thousands separators",
      "'1.234,5'")),
    ("nfc_nfd_duplicate_parts", "validate",
     parts(PUMP, FUSE, "P-CAF\u00c9,10,consumable,5,,,low,a",
           "P-CAFE\u0301,10,consumable,5,,,low,b"),
     ("parts.csv", "row 5, column part", "same id as row 4 once Unicode-normalized",
      "'P-CAFE\\u0301' and 'P-CAF\\xc9'")),
    ("case_only_duplicate_parts", "frontier", parts(PUMP, FUSE, "p-pump,99,consumable,5,,,low,x"),
     ("parts.csv", "row 4, column part", "only in letter case", "'p-pump'")),
    ("case_only_duplicate_sites", "plan",
     edit("sites.csv", "S3,silver,F2,Plant South", "S3,silver,F2,Plant South\ns3,silver,F2,x"),
     ("sites.csv", "row 5, column site", "only in letter case", "'s3'")),
    ("zero_width_space_in_id", "validate",
     edit("parts.csv", "P-FUSE,", "P-FU\u200bSE,"),
     ("parts.csv", "row 3, column part", "invisible characters", "P-FU\\u200bSE")),
    ("bell_in_site_id", "simulate", edit("sites.csv", "S2,silver", "S\x072,silver"),
     ("sites.csv", "row 3, column site", "control or invisible", "S\\x072")),
    ("bom_inside_id", "plan", edit("reach.csv", "S2,F1,3", "S2\ufeff,F1,3"),
     ("reach.csv", "row 5, column site", "byte-order mark", "S2\\ufeff")),
    ("xlsx_workbook", "validate", write("parts.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64),
     ("parts.csv", "file", "this is a zip archive", "xlsx")),
    ("sqlite_as_table", "frontier", write("sites.csv", b"SQLite format 3\x00" + b"\x01" * 80),
     ("sites.csv", "SQLite database")),
    ("nul_byte_in_csv", "plan", edit("reach.csv", "S1,F2,6", "S1,F2,\x006"),
     ("reach.csv", "line 3", "without NUL characters")),
    ("unclosed_quote", "validate", edit("parts.csv", "Fuse kit", '"Fuse kit'),
     ("parts.csv", "quote", "never closed")),
    ("blank_first_line", "simulate",
     write("sites.csv", "\nsite,sla_class,primary_location\nS1,gold,F1\n"),
     ("sites.csv", "header", "must have a header row")),
    ("min_stock_1e19", "plan",
     parts(PUMP + ",1e19", FUSE + ",", header=PARTS_HEADER + ",min_stock"),
     ("parts.csv", "row 2, column min_stock", "must be <= 1e+09", "'1e19'")),
    ("max_stock_1e30", "frontier",
     parts(PUMP + ",1e30", FUSE + ",", header=PARTS_HEADER + ",max_stock"),
     ("parts.csv", "row 2, column max_stock", "must be <= 1e+09", "'1e30'")),
    ("machines_1e12", "simulate", edit("installed_base.csv", "S1,scanner,4", "S1,scanner,1e12"),
     ("installed_base.csv", "row 2, column machines", "must be <= 1e+09", "'1e12'")),
    ("unit_cost_1e300", "plan", edit("parts.csv", "P-FUSE,40,", "P-FUSE,1e300,"),
     ("parts.csv", "row 3, column unit_cost", "must be <= 1e+12", "'1e300'")),
    ("lead_time_1e10_days", "validate", edit("locations.csv", "F1,fsl,CW,3,", "F1,fsl,CW,1e10,"),
     ("locations.csv", "row 3, column lead_time_days", "must be <= 36525", "'1e10'")),
    ("procurement_1e6_days", "simulate", edit("parts.csv", "consumable,14,", "consumable,1e6,"),
     ("parts.csv", "row 3, column procurement_lead_time_days", "<= 36525", "'1e6'")),
    ("response_hours_1e9", "frontier", edit("reach.csv", "S1,F2,6", "S1,F2,1e9"),
     ("reach.csv", "row 3, column response_hours", "must be <= 876600", "'1e9'")),
    ("failure_rate_1e8", "plan",
     edit("failure_rates.csv", "scanner,P-PUMP,0.5", "scanner,P-PUMP,1e8"),
     ("failure_rates.csv", "row 2, column failures_per_machine_year", "<= 1e+06", "'1e8'")),
    ("on_hand_1e12", "simulate", edit("current_stock.csv", "P-PUMP,CW,1,", "P-PUMP,CW,1e12,"),
     ("current_stock.csv", "row 2, column on_hand", "must be <= 1e+09", "'1e12'")),
    ("number_1e400_is_inf", "validate", edit("parts.csv", "P-FUSE,40,", "P-FUSE,1e400,"),
     ("parts.csv", "row 3, column unit_cost", "must be finite", "'1e400'")),
    ("hex_number", "plan", edit("installed_base.csv", "S2,scanner,2", "S2,scanner,0x10"),
     ("installed_base.csv", "row 3, column machines", "must be an integer", "'0x10'")),
    ("unknown_column_close_match", "validate",
     edit("parts.csv", "part,unit_cost,", "part,unit_cots,"),
     ("parts.csv", "header", "unknown column 'unit_cots' (did you mean 'unit_cost'?)")),
    ("date_after_2262", "warn",
     edit("scheduled_receipts.csv", "2025-04-16", "2300-04-16"),
     ("scheduled_receipts.csv", "row 2, column due_date", "from 1900-01-01 to 2199-12-31",
      "'2300-04-16'")),
    ("holding_override_50", "frontier",
     write("locations.csv", "location,kind,parent,lead_time_days,holding_rate_per_year\n"
           "CW,central,,,\nF1,fsl,CW,3,50\nF2,fsl,CW,5,\n"),
     ("locations.csv", "row 3, column holding_rate_per_year", "must be <= 10", "'50'")),
    ("id_only_blanks", "plan", edit("parts.csv", "P-FUSE,40,", "   ,40,"),
     ("parts.csv", "row 3, column part", "must not be empty")),
]
for case_id, command, change, expect in TABLES:
    base = WARNING if command == "warn" else TINY
    add(Case(f"csv_{case_id}", command, scenario(change, base=base), expect, scenario=True))

# --------------------------------------------------------------------------- plan options
PLAN = [
    ("seed_negative", ["--seed", "-1"], ("parameter --seed", "from 0 to", "received -1")),
    ("seed_2_64", ["--seed", str(2**64)], ("parameter --seed", "from 0 to",
                                           f"received {2**64}")),
    ("time_limit_inf", ["--time-limit", "inf"],
     ("parameter --time-limit", "finite number of seconds", "received inf")),
    ("time_limit_nan", ["--time-limit", "nan"], ("parameter --time-limit", "received nan")),
    ("time_limit_negative", ["--time-limit", "-5"], ("parameter --time-limit", "> 0",
                                                      "received -5.0")),
    ("time_limit_zero", ["--time-limit", "0"], ("parameter --time-limit", "received 0.0")),
    ("budget_nan", ["--budget", "nan"], ("parameter --budget", "must be > 0", "nan")),
    ("budget_negative", ["--budget", "-100"], ("parameter --budget", "must be > 0", "-100")),
    ("replications_one", ["--replications", "1"], ("parameter --replications", ">= 2", "1")),
    ("years_negative", ["--years", "-1"], ("parameter --years", "must be > 0", "-1")),
    ("years_nan", ["--years", "nan"], ("parameter --years", "must be > 0", "nan")),
    ("solver_unknown", ["--solver", "gurobi-free"], ("parameter solver", "'gurobi-free'")),
]
for case_id, args, expect in PLAN:
    add(Case(f"plan_{case_id}", "plan", scenario(extra=tuple(args)), expect))

# --------------------------------------------------------------------------- simulate
PLAN_HEADER = "part,location,stock\n"
SIMULATE = [
    ("stock_1e20", PLAN_HEADER + "P-PUMP,F1,1e20\n",
     ("plan.csv", "row 1, column stock", "from 0 to 1000000000", "1e+20")),
    ("stock_negative", PLAN_HEADER + "P-PUMP,F1,-1\n",
     ("plan.csv", "row 1, column stock", "integer >= 0", "-1")),
    ("stock_fraction", PLAN_HEADER + "P-PUMP,F1,0.5\n",
     ("plan.csv", "row 1, column stock", "integer >= 0", "0.5")),
    ("stock_inf", PLAN_HEADER + "P-PUMP,F1,inf\n",
     ("plan.csv", "row 1, column stock", "integer >= 0", "inf")),
    ("stock_text", PLAN_HEADER + "P-PUMP,F1,lots\n",
     ("plan.csv", "row 1, column stock", "integer >= 0", "'lots'")),
    ("stock_empty", PLAN_HEADER + "P-PUMP,F1,\n",
     ("plan.csv", "row 1, column stock", "integer >= 0", "nan")),
    ("unknown_part", PLAN_HEADER + "P-GHOST,F1,1\n",
     ("plan.csv", "row 1, column part", "must be a part of the scenario", "'P-GHOST'")),
    ("unknown_location", PLAN_HEADER + "P-PUMP,F9,1\n",
     ("plan.csv", "row 1, column location", "location of the scenario", "'F9'")),
    ("duplicate_pair", PLAN_HEADER + "P-PUMP,F1,1\nP-PUMP,F1,2\n",
     ("plan.csv", "row 2", "must be unique", "'P-PUMP', 'F1' twice")),
    ("missing_stock_column", "part,location\nP-PUMP,F1\n",
     ("plan.csv", "columns ['stock'] are required", "['part', 'location']")),
    ("empty_file", "", ("plan.csv", "must be a CSV table", "No columns to parse")),
    ("zip_bytes", b"PK\x03\x04" + bytes(range(256)),
     ("plan.csv", "must be a CSV table", "codec")),
    ("ragged_rows", PLAN_HEADER + "P-PUMP,F1,1,extra,more\n",
     ("plan.csv", "row 1", "as many fields as the header (3: part, location, stock)")),
]
for case_id, content, expect in SIMULATE:
    add(Case(f"simulate_plan_{case_id}", "simulate",
             with_file("plan.csv", content, "--plan", "{file}"), expect))


def _plan_special(kind: str) -> Setup:
    def setup(work: Path) -> list[str]:
        folder = copy_scenario(TINY, work / "scenario")
        path = work / "plan.csv"
        if kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "missing":
            pass
        elif kind == "device":
            path = Path("/dev/zero")
        return [str(folder), "--plan", str(path)]

    return setup


for kind, rule in (("folder", "it is a folder"), ("fifo", "it is a named pipe"),
                   ("missing", "file must exist"), ("device", "it is a character device")):
    add(Case(f"simulate_plan_is_{kind}", "simulate", _plan_special(kind),
             ("plan file (--plan)", rule, "received")))

SIMULATE_OPTIONS = [
    ("replications_one", ["--replications", "1"], ("--replications", ">= 2", "1")),
    ("years_zero", ["--years", "0"], ("--years", "must be > 0", "0.0")),
    ("years_inf", ["--years", "inf"], ("--years", "must be > 0", "inf")),
    ("demand_unknown", ["--demand", "psychic"], ("parameter demand", "'psychic'")),
    ("demand_empirical_without_history", ["--demand", "empirical"],
     ("demand_history", "empirical")),
    ("seed_negative", ["--seed", "-7"], ("parameter --seed", "from 0 to", "received -7")),
    ("seed_huge", ["--seed", "1" + "0" * 40], ("parameter --seed", "from 0 to")),
]
for case_id, args, expect in SIMULATE_OPTIONS:
    add(Case(f"simulate_{case_id}", "simulate", scenario(extra=tuple(args)), expect))


def _plan_inside_out(work: Path) -> list[str]:
    folder = copy_scenario(TINY, work / "scenario")
    from reliability_helpers import previous_output

    previous_output(work / "out", "simulate")
    return [str(folder), "--plan", str(work / "out" / "previous.csv"), "--out",
            str(work / "out")]


add(Case("simulate_plan_inside_out", "simulate", _plan_inside_out,
         ("parameter --out", "must not hold an input file of the run", "previous.csv"),
         own_out=True))

# --------------------------------------------------------------------------- frontier
FRONTIER = [
    ("points_one", ["--points", "1"], ("parameter --points", ">= 2", "1")),
    ("time_limit_nan", ["--time-limit", "nan"], ("parameter --time-limit", "nan")),
    ("time_limit_negative", ["--time-limit", "-1"], ("parameter --time-limit", "-1.0")),
    ("seed_negative", ["--seed", "-3"], ("parameter --seed", "received -3")),
]
for case_id, args, expect in FRONTIER:
    add(Case(f"frontier_{case_id}", "frontier", scenario(extra=tuple(args)), expect))

# --------------------------------------------------------------------------- warn
WARN_PLAN = "part,location,stock\n"
WARN = [
    ("as_of_month_13", scenario(base=WARNING, extra=("--as-of", "2025-13-01")),
     ("parameter --as-of", "YYYY-MM-DD", "'2025-13-01'"), None),
    ("horizon_zero", scenario(base=WARNING, extra=("--horizon-weeks", "0")),
     ("horizon_weeks", "0"), None),
    ("horizon_huge", scenario(base=WARNING, extra=("--horizon-weeks", "100000000")),
     ("horizon_weeks", "100000000"), None),
    ("plan_missing", scenario(base=WARNING, extra=("--plan", "/nonexistent/plan.csv")),
     ("plan.csv", "not found"), None),
    ("plan_unknown_part", with_file("plan.csv", WARN_PLAN + "P-GHOST,F1,1\n", "--plan",
                                    "{file}", base=WARNING),
     ("plan.csv", "column part", "must name an existing part", "'P-GHOST'"), None),
    ("plan_stock_1e20", with_file("plan.csv", WARN_PLAN + "P-PUMP,F1,1e20\n", "--plan",
                                  "{file}", base=WARNING),
     ("plan.csv", "column stock"), None),
    ("plan_stock_fraction", with_file("plan.csv", WARN_PLAN + "P-PUMP,F1,0.5\n", "--plan",
                                      "{file}", base=WARNING),
     ("plan.csv", "column stock", "0.5"), None),
    ("state_is_folder", lambda work: [*scenario(base=WARNING)(work), "--state",
                                      str(_mkdir(work / "state.sqlite"))],
     ("state.sqlite", "state"), None),
    ("state_not_sqlite", with_file("state.sqlite", "this is not a database\n" * 50,
                                   "--state", "{file}", base=WARNING),
     ("state.sqlite", "SQLite"), None),
    ("state_foreign_tables", lambda work: _foreign_state(work),
     ("state.sqlite", "--state", "must be a spareplan alert history", "received"), None),
]
for case_id, setup, expect, owner in WARN:
    add(Case(f"warn_{case_id}", "warn", setup, expect, xfail=owner))


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _foreign_state(work: Path) -> list[str]:
    import sqlite3

    from spareplan.warning import state as state_module

    folder = copy_scenario(WARNING, work / "scenario")
    path = work / "state.sqlite"
    with sqlite3.connect(path) as connection:
        for name in getattr(state_module, "TABLES", ("alerts", "events")):
            connection.execute(f'CREATE TABLE "{name}" (foreign_a TEXT, foreign_b INTEGER)')
    return [str(folder), "--state", str(path)]


def _state_inside_out(work: Path) -> list[str]:
    from reliability_helpers import previous_output

    folder = copy_scenario(WARNING, work / "scenario")
    previous_output(work / "out", "warn")
    return [str(folder), "--state", str(work / "out" / "alerts.sqlite"), "--out",
            str(work / "out")]


add(Case("warn_state_inside_out", "warn", _state_inside_out,
         ("parameter --out", "must not hold an input file", "alerts.sqlite"), own_out=True))

# --------------------------------------------------------------------------- backtest
BACKTEST = [
    ("missing_columns", history("month,item,amount\n2020-01,P,1\n"),
     ("history.csv", "column"), None),
    ("negative_quantity", history(good_history().replace("P-PUMP,S1,1", "P-PUMP,S1,-4", 1)),
     ("history.csv", "quantity", "-4"), None),
    ("infinite_quantity", history(good_history().replace("P-PUMP,S1,1", "P-PUMP,S1,inf", 1)),
     ("history.csv", "quantity", "inf"), None),
    ("bad_period", history(good_history().replace("2020-03", "2020-3x", 1)),
     ("history.csv", "period", "2020-3x"), None),
    ("empty_file", history(""), ("history.csv",), None),
    ("binary", history(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), ("history.csv",), None),
    ("period_unknown", history(good_history(), "--period", "fortnight"),
     ("period", "'fortnight'"), None),
    ("methods_unknown", history(good_history(), "--methods", "croston,astrology"),
     ("astrology",), None),
    ("target_above_one", history(good_history(), "--target", "1.5"), ("target", "1.5"), None),
    ("target_nan", history(good_history(), "--target", "nan"), ("target", "nan"), None),
    ("lead_time_negative", history(good_history(), "--lead-time", "-1"),
     ("lead_time", "-1"), None),
    ("seed_negative", history(good_history(), "--seed", "-1"),
     ("parameter --seed", "received -1"), None),
    ("history_is_folder", lambda work: [str(_mkdir(work / "history.csv"))],
     ("history.csv", "is a folder"), None),
]
for case_id, setup, expect, owner in BACKTEST:
    add(Case(f"backtest_{case_id}", "backtest", setup, expect, xfail=owner))

# --------------------------------------------------------------------------- --out
CONTRACT = {
    "plan": ("file", "foreign", "input", "inside", "parent", "symlink", "readonly",
             "under_file", "other_command"),
    "simulate": ("file", "foreign", "input", "inside", "readonly", "other_command"),
    "frontier": ("file", "foreign", "input", "parent", "symlink"),
    "warn": ("file", "foreign", "input", "inside", "other_command"),
    "backtest": ("file", "foreign", "input", "parent", "readonly"),
}
for command, kinds in CONTRACT.items():
    for kind in kinds:
        expect = EXPECT_CONTRACT[kind]
        if command == "backtest" and kind == "input":
            expect = ("parameter --out", "must not be an input file of the run", "history.csv")
        add(Case(f"out_{command}_{kind}", command, contract(kind, command), expect,
                 own_out=True))


def _dot(work: Path) -> list[str]:
    folder = copy_scenario(TINY, work / "scenario")
    (work / "run").mkdir()
    os.chdir(work / "run")  # the test restores the current folder
    return [str(folder), "--out", "."]


add(Case("out_plan_dot", "plan", _dot, ("parameter --out", "current folder", "received '.'"),
         own_out=True))

assert len({case.id for case in CASES}) == len(CASES), "case ids must be unique"
