"""Helpers shared by the demand tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def history(*series: list[float], start: str = "2020-01") -> pd.DataFrame:
    """A monthly history table with one part per list (P0, P1, …)."""
    frames = []
    for i, values in enumerate(series):
        months = pd.period_range(start, periods=len(values), freq="M").astype(str)
        frames.append(pd.DataFrame({"period": months, "part": f"P{i}",
                                    "quantity": np.asarray(values, dtype=float)}))
    return pd.concat(frames, ignore_index=True)
