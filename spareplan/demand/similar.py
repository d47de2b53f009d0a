"""A prior for new and sparse series from similar series: empirical Bayes by group.

A series with little or no history borrows from the series like it: the same ADI/CV²
class at the same site (a series without any demand has no class of its own and
borrows from every series of its site). The group's rates are taken as draws from a
Gamma prior whose mean M and spread τ² are estimated from the group itself, and each
series' estimate r is blended with M exactly as the installed-base prior is
(:func:`spareplan.demand.intermittent._blend_with_prior`):

    rate = (k M + w r) / (k + w),   w = n / φ,   k = M / τ²,

with n the series' exposure (periods or years), φ its variance-to-mean ratio and k the
prior's weight in the same units. M and τ² are the Bühlmann–Straub estimators with
quasi-Poisson weights w_i = n_i / φ_i (Bühlmann, H. & Straub, E. (1970). Glaubwürdigkeit
für Schadensätze. *Mitteilungen der Vereinigung schweizerischer
Versicherungsmathematiker* 70, 111–133; Klugman, Panjer & Willmot, *Loss Models*, 4th
ed. 2012, §18.6 and §19.2 for the empirical-Bayes version):

    M = Σ w_i r_i / W,   W = Σ w_i,   r_i = y_i / n_i (y_i the series' total demand),
    τ² = (Σ w_i (r_i − M)² − (K − 1) M) / (W − Σ w_i² / W),

K the number of series and M the within-series (Poisson) variance per unit of weight.
The weight is large (the prior dominates) when the group's rates hardly differ beyond
Poisson noise, small when they differ a lot; a long or busy history always dominates.
τ² <= 0 (no spread beyond noise) gives the cap ``max_weight``.

A group with fewer than ``min_group`` series, or without any demand (M = 0), uses its
fallback group (the site); a fallback that fails too uses all series. A series left
without a usable group gets no prior (NaN).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_PRIOR_WEIGHT_YEARS", "MIN_GROUP", "gamma_prior_by_group"]

MIN_GROUP = 5
"""Fewest series in a group for its own prior; smaller groups use the fallback."""
MAX_PRIOR_WEIGHT_YEARS = 100.0
"""Cap of the prior weight k in years (as ``installed_base_weight_years``)."""


def _group_estimates(
    totals: np.ndarray, weights: np.ndarray, exposure: np.ndarray, codes: np.ndarray,
    n_groups: int, max_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: series count K, prior mean M and prior weight k (Bühlmann–Straub)."""
    count = np.bincount(codes, minlength=n_groups).astype(np.float64)
    total_weight = np.bincount(codes, weights, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(exposure > 0, totals / np.where(exposure > 0, exposure, 1.0), 0.0)
        weighted = np.bincount(codes, weights * rate, minlength=n_groups)
        mean = np.where(total_weight > 0, weighted / total_weight, 0.0)
        spread = np.bincount(codes, weights * (rate - mean[codes]) ** 2, minlength=n_groups)
        squares = np.bincount(codes, weights * weights, minlength=n_groups)
        denominator = total_weight - squares / np.where(total_weight > 0, total_weight, 1.0)
        tau2 = (spread - (count - 1.0) * mean) / np.where(denominator > 0, denominator, 1.0)
        weight = np.where((tau2 > 0) & (denominator > 0), mean / tau2, max_weight)
    return count, mean, np.minimum(weight, max_weight)


def gamma_prior_by_group(
    totals: np.ndarray,
    exposure: np.ndarray,
    vmr: np.ndarray,
    group: np.ndarray,
    fallback: np.ndarray,
    *,
    max_weight: float,
    min_group: int = MIN_GROUP,
) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes Gamma prior of every series from its group (see the module).

    Parameters
    ----------
    totals : numpy.ndarray
        y_i, total demand of each series over its exposure.
    exposure : numpy.ndarray
        n_i > 0, the exposure (periods or years; the prior's rate and weight come out in
        the same unit).
    vmr : numpy.ndarray
        φ_i, variance-to-mean ratio per series (floored at 1).
    group, fallback : numpy.ndarray
        Integer codes >= 0 of each series' group (class × site) and fallback group (site).
    max_weight : float
        Cap on the prior weight k, in units of exposure.
    min_group : int
        Fewest series for a group to give its own prior.

    Returns
    -------
    prior_mean, prior_weight : numpy.ndarray
        M and k per series; NaN where no group could give a prior.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.0, 2.0, 4.0, 6.0, 8.0])   # 10 periods each, Poisson
    >>> m, k = gamma_prior_by_group(y, np.full(5, 10.0), np.ones(5), np.zeros(5, int),
    ...                             np.zeros(5, int), max_weight=1e3)
    >>> float(m[0]), round(float(k[0]), 3)
    (0.4, 6.667)
    """
    totals = np.asarray(totals, dtype=np.float64)
    exposure = np.asarray(exposure, dtype=np.float64)
    weights = exposure / np.maximum(np.asarray(vmr, dtype=np.float64), 1.0)
    prior_mean = np.full(totals.size, np.nan)
    prior_weight = np.full(totals.size, np.nan)
    if totals.size == 0:
        return prior_mean, prior_weight
    pending = np.ones(totals.size, dtype=bool)
    levels = (np.asarray(group, dtype=np.int64), np.asarray(fallback, dtype=np.int64),
              np.zeros(totals.size, dtype=np.int64))
    for codes in levels:
        n_groups = int(codes.max()) + 1
        count, mean, weight = _group_estimates(totals, weights, exposure, codes, n_groups,
                                               max_weight)
        usable = (count >= min_group) & (mean > 0)
        take = pending & usable[codes]
        prior_mean[take] = mean[codes[take]]
        prior_weight[take] = weight[codes[take]]
        pending &= ~take
    return prior_mean, prior_weight
