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


def _risky(column: pd.Series) -> np.ndarray:
    """Boolean mask of the text cells of ``column`` that begin like a formula."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        bad = np.array([isinstance(c, str) and c.startswith(FORMULA_STARTS)
                        for c in categories], dtype=bool)
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, bad[np.clip(codes, 0, None)] if len(bad) else False,
                        False)
    if pd.api.types.is_string_dtype(column.dtype) and not pd.api.types.is_object_dtype(
            column.dtype):  # every cell is text or missing: vectorized
        return column.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
    return np.fromiter((isinstance(v, str) and v.startswith(FORMULA_STARTS)
                        for v in column.to_numpy(dtype=object)), dtype=bool,
                       count=len(column))


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`neutralize`-d (numbers untouched).

    Object, string and categorical columns are looked at (categorical ones by their
    categories); the input is not modified.
    """
    out = frame
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (isinstance(column.dtype, pd.CategoricalDtype)
                or pd.api.types.is_object_dtype(column.dtype)
                or pd.api.types.is_string_dtype(column.dtype)):
            continue
        risky = _risky(column)
        if not risky.any():
            continue
        if out is frame:
            out = frame.copy()
        fixed = column.astype(object).to_numpy(copy=True)
        fixed[risky] = ["'" + value for value in fixed[risky]]
        out.isetitem(position, pd.Series(fixed, index=frame.index, dtype=object))
    return out
