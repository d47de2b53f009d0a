"""The ``replaced_by`` rules of a parts table, checked while a scenario loads.

``replaced_by`` names an existing part, not the part itself, and no chain returns to a
part it left (a cycle would leave no newest part). What supersession means for demand and
stock is :mod:`spareplan.demand.supersession`'s; this module holds only the validation, so
the scenario layer needs nothing from the layers above it.
"""

from __future__ import annotations

import pandas as pd

from spareplan.errors import Problem

__all__ = ["successors", "supersession_problems"]


def successors(parts: pd.DataFrame) -> dict[str, str]:
    """``{part: replaced_by}`` for every row with a successor."""
    if "replaced_by" not in parts.columns:
        return {}
    column = parts["replaced_by"]
    present = column.notna().to_numpy()
    return {str(p): str(r) for p, r in zip(parts["part"].to_numpy()[present],
                                           column.to_numpy()[present], strict=True)}


def supersession_problems(parts: pd.DataFrame, source: str = "parts.csv",
                          max_per_rule: int = 10) -> list[Problem]:
    """Every broken ``replaced_by`` rule of a parts table (empty when the chains hold).

    Parameters
    ----------
    parts : pandas.DataFrame
        The parts table: ``part`` and optionally ``replaced_by`` (missing = not
        superseded). Row ``i`` of the index is file line ``i + 2`` (the header is line 1).
    source : str
        The file name used in the problems.
    max_per_rule : int
        Problems reported per rule, the rest counted in one more (the scenario loader
        passes its ``MAX_PROBLEMS_PER_RULE``).

    Returns
    -------
    list of Problem
        Rules, each with the file, the row and column, the rule and the value received:
        ``replaced_by`` must name an existing part; must not name the part itself; the
        chain must not return to a part (the value shows the cycle, ``A -> B -> A``),
        reported once per cycle at its first row.

    Examples
    --------
    >>> import pandas as pd
    >>> parts = pd.DataFrame({"part": ["A", "B"], "replaced_by": ["B", "A"]})
    >>> problem = supersession_problems(parts)[0]
    >>> problem.location, problem.value
    ('row 2, column replaced_by', 'A -> B -> A')
    """
    successor = successors(parts)
    if not successor:
        return []
    known = set(parts["part"].astype(str))
    line = {str(p): int(i) + 2 for i, p in zip(parts.index, parts["part"], strict=True)}
    problems: list[Problem] = []
    missing = [p for p, r in successor.items() if r not in known]
    for part in missing[:max_per_rule]:
        problems.append(Problem(source, f"row {line[part]}, column replaced_by",
                                "must name an existing part", successor[part]))
    selfish = [p for p, r in successor.items() if r == p]
    for part in selfish[:max_per_rule]:
        problems.append(Problem(source, f"row {line[part]}, column replaced_by",
                                "a part cannot replace itself", successor[part]))
    for rule, found in (("must name an existing part", missing),
                        ("a part cannot replace itself", selfish)):
        if len(found) > max_per_rule:
            problems.append(Problem(source, "column replaced_by",
                                    f"{rule}: {len(found) - max_per_rule} more rows", None))
    reported: set[str] = set(selfish)
    cycles = 0
    for start in successor:
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in path and node not in reported:
            path.append(node)
            node = successor.get(node)
        if node is None or node in reported:
            continue
        cycle = path[path.index(node):]
        reported.update(cycle)
        cycles += 1
        if cycles > max_per_rule:
            continue
        first = min(cycle, key=lambda p: line[p])
        at = cycle.index(first)
        ordered = cycle[at:] + cycle[:at]
        problems.append(Problem(source, f"row {line[first]}, column replaced_by",
                                "a replaced_by chain must not return to a part it left "
                                "(a cycle has no newest part)",
                                " -> ".join([*ordered, first])))
    if cycles > max_per_rule:
        problems.append(Problem(source, "column replaced_by",
                                f"a replaced_by chain must not return to a part it left: "
                                f"{cycles - max_per_rule} more cycles", None))
    return problems
