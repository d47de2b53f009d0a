"""Event-driven Monte Carlo simulation of the service network (numba kernels).

Layers, from the bottom: :mod:`spareplan.simulation._kernels` (numba, arrays only, private),
:mod:`spareplan.simulation.engine` (array packing, seeds, chunks: :func:`simulate_network`,
:func:`simulate_jobs`), :mod:`spareplan.simulation.results` (the figures by name, with
standard errors and long frames: :class:`SimulationArrays`, :class:`JobFigures`) and
:mod:`spareplan.simulation.verify` (pandas at the edge: :func:`simulate_plan`);
:mod:`spareplan.simulation.curve` gives one location's whole service curve over every
stock level from one pass under complete backordering (:func:`stock_curve`).
"""

from spareplan.simulation.curve import StockCurve, stock_curve
from spareplan.simulation.engine import (
    EmpiricalDemand,
    part_seeds,
    simulate_jobs,
    simulate_network,
)
from spareplan.simulation.results import (
    LOCATION_FIGURES,
    SITE_FIGURES,
    Estimate,
    JobFigures,
    SimulationArrays,
    mean_se,
)
from spareplan.simulation.verify import (
    SimulationResult,
    current_stock_matrix,
    plan_stock_matrix,
    simulate_plan,
)

__all__ = ["LOCATION_FIGURES", "SITE_FIGURES", "EmpiricalDemand", "Estimate", "JobFigures",
           "SimulationArrays", "SimulationResult", "StockCurve", "current_stock_matrix",
           "mean_se", "part_seeds", "plan_stock_matrix", "simulate_jobs", "simulate_network",
           "simulate_plan", "stock_curve"]
