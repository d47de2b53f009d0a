"""Choose the demand configuration per ADI/CV² class, and measure it out of sample.

A *configuration* is one run of :func:`spareplan.demand.backtest.backtest`: a method
(``tsb``), optionally with the similar-parts prior (``+prior``) and a
parameter-uncertainty quantile (``+q0.8``). Every run replays each series on its own, so
a choice per class can be scored from the per-series figures without replaying again.

Selection rule (:func:`select_by_class`): one configuration per class such that the fill
rate pooled over all series, Σ filled / Σ demanded, reaches the target at the least total
stock. That is a multiple-choice knapsack; it is solved exactly by merging the classes'
Pareto fronts (stock against units filled) one class at a time, keeping only the
undominated combinations. What must reach the target:

``rule="point"``
    the point estimate, for the target plus an optional ``margin``;
``rule="ci_low"``
    the lower end of a one-sided ``confidence`` interval of the pooled fill rate
    (bootstrap over series; 0.975 is the lower end of the two-sided 95 % CI): the fill
    rate reaches the target with that confidence over the sampling of series. Found by
    bisection along the merged front, on which the fill rate rises with the stock.

Why not the point estimate alone: a choice that just reaches the target on the series
it was chosen on falls short on others (it picked what was lucky there; measured on car
parts, the cross-validated fill of ``rule="point"`` averages 94.9–95.0 % for a 95 %
target). A confidence below 0.975 buys most of the safety for a fraction of the stock
(see ``docs/demand.md``).

``per_class=False`` restricts the choice to one configuration for every class.

Out of sample (:func:`cross_validate`): series are split into k folds (stratified by
class, seeded); for each fold the rule chooses on the other folds and the choice is
applied to the held-out one. Pooled over the folds, every series is scored by a choice
made without it: those are the figures to quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from spareplan.demand.backtest import RULES, BacktestResult
from spareplan.demand.fill_ci import cluster_ci
from spareplan.errors import ParameterError

__all__ = ["CrossValidation", "Selection", "cross_validate", "select_by_class"]

CI_CONFIDENCE = 0.975
"""Default one-sided confidence of ``rule="ci_low"``: the lower end of the 95 % CI."""

Front = list[tuple[float, float, tuple[int, ...]]]


@dataclass(frozen=True)
class _Table:
    """Per-series figures of every configuration, as arrays (rows: methods)."""

    methods: tuple[str, ...]
    classes: tuple[str, ...]
    class_code: np.ndarray  # (n_series,) index into classes
    demand: np.ndarray  # (n_series,) the same for every configuration
    filled: np.ndarray  # (n_methods, n_series)
    stock: np.ndarray  # (n_methods, n_series) average units on hand
    keys: pd.DataFrame  # part, site

    @classmethod
    def from_result(cls, result: BacktestResult, methods: Sequence[str]) -> _Table:
        per = result.per_series
        frames = [per[per["method"] == m].reset_index(drop=True) for m in methods]
        first = frames[0]
        classes = tuple(sorted(set(first["class"])))
        code = {c: i for i, c in enumerate(classes)}
        return cls(
            methods=tuple(methods), classes=classes,
            class_code=first["class"].map(code).to_numpy(dtype=np.int64),
            demand=first["demand"].to_numpy(dtype=np.float64),
            filled=np.vstack([f["filled"].to_numpy(dtype=np.float64) for f in frames]),
            stock=np.vstack([f["average_stock"].to_numpy(dtype=np.float64) for f in frames]),
            keys=first[["part", "site"]].copy())

    def chosen(self, choice: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Filled and stock per masked series under ``choice`` (method index per class)."""
        rows = choice[self.class_code[mask]]
        columns = np.flatnonzero(mask)
        return self.filled[rows, columns], self.stock[rows, columns]


