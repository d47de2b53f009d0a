"""prepare_history: validation, duplicate sums, zero filling, packing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spareplan.demand.history import prepare_history
from spareplan.errors import InputError, ParameterError


def test_packs_fills_zeros_and_sums_duplicates() -> None:
    frame = pd.DataFrame({
        "period": ["2024-01", "2024-03", "2024-03-15", "2024-02"],
        "part": ["A", "A", "A", "B"],
        "site": ["S1", "S1", "S1", "S2"],
        "quantity": [2, 1, 4, 7],
    })
    before = frame.copy()
    packed = prepare_history(frame)
    pd.testing.assert_frame_equal(frame, before)  # input not mutated
    assert packed.period_labels == ("2024-01", "2024-02", "2024-03")
    assert list(packed.parts) == ["A", "B"] and list(packed.sites) == ["S1", "S2"]
    np.testing.assert_array_equal(packed.indptr, [0, 3, 6])
    # A: 2, 0, 1 + 4 (the date falls in March, duplicates are summed)
    # B: leading zero in January (first period of the whole table), trailing zero
    np.testing.assert_array_equal(packed.values, [2, 0, 5, 0, 7, 0])


def test_site_absent_gives_empty_site() -> None:
    packed = prepare_history(pd.DataFrame({"period": ["2024-01"], "part": [7],
                                           "quantity": [1]}))
    assert list(packed.parts) == ["7"] and list(packed.sites) == [""]
    assert not packed.has_site


def test_negative_quantity_names_the_row() -> None:
    frame = pd.DataFrame({"period": ["2024-01", "2024-02"], "part": "A", "quantity": [1, -3]})
    with pytest.raises(InputError, match=r"data row 2 \(line 3\), column quantity: must be >= 0"):
        prepare_history(frame, source="h.csv")


@pytest.mark.parametrize("bad", ["2024-13", "Jan 2024", "2024-02-30", None])
def test_bad_period_rejected(bad: object) -> None:
    frame = pd.DataFrame({"period": ["2024-01", bad], "part": "A", "quantity": [1, 1]})
    with pytest.raises(InputError, match=r"data row 2.*column period"):
        prepare_history(frame)


def test_non_numeric_quantity_and_missing_columns() -> None:
    with pytest.raises(InputError, match="column quantity: must be a finite number"):
        prepare_history(pd.DataFrame({"period": ["2024-01"], "part": "A", "quantity": ["x"]}))
    with pytest.raises(InputError, match="missing column"):
        prepare_history(pd.DataFrame({"period": ["2024-01"], "quantity": [1]}))
    with pytest.raises(ParameterError, match="period"):
        prepare_history(pd.DataFrame({"period": ["2024-01"], "part": "A", "quantity": [1]}),
                        period="year")


def test_weeks_and_days() -> None:
    frame = pd.DataFrame({"period": ["2024-01-01", "2024-01-07", "2024-01-17"], "part": "A",
                          "quantity": [1, 2, 3]})
    weekly = prepare_history(frame, period="week")
    assert weekly.period_labels == ("2024-01-01", "2024-01-08", "2024-01-15")  # Mondays
    np.testing.assert_array_equal(weekly.values, [3, 0, 3])
    daily = prepare_history(frame, period="day")
    assert daily.n_periods == 17 and daily.values.sum() == 6
    with pytest.raises(InputError, match="a month 'YYYY-MM' is not allowed"):
        prepare_history(pd.DataFrame({"period": ["2024-01"], "part": "A", "quantity": [1]}),
                        period="week")


def test_round_trip_to_frame() -> None:
    frame = pd.DataFrame({"period": ["2024-01", "2024-03"], "part": "A", "quantity": [1, 2]})
    long = prepare_history(frame).to_frame()
    assert list(long["quantity"]) == [1, 0, 2]
    assert list(long["period"]) == ["2024-01", "2024-02", "2024-03"]
