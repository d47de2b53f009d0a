"""Former home of the scenario generator, kept for users' scripts: see
:mod:`spareplan.scenario.generator`.

``python -m spareplan.scenario_generator`` still runs the generator's command line, and
``from spareplan.scenario_generator import generate_scenario`` still works; new code
imports from :mod:`spareplan.scenario.generator`.
"""

from __future__ import annotations

import sys

from spareplan.scenario.generator import (
    AS_OF,
    MAX_STOCK_PER_LOCATION,
    PROFILES,
    REQUESTS_PER_MACHINE_YEAR,
    SLA_CLASSES_TOML,
    STOCKOUT_RULES,
    generate_scenario,
    main,
)

__all__ = ["AS_OF", "MAX_STOCK_PER_LOCATION", "PROFILES", "REQUESTS_PER_MACHINE_YEAR",
           "SLA_CLASSES_TOML", "STOCKOUT_RULES", "generate_scenario", "main"]

if __name__ == "__main__":
    sys.exit(main())