@dataclass(frozen=True)
class Selection:
    """A configuration per class and what it achieves on the series it was chosen on.

    Attributes
    ----------
    choice : dict of str to str
        ADI/CV² class → configuration (a ``method`` of the backtest).
    rule, margin, confidence, min_class_fill_rate, target_fill_rate
        The rule and its settings, and the target.
    table : pandas.DataFrame
        One row per class: ``class``, ``method``, ``n_series``, ``demand``, ``filled``,
        ``fill_rate``, ``stock`` (units on hand summed over the class's series),
        ``baseline_fill_rate``, ``baseline_stock`` and ``extra_stock`` (stock over the
        baseline's − 1): the stock each choice costs.
    fill_rate, fill_rate_low, fill_rate_high : float
        Pooled achieved fill rate and its 95 % CI (bootstrap over series) on these series.
    average_stock : float
        Mean units on hand per series.
    baseline, baseline_fill_rate, baseline_average_stock, extra_stock_vs_baseline
        The baseline configuration (plain ``tsb`` by default), its figures on the same
        series, and average_stock / baseline_average_stock − 1.
    reaches_target : bool
        Whether the rule's figure reaches the target (else the front's best is returned).
    """

    choice: dict[str, str]
    rule: str
    margin: float
    confidence: float
    min_class_fill_rate: float | None
    target_fill_rate: float
    table: pd.DataFrame
    fill_rate: float
    fill_rate_low: float
    fill_rate_high: float
    average_stock: float
    baseline: str
    baseline_fill_rate: float
    baseline_average_stock: float
    extra_stock_vs_baseline: float
    reaches_target: bool

    def to_frame(self) -> pd.DataFrame:
        """The per-class table (a copy)."""
        return self.table.copy()


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-sample figures of a selection rule (k folds across series).

    Attributes
    ----------
    folds : pandas.DataFrame
        One row per fold: ``fold``, ``n_series``, ``choice`` (``class=method;…``),
        ``train_fill_rate``, ``test_fill_rate``, ``test_average_stock``,
        ``baseline_test_fill_rate``, ``baseline_test_average_stock``.
    by_class : pandas.DataFrame
        Out of sample per class: ``class``, ``n_series``, ``demand``, ``filled``,
        ``fill_rate``, ``stock``, ``baseline_fill_rate``, ``baseline_stock``,
        ``extra_stock``.
    per_series : pandas.DataFrame
        ``part``, ``site``, ``class``, ``fold``, ``method`` (chosen without the series),
        ``demand``, ``filled``, ``average_stock``.
    fill_rate, fill_rate_low, fill_rate_high : float
        Pooled over every held-out series, with its 95 % CI (bootstrap over series).
    average_stock, baseline_fill_rate, baseline_average_stock, extra_stock_vs_baseline
        Mean units on hand per series, the baseline's figures on the same series, and the
        extra stock against it.
    final : Selection
        The rule applied to every series: the configuration to use from now on.
    """

    folds: pd.DataFrame
    by_class: pd.DataFrame
    per_series: pd.DataFrame
    rule: str
    n_folds: int
    seed: int
    target_fill_rate: float
    fill_rate: float
    fill_rate_low: float
    fill_rate_high: float
    average_stock: float
    baseline: str
    baseline_fill_rate: float
    baseline_average_stock: float
    extra_stock_vs_baseline: float
    final: Selection

    def summary(self) -> dict[str, object]:
        """The headline figures as a flat dict (JSON-ready)."""
        return {
            "rule": self.rule, "folds": self.n_folds, "seed": self.seed,
            "target_fill_rate": self.target_fill_rate,
            "fill_rate": self.fill_rate, "fill_rate_low": self.fill_rate_low,
            "fill_rate_high": self.fill_rate_high, "average_stock": self.average_stock,
            "baseline": self.baseline, "baseline_fill_rate": self.baseline_fill_rate,
            "baseline_average_stock": self.baseline_average_stock,
            "extra_stock_vs_baseline": self.extra_stock_vs_baseline,
            "margin": self.final.margin, "confidence": self.final.confidence,
            "final_choice": dict(self.final.choice),
        }


# ---------------------------------------------------------------- the knapsack


def _pareto(options: Front) -> Front:
    """Options (stock, filled, choice) not dominated: more filled costs more stock."""
    ordered = sorted(options, key=lambda o: (o[0], -o[1]))
    front: Front = []
    best = -np.inf
    for option in ordered:
        if option[1] > best + 1e-9:
            front.append(option)
            best = option[1]
    return front


def _front(table: _Table, mask: np.ndarray, per_class: bool, floor: float | None
           ) -> tuple[Front, np.ndarray]:
    """Merged Pareto front over the classes present in ``mask``; and those classes.

    With a ``floor``, a class only takes configurations whose own fill rate reaches it
    (all of its best ones when none does)."""
    codes = table.class_code[mask]
    present = np.unique(codes)
    n_classes = len(table.classes)
    methods = range(len(table.methods))
    stock = np.stack([np.bincount(codes, table.stock[m, mask], minlength=n_classes)
                      for m in methods])
    filled = np.stack([np.bincount(codes, table.filled[m, mask], minlength=n_classes)
                       for m in methods])
    demand = np.bincount(codes, table.demand[mask], minlength=n_classes)
    allowed = np.ones(filled.shape, dtype=bool)
    if floor is not None:
        allowed = filled >= floor * demand[None, :] - 1e-9
        none = ~allowed.any(axis=0)
        allowed[:, none] = filled[:, none] >= filled[:, none].max(axis=0) - 1e-9
    if not per_class:
        usable = [m for m in methods if allowed[m, present].all()] or list(methods)
        return _pareto([(float(stock[m, present].sum()), float(filled[m, present].sum()),
                         tuple(m for _ in present)) for m in usable]), present
    front: Front = [(0.0, 0.0, ())]
    for c in present:
        own = _pareto([(float(stock[m, c]), float(filled[m, c]), (m,))
                       for m in methods if allowed[m, c]])
        front = _pareto([(a[0] + b[0], a[1] + b[1], a[2] + b[2]) for a in front for b in own])
    return front, present


def _as_choice(table: _Table, present: np.ndarray, methods: tuple[int, ...],
               fallback: int) -> np.ndarray:
    choice = np.full(len(table.classes), fallback, dtype=np.int64)
    choice[present] = methods
    return choice


def _lower_end(demand: np.ndarray, filled: np.ndarray, confidence: float, seed: int,
               n_boot: int) -> float:
    """The (1 − confidence) quantile of the bootstrap (over series) of Σ filled / Σ demand."""
    return cluster_ci(demand, filled, np.random.default_rng(seed), n_boot,
                       level=2.0 * confidence - 1.0)[0]


def _choose(table: _Table, mask: np.ndarray, target: float, rule: str, per_class: bool,
            confidence: float, seed: int, n_boot: int, fallback: int,
            floor: float | None = None) -> tuple[np.ndarray, bool]:
    """Method index per class (``fallback`` for classes absent from ``mask``)."""
    front, present = _front(table, mask, per_class, floor)
    need = target * float(table.demand[mask].sum()) - 1e-9
    feasible = [i for i, option in enumerate(front) if option[1] >= need]
    if not feasible:
        return _as_choice(table, present, front[-1][2], fallback), False
    if rule == "point":
        return _as_choice(table, present, front[feasible[0]][2], fallback), True

    def low(i: int) -> float:
        filled, _ = table.chosen(_as_choice(table, present, front[i][2], fallback), mask)
        return _lower_end(table.demand[mask], filled, confidence, seed, n_boot)

    lo, hi = feasible[0], len(front) - 1
    if low(hi) < target:
        return _as_choice(table, present, front[hi][2], fallback), False
    while lo < hi:  # the first front point whose CI lower end reaches the target
        mid = (lo + hi) // 2
        if low(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return _as_choice(table, present, front[lo][2], fallback), True


# ---------------------------------------------------------------- folds


def _fold_of(table: _Table, mask: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold number of every masked series (-1 elsewhere), stratified by class."""
    rng = np.random.default_rng(seed)
    fold = np.full(mask.size, -1, dtype=np.int64)
    offset = 0
    for c in range(len(table.classes)):
        members = np.flatnonzero(mask & (table.class_code == c))
        fold[rng.permutation(members)] = (np.arange(members.size) + offset) % folds
        offset += members.size
    return fold


