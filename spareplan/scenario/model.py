"""The validated, typed scenario that every other layer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spareplan.scenario.document import ScenarioDocument


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the TOML document and its tables as typed DataFrames.

    Build it with :func:`spareplan.load_scenario`; the constructor does no work.
    Optional tables that the scenario does not name are ``None``.

    Attributes
    ----------
    document : ScenarioDocument
        The parsed ``scenario.toml`` (costs, policy, SLA classes, settings).
    tables : dict[str, pandas.DataFrame]
        Every table present, keyed by its name in ``[tables]``.
    path : pathlib.Path | None
        The TOML file it was loaded from.
    input_hash : str
        SHA-256 over the TOML and every table's bytes: same hash, same inputs.
    """

    document: ScenarioDocument
    tables: dict[str, pd.DataFrame] = field(repr=False)
    path: Path | None = None
    input_hash: str = ""

    @property
    def name(self) -> str:
        return self.document.name

    def table(self, name: str) -> pd.DataFrame | None:
        """A copy of table ``name``, or ``None`` when the scenario has none."""
        frame = self.tables.get(name)
        return None if frame is None else frame.copy()

    @property
    def locations(self) -> pd.DataFrame:
        return self.tables["locations"].copy()

    @property
    def parts(self) -> pd.DataFrame:
        return self.tables["parts"].copy()

    @property
    def sites(self) -> pd.DataFrame:
        return self.tables["sites"].copy()

    @property
    def reach(self) -> pd.DataFrame:
        return self.tables["reach"].copy()

    def summary(self) -> dict[str, int]:
        """Row count of every table present."""
        return {name: len(frame) for name, frame in self.tables.items()}
