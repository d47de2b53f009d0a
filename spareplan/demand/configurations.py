"""The configurations a backtest replays: smoothing constants, the similar-parts prior and
the parameter-uncertainty margin, and the bound on the base-stock search.

A configuration is a method with its smoothing constants (croston and sba: α; tsb: α and
β), with or without the prior of similar series (:mod:`spareplan.demand.similar`) and
with or without a quantile margin of the rate's Gamma posterior. Its name says all of
it: ``tsb(a0.3,b0.2)+prior+q0.6``; constants equal to :data:`DEFAULT_SMOOTHING` are not
written (``tsb``). The margins depend on the history and the prior only, so the
backtest computes each once per quantile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from spareplan.demand.history import PackedSeries
from spareplan.demand.intermittent import _check_unit_interval, _uncertainty_margin
from spareplan.demand.similar import gamma_prior_by_group
from spareplan.errors import InputError, ParameterError

__all__ = [
    "DEFAULT_SMOOTHING", "MAX_LEVEL_UNITS", "PRIORS", "Run", "check_level_sizes",
    "check_priors", "check_quantiles", "check_smoothing", "similar_prior_by_period",
    "smoothing_grid", "uncertainty_margin", "with_prior",
]

PRIORS: tuple[str, ...] = ("none", "similar")
DEFAULT_SMOOTHING = 0.1
"""α and β whose runs keep the plain method name (``tsb``); others carry them."""
MAX_LEVEL_UNITS = 10_000_000
"""Largest base-stock search the replay allows (units): beyond it the per-period demand
is not that of a spare part and the search would allocate gigabytes."""


def _values(value: object) -> list[object]:
    """A scalar or a sequence as a list (a string is not a sequence of numbers here)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def check_quantiles(value: float | Sequence[float] | None) -> tuple[float, ...]:
    """The parameter-uncertainty quantiles, each in (0, 1), none repeated."""
    if value is None:
        return ()
    checked = [_check_unit_interval("parameter_uncertainty", q, closed=False)
               for q in _values(value)]
    if len(set(checked)) != len(checked):
        raise ParameterError("parameter_uncertainty", "must not repeat a quantile", value)
    return tuple(checked)


def check_priors(value: str | Sequence[str]) -> tuple[str, ...]:
    """The prior modes (:data:`PRIORS`), each once, at least one."""
    values = [value] if isinstance(value, str) else list(value)
    for prior in values:
        if prior not in PRIORS:
            raise ParameterError("priors", f"must be among {', '.join(PRIORS)}", value)
    if not values or len(set(values)) != len(values):
        raise ParameterError("priors", "must name each prior once, at least one", value)
    return tuple(values)


def check_smoothing(name: str, value: float | Sequence[float]) -> tuple[float, ...]:
    """Smoothing constants α or β, each in (0, 1], each once, at least one."""
    checked = [_check_unit_interval(name, v) for v in _values(value)]
    if not checked or len(set(checked)) != len(checked):
        raise ParameterError(name, "must give each value once, at least one", value)
    return tuple(checked)


def smoothing_grid(method: str, alphas: tuple[float, ...], betas: tuple[float, ...]
          ) -> list[tuple[str, float, float]]:
    """(name, α, β) of every smoothing of ``method`` (α for croston/sba, α × β for tsb)."""
    default = DEFAULT_SMOOTHING
    if method == "tsb":
        return [(method if (a, b) == (default, default) else f"{method}(a{a:g},b{b:g})", a, b)
                for a in alphas for b in betas]
    if method in ("croston", "sba"):
        return [(method if a == default else f"{method}(a{a:g})", a, np.nan) for a in alphas]
    return [(method, np.nan, np.nan)]


@dataclass(frozen=True)
class Run:
    """One configuration to replay: a rate per series and period (None: bootstrap)."""

    name: str
    base_method: str
    alpha: float
    beta: float
    quantile: float | None
    prior: str
    fitted_rate: np.ndarray | None
    fitted_vmr: np.ndarray
    plain: str  # the run without prior and margin, for extra_stock_vs_estimate