def _pooled_fill(table: _Table, method: np.ndarray, mask: np.ndarray) -> float:
    columns = np.flatnonzero(mask)
    demand = float(table.demand[columns].sum())
    return float(table.filled[method[columns], columns].sum()) / demand if demand > 0 \
        else float("nan")


# ---------------------------------------------------------------- results


def _check(result: BacktestResult, rule: str, candidates: Sequence[str] | None,
           baseline: str | None, margin: object, confidence: object,
           floor: object = None) -> tuple[list[str], str]:
    if rule not in RULES:
        raise ParameterError("rule", f"must be one of {', '.join(RULES)}", rule)
    known = list(dict.fromkeys(result.per_series["method"]))
    methods = known if candidates is None else list(dict.fromkeys(candidates))
    if not methods or [m for m in methods if m not in known]:
        raise ParameterError("candidates", f"must be methods of the backtest "
                             f"({', '.join(known)})", candidates)
    base = baseline if baseline is not None else ("tsb" if "tsb" in known else known[0])
    if base not in known:
        raise ParameterError("baseline", f"must be a method of the backtest "
                             f"({', '.join(known)})", baseline)
    for name, value, low, high in (("margin", margin, 0.0, 1.0),
                                   ("confidence", confidence, 0.5, 1.0)):
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not low <= float(value) < high:
            raise ParameterError(name, f"must be a number in [{low:g}, {high:g})", value)
    if floor is not None and (isinstance(floor, bool) or not isinstance(floor, int | float)
                              or not 0.0 <= float(floor) <= 1.0):
        raise ParameterError("min_class_fill_rate", "must be None or a number in [0, 1]",
                             floor)
    return methods, base


