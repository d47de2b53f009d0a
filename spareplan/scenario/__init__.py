"""Scenario files: format, validation and the typed :class:`Scenario`."""

from spareplan.scenario.document import ScenarioDocument, SlaClass
from spareplan.scenario.load import load_scenario, resolve_scenario_path
from spareplan.scenario.model import Scenario
from spareplan.scenario.tables import ALL_TABLES, TableSpec

__all__ = ["ALL_TABLES", "Scenario", "ScenarioDocument", "SlaClass", "TableSpec",
           "load_scenario", "resolve_scenario_path"]
