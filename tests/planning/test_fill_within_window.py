"""Fill within the window when the window covers the resupply time (issue 13).

A request at an FSL with stock 0 under complete backordering waits for the unit ordered
when the request arrived: it arrives after the FSL's resupply time T. When the window W
(less the response time) is at least T every request is filled within W, whatever the
stock: the closed form P(Poisson(lambda (T - W)) <= S - 1) holds for W < T and is 1 for
W >= T (Caggiano, Jackson, Muckstadt & Rappold 2007, single-location case;
:func:`spareplan.evaluation.poisson.fill_rate_within`). The planner's METRIC-type model
gave 0 at S = 0 before.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from single_part_cases import LEAD_DAYS, load_model, write_depot_bases

from spareplan.evaluation.poisson import expected_backorders, fill_rate_within

#: Central stock: the depot delay is small but not zero (it enters the bases' resupply).
CENTRAL_STOCK = 8


@pytest.mark.parametrize("window_hours", [1.0 + 24.0 * 6.0, 1.0 + 24.0 * 2.5, 13.0])
@pytest.mark.parametrize("base_stock", [0, 1, 2])
def test_within_window_equals_the_closed_form(tmp_path: Path, window_hours: float,
                                              base_stock: int) -> None:
    # Response 1 h from each base: the slack is W - 1 h. Bases' leads 2, 4, 3, 5, 2 days.
    model = load_model(write_depot_bases(tmp_path / "case", kind="fill", target=0.5,
                                         window_hours=window_hours, max_stock=12))
    stock = np.array([CENTRAL_STOCK] + [base_stock] * 5, dtype=np.int64)
    service = model.service.evaluate(0, stock)
    rate_per_day = model.parts.demand_rate[0] / 365.0
    # METRIC: the bases' resupply is their lead plus the depot's mean delay EBO_0 / lambda_0.
    depot_rate = rate_per_day.sum()
    depot_delay = expected_backorders(CENTRAL_STOCK, depot_rate * model.service.root_days[0]
                                      ) / depot_rate
    slack_days = (window_hours - 1.0) / 24.0
    for base in range(5):
        lead = LEAD_DAYS[base] + depot_delay
        expected = fill_rate_within(base_stock, rate_per_day[base], lead, slack_days)
        assert service.within[base] == pytest.approx(expected, abs=1e-6)
        if slack_days >= lead:
            assert service.within[base] == 1.0
