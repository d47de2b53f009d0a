"""CSV bytes to a frame of text cells, with the shape problems a person can act on.

A scenario table is UTF-8 text (a byte-order mark is accepted) with a header row. The
delimiter is read from the header: a comma, or — as spreadsheets export in locales that
write a decimal comma — a semicolon, or a tab. In a semicolon or tab file a decimal
comma (``12,5``) is accepted in number columns (:attr:`CsvText.decimal_comma`).

Shape problems are reported in words rather than as parser messages: duplicated or blank
column names (``column 'unit_cost' appears twice``), a row with more fields than the header
(a stray delimiter), every data row one field longer than the header (a trailing
delimiter, which would shift every column), NUL bytes, or a spreadsheet workbook saved
under a ``.csv`` name. Row numbers are the file's line numbers (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from spareplan.errors import Problem

__all__ = ["CsvText", "decode_utf8", "read_csv_text"]

_DELIMITERS = ((",", "comma"), (";", "semicolon"), ("\t", "tab"))
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_MAGIC = ((b"PK\x03\x04", "a zip archive (an .xlsx or .ods workbook?)"),
          (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
          (b"SQLite format 3\x00", "an SQLite database"),
          (b"%PDF", "a PDF document"))


@dataclass(frozen=True)
class CsvText:
    """A table as text: ``cells`` (every value a ``str``), the delimiter it used, and
    whether number cells may use a decimal comma (semicolon and tab files)."""

    cells: pd.DataFrame
    delimiter: str

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter != ","


def decode_utf8(data: bytes, source: str, problems: list[Problem]) -> str | None:
    """Decode ``data`` as UTF-8 (a BOM is accepted), reporting the line of the first bad byte."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            problems.append(Problem(source, "file", "must be a CSV text file (save it as "
                                    f"'CSV UTF-8'); this is {what}", magic.decode("latin-1")))
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(source, f"line {line}, byte {error.start}", "must be UTF-8 text",
                    data[error.start : error.start + 1])
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(source, f"line {line}", "must be text without NUL characters "
                                "(a binary file?)", "\\x00"))
        return None
    return text


def _header_line(text: str) -> str:
    """The first line, ended by ``\n``, ``\r\n`` or a lone ``\r`` (old Mac files)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _delimiter(header: str) -> str:
    for delimiter, _ in _DELIMITERS:
        if delimiter in header:
            return delimiter
    return ","


def _header_problems(names: list[str], source: str, delimiter: str) -> list[Problem]:
    problems = []
    seen: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            where = "the last" if number == len(names) else f"column {number} of the"
            hint = " (a trailing delimiter?)" if number == len(names) else ""
            problems.append(Problem(source, "header", f"every column needs a name; {where} "
                                    f"header is blank{hint}", names))
        else:
            seen.setdefault(name, []).append(number)
    for name, numbers in seen.items():
        if len(numbers) > 1:
            where = " and ".join(str(n) for n in numbers)
            problems.append(Problem(source, "header", f"column {name!r} appears "
                                    f"{len(numbers)} times (columns {where}); column names "
                                    "must be unique", name))
    return problems


def read_csv_text(text: str, source: str, problems: list[Problem]) -> CsvText | None:
    """Split ``text`` into a header and text cells; ``None`` (and problems) when unusable.

    Cells keep their text (leading blanks after a delimiter are dropped, empty cells are
    ``""``); nothing is typed here.
    """
    header = _header_line(text)
    if not header.strip():
        problems.append(Problem(source, "header", "must have a header row", ""))
        return None
    delimiter = _delimiter(header)
    try:
        names = [name.strip() for name in next(csv.reader([header], delimiter=delimiter))]
    except csv.Error as error:
        problems.append(Problem(source, "header", "must be a line of column names",
                                f"{header[:80]!r} ({error})"))
        return None
    shape = _header_problems(names, source, delimiter)
    if shape:
        problems.extend(shape)
        return None
    try:
        cells = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str,
                            keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        problems.append(Problem(source, "header", "must have a header row", ""))
        return None
    except pd.errors.ParserError as error:
        problems.append(_parser_problem(str(error), source, delimiter, len(names)))
        return None
    except (ValueError, csv.Error) as error:
        problems.append(Problem(source, "file", "must be comma-separated values",
                                str(error).strip()[:200]))
        return None
    if not isinstance(cells.index, pd.RangeIndex):
        word = dict(_DELIMITERS)[delimiter]
        problems.append(Problem(source, "row 2", f"has {len(names) + 1} fields but the header "
                                f"has {len(names)}: every data row has one field more than "
                                f"the header, which would shift every column (a trailing "
                                f"{word} at the end of the data rows?)",
                                f"{len(names) + 1} fields"))
        return None
    cells.columns = names
    return CsvText(cells=cells, delimiter=delimiter)


def _parser_problem(message: str, source: str, delimiter: str, n_header: int) -> Problem:
    match = _FIELDS.search(message)
    word = dict(_DELIMITERS)[delimiter]
    if match:
        _, line, saw = (int(g) for g in match.groups())
        hint = (f"a {word} inside a value that is not quoted, or a trailing {word}?"
                if delimiter == "," else f"a stray {word}?")
        return Problem(source, f"row {line}", f"has {saw} fields but the header has "
                       f"{n_header} ({hint})", f"{saw} fields")
    if "EOF inside string" in message:
        found = re.search(r"line (\d+)", message)
        where = f"row {found.group(1)}" if found else "file"
        return Problem(source, where, "has a quote (\") that is never closed",
                       message.split(". ")[-1][:120])
    return Problem(source, "file", f"must be {word}-separated values", message.strip()[:200])
