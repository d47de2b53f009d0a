"""Integer codes and unit constants shared by every layer (no pandas, no numba).

The kernels receive choices as integer codes (house style: no strings in nopython code);
this module is their one owner. Names and codes:

- stock-out rule at a location that is out of stock: :data:`BACKORDER` (the request waits
  there), :data:`EMERGENCY` (shipped from the nearest ancestor with stock), :data:`LATERAL`
  (first from another location in reach, then emergency);
- location kind: :data:`CENTRAL`, :data:`DC`, :data:`FSL`;
- time: :data:`DAYS_PER_YEAR` and :data:`HOURS_PER_YEAR` (rates are per year, lead times in
  days, response times and waits in hours).
"""

from __future__ import annotations

BACKORDER, EMERGENCY, LATERAL = 0, 1, 2
#: Stock-out rule name (scenario ``[policy] stockout_rule``) -> code.
STOCKOUT_RULES = {"backorder": BACKORDER, "emergency": EMERGENCY, "lateral": LATERAL}

CENTRAL, DC, FSL = 0, 1, 2
#: Location kind name (``locations.csv`` column ``kind``) -> code.
LOCATION_KINDS = {"central": CENTRAL, "dc": DC, "fsl": FSL}

DAYS_PER_YEAR = 365.0
HOURS_PER_YEAR = 8760.0
HOURS_PER_DAY = 24.0

__all__ = ["BACKORDER", "CENTRAL", "DAYS_PER_YEAR", "DC", "EMERGENCY", "FSL",
           "HOURS_PER_DAY", "HOURS_PER_YEAR", "LATERAL", "LOCATION_KINDS", "STOCKOUT_RULES"]
