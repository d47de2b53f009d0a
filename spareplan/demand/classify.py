"""Classification of demand series by ADI and CV² (Syntetos, Boylan & Croston 2005).

Syntetos, A. A., Boylan, J. E. & Croston, J. D. (2005). On the categorization of demand
patterns. *Journal of the Operational Research Society* 56(5), 495–503. The cut-offs
ADI = 1.32 and CV² = 0.49 split the plane into four classes:

============  ============  ============
              CV² < 0.49    CV² >= 0.49
============  ============  ============
ADI < 1.32    smooth        erratic
ADI >= 1.32   intermittent  lumpy
============  ============  ============
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spareplan.demand._kernels import _classification_stats
from spareplan.demand.history import PackedSeries, as_packed
from spareplan.errors import ParameterError

__all__ = ["ADI_CUTOFF", "CLASSES", "CV2_CUTOFF", "classify_packed", "classify_series"]

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES: tuple[str, ...] = ("smooth", "erratic", "intermittent", "lumpy", "no_demand")
"""Every series gets exactly one of these; ``no_demand`` is the all-zero series."""


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(name, f"must be an integer >= {minimum}", value)
    return int(value)


def classify_packed(
    packed: PackedSeries, min_periods: int = 13, obsolete_after: int = 12
) -> pd.DataFrame:
    """:func:`classify_series` on an already packed history."""
    min_periods = _check_int("min_periods", min_periods, 1)
    obsolete_after = _check_int("obsolete_after", obsolete_after, 1)
    n = packed.n_series
    adi = np.empty(n)
    cv2 = np.empty(n)
    n_nonzero = np.empty(n, dtype=np.int64)
    since = np.empty(n, dtype=np.int64)
    _classification_stats(packed.values, packed.indptr, adi, cv2, n_nonzero, since)
    lengths = np.diff(packed.indptr)
    high_adi = adi >= ADI_CUTOFF
    high_cv2 = np.nan_to_num(cv2, nan=0.0) >= CV2_CUTOFF
    label = np.where(
        high_adi,
        np.where(high_cv2, "lumpy", "intermittent"),
        np.where(high_cv2, "erratic", "smooth"),
    ).astype(object)
    all_zero = n_nonzero == 0
    label[all_zero] = "no_demand"
    frame = packed.keys_frame()
    frame["n_periods"] = lengths
    frame["n_demands"] = n_nonzero
    frame["adi"] = adi
    frame["cv2"] = cv2
    frame["class"] = label
    frame["too_short"] = lengths < min_periods
    frame["all_zero"] = all_zero
    frame["obsolescent"] = (~all_zero) & (since >= obsolete_after)
    return frame


def classify_series(
    history: pd.DataFrame | PackedSeries,
    period: str = "month",
    min_periods: int = 13,
    obsolete_after: int = 12,
) -> pd.DataFrame:
    """Classify each demand series as smooth, erratic, intermittent or lumpy, with flags.

    Parameters
    ----------
    history : pandas.DataFrame or PackedSeries
        The demand history (see :func:`spareplan.demand.history.prepare_history`).
    period : {"month", "week", "day"}
        Period of the history when a table is given.
    min_periods : int
        N: a series with fewer than N periods is flagged ``too_short``.
    obsolete_after : int
        K: a series with demand in the past but none in its last K periods is flagged
        ``obsolescent``.

    Returns
    -------
    pandas.DataFrame
        One row per series: ``part``, ``site``, ``n_periods``, ``n_demands``, ``adi``,
        ``cv2``, ``class``, ``too_short``, ``all_zero``, ``obsolescent``.

    Notes
    -----
    ADI is the mean inter-demand interval, the first interval counted from the period
    before the series starts: ADI = (position of the last demand) / (number of demands).
    CV² = (s / m)² of the non-zero demand sizes (sample standard deviation). A series
    with one demand has CV² = 0; a series without demand has ADI = inf, CV² = NaN and
    class ``no_demand``. Cut-offs: ADI < 1.32 and CV² < 0.49 (Syntetos et al. 2005);
    a value equal to a cut-off falls in the upper class.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03", "2024-04"],
    ...                   "part": "P", "quantity": [0, 3, 0, 3]})
    >>> classify_series(h, min_periods=2)["class"].tolist()
    ['intermittent']
    """
    return classify_packed(as_packed(history, period), min_periods, obsolete_after)
