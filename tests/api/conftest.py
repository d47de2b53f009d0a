"""Fixtures of the analyst-API tests: the tiny scenario and its plans (planned once)."""

from __future__ import annotations

import pytest
from api_paths import TINY

import spareplan
from spareplan.planning.plan import PlanResult
from spareplan.scenario.model import Scenario


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return spareplan.load_scenario(TINY)


@pytest.fixture(scope="session")
def verified(tiny: Scenario) -> PlanResult:
    """The tiny plan, verified by a small simulation."""
    return spareplan.plan(tiny, seed=0, replications=4, years=1.0)


@pytest.fixture(scope="session")
def unverified(tiny: Scenario) -> PlanResult:
    return spareplan.plan(tiny, seed=0, verify=False)
