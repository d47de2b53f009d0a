"""Demand rate and dispersion per part and site, from every source a scenario has.

Sources and precedence (documented in docs/scenario-format.md):

1. ``demand`` table: an explicit rate per part and site — wins for its (part, site).
2. ``demand_history``: rates estimated by the scenario's ``[demand] history_method``
   (see :func:`spareplan.demand.intermittent.rates_from_history`) — for pairs not in 1.
3. installed base: machines x failures per machine-year x parts per failure, Poisson
   (variance-to-mean 1) — for pairs in neither 1 nor 2.
"""

from __future__ import annotations

import pandas as pd

from spareplan.scenario.model import Scenario

RATE_COLUMNS = ["part", "site", "rate_per_year", "variance_to_mean", "source"]


def installed_base_rates(installed_base: pd.DataFrame, failure_rates: pd.DataFrame
                         ) -> pd.DataFrame:
    """Yearly demand per part and site from the installed base.

    rate = sum over machine types of machines x failures_per_machine_year x
    parts_per_failure (units per year), Poisson (variance-to-mean 1).
    """
    merged = installed_base.merge(failure_rates, on="machine_type", how="inner")
    merged["rate_per_year"] = (merged["machines"] * merged["failures_per_machine_year"]
                               * merged["parts_per_failure"])
    rates = merged.groupby(["part", "site"], as_index=False, sort=True)["rate_per_year"].sum()
    rates["variance_to_mean"] = 1.0
    rates["source"] = "installed_base"
    return rates[RATE_COLUMNS]


def demand_rates(scenario: Scenario) -> pd.DataFrame:
    """Demand per part and site with its dispersion and the source it came from.

    Returns
    -------
    pandas.DataFrame
        Columns ``part, site, rate_per_year, variance_to_mean, source``; one row per
        (part, site) with a positive rate, sorted by part and site.
    """
    frames: list[pd.DataFrame] = []
    demand = scenario.table("demand")
    if demand is not None:
        explicit = demand.assign(source="demand_table")[RATE_COLUMNS]
        frames.append(explicit)
    history = scenario.table("demand_history")
    if history is not None:
        from spareplan.demand.intermittent import rates_from_history

        settings = scenario.document.demand
        estimated = rates_from_history(history, period=settings.history_period,
                                       method=settings.history_method)
        estimated = estimated[estimated["site"].astype(str) != ""]
        frames.append(estimated.assign(source=f"history_{settings.history_method}")
                      [RATE_COLUMNS])
    base, failures = scenario.table("installed_base"), scenario.table("failure_rates")
    if base is not None and failures is not None:
        frames.append(installed_base_rates(base, failures))
    if not frames:
        return pd.DataFrame(columns=RATE_COLUMNS)
    combined = pd.concat(frames, ignore_index=True)
    combined = combined.drop_duplicates(["part", "site"], keep="first")
    combined = combined[combined["rate_per_year"] > 0]
    combined["variance_to_mean"] = combined["variance_to_mean"].clip(lower=1.0)
    return combined.sort_values(["part", "site"], ignore_index=True)
