"""Instance generators and a brute-force reference for the solvers test suite."""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.sparse as sp
from scipy.stats import poisson

from solvers import ChoiceProblem, check_solution, solution_cost


def s_shaped_problem(
    n_groups: int,
    n_options: int,
    n_rows: int,
    seed: int,
    *,
    target_fraction: float = 0.9,
    coefficient_scale: float = 1.0,
) -> ChoiceProblem:
    """Fill-rate-like instance: option k of a group = stock level k, contribution of group g
    to row r = weight_rg * P(Poisson(mean_g) < k) — S-shaped in k for means above one.

    Row r's lower bound is ``target_fraction`` of the most it can reach.
    """
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.2, 4.0, n_groups)
    unit_cost = rng.uniform(1.0, 20.0, n_groups)
    levels = np.arange(n_options)
    fill = poisson.cdf(levels[None, :] - 1, mean[:, None])  # (n_groups, n_options)
    weights = rng.uniform(0.0, 1.0, (n_rows, n_groups))
    weights[:, rng.random(n_groups) < 0.3 / max(n_rows, 1)] = 0.0
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    coefficients = (weights[:, :, None] * fill[None, :, :]).reshape(n_rows, -1)
    coefficients *= coefficient_scale
    reach = coefficients.reshape(n_rows, n_groups, n_options).max(axis=2).sum(axis=1)
    return ChoiceProblem(
        group_of_option=np.repeat(np.arange(n_groups), n_options),
        cost=(unit_cost[:, None] * levels[None, :]).reshape(-1),
        coefficients=sp.csc_array(coefficients),
        row_lower=target_fraction * reach,
        row_upper=np.full(n_rows, np.inf),
        row_names=tuple(f"service {r}" for r in range(n_rows)),
    )


def random_small_problem(
    rng: np.random.Generator,
    n_groups: int,
    n_options: int,
    n_rows: int,
    *,
    with_facilities: bool = False,
) -> ChoiceProblem:
    """Random unstructured instance with mixed >= / <= rows and optional facilities."""
    n = n_groups * n_options
    groups = rng.permutation(np.repeat(np.arange(n_groups), n_options))
    cost = np.round(rng.uniform(0.0, 10.0, n), 3)
    coefficients = np.round(rng.uniform(-1.0, 3.0, (n_rows, n)), 3)
    coefficients[rng.random((n_rows, n)) < 0.3] = 0.0
    # bounds from a random feasible choice, so that the instance is feasible
    reference = np.array([rng.choice(np.flatnonzero(groups == g)) for g in range(n_groups)])
    activity = coefficients[:, reference].sum(axis=1)
    lower = np.full(n_rows, -np.inf)
    upper = np.full(n_rows, np.inf)
    is_lower = rng.random(n_rows) < 0.6
    lower[is_lower] = activity[is_lower] - rng.uniform(0.0, 1.0, is_lower.sum())
    upper[~is_lower] = activity[~is_lower] + rng.uniform(0.0, 1.0, (~is_lower).sum())
    facility_cost = option_facilities = None
    if with_facilities:
        n_facilities = 2
        facility_cost = np.round(rng.uniform(0.5, 5.0, n_facilities), 3)
        option_facilities = (rng.random((n_facilities, n)) < 0.4).astype(float)
    return ChoiceProblem(
        group_of_option=groups,
        cost=cost,
        coefficients=coefficients,
        row_lower=lower,
        row_upper=upper,
        facility_cost=facility_cost,
        option_facilities=option_facilities,
    )


def brute_force(problem: ChoiceProblem) -> tuple[float, np.ndarray | None]:
    """Optimum by enumerating every choice (facilities opened exactly where needed, which is
    optimal for nonnegative facility costs)."""
    options = [np.flatnonzero(problem.group_of_option == g) for g in range(problem.n_groups)]
    best_cost, best = math.inf, None
    for combo in itertools.product(*options):
        chosen = np.array(combo, dtype=np.int64)
        if check_solution(problem, chosen, tol=1e-9):
            continue
        cost = solution_cost(problem, chosen)
        if cost < best_cost - 1e-12:
            best_cost, best = cost, chosen
    return best_cost, best
