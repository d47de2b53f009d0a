"""Text that a spreadsheet will not run: the CSV-injection rule for every output.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as
a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` in a part id
becomes a link that runs when clicked). Following the OWASP guidance on CSV injection,
such a text cell is written with a leading single quote, which every spreadsheet shows as
text; numbers are never touched (a negative ``delta`` stays a number). The same rule is
applied to ids written into Markdown notices and HTML reports.

Examples
--------
>>> neutralize("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralize("P-00001")
'P-00001'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["FORMULA_STARTS", "neutralize", "neutralize_frame"]


def neutralize(text: str) -> str:
    """``text`` with a leading ``'`` when it begins like a formula; else unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`neutralize`-d (numbers untouched).

    Object, string and categorical columns are looked at, vectorized; the input is not
    modified.
    """
    out = frame
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        elif not (pd.api.types.is_object_dtype(column.dtype)
                  or pd.api.types.is_string_dtype(column.dtype)):
            continue
        is_text = column.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if not is_text.any():
            continue
        text = column[is_text].astype(str)
        risky = text.str.startswith(FORMULA_STARTS).to_numpy(dtype=bool)
        if not risky.any():
            continue
        if out is frame:
            out = frame.copy()
        fixed = column.astype(object).to_numpy(copy=True)
        fixed[np.flatnonzero(is_text)[risky]] = ("'" + text[risky]).to_numpy(dtype=object)
        out.isetitem(position, pd.Series(fixed, index=frame.index, dtype=object))
    return out
