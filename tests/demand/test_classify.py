"""ADI / CV² classification (Syntetos, Boylan & Croston 2005) and flags."""

from __future__ import annotations

import numpy as np
from demand_helpers import history

from spareplan.demand.classify import classify_series

LOW_CV2 = [1, 4, 1, 4]  # mean 2.5, s² = 3, CV² = 0.48 < 0.49
HIGH_CV2 = [1, 4.1, 1, 4.1]  # mean 2.55, s² = 3.2033, CV² = 0.4926 >= 0.49


def low_adi(sizes: list[float]) -> list[float]:
    a, b, c, d = sizes
    return [a, b, 0, c, d]  # demands at 1, 2, 4, 5: ADI = 5/4 = 1.25 < 1.32


def high_adi(sizes: list[float]) -> list[float]:
    a, b, c, d = sizes
    return [a, 0, b, 0, c, d]  # demands at 1, 3, 5, 6: ADI = 6/4 = 1.5 >= 1.32


def test_four_classes_on_each_side_of_the_cutoffs() -> None:
    frame = history(low_adi(LOW_CV2), low_adi(HIGH_CV2), high_adi(LOW_CV2), high_adi(HIGH_CV2))
    out = classify_series(frame, min_periods=2)
    np.testing.assert_allclose(out["adi"], [1.25, 1.25, 1.5, 1.5])
    np.testing.assert_allclose(out["cv2"], [0.48, 0.4926, 0.48, 0.4926], atol=1e-4)
    assert list(out["class"]) == ["smooth", "erratic", "intermittent", "lumpy"]


def test_value_on_the_cutoff_goes_to_the_upper_class() -> None:
    # 25 demands, the last at period 33: ADI = 33 / 25 = 1.32 exactly
    series = [0] * 8 + [2] * 25
    out = classify_series(history(series), min_periods=2)
    assert out["adi"].iloc[0] == 1.32
    assert out["class"].iloc[0] == "intermittent"
    # sizes 1, 3: CV² = s²/m² = 2/4 = 0.5; sizes 1, 2.4: s² = 0.98, m² = 2.89 -> 0.339
    both = classify_series(history([1, 3], [1, 2.4]), min_periods=2)
    assert list(both["class"]) == ["erratic", "smooth"]


def test_flags() -> None:
    frame = history([0] * 20, [3] + [0] * 19, [1, 0] * 10)
    out = classify_series(frame, min_periods=24, obsolete_after=12)
    assert list(out["all_zero"]) == [True, False, False]
    assert list(out["obsolescent"]) == [False, True, False]
    assert out["too_short"].all()
    assert list(out["class"]) == ["no_demand", "smooth", "intermittent"]
    assert out["cv2"].iloc[1] == 0.0  # one demand
