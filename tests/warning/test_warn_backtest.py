"""The backtest: its scores on a hand-made case, and a reproducible run on the fixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from spareplan.cli.app import app
from spareplan.scenario import load_scenario
from spareplan.warning.backtest import RunRecord, backtest, score


def _run(week: int, alerts: list[tuple[int, int, int, str]], sites: tuple[str, ...] = ()):
    frame = pd.DataFrame(alerts, columns=["part_index", "location_index", "alert_id", "level"])
    return RunRecord(0, week, frame, sites)


def test_scores_by_hand() -> None:
    """Two pairs, 6 weeks of outcomes, 4 weekly runs, horizon 2, lead 1.

    Run r looks at weeks r + 1 .. r + 2. Pair A (0, 0) is short in weeks 3-4 (one
    shortage starting in week 3), pair B (0, 1) in week 6. Alert 1 on A stands in runs 0-1
    (weeks 1-3 together: short in week 3, confirmed); alert 2 on B in run 0 only (weeks
    1-2: a false alarm); alert 3 on B in run 3 at customer level (weeks 4-5: false). Weekly
    claims: run 0 A (weeks 1-2, no), run 0 B (no), run 1 A (weeks 2-3, yes), run 3 B (no).
    Recall with lead 1: A's shortage (week 3) needs an alert in the run as of week 2 (run
    1) -> yes; B's (week 6) needs run 4, which does not exist -> not counted.
    """
    net = np.ones((1, 2, 6), dtype=np.int64)
    net[0, 0, 2:4] = -1
    net[0, 1, 5] = -1
    runs = [_run(0, [(0, 0, 1, "internal_risk"), (0, 1, 2, "internal_risk")]),
            _run(1, [(0, 0, 1, "internal_risk")]), _run(2, []),
            _run(3, [(0, 1, 3, "customer_notice")], ("S1", "S2"))]
    figures = score(runs, {0: net}, np.ones((1, 2), dtype=bool), horizon=2, lead=1,
                    n_sites=4)
    assert figures["alerts"] == 3 and figures["customer_alerts"] == 1
    assert figures["precision"] == pytest.approx(1 / 3)
    assert figures["customer_precision"] == 0.0
    assert figures["precision_weekly"] == pytest.approx(1 / 4)
    assert figures["precision_at_opening"] == 0.0  # alert 1's first run saw weeks 1-2 only
    assert (figures["shortages"], figures["recall"]) == (1, 1.0)
    assert figures["notices_per_week"] == pytest.approx(2 / 4)
    assert figures["notices_per_customer_per_quarter"] == pytest.approx(2 / 4 / (4 / 13))


def test_fixture_backtest_is_reproducible() -> None:
    scenario = load_scenario("scenarios/warning_fixture")
    first = backtest(scenario, weeks=5, replications=2, seed=3)
    again = backtest(scenario, weeks=5, replications=2, seed=3)
    assert first.summary == again.summary
    pd.testing.assert_frame_equal(first.by_week, again.by_week)
    for key in ("precision", "recall", "customer_precision", "brier_score"):
        value = first.summary[key]
        assert value is None or 0.0 <= value <= 1.0
    assert first.summary["runs"] == 10 and len(first.by_week) == 10
    other = backtest(scenario, weeks=5, replications=2, seed=4)
    assert other.summary != first.summary  # the seed matters


def test_cli_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    result = CliRunner().invoke(app, ["warn-backtest", "scenarios/warning_fixture", "--out",
                                      str(out), "--weeks", "3", "--replications", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".spareplan-output", "by_week.csv",
                                                     "calibration.csv", "summary.json"]
    assert "recall" in result.output and "customer notices:" in result.output
    bad = CliRunner().invoke(app, ["warn-backtest", "scenarios/warning_fixture", "--out",
                                   str(tmp_path / "x"), "--weeks", "0"])
    assert bad.exit_code == 2 and "parameter weeks: must be an integer >= 1" in bad.output
