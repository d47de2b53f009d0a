"""The compiled greedy picks exactly what the pure-Python greedy picked.

``_reference_greedy`` below is a frozen copy of ``solvers.greedy.greedy_allocation`` as it
was before its phase and heap loops moved into numba kernels (commit db1e8b5). Every
instance here is solved by both, with the hull and with the naive moves; the chosen options,
status, objective, lower bound and message must be identical — not approximately equal.
"""

from __future__ import annotations

import heapq
import math
import time

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import poisson
from solver_instances import random_small_problem, s_shaped_problem

from solvers import ChoiceProblem, greedy_allocation
from solvers._greedy_kernels import _heapify, _sift_down, _sift_up
from solvers.check import check_solution, required_facilities, row_activity, solution_cost
from solvers.greedy import _padded_layout
from solvers.lagrangian import lagrangian_bound
from solvers.scaling import scale_rows
from solvers.solution import Solution, relative_gap
from solvers.status import SolveStatus

# ---------------------------------------------------------------------------------------
# Frozen reference: the pure-Python implementation, verbatim but for the names.
# ---------------------------------------------------------------------------------------


def _reference_padded_layout(
    problem: ChoiceProblem,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    n_groups = int(problem.n_groups or 0)
    order = np.lexsort((problem.cost, problem.group_of_option))
    groups = problem.group_of_option[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    column = np.arange(order.shape[0]) - starts[groups]
    options = np.full((n_groups, int(counts.max())), -1, dtype=np.int64)
    options[groups, column] = order
    costs = np.where(options >= 0, problem.cost[np.maximum(options, 0)], np.inf)
    return options, costs


def _reference_next_move(
    costs: list[float], gains: list[float], position: int, hull: bool
) -> tuple[float, int]:
    cost_now, gain_now = costs[position], gains[position]
    best_ratio, best_target = 0.0, -1
    for target in range(position + 1, len(costs)):
        delta_cost = costs[target] - cost_now
        delta_gain = gains[target] - gain_now
        if delta_cost < 0.0 or delta_gain <= 1e-15 or math.isinf(delta_cost):
            continue
        ratio = math.inf if delta_cost == 0.0 else delta_gain / delta_cost
        if not hull:
            return ratio, target
        if ratio >= best_ratio * (1.0 - 1e-12) and (ratio > best_ratio or target > best_target):
            best_ratio, best_target = max(ratio, best_ratio), target
    return best_ratio, best_target


def _reference_greedy(
    problem: ChoiceProblem,
    hull: bool = True,
    row_weights: npt.ArrayLike | None = None,
    *,
    tol: float = 1e-9,
) -> Solution:
    started = time.perf_counter()
    n_groups = int(problem.n_groups or 0)
    scaled = scale_rows(problem)
    columns = sp.csc_array(scaled.matrix)
    lower = scaled.lower
    has_lower = np.isfinite(lower)
    threshold = lower - tol * np.maximum(1.0, np.abs(np.where(has_lower, lower, 0.0)))
    fixed_weights = None
    if row_weights is not None:
        fixed_weights = np.maximum(np.asarray(row_weights, dtype=np.float64), 0.0) * scaled.scale

    options, costs_padded = _reference_padded_layout(problem)
    positions = np.zeros(n_groups, dtype=np.int64)
    chosen = options[np.arange(n_groups), positions]
    activity = np.asarray(columns @ np.bincount(chosen, minlength=problem.n_options), float)
    costs_lists = costs_padded.tolist()
    indptr, indices, data = columns.indptr, columns.indices, columns.data

    multi_row = int(has_lower.sum()) > 1
    phase_length = max(1, n_groups // 4) if multi_row else -1
    last_ratio, last_weights = math.nan, np.zeros(problem.n_rows)
    stuck = False
    while True:
        short = has_lower & (activity < threshold)
        if not short.any():
            break
        shortfall = np.where(short, lower - activity, 0.0)
        weights = shortfall
        if fixed_weights is not None and np.any(fixed_weights[short] > 0):
            weights = np.where(short, fixed_weights, 0.0)
        gains = np.asarray(columns.T @ weights, dtype=np.float64)
        gains_padded = np.where(options >= 0, gains[np.maximum(options, 0)], -np.inf).tolist()
        heap: list[tuple[float, int, int]] = []
        for group in range(n_groups):
            ratio, target = _reference_next_move(
                costs_lists[group], gains_padded[group], int(positions[group]), hull
            )
            if target >= 0:
                heap.append((-ratio, group, target))
        heapq.heapify(heap)
        if not heap:
            stuck = True
            break
        moves = 0
        phase_over = False
        while heap and not phase_over:
            negative_ratio, group, target = heapq.heappop(heap)
            old, new = chosen[group], options[group, target]
            span_old = slice(indptr[old], indptr[old + 1])
            span_new = slice(indptr[new], indptr[new + 1])
            activity[indices[span_old]] -= data[span_old]
            activity[indices[span_new]] += data[span_new]
            chosen[group], positions[group] = new, target
            last_ratio, last_weights = -negative_ratio, weights
            touched = np.concatenate([indices[span_old], indices[span_new]])
            met_now = short[touched] & (activity[touched] >= threshold[touched])
            if met_now.any() or (moves := moves + 1) == phase_length:
                phase_over = True
                continue
            ratio, target = _reference_next_move(
                costs_lists[group], gains_padded[group], target, hull
            )
            if target >= 0:
                heapq.heappush(heap, (-ratio, group, target))
        if not phase_over:
            stuck = True
            break

    facility_open = required_facilities(problem, chosen) if problem.n_facilities else None
    violations = check_solution(problem, chosen, facility_open)
    objective = solution_cost(problem, chosen, facility_open)
    bound = -math.inf
    if math.isfinite(last_ratio) and last_ratio > 0:
        bound = lagrangian_bound(problem, last_weights / scaled.scale / last_ratio)
    if violations:
        status = SolveStatus.NO_SOLUTION_FOUND
        reason = "no move improves the short rows" if stuck else "rows not traded off"
        message = f"greedy stopped ({reason}): " + "; ".join(violations[:10])
    else:
        status = SolveStatus.FEASIBLE
        message = "greedy: every row holds"
    bound = min(bound, objective) if status is SolveStatus.FEASIBLE else bound
    return Solution(
        status=status,
        chosen=chosen if status is SolveStatus.FEASIBLE else np.full(n_groups, -1, np.int64),
        facility_open=facility_open if status is SolveStatus.FEASIBLE else None,
        objective=objective if status is SolveStatus.FEASIBLE else math.nan,
        lower_bound=bound,
        gap=relative_gap(objective, bound) if status is SolveStatus.FEASIBLE else math.nan,
        backend="greedy-hull" if hull else "greedy",
        runtime_seconds=time.perf_counter() - started,
        row_activity=row_activity(problem, chosen),
        message=message,
    )


# ---------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------


def _same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _assert_identical(
    problem: ChoiceProblem, row_weights: npt.ArrayLike | None = None, tol: float = 1e-9
) -> list[Solution]:
    """Solve with both implementations, hull and naive; every field must be identical."""
    solutions = []
    for hull in (True, False):
        new = greedy_allocation(problem, hull=hull, row_weights=row_weights, tol=tol)
        old = _reference_greedy(problem, hull=hull, row_weights=row_weights, tol=tol)
        assert new.status is old.status, (hull, new.message, old.message)
        np.testing.assert_array_equal(new.chosen, old.chosen, err_msg=f"hull={hull}")
        assert new.chosen.dtype == old.chosen.dtype
        assert _same_float(new.objective, old.objective), (hull, new.objective, old.objective)
        assert _same_float(new.lower_bound, old.lower_bound), (
            hull,
            new.lower_bound,
            old.lower_bound,
        )
        assert _same_float(new.gap, old.gap), (hull, new.gap, old.gap)
        assert new.message == old.message
        assert new.backend == old.backend
        if old.facility_open is None:
            assert new.facility_open is None
        else:
            assert new.facility_open is not None
            np.testing.assert_array_equal(new.facility_open, old.facility_open)
        np.testing.assert_array_equal(new.row_activity, old.row_activity)
        solutions.append(new)
    return solutions


# ---------------------------------------------------------------------------------------
# Hypothesis: small instances full of ties, zero gains, mixed rows, infeasibility
# ---------------------------------------------------------------------------------------

COSTS = [0.0, 0.5, 1.0, 1.0, 1.5, 2.0, 3.0, 7.25, 1e-9]
CONTRIBUTIONS = [0.0, 0.0, 0.0, 0.1, 0.25, 0.5, 1.0, 1.0, 2.0, 3.0, -0.5, -1.0]


@st.composite
def _problems(draw: st.DrawFn) -> tuple[ChoiceProblem, npt.NDArray[np.float64] | None, float]:
    n_groups = draw(st.integers(1, 7))
    counts = draw(st.lists(st.integers(1, 5), min_size=n_groups, max_size=n_groups))
    n_options = sum(counts)
    n_rows = draw(st.integers(0, 5))
    groups = np.repeat(np.arange(n_groups), counts)
    if draw(st.booleans()):
        groups = groups[np.asarray(draw(st.permutations(list(range(n_options)))), dtype=int)]
    cost_values = st.sampled_from(COSTS) | st.floats(0.0, 20.0, allow_subnormal=False)
    cost = np.array(draw(st.lists(cost_values, min_size=n_options, max_size=n_options)))
    value = st.sampled_from(CONTRIBUTIONS) | st.floats(-2.0, 5.0, allow_subnormal=False)
    coefficients = np.array(
        draw(st.lists(value, min_size=n_rows * n_options, max_size=n_rows * n_options)),
        dtype=np.float64,
    ).reshape(n_rows, n_options)
    if draw(st.booleans()):
        coefficients *= draw(st.sampled_from([1e-5, 1e3]))
    # most a row can reach (each group at its best option for that row), and least
    best = np.zeros(n_rows)
    least = np.zeros(n_rows)
    for g in range(n_groups):
        block = coefficients[:, groups == g]
        best += block.max(axis=1, initial=-np.inf)
        least += block.min(axis=1, initial=np.inf)
    lower = np.full(n_rows, -np.inf)
    upper = np.full(n_rows, np.inf)
    for r in range(n_rows):
        kind = draw(st.sampled_from([">=", ">=", ">=", "<=", "both", "free"]))
        fraction = draw(st.sampled_from([0.0, 0.3, 0.6, 0.9, 1.0, 1.1]))
        target = least[r] + fraction * (best[r] - least[r])
        if kind in (">=", "both"):
            lower[r] = target
        if kind in ("<=", "both"):
            upper[r] = max(target, lower[r]) + draw(st.sampled_from([0.0, 0.5, 10.0]))
    facility_cost = option_facilities = None
    if draw(st.booleans()):
        n_facilities = draw(st.integers(1, 3))
        facility_cost = np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 1.0, 2.5]), min_size=n_facilities, max_size=n_facilities
                )
            )
        )
        links = draw(
            st.lists(
                st.booleans(), min_size=n_facilities * n_options, max_size=n_facilities * n_options
            )
        )
        option_facilities = np.array(links, dtype=float).reshape(n_facilities, n_options)
    row_weights = None
    if n_rows and draw(st.booleans()):
        row_weights = np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 0.5, 1.0, 3.0, -1.0]), min_size=n_rows, max_size=n_rows
                )
            )
        )
    tol = draw(st.sampled_from([1e-9, 0.0, 1e-3]))
    problem = ChoiceProblem(
        group_of_option=groups,
        cost=cost,
        coefficients=coefficients,
        row_lower=lower,
        row_upper=upper,
        facility_cost=facility_cost,
        option_facilities=option_facilities,
    )
    return problem, row_weights, tol


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # rows scaled by a subnormal maximum
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems())
def test_identical_to_reference_on_small_instances(
    case: tuple[ChoiceProblem, npt.NDArray[np.float64] | None, float],
) -> None:
    problem, row_weights, tol = case
    for new, old in zip(_padded_layout(problem), _reference_padded_layout(problem), strict=True):
        np.testing.assert_array_equal(new, old)
    _assert_identical(problem, row_weights, tol)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_groups=st.integers(1, 6),
    n_options=st.integers(1, 5),
    n_rows=st.integers(0, 4),
    with_facilities=st.booleans(),
)
def test_identical_to_reference_on_random_small_problems(
    seed: int, n_groups: int, n_options: int, n_rows: int, with_facilities: bool
) -> None:
    problem = random_small_problem(
        np.random.default_rng(seed), n_groups, n_options, n_rows, with_facilities=with_facilities
    )
    _assert_identical(problem)


