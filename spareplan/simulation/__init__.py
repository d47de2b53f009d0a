"""Event-driven Monte Carlo simulation of the service network (numba kernels).

Layers, from the bottom: :mod:`spareplan.simulation._kernels` (numba, arrays only),
:mod:`spareplan.simulation.engine` (array packing, seeds, chunks) and
:mod:`spareplan.simulation.verify` (pandas at the edge: :func:`simulate_plan`).
"""

from spareplan.simulation.engine import (
    EmpiricalDemand,
    SimulationArrays,
    part_seeds,
    simulate_network,
)

__all__ = ["EmpiricalDemand", "SimulationArrays", "part_seeds", "simulate_network"]
