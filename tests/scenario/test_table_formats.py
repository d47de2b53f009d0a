"""What a table may look like and still load (spreadsheet exports), and that the readers
never fail in an unplanned way (hypothesis).

The input hash is over the typed tables, so the same data exported differently (semicolons
and decimal commas, tabs, CRLF, a BOM, quoted headers, another column order) loads to the
same hash as ``scenarios/tiny``; one changed value changes it."""

from __future__ import annotations

import io
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from _scenario_paths import BROKEN_FIXTURES, TINY, copy_tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spareplan.errors import Problem, ScenarioError
from spareplan.scenario import ALL_TABLES, load_scenario
from spareplan.scenario.tables import parse_table

TINY_HASH = load_scenario(TINY).input_hash


def _rewrite(folder: Path, name: str, transform) -> None:  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_bytes(transform(path.read_text(encoding="utf-8")))


def _semicolons(text: str) -> bytes:
    """The text as a spreadsheet in a decimal-comma locale exports it."""
    rows = [line.split(",") for line in text.splitlines()]
    return ("\n".join(";".join(cell.replace(".", ",") for cell in row) for row in rows)
            + "\n").encode()


def _tabs(text: str) -> bytes:
    return text.replace(",", "\t").encode()


def _crlf_and_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()


def _quoted_header(text: str) -> bytes:
    header, *rows = text.splitlines()
    quoted = ",".join(f'"{name}"' for name in header.split(","))
    return "\n".join([quoted, *rows, ""]).encode()


def _columns_reversed(text: str) -> bytes:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return frame.iloc[:, ::-1].to_csv(index=False).encode()


EXPORTS = {"semicolon_decimal_comma": _semicolons, "tab_separated": _tabs,
           "crlf_and_bom": _crlf_and_bom, "quoted_header": _quoted_header,
           "columns_reversed": _columns_reversed}


@pytest.mark.parametrize("export", list(EXPORTS))
def test_the_same_data_exported_otherwise_has_the_same_hash(tmp_path: Path,
                                                            export: str) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    for name in ("parts.csv", "locations.csv", "reach.csv", "failure_rates.csv"):
        _rewrite(folder, name, EXPORTS[export])
    assert load_scenario(folder).input_hash == TINY_HASH