# ---------------------------------------------------------------------------------------
# Seeded numpy instances: a few hundred groups, several phases, every kind of row
# ---------------------------------------------------------------------------------------


def _curve_problem(
    seed: int,
    n_groups: int,
    n_options: int,
    n_rows: int,
    *,
    shape: str,
    target: float = 0.95,
    integer_costs: bool = False,
    budget: float | None = None,
) -> ChoiceProblem:
    """Option k of group g = stock level k; its contribution to row r is w_rg * f_g(k) with
    f S-shaped (Poisson fill rate), concave (1 - exp), or coarse (rounded: many ties)."""
    rng = np.random.default_rng(seed)
    levels = np.arange(n_options)
    mean = rng.uniform(0.2, 4.0, n_groups)
    if shape == "s":
        curve = poisson.cdf(levels[None, :] - 1, mean[:, None])
    elif shape == "concave":
        curve = 1.0 - np.exp(-levels[None, :] / mean[:, None])
    else:  # coarse steps: ties between groups and zero-gain levels
        curve = np.round(4.0 * (1.0 - np.exp(-levels[None, :] / mean[:, None]))) / 4.0
    if integer_costs:
        unit = rng.integers(1, 4, n_groups).astype(float)
    else:
        unit = rng.uniform(1.0, 20.0, n_groups)
    weights = rng.uniform(0.0, 1.0, (n_rows, n_groups))
    weights[rng.random((n_rows, n_groups)) < 0.5] = 0.0
    if shape == "coarse":
        weights = np.round(weights * 4.0) / 4.0
    coefficients = (weights[:, :, None] * curve[None, :, :]).reshape(n_rows, -1)
    cost = (unit[:, None] * levels[None, :]).reshape(-1)
    reach = coefficients.reshape(n_rows, n_groups, n_options).max(axis=2).sum(axis=1)
    lower = target * reach
    upper = np.full(n_rows, np.inf)
    if budget is not None:
        coefficients = np.vstack([coefficients, cost])
        lower = np.r_[lower, -np.inf]
        upper = np.r_[upper, budget]
    return ChoiceProblem(
        group_of_option=np.repeat(np.arange(n_groups), n_options),
        cost=cost,
        coefficients=coefficients,
        row_lower=lower,
        row_upper=upper,
    )


