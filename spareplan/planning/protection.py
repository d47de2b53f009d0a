"""What protection against parameter uncertainty costs: the same scenario planned twice.

This lives in planning (not in :mod:`spareplan.demand`) because it runs the planner: the
demand layer states rates, the planning layer prices them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from spareplan.demand.rates import demand_rates, with_demand_settings
from spareplan.errors import ParameterError
from spareplan.planning.plan import plan
from spareplan.scenario.model import Scenario

__all__ = ["ProtectionCost", "protection_cost"]


@dataclass(frozen=True)
class ProtectionCost:
    """What stocking against an upper quantile of the demand rate costs.

    Attributes
    ----------
    rate_quantile : float
        The quantile q of the protected plan.
    holding_cost, protected_holding_cost : float
        Yearly holding cost of the plan from the rate estimates and from the q-quantiles.
    units, protected_units : int
        Units stocked by each plan.
    demand_per_year, protected_demand_per_year : float
        Total demand rate the two plans were made for.
    """

    rate_quantile: float
    holding_cost: float
    protected_holding_cost: float
    units: int
    protected_units: int
    demand_per_year: float
    protected_demand_per_year: float

    @property
    def extra_holding_cost(self) -> float:
        """Yearly cost of the protection (protected − unprotected holding cost)."""
        return self.protected_holding_cost - self.holding_cost

    @property
    def extra_fraction(self) -> float:
        """The protection's cost as a fraction of the unprotected holding cost."""
        return self.extra_holding_cost / self.holding_cost if self.holding_cost else 0.0

    def to_frame(self) -> pd.DataFrame:
        """One row per plan: ``plan, rate_quantile, demand_per_year, units, holding_cost``."""
        return pd.DataFrame({
            "plan": ["estimate", "protected"],
            "rate_quantile": [None, self.rate_quantile],
            "demand_per_year": [self.demand_per_year, self.protected_demand_per_year],
            "units": [self.units, self.protected_units],
            "holding_cost": [self.holding_cost, self.protected_holding_cost]})


def protection_cost(scenario: Scenario, rate_quantile: float = 0.9, *, seed: int = 0,
                    **plan_options: Any) -> ProtectionCost:
    """Plan with and without parameter-uncertainty protection and compare the cost.

    Plans ``scenario`` twice with :func:`spareplan.plan` (``verify=False`` unless given in
    ``plan_options``): once with ``rate_quantile=None`` (the rate estimates) and once
    with ``rate_quantile`` (see :func:`demand_rates`). Only history-based rates change,
    so a scenario without ``demand_history`` costs nothing extra.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario; not modified.
    rate_quantile : float
        q in (0, 1) of the protected plan.
    seed : int
        Passed to both plans.
    **plan_options
        Further keywords of :func:`spareplan.plan` (``time_limit``, ``solver``…).

    Returns
    -------
    ProtectionCost

    Examples
    --------
    >>> cost = protection_cost(load_scenario("history_scenario"), 0.9)  # doctest: +SKIP
    >>> cost.extra_holding_cost, cost.extra_fraction  # doctest: +SKIP
    """
    if isinstance(rate_quantile, bool) or not isinstance(rate_quantile, int | float) or \
            not 0.0 < rate_quantile < 1.0:
        raise ParameterError("rate_quantile", "must be in (0, 1)", rate_quantile)
    plan_options.setdefault("verify", False)
    results = []
    for q in (None, float(rate_quantile)):
        variant = with_demand_settings(scenario, rate_quantile=q)
        result = plan(variant, seed=seed, **plan_options)
        results.append((result, float(demand_rates(variant)["rate_per_year"].sum())))
    (base, base_demand), (protected, protected_demand) = results
    return ProtectionCost(
        rate_quantile=float(rate_quantile),
        holding_cost=float(base.recommendations["yearly_holding_cost"].sum()),
        protected_holding_cost=float(protected.recommendations["yearly_holding_cost"].sum()),
        units=int(base.recommendations["stock"].sum()),
        protected_units=int(protected.recommendations["stock"].sum()),
        demand_per_year=base_demand, protected_demand_per_year=protected_demand)
