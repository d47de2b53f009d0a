"""Demand: rates per part and site from installed base, tables and history."""

from spareplan.demand.backtest import backtest
from spareplan.demand.classify import classify_series
from spareplan.demand.columns import map_history_columns
from spareplan.demand.history import prepare_history
from spareplan.demand.intermittent import (
    bootstrap_lead_time_demand,
    forecast_intermittent,
    rates_from_history,
)
from spareplan.demand.rates import demand_rates, installed_base_rates
from spareplan.demand.selection import cross_validate, select_by_class
from spareplan.demand.supersession import (
    effective_current_stock,
    map_to_newest,
    newest_parts,
    supersession_chains,
)

__all__ = ["backtest", "bootstrap_lead_time_demand", "classify_series", "cross_validate",
           "demand_rates", "effective_current_stock", "forecast_intermittent",
           "installed_base_rates", "map_history_columns", "map_to_newest", "newest_parts",
           "prepare_history", "rates_from_history", "select_by_class", "supersession_chains"]
