"""Event-driven Monte Carlo simulation of the service network (numba kernels).

Layers, from the bottom: :mod:`spareplan.simulation._kernels` (numba, arrays only),
:mod:`spareplan.simulation.engine` (array packing, seeds, chunks) and
:mod:`spareplan.simulation.verify` (pandas at the edge: :func:`simulate_plan`);
:mod:`spareplan.simulation.curve` gives one location's whole service curve over every
stock level from one pass under complete backordering (:func:`stock_curve`).
"""

from spareplan.simulation.curve import StockCurve, stock_curve
from spareplan.simulation.engine import (
    EmpiricalDemand,
    SimulationArrays,
    part_seeds,
    simulate_network,
)
from spareplan.simulation.verify import SimulationResult, plan_stock_matrix, simulate_plan

__all__ = ["EmpiricalDemand", "SimulationArrays", "SimulationResult", "StockCurve",
           "part_seeds", "plan_stock_matrix", "simulate_network", "simulate_plan",
           "stock_curve"]
