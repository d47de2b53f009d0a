"""Shared helpers of the demand tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CARPARTS = Path(__file__).resolve().parents[2].parent / "shared/data/carparts/carparts.csv"


@pytest.fixture(scope="session")
def carparts() -> pd.DataFrame:
    if not CARPARTS.is_file():
        pytest.skip(f"car-parts data not found at {CARPARTS} (see the shared data README)")
    raw = pd.read_csv(CARPARTS, dtype={"part": str, "month": str})
    return raw.rename(columns={"month": "period", "demand": "quantity"})
