"""The simulation-fed optimizer (issue 12): brute force over the simulated columns, the
margins, the model named in the account, the honest verdict and the time limit.

The brute force evaluates every stock vector of both parts of the tiny scenario (4^3 each,
4,096 pairs) by the *same* feed with common random numbers (:class:`SimulatedSource`, the
feed's stream) and keeps the cheapest pair meeting every row at target plus margin: the
plan must cost exactly that (the enumeration path is a full sample-average approximation),
and column generation over the simulated columns can only cost as much or more.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import solvers
from spareplan import load_scenario, plan
from spareplan.cli.app import app
from spareplan.planning import feed_plan
from spareplan.planning import optimize as optimize_module
from spareplan.planning.diagnosis import best_reachable
from spareplan.planning.feed import (
    FEED_STREAM,
    FeedSettings,
    RowErrors,
    noise_margins,
    row_errors,
    row_values_by_replication,
    simulate_columns,
)
from spareplan.planning.feed_plan import FeedSkipped, feed_seconds_at_least, optimize_with_feed
from spareplan.planning.model import PlanningModel
from spareplan.planning.simulated import SimulatedSource

plan_module = importlib.import_module("spareplan.planning.plan")
TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
SMALL_FEED = FeedSettings(replications=10, years=3.0)


def _scenario(tmp_path: Path, rule: str) -> Path:
    folder = tmp_path / f"tiny-{rule}"
    shutil.copytree(TINY, folder)
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace('stockout_rule = "emergency"',
                                             f'stockout_rule = "{rule}"'))
    return folder


def _brute_force(model: PlanningModel, margined: PlanningModel,
                 source: SimulatedSource) -> float:
    levels = np.array(list(itertools.product(range(4), repeat=3)), dtype=np.int64)
    costs, rows = [], []
    for part in range(2):
        evaluation = source.evaluate(np.full(len(levels), part, dtype=np.int64), levels)
        costs.append(np.asarray(evaluation.cost))
        rows.append(np.asarray(evaluation.coefficients)[:, :len(model.rows)])
    total_cost = costs[0][:, None] + costs[1][None, :]
    activity = rows[0][:, None, :] + rows[1][None, :, :]
    tol = 1e-9
    feasible = (np.all(activity >= margined.row_lower - tol, axis=2)
                & np.all(activity <= margined.row_upper + tol, axis=2))
    assert feasible.any()
    return float(total_cost[feasible].min())


@pytest.mark.parametrize("rule", ["emergency", "lateral", "backorder"])
def test_enumeration_is_the_brute_force_over_the_simulated_columns(tmp_path: Path,
                                                                   rule: str) -> None:
    model = PlanningModel.build(load_scenario(_scenario(tmp_path, rule)))
    fed = optimize_with_feed(model, best_reachable(model), seed=3, settings=SMALL_FEED,
                             backend=solvers.DEFAULT_BACKEND,
                             budget=solvers.TimeBudget.of(None), mip_rel_gap=1e-9)
    assert fed.optimization.method == "enumeration"
    source = SimulatedSource(model, seed=3, settings=SMALL_FEED)
    optimum = _brute_force(model, fed.model, source)
    cost = sum(c.cost for c in fed.optimization.chosen)
    assert cost == pytest.approx(optimum, rel=1e-9)
    # the plan meets target plus margin in the feed, and the margins are >= 0
    assert np.all(fed.margins >= 0) and np.all(np.isfinite(fed.errors.feed))
    activity = np.sum([c.coefficients for c in fed.optimization.chosen], axis=0)
    values = model.row_value(activity[:len(model.rows)])
    assert np.all(values >= fed.model.targets - 1e-9)


def test_column_generation_over_simulated_columns_claims_no_bound(monkeypatch) -> None:
    model = PlanningModel.build(load_scenario(TINY))
    monkeypatch.setattr(optimize_module, "ENUMERATION_LIMIT", 1)
    fed = optimize_with_feed(model, best_reachable(model), seed=3, settings=SMALL_FEED,
                             backend=solvers.DEFAULT_BACKEND,
                             budget=solvers.TimeBudget.of(None), mip_rel_gap=1e-9)
    result = fed.optimization
    assert result.method == "column_generation"
    assert result.bound_scope == "none"
    assert result.solution.lower_bound == -math.inf
    assert result.solution.status is solvers.SolveStatus.FEASIBLE
    # the first plan, then one re-optimization per curse round
    assert len(fed.round_costs) == 1 + SMALL_FEED.curse_rounds
    # the final plan is chosen among columns simulated with the refined feed (more
    # replications near the first plan): no plan of those columns beats brute force
    refined = dataclasses.replace(SMALL_FEED, replications=SMALL_FEED.near_replications)
    optimum = _brute_force(model, fed.model, SimulatedSource(model, seed=3,
                                                             settings=refined))
    assert sum(c.cost for c in result.chosen) >= optimum * (1 - 1e-9)
    # the analytic model's bound is a bound of that model only, and reported as such
    assert fed.analytic_bound <= fed.analytic_lp * (1 + 1e-9)


def test_noise_margin_is_z_standard_errors_of_the_difference() -> None:
    settings = FeedSettings(replications=40, years=5.0, z=2.0, reference_years=100.0)
    feed = np.array([0.0, 0.001, 0.01])
    check_per_year = np.array([0.01, 0.0, 0.05])
    errors = RowErrors(feed, check_per_year)
    np.testing.assert_allclose(noise_margins(errors, settings),
                               2.0 * np.sqrt(feed ** 2 + check_per_year ** 2 / 100.0))


def test_controlled_uptime_is_unbiased_and_removes_the_demand_count(tmp_path: Path) -> None:
    """The feed's uptime replaces requests x (repair + response) by its expectation: the
    replications' mean agrees with the verification's estimator within its error, and
    its spread is smaller (the demand count no longer enters)."""
    model = PlanningModel.build(load_scenario(TINY))
    stock = np.array([[1, 1, 1], [0, 2, 2]])
    settings = FeedSettings(replications=30, years=4.0)
    figures = simulate_columns(model, np.array([0, 1]), stock, seed=4, settings=settings,
                               per_replication=True)
    uptime = ~model.is_fill_row
    controlled = row_values_by_replication(model, figures, controlled=True)[:, uptime]
    raw = row_values_by_replication(model, figures, controlled=False)[:, uptime]
    difference = controlled - raw
    assert abs(difference.mean()) <= 3 * difference.std(ddof=1) / math.sqrt(30)
    assert np.all(controlled.std(axis=0) < raw.std(axis=0))
    errors = row_errors(model, figures)
    assert np.all(errors.feed[uptime] < errors.check(settings.measured_years)[uptime])


def test_feed_and_verification_use_different_streams() -> None:
    from spareplan.simulation.engine import part_seeds

    assert FEED_STREAM != 0
    assert not np.array_equal(part_seeds(0, 5, stream=FEED_STREAM), part_seeds(0, 5))


@pytest.mark.parametrize("bad", [{"replications": 1}, {"years": 0.0}, {"z": -1.0},
                                 {"years": math.inf}, {"reference_years": 0.0},
                                 {"curse_rounds": -1}, {"near_replications": -1},
                                 {"near_distance": -1}])
def test_bad_feed_settings_name_the_setting(bad: dict) -> None:
    with pytest.raises(ValueError, match="feed"):
        FeedSettings(**bad)


def test_summary_names_the_model_and_the_bound() -> None:
    scenario = load_scenario(TINY)
    fed = plan(scenario, seed=1, replications=4, years=2.0)
    summary = fed.summary
    assert summary["service_model"] == "simulation"
    assert summary["bound_model"].startswith("simulated system")  # enumeration: exact
    assert summary["simulation_feed"]["stream"] == FEED_STREAM
    assert summary["analytic_bound"] is not None
    assert summary["verification"]["stream"] == 0 and summary["verification"]["done"]
    analytic = plan(scenario, seed=1, verify=False, service_model="analytic")
    assert analytic.summary["bound_model"].startswith("analytic")
    assert analytic.summary["simulation_feed"] is None
    premium = summary["premium_over_analytic_bound"]
    assert premium == pytest.approx(summary["objective"] / summary["analytic_bound"] - 1.0)
    json.dumps(summary.to_dict())


def test_a_row_below_target_is_not_met_even_inside_its_interval(monkeypatch) -> None:
    """The verdict follows the point estimate: a simulated value below target fails, even
    when the 95 % interval reaches the target."""
    from spareplan.planning import verification

    scenario = load_scenario(TINY)
    original = verification.simulate_plan

    def pessimistic(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        rows = result.rows
        rows.loc[0, "simulated"] = rows.loc[0, "target"] - 1e-4
        rows.loc[0, "ci_low"] = rows.loc[0, "target"] - 0.01
        rows.loc[0, "ci_high"] = rows.loc[0, "target"] + 0.01
        return result

    monkeypatch.setattr(verification, "simulate_plan", pessimistic)
    result = plan(scenario, seed=1, replications=4, years=2.0, service_model="analytic")
    first = result.service.set_index("sla_row").loc[result.service["sla_row"].iloc[0]]
    assert first["verdict"] == "not met"
    assert not result.meets_every_sla
    assert result.summary["verification"]["rows_below_target"] >= 1


def test_no_time_left_for_the_verification_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(plan_module, "_verification_seconds", lambda *args: 1e6)
    result = plan(load_scenario(TINY), time_limit=30.0, replications=4, years=2.0)
    assert result.summary["verification"]["done"] is False
    assert "not verified" in result.summary["verification"]["note"]
    assert not result.meets_every_sla
    assert "simulated" not in result.service
    done = CliRunner().invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "out"),
                                    "--time-limit", "30"])
    assert done.exit_code == 1, done.output
    assert "NOT VERIFIED" in done.output


def test_cli_model_option(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "a"), "--model",
                               "analytic", "--no-verify"])
    assert done.exit_code == 0, done.output
    assert "model: analytic; lower bound" in done.output
    bad = runner.invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "b"), "--model",
                              "magic"])
    assert bad.exit_code == 2
    assert "--model" in bad.output and "magic" in bad.output
    assert not (tmp_path / "b").exists()


def test_console_account_with_an_unconverged_analytic_bound() -> None:
    """A time limit can stop the analytic column generation with a bound <= 0: no premium
    then, and the console says why instead of failing."""
    from spareplan.cli.plan import _account_lines

    summary = {"status": "feasible", "objective": 16e6, "time_limit": 90.0,
               "analytic_bound": -9.2e6, "premium_over_analytic_bound": None,
               "simulation_feed": {"replications": 40, "years": 5.0,
                                   "simulated_columns": 100, "z": 1.0},
               "bound_model": None, "lower_bound": None, "gap": None}
    lines = _account_lines(summary)
    assert "did not converge within the time limit" in lines[-1]


def test_service_csv_gives_each_rows_half_width(tmp_path: Path) -> None:
    import pandas as pd

    done = CliRunner().invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "out"),
                                    "--replications", "4", "--years", "2"])
    assert done.exit_code in (0, 1), done.output
    service = pd.read_csv(tmp_path / "out" / "service.csv")
    measured = service[service["simulated"].notna()]
    assert {"half_width", "half_width_share", "verdict"} <= set(service.columns)
    expected = (measured["ci_high"] - measured["ci_low"]) / 2
    assert (measured["half_width"] - expected).abs().max() < 1e-6
    share = measured["half_width"] / (1 - measured["target"])
    assert (measured["half_width_share"] - share).abs().max() < 1e-6
    assert set(measured["verdict"]) <= {"met", "not met"}


def test_feed_gives_way_when_its_simulations_cannot_fit_in_the_time_left(
        monkeypatch) -> None:
    """After simulating one stock vector per part the feed knows a floor of what it still
    needs (:func:`feed_seconds_at_least`); when that exceeds the time left it gives way at
    once instead of spending the limit on a plan it cannot finish. The floor is set high
    so that the test does not depend on the machine's speed."""
    # one set of vectors in 2 s; the largest vectors (1 set), the LP's 300 columns over
    # 100 parts (3 sets) and the chosen vectors at 160 of 40 replications (4 sets)
    assert feed_seconds_at_least(2.0, 300, 100, FeedSettings(replications=40)) == 16.0
    assert feed_seconds_at_least(2.0, 100, 100, SMALL_FEED) < feed_seconds_at_least(
        2.0, 200, 100, SMALL_FEED)

    monkeypatch.setattr(feed_plan, "feed_seconds_at_least", lambda *args: 1e9)
    model = PlanningModel.build(load_scenario(TINY))
    skipped = optimize_with_feed(model, best_reachable(model), seed=3, settings=SMALL_FEED,
                                 backend=solvers.DEFAULT_BACKEND,
                                 budget=solvers.TimeBudget.of(1e6), mip_rel_gap=1e-9)
    assert isinstance(skipped, FeedSkipped)
    assert "needs at least" in skipped.reason and "of the time limit left" in skipped.reason
    assert skipped.initial[0].size == skipped.initial[1].shape[0] > 0
    result = plan(load_scenario(TINY), time_limit=1e6, replications=4, years=2.0)
    assert result.summary["service_model"] == "analytic"
    assert "needs at least" in result.summary["service_model_note"]