def test_the_semicolon_fixture_loads_like_the_comma_file(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    shutil.copy(BROKEN_FIXTURES / "csv_semicolons" / "locations.csv", folder)
    assert load_scenario(folder).input_hash == TINY_HASH


def test_decimal_commas_are_read_as_numbers(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    (folder / "locations.csv").write_text(
        "location;kind;parent;lead_time_days;lead_time_cv\nCW;central;;;\n"
        "F1;fsl;CW;3,5;0,25\nF2;fsl;CW;,5;\n", encoding="utf-8")
    locations = load_scenario(folder).locations.set_index("location")
    assert locations.loc["F1", "lead_time_days"] == 3.5
    assert locations.loc["F1", "lead_time_cv"] == 0.25
    assert locations.loc["F2", "lead_time_days"] == 0.5


def test_one_changed_value_changes_the_hash(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    _rewrite(folder, "parts.csv", lambda text: text.replace("P-FUSE,40,", "P-FUSE,40.5,")
             .encode())
    assert load_scenario(folder).input_hash != TINY_HASH


def test_ids_are_unicode_nfc_so_references_match(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    nfc, nfd = "S\u00c91", unicodedata.normalize("NFD", "S\u00c91")
    assert nfc != nfd
    for name, spelled in (("sites.csv", nfc), ("reach.csv", nfd), ("installed_base.csv", nfd)):
        _rewrite(folder, name, lambda text, s=spelled: text.replace("S1,", f"{s},").encode())
    scenario = load_scenario(folder)
    assert nfc in set(scenario.sites["site"]) and nfc in set(scenario.reach["site"])
    assert nfd not in set(scenario.reach["site"])


def test_sla_class_names_are_nfc_like_the_ids(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    nfd = unicodedata.normalize("NFD", "g\u00f6ld")
    _rewrite(folder, "scenario.toml", lambda text: text.replace(
        "[sla_classes.gold]", f'[sla_classes."{nfd}"]').encode())
    _rewrite(folder, "sites.csv", lambda text: text.replace("S1,gold", "S1,g\u00f6ld").encode())
    assert "g\u00f6ld" in load_scenario(folder).document.sla_classes


def test_every_toml_and_table_problem_in_one_run(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    _rewrite(folder, "scenario.toml", lambda text: text.replace(
        "holding_rate_per_year = 0.25", "holding_rate_per_year = inf").encode())
    _rewrite(folder, "parts.csv", lambda text: text.replace("P-FUSE,40,", "P-FUSE,-4,").encode())
    _rewrite(folder, "reach.csv", lambda text: text.replace("S1,F2,6", "S1,F2,six").encode())
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert "field costs.holding_rate_per_year: must be a finite number" in message
    assert "parts.csv: row 3, column unit_cost: must be > 0 (received '-4')" in message
    assert "reach.csv: row 3, column response_hours: must be a number (received 'six')" in message


def test_a_valid_scenario_with_zero_demand_everywhere_loads(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path / "tiny")
    (folder / "failure_rates.csv").write_text(
        "machine_type,part,failures_per_machine_year,parts_per_failure\n"
        "scanner,P-PUMP,0,1\nscanner,P-FUSE,0,1\n", encoding="utf-8")
    text = (folder / "scenario.toml").read_text()
    (folder / "scenario.toml").write_text(text.replace(
        "uptime = { target = 0.995, repair_hours = 4.0 }\n", ""))
    scenario = load_scenario(folder)
    assert (scenario.table("failure_rates")["failures_per_machine_year"] == 0).all()


# --------------------------------------------------------------------------- hypothesis
CELLS = st.text(alphabet=st.sampled_from(list(",;\t\n\r\"' =+-@.e0123456789aAzZ\u00e9\u0301"
                                              "\u200b\x00/\\")), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from([c.name for c in ALL_TABLES["parts"].columns]
                                       + ["", "x", "unit_cost"]), min_size=1, max_size=10),
       rows=st.lists(st.lists(CELLS, max_size=10), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_the_table_reader_never_fails_unexpectedly(header: list[str], rows: list[list[str]],
                                                   delimiter: str) -> None:
    text = "\n".join(delimiter.join(row) for row in [header, *rows])
    problems: list[Problem] = []
    frame = parse_table(text.encode("utf-8"), ALL_TABLES["parts"], "parts.csv", problems)
    if frame is None:
        assert problems
    assert all(p.source == "parts.csv" for p in problems)
    for problem in problems:
        assert str(problem)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_frame_or_problems(data: bytes) -> None:
    problems: list[Problem] = []
    frame = parse_table(data, ALL_TABLES["reach"], "reach.csv", problems)
    assert frame is not None or problems


@settings(max_examples=25, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(min_value=-(10**25), max_value=10**25)))
def test_any_number_in_the_toml_loads_or_is_reported(tmp_path_factory: pytest.TempPathFactory,
                                                     value: float) -> None:
    folder = copy_tiny(tmp_path_factory.mktemp("toml") / "tiny")
    text = (folder / "scenario.toml").read_text()
    literal = {float("inf"): "inf", float("-inf"): "-inf"}.get(value) if isinstance(
        value, float) else None
    if isinstance(value, float) and value != value:
        literal = "nan"
    literal = literal or repr(value)
    (folder / "scenario.toml").write_text(text.replace(
        "emergency_shipment_cost = 300.0", f"emergency_shipment_cost = {literal}"))
    try:
        scenario = load_scenario(folder)
    except ScenarioError as error:
        assert "field costs.emergency_shipment_cost" in str(error)
    else:
        cost = scenario.document.costs.emergency_shipment_cost
        assert 0 <= cost <= 1e12