def _stock_vector_problem(
    seed: int, n_groups: int, n_options: int, n_rows: int, touch_probability: float = 0.3
) -> ChoiceProblem:
    """Options are stock vectors over a group's rows drawn independently per option, so a
    move can lower some rows: rows fall short again and phases multiply (as with the
    planning model's columns). Costs are integers: equal-cost options and ratio ties."""
    rng = np.random.default_rng(seed)
    unit = rng.integers(1, 5, n_groups).astype(float)
    touch = rng.random((n_groups, n_rows)) < touch_probability
    touch[np.arange(n_groups), rng.integers(0, n_rows, n_groups)] = True
    coefficients = np.zeros((n_rows, n_groups * n_options))
    for g in range(n_groups):
        rows = np.flatnonzero(touch[g])
        mean = rng.uniform(0.05, 1.5, rows.shape[0])
        weight = rng.uniform(0.0, 1.0, rows.shape[0])
        for k in range(n_options):
            stock = np.bincount(rng.integers(0, rows.shape[0], k), minlength=rows.shape[0])
            coefficients[rows, g * n_options + k] = weight * poisson.cdf(stock - 1, mean)
    top = coefficients[:, n_options - 1 :: n_options].sum(axis=1)
    return ChoiceProblem(
        group_of_option=np.repeat(np.arange(n_groups), n_options),
        cost=(unit[:, None] * rng.integers(0, 3, (n_groups, n_options)).cumsum(axis=1)).ravel(),
        coefficients=coefficients,
        row_lower=0.9 * top,
        row_upper=np.full(n_rows, np.inf),
    )