def _check_folds(folds: object, seed: object) -> tuple[int, int]:
    if isinstance(folds, bool) or not isinstance(folds, int | np.integer) or folds < 2:
        raise ParameterError("folds", "must be an integer >= 2", folds)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "must be an integer >= 0", seed)
    return int(folds), int(seed)


def _table_and_baseline(result: BacktestResult, methods: list[str], baseline: str
                        ) -> tuple[_Table, int]:
    """The candidates first (their indices 0..k-1), then the baseline if not among them."""
    names = list(dict.fromkeys([*methods, baseline]))
    return _Table.from_result(result, names), names.index(baseline)


def _candidates(table: _Table, k: int) -> _Table:
    return _Table(table.methods[:k], table.classes, table.class_code, table.demand,
                  table.filled[:k], table.stock[:k], table.keys)


def _selection(table: _Table, choice: np.ndarray, rule: str, margin: float,
               confidence: float, floor: float | None, target: float, baseline: int,
               reaches: bool, seed: int, n_boot: int) -> Selection:
    everything = np.ones(table.demand.size, dtype=bool)
    filled, stock = table.chosen(choice, everything)
    base_filled, base_stock = table.filled[baseline], table.stock[baseline]
    demand = float(table.demand.sum())
    low, high = cluster_ci(table.demand, filled, np.random.default_rng(seed), n_boot)
    rows = []
    for c, name in enumerate(table.classes):
        members = table.class_code == c
        if not members.any():
            continue
        d = float(table.demand[members].sum())
        rows.append({
            "class": name, "method": table.methods[choice[c]],
            "n_series": int(members.sum()), "demand": d,
            "filled": float(filled[members].sum()),
            "fill_rate": float(filled[members].sum()) / d if d > 0 else np.nan,
            "stock": float(stock[members].sum()),
            "baseline_fill_rate": float(base_filled[members].sum()) / d if d > 0 else np.nan,
            "baseline_stock": float(base_stock[members].sum()),
        })
    frame = pd.DataFrame(rows)
    frame["extra_stock"] = frame["stock"] / frame["baseline_stock"].where(
        frame["baseline_stock"] > 0) - 1.0
    mean_stock, mean_base = float(stock.mean()), float(base_stock.mean())
    return Selection(
        choice={row["class"]: row["method"] for row in rows}, rule=rule, margin=margin,
        confidence=confidence, min_class_fill_rate=floor, target_fill_rate=target,
        table=frame,
        fill_rate=float(filled.sum()) / demand if demand > 0 else float("nan"),
        fill_rate_low=low, fill_rate_high=high, average_stock=mean_stock,
        baseline=table.methods[baseline],
        baseline_fill_rate=float(base_filled.sum()) / demand if demand > 0 else float("nan"),
        baseline_average_stock=mean_base,
        extra_stock_vs_baseline=mean_stock / mean_base - 1.0 if mean_base > 0
        else float("nan"), reaches_target=reaches)


# ---------------------------------------------------------------- public layer


