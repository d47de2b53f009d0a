"""System availability in Sherbrooke's product form over parts.

A fleet of ``N`` machines (systems), each with ``Z_i`` units of part ``i`` installed
(Sherbrooke 2004, *Optimal Inventory Modeling of Systems*, 2nd ed., the availability of
a fleet as a product over parts): with ``EBO_i`` the expected backorders of part ``i``
(holes waiting for a unit), each of the ``N Z_i`` positions is empty with probability
``EBO_i / (N Z_i)``, a machine is up when none of its positions is empty, and, positions
taken as independent,

    A = prod_i (1 - EBO_i / (N Z_i)) ^ Z_i.

Its logarithm is separable per part,

    log A = sum_i Z_i log(1 - EBO_i / (N Z_i)) = -sum_i a_i,

so the planning model writes the row as ``sum_i a_i <= -log(target)`` with the part's
*log-unavailability* ``a_i >= 0`` (:func:`log_unavailability`): exact per column, and the
MILP stays linear. For small backorders ``a_i ~ EBO_i / N``: the product form then agrees
with the additive uptime ``1 - sum_i EBO_i / N``.

Here the positions of part ``i`` in a row are ``Q_i = N Z_i`` (``Z_i`` is their mean per
machine when the row's machines are of several types), and ``EBO_i`` is the expected
number of the row's requests of part ``i`` still waiting for their unit, by Little's law
``sum_s lambda_is w_is / 8760`` (rate per year, expected wait in hours per request, the
response time of the serving location included; 0 response time is Sherbrooke's model).

**Guard.** ``EBO_i`` may reach ``Q_i`` (the METRIC model lets backorders exceed the
positions; then ``log(1 - x)`` is ``-inf``). Beyond ``x_c =``
:data:`GUARD_FRACTION` of the positions empty, ``a_i`` continues along its tangent at
``x_c`` (finite, convex, continuously differentiable); the availability it gives there is
below ``(1 - x_c)^{Z_i}`` = 1 % for one unit per machine either way.

**Tangent.** ``a_i`` is convex in ``EBO_i``; its tangent at ``x0``,
``a(x0) + (EBO - EBO0) / (N (1 - x0))`` (:func:`tangent_slope`), lies below it
everywhere. Linear in ``EBO`` and so additive over sites, it is what the pricing dynamic
program prices (:mod:`spareplan.planning.pricing`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from spareplan.demand.supersession import map_to_newest, newest_parts

if TYPE_CHECKING:
    from spareplan.network import Network, PartArrays
    from spareplan.scenario.model import Scenario

__all__ = ["GUARD_FRACTION", "installed_positions", "log_unavailability",
           "product_form_availability", "tangent_slope"]

#: Share of a part's positions empty beyond which its log-unavailability continues along
#: its tangent (see the module docstring).
GUARD_FRACTION = 0.99


def log_unavailability(backorders: np.ndarray, positions: np.ndarray,
                       machines: float | np.ndarray) -> np.ndarray:
    """a_i = -Z_i log(1 - EBO_i / Q_i) with Z_i = Q_i / N, guarded beyond x_c.

    Parameters
    ----------
    backorders : float array
        EBO_i, expected backorders of each part in the row (broadcast with ``positions``).
    positions : float array
        Q_i = N Z_i, the row's installed units of each part (> 0).
    machines : float
        N, the row's machines (> 0).

    Returns
    -------
    float array
        a_i >= 0; ``exp(-sum_i a_i)`` is the row's availability.

    Examples
    --------
    >>> float(np.exp(-log_unavailability(np.array(0.5), np.array(10.0), 5.0)))  # (1-0.05)^2
    0.9025
    """
    backorders = np.asarray(backorders, dtype=np.float64)
    positions = np.asarray(positions, dtype=np.float64)
    per_machine = positions / machines
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(positions > 0, backorders / np.where(positions > 0, positions, 1.0), 0.0)
    inside = -np.log1p(-np.minimum(x, GUARD_FRACTION))
    beyond = (np.maximum(x, GUARD_FRACTION) - GUARD_FRACTION) / (1.0 - GUARD_FRACTION)
    return per_machine * (inside + np.where(x > GUARD_FRACTION, beyond, 0.0))


def tangent_slope(fraction_empty: np.ndarray, machines: float | np.ndarray) -> np.ndarray:
    """d a_i / d EBO_i at x0 = EBO0 / Q_i: 1 / (N (1 - x0)) (the guard's slope beyond x_c).

    Examples
    --------
    >>> float(tangent_slope(np.array(0.0), 4.0))  # at no backorders: the uptime's 1 / N
    0.25
    """
    x0 = np.minimum(np.maximum(np.asarray(fraction_empty, dtype=np.float64), 0.0),
                    GUARD_FRACTION)
    return 1.0 / (np.asarray(machines, dtype=np.float64) * (1.0 - x0))


def product_form_availability(backorders: np.ndarray, positions: np.ndarray,
                              machines: float) -> np.ndarray:
    """A = prod_i (1 - EBO_i / Q_i)^(Q_i / N), over the last axis (parts), guarded.

    Examples
    --------
    >>> round(float(product_form_availability(np.array([0.1, 0.2]), np.array([4.0, 8.0]),
    ...                                       4.0)), 6)  # (1-0.025) (1-0.025)^2
    0.926859
    """
    return np.exp(-log_unavailability(backorders, positions, machines).sum(axis=-1))


def installed_positions(scenario: Scenario, network: Network, parts: PartArrays
                        ) -> np.ndarray:
    """Q_ps: units of each part installed at each site, float64 (P, N).

    Sum over the site's machine types t (``installed_base``) of ``machines_st x
    units_per_machine_tp`` over the types whose ``failure_rates`` row lists the part; a
    part no machine type of the site lists (its demand from the ``demand`` table or a
    history) counts one unit per machine of the site. A superseded part's row counts for
    its newest successor (the same positions: the larger of the two counts per type).
    """
    positions = np.zeros((parts.n_parts, network.n_sites))
    base = scenario.table("installed_base")
    if base is None:
        return positions
    site_index = {s: i for i, s in enumerate(network.site_ids)}
    part_index = {p: i for i, p in enumerate(parts.part_ids)}
    failures = scenario.table("failure_rates")
    if failures is not None and len(failures):
        units = (failures["units_per_machine"] if "units_per_machine" in failures
                 else np.ones(len(failures)))
        bom = map_to_newest(failures.assign(units_per_machine=np.asarray(
            units, dtype=np.float64)), newest_parts(scenario.parts))
        # a superseded part's positions are its successor's: the larger count, not a sum
        bom = bom.groupby(["machine_type", "part"], as_index=False)["units_per_machine"].max()
        merged = base.merge(bom, on="machine_type", how="inner")
        p = merged["part"].map(part_index)
        s = merged["site"].map(site_index)
        keep = p.notna().to_numpy() & s.notna().to_numpy()
        np.add.at(positions, (p[keep].to_numpy(dtype=np.int64),
                              s[keep].to_numpy(dtype=np.int64)),
                  (merged["machines"] * merged["units_per_machine"]).to_numpy(
                      dtype=np.float64)[keep])
    machines = np.asarray(network.machines, dtype=np.float64)
    return np.where(positions > 0, positions, machines[None, :])