@pytest.mark.parametrize("shape", ["s", "concave", "coarse"])
@pytest.mark.parametrize("n_rows", [1, 2, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_identical_on_curves(shape: str, n_rows: int, seed: int) -> None:
    problem = _curve_problem(seed, 300, 7, n_rows, shape=shape, integer_costs=seed == 1)
    solutions = _assert_identical(problem)
    assert all(s.status is SolveStatus.FEASIBLE for s in solutions)


@pytest.mark.parametrize("n_rows", [1, 3])
def test_identical_when_infeasible(n_rows: int) -> None:
    problem = _curve_problem(2, 200, 6, n_rows, shape="s", target=1.02)
    solutions = _assert_identical(problem)
    assert all(s.status is SolveStatus.NO_SOLUTION_FOUND for s in solutions)
    assert all("no move improves" in s.message for s in solutions)


@pytest.mark.parametrize("budget", [50.0, 1e6])
def test_identical_with_budget_row(budget: float) -> None:
    problem = _curve_problem(3, 250, 6, 3, shape="concave", budget=budget)
    _assert_identical(problem)


@pytest.mark.parametrize("seed", [4, 5])
def test_identical_with_row_weights(seed: int) -> None:
    problem = _curve_problem(seed, 300, 8, 4, shape="s")
    _assert_identical(problem, row_weights=np.array([1.0, 0.0, 2.5, 0.3]))
    _assert_identical(problem, row_weights=np.zeros(4))  # falls back to shortfall weights


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_identical_on_stock_vector_columns(seed: int) -> None:
    problem = _stock_vector_problem(seed, 400, 6, 9)
    _assert_identical(problem)


@pytest.mark.parametrize("seed", [9, 10])
def test_identical_on_many_rows_few_touched(seed: int) -> None:
    # many short phases, each changing a few rows: gains are recomputed for a subset of the
    # options and the move tree is updated leaf by leaf
    problem = _stock_vector_problem(seed, 2500, 6, 40, touch_probability=0.04)
    _assert_identical(problem)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_identical_with_non_finite_gains() -> None:
    # infinite row weights and shortfalls near the float maximum make gains inf or NaN and
    # ratios NaN, where the order of the moves is the heap's own
    rng = np.random.default_rng(13)
    for _ in range(150):
        n_groups, n_options, n_rows = rng.integers(1, 8), rng.integers(2, 5), rng.integers(1, 4)
        coefficients = rng.choice([0.0, 0.5, 1.0, -1.0, 2.0], (n_rows, n_groups * n_options))
        huge = rng.random(n_rows) < 0.5
        lower = np.where(huge, 1.7e308, coefficients.max(axis=1) * n_groups * 0.5)
        problem = ChoiceProblem(
            group_of_option=np.repeat(np.arange(n_groups), n_options),
            cost=rng.choice([0.0, 1.0, 2.0, 3.0], n_groups * n_options),
            coefficients=coefficients,
            row_lower=lower,
            row_upper=np.full(n_rows, np.inf),
        )
        weights = rng.choice([0.0, 1.0, np.inf], n_rows) if rng.random() < 0.5 else None
        with np.errstate(all="ignore"):
            _assert_identical(problem, weights)


def test_identical_with_zero_gain_and_duplicate_options() -> None:
    base = _curve_problem(9, 200, 5, 2, shape="coarse", integer_costs=True)
    # every option again at the same cost (equal-cost moves) and once more with nothing
    extra_groups = np.r_[base.group_of_option, base.group_of_option]
    extra_cost = np.r_[base.cost, base.cost + 1.0]
    extra = sp.hstack([base.coefficients, sp.csc_array(base.coefficients.shape)], format="csc")
    problem = base.with_options(extra_groups, extra_cost, extra)
    _assert_identical(problem)


def test_identical_on_s_shaped_suite_instances() -> None:
    for n_rows in (1, 3):
        _assert_identical(s_shaped_problem(500, 8, n_rows, seed=n_rows, target_fraction=0.95))
    _assert_identical(s_shaped_problem(300, 6, 2, seed=11, coefficient_scale=1e-5))


def test_identical_with_facilities() -> None:
    rng = np.random.default_rng(12)
    for _ in range(20):
        problem = random_small_problem(rng, 12, 4, 3, with_facilities=True)
        _assert_identical(problem)


# ---------------------------------------------------------------------------------------
# The compiled heap against heapq itself, NaN keys and ties included
# ---------------------------------------------------------------------------------------

RATIOS = [math.inf, 3.0, 1.0, 1.0, 0.5, 0.0, math.nan, 1e-300]


@settings(max_examples=300, deadline=None)
@given(
    ratios=st.lists(st.sampled_from(RATIOS) | st.floats(0.0, 5.0), max_size=40),
    pushes=st.lists(st.none() | st.sampled_from(RATIOS) | st.floats(0.0, 5.0), max_size=60),
)
def test_heap_transcription_pops_what_heapq_pops(
    ratios: list[float], pushes: list[float | None]
) -> None:
    # as in the greedy: one entry (-ratio, group) per group, built in group order; each pop
    # may push the popped group back with a new ratio (None: not pushed)
    heap = [(-ratio, group) for group, ratio in enumerate(ratios)]  # -ratio: fresh floats
    heapq.heapify(heap)
    keys = np.array([-r for r in ratios], dtype=np.float64)
    groups = np.arange(len(ratios), dtype=np.int64)
    size = len(ratios)
    _heapify(keys, groups, size)
    np.testing.assert_array_equal(groups[:size], [g for _, g in heap])
    for push in pushes:
        if not heap:
            break
        expected = heapq.heappop(heap)
        key, group = keys[0], groups[0]
        size -= 1
        if size > 0:
            keys[0], groups[0] = keys[size], groups[size]
            _sift_up(keys, groups, size, 0)
        assert group == expected[1]
        assert _same_float(key, expected[0])
        if push is not None:
            heapq.heappush(heap, (-push, group))
            keys[size], groups[size] = -push, group
            size += 1
            _sift_down(keys, groups, 0, size - 1)
        np.testing.assert_array_equal(groups[:size], [g for _, g in heap])


def test_identical_with_many_options_per_group() -> None:
    # long option lists: the set of live options is rebuilt many times as groups advance,
    # and most groups keep their best move between phases (each row touches few groups)
    rng = np.random.default_rng(14)
    n_groups, n_options, n_rows = 600, 12, 30
    rows_of_group = rng.integers(0, n_rows, n_groups)
    levels = np.arange(n_options)
    mean = rng.uniform(0.5, 6.0, n_groups)
    curve = poisson.cdf(levels[None, :] - 1, mean[:, None])
    coefficients = np.zeros((n_rows, n_groups * n_options))
    for g in range(n_groups):
        coefficients[rows_of_group[g], g * n_options : (g + 1) * n_options] = curve[g]
    reach = coefficients.reshape(n_rows, n_groups, n_options).max(axis=2).sum(axis=1)
    problem = ChoiceProblem(
        group_of_option=np.repeat(np.arange(n_groups), n_options),
        cost=(rng.uniform(1.0, 10.0, n_groups)[:, None] * levels[None, :]).ravel(),
        coefficients=coefficients,
        row_lower=0.97 * reach,
        row_upper=np.full(n_rows, np.inf),
    )
    _assert_identical(problem)
