"""The column-generation engine over a source that enumerates a full problem's options.

The source's payload of an option is its position inside its group (width 1), so the
engine's neighbour stage moves between a group's options; exact pricing is the minimum
reduced cost over every option of the group.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solver_instances import brute_force, random_small_problem, s_shaped_problem

from solvers import (
    ChoiceProblem,
    ColumnGenerationSettings,
    Evaluation,
    InvalidProblemError,
    Priced,
    SolveStatus,
    check_solution,
    column_generation,
    solve,
)


class EnumeratedSource:
    """Every option of ``full`` as a ColumnSource (exact or not)."""

    def __init__(self, full: ChoiceProblem, *, exact: bool = True) -> None:
        self.full = full
        self.exact = exact
        self.members = [np.flatnonzero(full.group_of_option == g) for g in range(full.n_groups)]
        self.dense = full.coefficients.toarray()

    @property
    def n_groups(self) -> int:
        return int(self.full.n_groups)

    @property
    def width(self) -> int:
        return 1

    def option(self, groups: np.ndarray, payloads: np.ndarray) -> np.ndarray:
        return np.array([self.members[g][p] for g, p in zip(groups, payloads[:, 0],
                                                             strict=True)], dtype=np.int64)

    def bounds(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = np.zeros((groups.shape[0], 1), dtype=np.int64)
        hi = np.array([[len(self.members[g]) - 1] for g in groups], dtype=np.int64)
        return lo, hi

    def evaluate(self, groups: np.ndarray, payloads: np.ndarray) -> Evaluation:
        options = self.option(groups, payloads)
        return Evaluation(cost=self.full.cost[options],
                          coefficients=self.dense[:, options].T, details=list(options))

    def price(self, groups: np.ndarray, row_duals: np.ndarray) -> Priced:
        reduced = self.full.cost - self.dense.T @ row_duals
        if not self.exact:  # a poor heuristic: the second-best option of each group
            picks = [np.argsort(reduced[self.members[g]])[min(1, len(self.members[g]) - 1)]
                     for g in groups]
        else:
            picks = [int(np.argmin(reduced[self.members[g]])) for g in groups]
        return Priced(np.array(picks, dtype=np.int64).reshape(-1, 1), exact=self.exact)

    def option_facilities(self, payloads: np.ndarray) -> object:
        raise AssertionError("not a facility problem")

    def facility_variants(self, groups, payloads, row_duals):  # type: ignore[no-untyped-def]
        raise AssertionError("not a facility problem")


def one_sided(full: ChoiceProblem) -> ChoiceProblem:
    """``full`` with every row made one-sided (the engine's rows)."""
    upper = np.where(np.isfinite(full.row_lower), np.inf, full.row_upper)
    return ChoiceProblem(group_of_option=full.group_of_option, cost=full.cost,
                         coefficients=full.coefficients, row_lower=full.row_lower,
                         row_upper=upper, n_groups=full.n_groups)


def run(full: ChoiceProblem, **kwargs):  # type: ignore[no-untyped-def]
    source = EnumeratedSource(full, exact=kwargs.pop("exact", True))
    return column_generation(source, full.row_lower, full.row_upper, **kwargs), source


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_source_brackets_the_brute_force_optimum(seed: int) -> None:
    full = one_sided(random_small_problem(np.random.default_rng(seed), 4, 4, 2))
    optimum, _ = brute_force(full)
    result, _ = run(full, mip_rel_gap=0.0)
    solution = result.solution
    assert result.bound_exact
    if not math.isfinite(optimum):
        assert not solution.status.has_solution
        return
    assert solution.status.has_solution, solution.message
    assert check_solution(result.problem, solution.chosen) == []
    assert solution.lower_bound <= optimum + 1e-7
    assert solution.objective >= optimum - 1e-9
    # the neighbour stage reaches every option of these small groups: exact here
    assert solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), groups=st.integers(1, 4), options=st.integers(1, 4),
       rows=st.integers(1, 3))
def test_engine_agrees_with_brute_force_on_random_small_instances(
        seed: int, groups: int, options: int, rows: int) -> None:
    full = one_sided(random_small_problem(np.random.default_rng(seed), groups, options, rows))
    optimum, _ = brute_force(full)
    result, _ = run(full, mip_rel_gap=0.0)
    if not math.isfinite(optimum):
        assert not result.solution.status.has_solution
        return
    assert result.solution.status.has_solution
    assert result.solution.lower_bound <= optimum + 1e-6
    assert result.solution.objective == pytest.approx(optimum, rel=1e-6, abs=1e-9)