def select_by_class(
    result: BacktestResult,
    rule: str = "point",
    *,
    margin: float = 0.0,
    confidence: float = CI_CONFIDENCE,
    candidates: Sequence[str] | None = None,
    baseline: str | None = None,
    per_class: bool = True,
    min_class_fill_rate: float | None = None,
    seed: int = 0,
    n_boot: int = 1000,
) -> Selection:
    """The cheapest configuration per ADI/CV² class whose pooled fill rate reaches the
    target.

    Parameters
    ----------
    result : BacktestResult
        A backtest of every candidate configuration (e.g. ``priors=("none",
        "similar")``, several ``parameter_uncertainty`` quantiles and smoothing
        constants).
    rule : {"point", "ci_low"}
        ``point``: the pooled achieved fill rate must reach β* + ``margin``;
        ``ci_low``: the lower end of its one-sided ``confidence`` interval must.
    margin : float
        In [0, 1), added to the target ``result.target_fill_rate`` = β*.
    confidence : float
        In [0.5, 1), for ``ci_low``: 0.975 is the lower end of the 95 % CI; 0.5 is the
        median of the bootstrap, close to the point estimate.
    candidates : sequence of str, optional
        The configurations to choose among (default: every method of the backtest).
    baseline : str, optional
        The configuration the extra stock is reported against (``tsb`` when present).
    per_class : bool
        False: one configuration for all classes.
    min_class_fill_rate : float, optional
        A floor on each class's own fill rate: the pooled target alone may let a small
        class fall far behind when that is the cheapest way to the pooled figure. A
        class that cannot reach the floor takes its best-filling configurations.
    seed, n_boot : int
        Stream and resamples of the bootstrap over series.

    Returns
    -------
    Selection
        The choice, its figures and what each class's choice costs against the
        baseline. When no choice reaches the target, the one filling most
        (``reaches_target`` False).

    Notes
    -----
    min Σ_c S_c(m_c) subject to Σ_c F_c(m_c) >= (β* + margin) Σ_c D_c, one m_c per class,
    with S_c, F_c and D_c the stock, units filled and units demanded of class c under
    configuration m_c, solved exactly over the merged Pareto fronts (see the module).

    Examples
    --------
    >>> choice = select_by_class(result, "ci_low", confidence=0.75).choice  # doctest: +SKIP
    """
    methods, base = _check(result, rule, candidates, baseline, margin, confidence,
                           min_class_fill_rate)
    _, seed = _check_folds(2, seed)
    table, base_index = _table_and_baseline(result, methods, base)
    everything = np.ones(table.demand.size, dtype=bool)
    floor = None if min_class_fill_rate is None else float(min_class_fill_rate)
    choice, reaches = _choose(_candidates(table, len(methods)), everything,
                              result.target_fill_rate + float(margin), rule, per_class,
                              float(confidence), seed, n_boot, base_index, floor)
    return _selection(table, choice, rule, float(margin), float(confidence), floor,
                      result.target_fill_rate, base_index, reaches, seed, n_boot)