def similar_prior_by_period(
    running_total: np.ndarray, fitted_vmr: np.ndarray, group: np.ndarray,
    fallback: np.ndarray, first: int, max_weight: float
) -> tuple[np.ndarray, np.ndarray]:
    """Prior mean M and weight k per series and period t >= ``first`` (periods before t)."""
    n_series, n_periods = running_total.shape
    mean = np.full((n_series, n_periods), np.nan)
    weight = np.full((n_series, n_periods), np.nan)
    for t in range(max(first, 1), n_periods):
        mean[:, t], weight[:, t] = gamma_prior_by_group(
            running_total[:, t], np.full(n_series, float(t)), fitted_vmr[:, t], group,
            fallback, max_weight=max_weight)
    return mean, weight


def with_prior(rate: np.ndarray, vmr: np.ndarray, n_before: np.ndarray,
                prior: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """A method's one-step rate blended with the similar-parts prior (a copy):
    (k M + w r) / (k + w), w = n / φ (see :mod:`spareplan.demand.similar`)."""
    if prior is None:
        return rate.copy()
    mean, weight = prior
    has = np.isfinite(mean)
    w = n_before / np.maximum(vmr, 1.0)
    k = np.where(has, weight, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(has & (k + w > 0), (k * np.where(has, mean, 0.0) + w * rate)
                        / (k + w), rate)


def uncertainty_margin(vmr: np.ndarray, running_total: np.ndarray, n_before: np.ndarray,
            prior: tuple[np.ndarray, np.ndarray] | None, quantile: float,
            active: np.ndarray) -> np.ndarray:
    """The parameter-uncertainty margin per series and period (0 where not ``active``).

    q-quantile − mean of the rate's Gamma posterior, floored at 0: with the prior
    Gamma(k M + y/φ, k + n/φ), else the Jeffreys Gamma((1/2 + y)/φ, n/φ). It depends on
    the history and the prior only, not on the method, so it is computed once per q.
    """
    out = np.zeros_like(running_total)
    y, n, phi = running_total[active], n_before[active], vmr[active]
    jeffreys = _uncertainty_margin(y, n, phi, quantile)
    if prior is None:
        out[active] = jeffreys
        return out
    mean, weight = prior[0][active], prior[1][active]
    phi = np.maximum(phi, 1.0)
    has = np.isfinite(mean)
    shape = np.where(has, weight * np.where(has, mean, 0.0), 0.0) + y / phi
    scale_inv = np.where(has, weight, 0.0) + n / phi
    usable = has & (shape > 0) & (scale_inv > 0)
    safe_shape = np.where(usable, shape, 1.0)
    safe_scale = 1.0 / np.where(usable, scale_inv, 1.0)
    posterior = stats.gamma.ppf(quantile, safe_shape, scale=safe_scale) - safe_shape * safe_scale
    out[active] = np.where(usable, np.maximum(posterior, 0.0), jeffreys)
    return out


def check_level_sizes(packed: PackedSeries, rate: np.ndarray, vmr: np.ndarray,
                       lead: int, first: int, name: str) -> None:
    """Refuse a replay whose base-stock search would allocate more than
    :data:`MAX_LEVEL_UNITS` (the kernel's bound: mean + 15 sd + 20 over L + 1 periods)."""
    n_periods = packed.n_periods
    dense_rate = rate.reshape(packed.n_series, n_periods)[:, first:]
    dense_vmr = vmr.reshape(packed.n_series, n_periods)[:, first:]
    mean = dense_rate * (lead + 1)
    cap = mean + 15.0 * np.sqrt(np.maximum(dense_vmr, 1.0) * mean) + 20.0
    if cap.size == 0 or float(cap.max()) <= MAX_LEVEL_UNITS:
        return
    i, t = np.unravel_index(int(np.argmax(cap)), cap.shape)
    raise InputError(
        f"{packed.source}: column quantity: the demand per period must be small enough for "
        f"a base-stock search of at most {MAX_LEVEL_UNITS:,} units (a spare part's); "
        f"method {name}, part {packed.parts[i]!r}, site {packed.sites[i]!r}, period "
        f"{packed.period_labels[first + t]!r}: rate {float(dense_rate[i, t]):.4g} per "
        f"period with variance-to-mean {float(dense_vmr[i, t]):.4g} (received a history "
        f"whose largest quantity is {float(packed.values.max()):.4g})"
    )