def test_exact_source_on_s_shaped_instance_matches_the_full_milp() -> None:
    full = s_shaped_problem(200, 8, 2, seed=4, target_fraction=0.95)
    reference = solve(full, mip_rel_gap=1e-7)
    result, _ = run(full, mip_rel_gap=1e-4)
    assert result.converged
    bound = result.solution.lower_bound
    assert bound <= reference.objective * (1 + 1e-9)
    assert bound >= reference.lower_bound * (1 - 1e-3)  # LP bound close to MILP bound
    assert result.solution.objective <= reference.objective * 1.001
    # converged: the best Lagrangian bound is within half the gap target of the master LP
    _seconds, lp_value, best = result.history[-1]
    assert lp_value * (1 - 0.5e-4) - 1e-9 <= best <= lp_value + 1e-6
    # the pool's details map back to the full problem's options
    chosen = [result.pool.details[o] for o in result.solution.chosen]
    assert check_solution(full, np.array(chosen)) == []


def test_inexact_source_claims_no_bound() -> None:
    full = one_sided(random_small_problem(np.random.default_rng(5), 4, 4, 2))
    result, _ = run(full, exact=False)
    assert not result.bound_exact
    assert result.solution.lower_bound == -math.inf
    assert result.solution.status is not SolveStatus.OPTIMAL


def test_an_lp_integral_in_every_group_is_rounded_to_itself() -> None:
    """One group, the LP picks one option outright: the rounding must not build an
    empty sub-problem (the crash of `spareplan frontier scenarios/demo`)."""
    full = ChoiceProblem(group_of_option=np.array([0, 0, 0]), cost=np.array([0.0, 1.0, 3.0]),
                         coefficients=np.array([[0.0, 1.0, 2.0]]), row_lower=np.array([1.0]),
                         row_upper=np.array([np.inf]))
    result, _ = run(full, mip_rel_gap=0.0)
    assert result.solution.status is SolveStatus.OPTIMAL
    assert result.solution.objective == pytest.approx(1.0)


def test_two_sided_rows_are_refused_with_the_row_named() -> None:
    full = random_small_problem(np.random.default_rng(1), 2, 2, 1)
    with pytest.raises(InvalidProblemError, match="one-sided"):
        column_generation(EnumeratedSource(full), np.array([0.0]), np.array([1.0]))


def test_iteration_limit_is_a_setting() -> None:
    full = s_shaped_problem(50, 6, 2, seed=1, target_fraction=0.95)
    result, _ = run(full, settings=ColumnGenerationSettings(max_iterations=1))
    assert result.iterations == 1
    assert result.solution.status.has_solution


class RelaxedSource(EnumeratedSource):
    """An exact source that reports the minima of a relaxation 1 below each group's true
    least reduced cost (:attr:`Priced.lower_values`), as a tangent-priced source does."""

    def price(self, groups: np.ndarray, row_duals: np.ndarray) -> Priced:
        priced = super().price(groups, row_duals)
        reduced = self.full.cost - self.dense.T @ row_duals
        least = np.array([reduced[self.members[g]].min() for g in groups])
        return Priced(priced.payloads, exact=True, lower_values=least - 1.0)


@pytest.mark.parametrize("seed", range(6))
def test_lower_values_replace_the_payloads_reduced_costs_in_the_bound(seed: int) -> None:
    full = one_sided(random_small_problem(np.random.default_rng(seed), 4, 4, 2))
    optimum, _ = brute_force(full)
    if not math.isfinite(optimum):
        return
    exact, _ = run(full, mip_rel_gap=0.0)
    relaxed = column_generation(RelaxedSource(full), full.row_lower, full.row_upper,
                                mip_rel_gap=0.0)
    assert relaxed.bound_exact
    # every pricing's bound is n_groups below the exact one: the best bound at most that
    assert relaxed.solution.lower_bound <= optimum + 1e-7
    assert relaxed.solution.lower_bound <= exact.solution.lower_bound + 1e-7
    assert relaxed.solution.lower_bound >= exact.solution.lower_bound - full.n_groups - 1e-7
