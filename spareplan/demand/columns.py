"""Which columns of a demand-history file hold the period, the part, the site and the
quantity: given by name, or detected among common names, and always reported.

Real exports rarely say ``period, part, quantity``: the car-parts data set has
``part, month, demand``, statsforecast tables ``unique_id, ds, y``. :func:`map_history_columns`
takes explicit names first, then the standard name, then exactly one of a few common
names per role (case-insensitive); anything else is an :class:`InputError` naming the
file, the role, the rule and the columns received.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from spareplan.errors import InputError

__all__ = ["ROLES", "SYNONYMS", "map_history_columns"]

ROLES: tuple[str, ...] = ("period", "part", "site", "quantity")
"""The columns of a demand history (``site`` optional)."""
SYNONYMS: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "date", "week", "day", "ds"),
    "part": ("part", "part_number", "part_id", "item", "item_id", "sku", "material",
             "unique_id"),
    "site": ("site", "site_id", "customer_site"),
    "quantity": ("quantity", "demand", "qty", "units", "y"),
}
"""Names detected per role, in order of preference (the first is the standard name)."""
OPTION = {"period": "--period-column", "part": "--part-column", "site": "--site-column",
          "quantity": "--quantity-column"}


def map_history_columns(
    frame: pd.DataFrame,
    names: Mapping[str, str | None] | None = None,
    source: str = "demand history",
) -> tuple[pd.DataFrame, dict[str, str | None], list[str]]:
    """Rename a history table's columns to ``period``, ``part``, ``site``, ``quantity``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read. Not modified.
    names : mapping of role to column name, optional
        Explicit columns (``{"period": "month"}``); roles not given are detected.
    source : str
        File name for the messages.

    Returns
    -------
    frame : pandas.DataFrame
        A copy holding only the mapped columns, under their standard names.
    columns : dict
        Role → the column of the file that was used (``site``: None when absent).
    detected : list of str
        The roles whose column was detected under another name than the standard one
        (say so to the user).

    Raises
    ------
    InputError
        An explicit column is missing, a role is missing or ambiguous, or one column
        serves two roles.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"part": ["A"], "month": ["2024-01"], "demand": [3]})
    >>> table, columns, detected = map_history_columns(raw)
    >>> list(table.columns), columns["period"], detected
    (['period', 'part', 'quantity'], 'month', ['period', 'quantity'])
    """
    given = {role: name for role, name in (names or {}).items() if name}
    unknown = sorted(set(given) - set(ROLES))
    if unknown:
        raise InputError(f"{source}: unknown column role(s) {unknown!r}; roles are "
                         f"{', '.join(ROLES)}")
    received = [str(c) for c in frame.columns]
    lowered: dict[str, list[str]] = {}
    for column in received:
        lowered.setdefault(column.strip().lower(), []).append(column)
    columns: dict[str, str | None] = {}
    detected: list[str] = []
    for role in ROLES:
        if role in given:
            if given[role] not in received:
                raise InputError(f"{source}: {OPTION[role]} {given[role]!r}: must name a "
                                 f"column of the file (received columns {received!r})")
            columns[role] = given[role]
            continue
        if role in received:
            columns[role] = role
            continue
        found = [c for name in SYNONYMS[role] for c in lowered.get(name, [])
                 if c not in given.values()]
        if len(found) == 1:
            columns[role] = found[0]
            detected.append(role)
        elif len(found) > 1:
            raise InputError(f"{source}: the {role} column is ambiguous: {found!r} could each "
                             f"be it; choose one with {OPTION[role]} (received columns "
                             f"{received!r})")
        elif role == "site":
            columns[role] = None
        else:
            raise InputError(f"{source}: no {role} column: need one named "
                             f"{' or '.join(repr(n) for n in SYNONYMS[role])}, or give it with "
                             f"{OPTION[role]} (received columns {received!r})")
    used = [c for c in columns.values() if c is not None]
    twice = sorted({c for c in used if used.count(c) > 1})
    if twice:
        roles = [r for r, c in columns.items() if c in twice]
        raise InputError(f"{source}: column {twice[0]!r} cannot be both the "
                         f"{' and the '.join(roles)} column")
    out = pd.DataFrame({role: frame[column] for role, column in columns.items()
                        if column is not None})
    return out, columns, detected