def test_feed_gives_way_to_the_analytic_model_when_its_first_stage_cannot_converge(
        tmp_path: Path, monkeypatch) -> None:
    """Under a time limit, an analytic column generation stopped before convergence is no
    guide to the simulated system (its master LP can cost ten times the optimum): the
    analytic model plans, from the columns found so far, and the summary and the console
    say why. The stop is simulated (``converged=False``) so that the test does not depend
    on the machine's speed."""
    real = solvers.column_generation

    def stopped_early(*args, **kwargs):
        result = real(*args, **kwargs)
        if kwargs["settings"].lp_only:
            result = dataclasses.replace(result, converged=False)
        return result

    monkeypatch.setattr(solvers, "column_generation", stopped_early)
    model = PlanningModel.build(load_scenario(TINY))
    skipped = optimize_with_feed(model, best_reachable(model), seed=3, settings=SMALL_FEED,
                                 backend=solvers.DEFAULT_BACKEND,
                                 budget=solvers.TimeBudget.of(1e6), mip_rel_gap=1e-9)
    assert isinstance(skipped, FeedSkipped)
    assert "did not converge" in skipped.reason
    assert skipped.initial[0].size == skipped.initial[1].shape[0] > 0
    # without a time limit the feed runs to the end whatever the first stage did
    fed = optimize_with_feed(model, best_reachable(model), seed=3, settings=SMALL_FEED,
                             backend=solvers.DEFAULT_BACKEND,
                             budget=solvers.TimeBudget.of(None), mip_rel_gap=1e-9)
    assert not isinstance(fed, FeedSkipped)

    result = plan(load_scenario(TINY), time_limit=1e6, replications=4, years=2.0)
    summary = result.summary
    assert summary["service_model"] == "analytic"
    assert "did not converge" in summary["service_model_note"]
    assert summary["simulation_feed"] is None
    assert summary["verification"]["done"] is True  # the analytic plan is still verified
    analytic = plan(load_scenario(TINY), service_model="analytic", replications=4,
                    years=2.0)
    assert result.recommendations.equals(analytic.recommendations)
    done = CliRunner().invoke(app, ["plan", str(TINY), "--out", str(tmp_path / "out"),
                                    "--time-limit", "1000000", "--replications", "4",
                                    "--years", "2"])
    assert done.exit_code in (0, 1), done.output
    assert "the analytic model planned instead of the simulation feed" in done.output
    assert "instead of the simulation feed" in (tmp_path / "out" / "report.html").read_text()
