"""Shared helpers of the demand tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CARPARTS = Path(__file__).resolve().parents[2].parent / "shared/data/carparts/carparts.csv"


def history(*series: list[float], start: str = "2020-01") -> pd.DataFrame:
    """A monthly history table with one part per list (P0, P1, …)."""
    frames = []
    for i, values in enumerate(series):
        months = pd.period_range(start, periods=len(values), freq="M").astype(str)
        frames.append(pd.DataFrame({"period": months, "part": f"P{i}",
                                    "quantity": np.asarray(values, dtype=float)}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def carparts() -> pd.DataFrame:
    if not CARPARTS.is_file():
        pytest.skip(f"car-parts data not found at {CARPARTS} (see the shared data README)")
    raw = pd.read_csv(CARPARTS, dtype={"part": str, "month": str})
    return raw.rename(columns={"month": "period", "demand": "quantity"})