def cross_validate(
    result: BacktestResult,
    folds: int = 5,
    seed: int = 0,
    rule: str = "point",
    *,
    margin: float = 0.0,
    confidence: float = CI_CONFIDENCE,
    candidates: Sequence[str] | None = None,
    baseline: str | None = None,
    per_class: bool = True,
    min_class_fill_rate: float | None = None,
    n_boot: int = 1000,
) -> CrossValidation:
    """k-fold cross-validation across series of :func:`select_by_class`.

    Parameters
    ----------
    result : BacktestResult
        The backtest of every candidate configuration over all series.
    folds : int
        k >= 2. Series are assigned to folds at random (``seed``), stratified by class so
        that every fold holds each class in proportion.
    seed : int
        Seed of the fold assignment and of the bootstraps.
    rule, margin, confidence, candidates, baseline, per_class, min_class_fill_rate, n_boot
        As in :func:`select_by_class`.

    Returns
    -------
    CrossValidation
        Out-of-sample figures pooled over the folds, per fold, per class and per series,
        and the final selection on all series.

    Examples
    --------
    >>> cv = cross_validate(result, folds=5, seed=0)  # doctest: +SKIP
    >>> cv.fill_rate, cv.extra_stock_vs_baseline  # doctest: +SKIP
    """
    methods, base = _check(result, rule, candidates, baseline, margin, confidence,
                           min_class_fill_rate)
    folds, seed = _check_folds(folds, seed)
    floor = None if min_class_fill_rate is None else float(min_class_fill_rate)
    table, base_index = _table_and_baseline(result, methods, base)
    view = _candidates(table, len(methods))
    n_series = table.demand.size
    if n_series < folds:
        raise ParameterError("folds", f"must be at most the number of series ({n_series})",
                             folds)
    target = result.target_fill_rate + float(margin)
    everything = np.ones(n_series, dtype=bool)
    fold = _fold_of(table, everything, folds, seed)
    method = np.full(n_series, base_index, dtype=np.int64)
    baseline_method = np.full(n_series, base_index, dtype=np.int64)
    rows = []
    for f in range(folds):
        train, test = fold != f, fold == f
        choice, _ = _choose(view, train, target, rule, per_class, float(confidence), seed,
                            n_boot, base_index, floor)
        method[test] = choice[table.class_code[test]]
        present = sorted(set(table.class_code[test]) | set(table.class_code[train]))
        rows.append({
            "fold": f, "n_series": int(test.sum()),
            "choice": ";".join(f"{table.classes[c]}={table.methods[choice[c]]}"
                               for c in present),
            "train_fill_rate": _pooled_fill(table, choice[table.class_code], train),
            "test_fill_rate": _pooled_fill(table, method, test),
            "test_average_stock": float(table.stock[method[test], np.flatnonzero(test)].mean()),
            "baseline_test_fill_rate": _pooled_fill(table, baseline_method, test),
            "baseline_test_average_stock": float(table.stock[base_index, test].mean()),
        })
    columns = np.arange(n_series)
    filled, stock = table.filled[method, columns], table.stock[method, columns]
    base_filled, base_stock = table.filled[base_index], table.stock[base_index]
    demand = float(table.demand.sum())
    low, high = cluster_ci(table.demand, filled, np.random.default_rng(seed), n_boot)
    per_series = table.keys.assign(
        **{"class": np.asarray(table.classes, dtype=object)[table.class_code], "fold": fold,
           "method": np.asarray(table.methods, dtype=object)[method],
           "demand": table.demand, "filled": filled, "average_stock": stock})
    by_class = _out_of_sample_by_class(per_series, base_filled, base_stock)
    final = select_by_class(result, rule, margin=margin, confidence=confidence,
                            candidates=methods, baseline=base, per_class=per_class,
                            min_class_fill_rate=floor, seed=seed, n_boot=n_boot)
    mean_stock, mean_base = float(stock.mean()), float(base_stock.mean())
    return CrossValidation(
        folds=pd.DataFrame(rows), by_class=by_class, per_series=per_series, rule=rule,
        n_folds=folds, seed=seed, target_fill_rate=result.target_fill_rate,
        fill_rate=float(filled.sum()) / demand if demand > 0 else float("nan"),
        fill_rate_low=low, fill_rate_high=high, average_stock=mean_stock, baseline=base,
        baseline_fill_rate=float(base_filled.sum()) / demand if demand > 0 else float("nan"),
        baseline_average_stock=mean_base,
        extra_stock_vs_baseline=mean_stock / mean_base - 1.0 if mean_base > 0
        else float("nan"), final=final)


def _out_of_sample_by_class(per_series: pd.DataFrame, base_filled: np.ndarray,
                            base_stock: np.ndarray) -> pd.DataFrame:
    """:attr:`CrossValidation.by_class` from the held-out series' figures and the
    baseline's."""
    grouped = per_series.assign(baseline_filled=base_filled, baseline_stock=base_stock
                                ).groupby("class")
    by_class = grouped[["demand", "filled"]].sum()
    by_class["n_series"] = grouped.size()
    positive = by_class["demand"].where(by_class["demand"] > 0)
    by_class["fill_rate"] = by_class["filled"] / positive
    by_class["stock"] = grouped["average_stock"].sum()
    by_class["baseline_fill_rate"] = grouped["baseline_filled"].sum() / positive
    by_class["baseline_stock"] = grouped["baseline_stock"].sum()
    by_class["extra_stock"] = by_class["stock"] / by_class["baseline_stock"].where(
        by_class["baseline_stock"] > 0) - 1.0
    by_class = by_class.reset_index()[["class", "n_series", "demand", "filled", "fill_rate",
                                       "stock", "baseline_fill_rate", "baseline_stock",
                                       "extra_stock"]]
    return by_class
