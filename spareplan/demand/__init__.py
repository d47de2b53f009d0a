"""Demand: rates per part and site from installed base, tables and history."""

from spareplan.demand.backtest import backtest
from spareplan.demand.classify import classify_series
from spareplan.demand.history import prepare_history
from spareplan.demand.intermittent import (
    bootstrap_lead_time_demand,
    forecast_intermittent,
    rates_from_history,
)
from spareplan.demand.rates import demand_rates, installed_base_rates

__all__ = ["backtest", "bootstrap_lead_time_demand", "classify_series", "demand_rates",
           "forecast_intermittent", "installed_base_rates", "prepare_history",
           "rates_from_history"]
