"""Monolithic MILP peer of column generation: one binary per stock level, same optimum.

The planning problem of :mod:`spareplan.planning.optimize` picks one stock vector S_p per
part p so that every SLA row holds at least yearly cost. Column generation lists stock
vectors as columns. This module writes the *same* problem with binaries per stock level
instead, and solves it with HiGHS in one go, so the benchmark can compare the two on the
sizes where the monolithic model finishes.

Why the binaries are conditional
--------------------------------
Under METRIC (Sherbrooke 1968) a location's resupply time is its lead time plus the
expected delay at its parent, EBO_parent(S_parent) / lambda_parent, and a lost request
at an FSL is served by the nearest ancestor with stock (``emergency`` rule). The service
of the sites of location l therefore depends on S_l *and* on the stock of every ancestor
of l, never on siblings or descendants. The exact tree dynamic program of
:func:`spareplan.evaluation.metric.price_part_exact` decomposes a part's value the same
way: ``_node_value(l, S_l)`` is the per-unit holding price of S_l plus the value of the
sites whose primary location is l, evaluated after the ancestors' states were set at
their levels. A stock vector's cost and SLA-row coefficients are the sums of these node
terms (holding is linear; emergency shipments and ``within``/``wait`` are per site).

Formulation (per part p, over the locations its demand reaches, ``support``)
----------------------------------------------------------------------------
Variables: for a location l with ancestors a_1 (root), ..., a_k (parent) one binary

    z[p, l, (S_a1, ..., S_ak), S_l]   for every level of l and every ancestor levels,

S between ``model.service.bounds_many`` lo and hi. A root has k = 0; an FSL under a DC
under the central warehouse has one binary per (S_root, S_dc, S_fsl): (hi-lo+1)^3.
Plus one open binary y_f per location with ``fixed_cost_per_year`` F_f > 0.

Rows:

- convexity, per part and root r:   sum_S z[p, r, S] = 1;
- linking, per part, non-root l and ancestor levels sigma:
  sum_S z[p, l, sigma, S] - z[p, parent(l), sigma] = 0
  (the child picks one level exactly when its parent's context is chosen);
- SLA row k (``model.rows``, the same bounds):
  sum_{p, l, sigma, S} a_k(p, l, sigma, S) z[p, l, sigma, S], with
  a_k = sum_{s: primary(s) = l} lambda_s (F_sk within_s + U_sk (repair_s + wait_s)),
  F and U the fill and uptime maps of :class:`~spareplan.planning.model.PlanningModel`;
- capacity rows (units, volume per location; the inventory budget over all locations):
  sum_{p, l, sigma, S} S w_r(p, l) z[p, l, sigma, S] <= 1, w_r the model's coefficient;
- facility linking, per part and facility f:  sum_{sigma, S > 0} z[p, f, sigma, S] - y_f <= 0.

Objective: sum c(p, l, sigma, S) z + sum_f F_f y_f with c = h_l c_p S (holding) +
emergency cost x sum_{s at l} lambda_s P(emergency)_s, the cost terms of ``_node_value``.

Any 0/1 solution selects one level per location (one path of the tree of contexts), so
it is a stock vector, and the sums of its binaries' terms are that vector's column cost
and coefficients (:meth:`PlanningModel.column`): the MILP's optimum is the optimum over
all columns, i.e. what ``optimize`` enumerates on small scenarios. Its LP relaxation
equals the Dantzig-Wolfe master LP over all columns (a fractional point is a product of
conditional distributions, a convex combination of stock vectors), so the root bound is
the converged Lagrangian bound of column generation.

Limits: the rule must not be ``lateral`` (a lateral source couples sibling FSLs; the
exact dynamic program excludes it for the same reason). Any tree depth is written, the
binaries of a location growing as the product of its path's level counts.

Command line (each size and each method in its own subprocess, peak RSS per run)::

    .venv/bin/python benchmarks/monolithic_milp.py --sizes 100 1000 --fsls 50 \
        --time-limit 300

Measured (seed 0, 50 FSLs, 2 DCs, ``emergency``, limit 300 s, RLIMIT_AS 8 GiB, 2 cores
shared with other jobs at load 5-7): 1,000 parts = 17.2 M binaries, 1.56 M rows, 50 M
nonzeros, built in 43 s, then HiGHS stops with "Memory limit reached" (6.0 GiB RSS);
100 parts (1.9 M binaries) finds no solution in 300 s (root LP unfinished); 20 parts
(0.35 M binaries) is solved to 0.01 % in 96 s; 30 and 50 parts give plans 0.4 % cheaper
than column generation's but stop at 0.9-1.7 % gap, where column generation needs 8-16 s.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import prange

import solvers
from spareplan._numba import njit_parallel
from spareplan.errors import ParameterError
from spareplan.evaluation.metric import (
    LATERAL,
    demand_and_loss,
    node_state,
    site_terms,
)
from spareplan.planning.model import PlanningModel

ROOT = Path(__file__).resolve().parents[1]


@njit_parallel
def _binary_values(part_node_ptr: np.ndarray, node_loc: np.ndarray, node_lo: np.ndarray,
                   node_levels: np.ndarray, node_parent: np.ndarray, node_count: np.ndarray,
                   node_col: np.ndarray, node_pair: np.ndarray, node_site_ptr: np.ndarray,
                   node_site_idx: np.ndarray, max_depth: int, parent: np.ndarray,
                   lead: np.ndarray, holding_rate: np.ndarray, is_leaf: np.ndarray,
                   site_primary: np.ndarray, response: np.ndarray,
                   site_window_hours: np.ndarray, rule: int, emergency_hours: float,
                   emergency_cost: float, lateral_ptr: np.ndarray, lateral_idx: np.ndarray,
                   unit_cost: np.ndarray, root_days: np.ndarray, rate: np.ndarray,
                   out_cost: np.ndarray, out_within: np.ndarray, out_wait: np.ndarray
                   ) -> None:
    """Cost and site terms of every conditional binary, in parallel over parts.

    Binary b of node v (a part's location l) encodes its path: S_l = lo_v + b mod n_v and
    the parent's binary b div n_v, recursively up to the root. The ancestors' states are
    set top-down with ``node_state`` (METRIC delay, fill, EBO), then the sites whose
    primary location is l are evaluated with ``site_terms`` -- the decomposition of
    ``_node_value`` in the tree dynamic program, with the weights left out.

    Writes ``out_cost[node_col[v] + b]`` = h_l c_p S_l + emergency cost x sum_s lambda_s
    P(emergency)_s and, for the q-th site of v, ``out_within``/``out_wait`` at
    ``node_pair[v] + b * n_sites_v + q``.
    """
    n_loc = parent.shape[0]
    for p in prange(part_node_ptr.shape[0] - 1):
        lam, lost = demand_and_loss(parent, is_leaf, site_primary, rate[p], rule)
        resupply = np.zeros(n_loc)
        fill = np.zeros(n_loc)
        ebo = np.zeros(n_loc)
        delay = np.zeros(n_loc)
        cond = np.zeros(n_loc)
        path = np.empty(max_depth + 1, dtype=np.int64)
        path_level = np.empty(max_depth + 1, dtype=np.int64)
        for v in range(part_node_ptr[p], part_node_ptr[p + 1]):
            loc = node_loc[v]
            n_sites = node_site_ptr[v + 1] - node_site_ptr[v]
            per_unit = unit_cost[p] * holding_rate[loc]
            for b in range(node_count[v]):
                depth = 0
                u = v
                local = b
                while u >= 0:
                    path[depth] = u
                    path_level[depth] = node_lo[u] + local % node_levels[u]
                    local //= node_levels[u]
                    u = node_parent[u]
                    depth += 1
                for i in range(depth - 1, -1, -1):
                    node_state(node_loc[path[i]], path_level[i], parent, lead, root_days[p],
                                lam, lost, resupply, fill, ebo, delay, cond)
                level = path_level[0]
                emergency = 0.0
                for q in range(n_sites):
                    s = node_site_idx[node_site_ptr[v] + q]
                    w, t, pe, _ = site_terms(s, loc, level, parent, lam, lost, resupply, fill,
                                              ebo, cond, response, site_window_hours[s],
                                              emergency_hours, lateral_ptr, lateral_idx, False)
                    out_within[node_pair[v] + b * n_sites + q] = w
                    out_wait[node_pair[v] + b * n_sites + q] = t
                    emergency += rate[p, s] * pe
                out_cost[node_col[v] + b] = per_unit * level + emergency_cost * emergency


@dataclass(frozen=True, eq=False)
class MonolithicMilp:
    """The monolithic MILP as column-wise arrays (``highspy.Highs.passModel`` layout).

    Columns: the conditional binaries z (``n_binaries``), then one open binary per
    facility location. Rows: SLA rows, capacity rows, facility linking rows, convexity
    rows, tree linking rows (counts in the attributes below).
    """

    cost: np.ndarray
    matrix: sp.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_binaries: int
    n_facilities: int
    n_sla_rows: int
    n_capacity_rows: int
    n_facility_rows: int
    n_convexity_rows: int
    n_linking_rows: int
    build_seconds: float
    #: ``encode(stock)``: column values (0/1, n_cols) of a stock plan int (n_parts, L),
    #: the inverse of the ``decode`` returned by :func:`build_monolithic`.
    encode: Callable[[np.ndarray], np.ndarray]

    @property
    def n_cols(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_lower.shape[0])

    def to_highs(self, *, time_limit: float | None, mip_rel_gap: float,
                 threads: int | None = None, verbose: bool = False) -> Any:
        """A ``highspy.Highs`` holding this model (every column binary)."""
        import highspy

        from solvers.highs_backend import make_highs

        highs = make_highs(time_limit=time_limit, mip_rel_gap=mip_rel_gap, threads=threads,
                           verbose=verbose)
        matrix = self.matrix
        status = highs.passModel(
            self.n_cols, self.n_rows, int(matrix.nnz),
            int(highspy.MatrixFormat.kColwise.value), int(highspy.ObjSense.kMinimize.value),
            0.0, self.cost, np.zeros(self.n_cols), np.ones(self.n_cols), self.row_lower,
            self.row_upper, matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
            matrix.data.astype(np.float64), np.ones(self.n_cols, dtype=np.int32))
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS passModel rejected the monolithic model")
        return highs


def _support(model: PlanningModel) -> np.ndarray:
    """Boolean (P, L): location l is the primary location of a site where part p has
    demand, or an ancestor of one (what ``ServiceModel.support`` marks, rule not lateral)."""
    net = model.network
    part, site = np.nonzero(model.parts.demand_rate > 0)
    inside = np.zeros((model.n_parts, net.n_locations), dtype=bool)
    loc = net.site_primary[site]
    while loc.shape[0]:
        inside[part, loc] = True
        keep = net.parent[loc] >= 0
        part, loc = part[keep], net.parent[loc][keep]
    return inside


def build_monolithic(model: PlanningModel
                     ) -> tuple[MonolithicMilp, Callable[[np.ndarray], np.ndarray]]:
    """Write the monolithic MILP of ``model`` (see the module docstring).

    One function of about 240 lines on purpose: it is the benchmark's readable reference
    formulation, written top to bottom in the order of the module docstring (variables,
    unary stock encoding, linking rows, SLA rows, objective), and its stages share a dozen
    index arrays; split into helpers the formulation could no longer be read in one place
    against the docstring.

    Parameters
    ----------
    model : PlanningModel
        Rule ``emergency`` or ``backorder`` (not ``lateral``).

    Returns
    -------
    milp : MonolithicMilp
    decode : callable
        ``decode(values)`` maps HiGHS column values (n_cols,) to the stock plan, int64
        (n_parts, L): at each location of a part's support the level of its binary at 1,
        0 elsewhere (the bound of every stock vector outside the support).

    Examples
    --------
    >>> milp, decode = build_monolithic(model)                 # doctest: +SKIP
    >>> highs = milp.to_highs(time_limit=60, mip_rel_gap=1e-4)  # doctest: +SKIP
    """
    started = time.perf_counter()
    net, service = model.network, model.service
    if net.stockout_rule == LATERAL:
        raise ParameterError("model", "stockout_rule must be 'emergency' or 'backorder' (a "
                             "lateral source couples sibling FSLs: no per-node "
                             "decomposition)", "lateral")
    n_parts, n_loc = model.n_parts, net.n_locations
    lo, hi = service.bounds_many(np.arange(n_parts, dtype=np.int64))
    inside = _support(model)
    node_part, node_loc = np.nonzero(inside)  # per part, locations ascending: parents first
    n_nodes = node_part.shape[0]
    node_of = np.full((n_parts, n_loc), -1, dtype=np.int64)
    node_of[node_part, node_loc] = np.arange(n_nodes)
    parent_loc = net.parent[node_loc]
    node_parent = np.where(parent_loc >= 0, node_of[node_part, np.maximum(parent_loc, 0)], -1)
    node_lo = lo[node_part, node_loc]
    node_levels = hi[node_part, node_loc] - node_lo + 1
    node_depth = net.depth[node_loc]
    node_count = node_levels.copy()
    for depth in range(1, int(node_depth.max(initial=0)) + 1):
        at = np.flatnonzero(node_depth == depth)
        node_count[at] = node_levels[at] * node_count[node_parent[at]]
    node_col = np.concatenate([[0], np.cumsum(node_count)]).astype(np.int64)
    n_binaries = int(node_col[-1])
    part_node_ptr = np.searchsorted(node_part, np.arange(n_parts + 1)).astype(np.int64)

    # Sites with demand, grouped by the node of their primary location.
    site_part, site = np.nonzero(model.parts.demand_rate > 0)
    site_node = node_of[site_part, net.site_primary[site]]
    order = np.argsort(site_node, kind="stable")
    site_node, site, site_part = site_node[order], site[order], site_part[order]
    node_site_ptr = np.searchsorted(site_node, np.arange(n_nodes + 1)).astype(np.int64)
    node_sites = np.diff(node_site_ptr)
    node_pair = np.concatenate([[0], np.cumsum(node_count * node_sites)]).astype(np.int64)
    n_pairs = int(node_pair[-1])

    cost = np.empty(n_binaries)
    within = np.empty(n_pairs)
    wait = np.empty(n_pairs)
    _binary_values(
        part_node_ptr, node_loc.astype(np.int64), node_lo, node_levels, node_parent,
        node_count, node_col, node_pair, node_site_ptr, site.astype(np.int64),
        int(node_depth.max(initial=0)), net.parent, net.lead_time_days,
        net.holding_rate_per_year, service.is_leaf, net.site_primary, net.response_hours,
        service.site_window_hours, int(net.stockout_rule), float(net.emergency_response_hours),
        float(net.emergency_shipment_cost), service.lateral_ptr, service.lateral_idx,
        model.parts.unit_cost.astype(np.float64), service.root_days.astype(np.float64),
        np.ascontiguousarray(model.parts.demand_rate, dtype=np.float64), cost, within, wait)

    # Per binary: its node, local index, level and the parent's binary.
    col_node = np.repeat(np.arange(n_nodes, dtype=np.int64), node_count)
    col_local = np.arange(n_binaries, dtype=np.int64) - node_col[col_node]
    col_level = node_lo[col_node] + col_local % node_levels[col_node]
    col_parent_local = col_local // node_levels[col_node]
    del col_local
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    # SLA rows: each (binary, site) pair spread over the site's rows of the fill and
    # uptime maps (duplicates, two sites of a node in one pooled row, are summed).
    n_sla = len(model.row_names)
    if n_sla and n_pairs:
        pair_node = np.repeat(np.arange(n_nodes, dtype=np.int64), node_count * node_sites)
        offset = np.arange(n_pairs, dtype=np.int64) - node_pair[pair_node]
        sites_of = node_sites[pair_node]
        pair_col = node_col[pair_node] + offset // sites_of
        pair_site_q = node_site_ptr[pair_node] + offset % sites_of
        del offset, sites_of, pair_node
        pair_site = site[pair_site_q]
        pair_rate = model.parts.demand_rate[site_part[pair_site_q], pair_site]
        del pair_site_q
        for site_map, term in ((model.fill_map, within),
                               (model.uptime_map, model.site_repair_hours[pair_site] + wait)):
            csr = sp.csr_array(site_map)
            per_site = np.diff(csr.indptr)[pair_site]
            entry_pair = np.repeat(np.arange(n_pairs, dtype=np.int64), per_site)
            if entry_pair.shape[0] == 0:
                continue
            position = (csr.indptr[pair_site[entry_pair]]
                        + np.arange(entry_pair.shape[0])
                        - np.repeat(np.cumsum(per_site) - per_site, per_site))
            rows.append(csr.indices[position].astype(np.int64))
            cols.append(pair_col[entry_pair])
            vals.append(csr.data[position] * pair_rate[entry_pair] * term[entry_pair])
        del pair_col, pair_site, pair_rate
    row_lower = [model.row_lower]
    row_upper = [model.row_upper]
    n_rows = n_sla

    # Capacity rows (units, volume, budget): a binary's stock level times the row's
    # coefficient per unit of its part at its location, read from the model (a location
    # may carry several rows, the budget row spans every location).
    n_capacity = model.n_capacity_rows
    if n_capacity:
        all_parts = np.arange(n_parts, dtype=np.int64)
        per_unit = np.empty((n_loc, n_parts, n_capacity))
        for loc in range(n_loc):
            one = np.zeros((n_parts, n_loc))
            one[:, loc] = 1.0
            per_unit[loc] = model.capacity_coefficients(all_parts, one)
        binary_loc = node_loc[col_node]
        binary_part = node_part[col_node]
        for row in range(n_capacity):
            value = col_level * per_unit[binary_loc, binary_part, row]
            which = np.flatnonzero(value != 0.0)
            rows.append(np.full(which.shape[0], n_rows + row, dtype=np.int64))
            cols.append(which)
            vals.append(value[which])
        row_lower.append(np.full(n_capacity, -np.inf))
        row_upper.append(model.capacity_upper)
        n_rows += n_capacity

    # Facility linking: per (part, facility location) node, binaries with stock - y_f <= 0.
    n_facilities = model.n_facilities
    n_facility_rows = 0
    if n_facilities:
        facility_of_location = np.full(n_loc, -1, dtype=np.int64)
        facility_of_location[model.facility_location] = np.arange(n_facilities)
        facility_nodes = np.flatnonzero(facility_of_location[node_loc] >= 0)
        link_of_node = np.full(n_nodes, -1, dtype=np.int64)
        link_of_node[facility_nodes] = np.arange(facility_nodes.shape[0])
        n_facility_rows = int(facility_nodes.shape[0])
        which = np.flatnonzero((link_of_node[col_node] >= 0) & (col_level > 0))
        rows += [n_rows + link_of_node[col_node[which]], n_rows + np.arange(n_facility_rows)]
        cols += [which, n_binaries + facility_of_location[node_loc[facility_nodes]]]
        vals += [np.ones(which.shape[0]), -np.ones(n_facility_rows)]
        row_lower.append(np.full(n_facility_rows, -np.inf))
        row_upper.append(np.zeros(n_facility_rows))
        n_rows += n_facility_rows

    # Convexity: one row per (part, root) node.
    root_nodes = np.flatnonzero(node_parent < 0)
    convexity_of_node = np.full(n_nodes, -1, dtype=np.int64)
    convexity_of_node[root_nodes] = np.arange(root_nodes.shape[0])
    is_root_col = node_parent[col_node] < 0
    which = np.flatnonzero(is_root_col)
    rows.append(n_rows + convexity_of_node[col_node[which]])
    cols.append(which)
    vals.append(np.ones(which.shape[0]))
    n_convexity = int(root_nodes.shape[0])
    row_lower.append(np.ones(n_convexity))
    row_upper.append(np.ones(n_convexity))
    n_rows += n_convexity

    # Tree linking: node v has one row per binary of its parent.
    link_count = np.where(node_parent >= 0, node_count[np.maximum(node_parent, 0)], 0)
    link_offset = n_rows + np.concatenate([[0], np.cumsum(link_count)[:-1]]).astype(np.int64)
    which = np.flatnonzero(~is_root_col)
    rows.append(link_offset[col_node[which]] + col_parent_local[which])
    cols.append(which)
    vals.append(np.ones(which.shape[0]))
    linked = np.flatnonzero(node_parent >= 0)
    parent_entry_node = np.repeat(linked, link_count[linked])
    parent_local = (np.arange(parent_entry_node.shape[0], dtype=np.int64)
                    - np.repeat(np.cumsum(link_count[linked]) - link_count[linked],
                                link_count[linked]))
    rows.append(link_offset[parent_entry_node] + parent_local)
    cols.append(node_col[node_parent[parent_entry_node]] + parent_local)
    vals.append(-np.ones(parent_entry_node.shape[0]))
    n_linking = int(link_count.sum())
    row_lower.append(np.zeros(n_linking))
    row_upper.append(np.zeros(n_linking))
    n_rows += n_linking
    del parent_entry_node, parent_local, col_parent_local, is_root_col

    n_cols = n_binaries + n_facilities
    node_part_loc = (node_part, node_loc)

    def encode(stock: np.ndarray) -> np.ndarray:
        """Column values of ``stock`` int (n_parts, L): per part location the binary of its
        level given its ancestors' levels, and y_f = 1 where any part stocks f."""
        stock = np.asarray(stock, dtype=np.int64)
        if stock.shape != (n_parts, n_loc):
            raise ParameterError("stock", f"must have shape ({n_parts}, {n_loc})", stock.shape)
        level = stock[node_part, node_loc]
        if np.any(level < node_lo) or np.any(level > node_lo + node_levels - 1):
            raise ParameterError("stock", "must lie within model.service.bounds_many",
                                 "a level outside the bounds")
        local = level - node_lo
        for depth in range(1, int(node_depth.max(initial=0)) + 1):
            at = np.flatnonzero(node_depth == depth)
            local[at] += local[node_parent[at]] * node_levels[at]
        values = np.zeros(n_cols)
        values[node_col[:-1] + local] = 1.0
        if n_facilities:
            values[n_binaries:] = (stock[:, model.facility_location] > 0).any(axis=0)
        return values

    matrix = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_rows, n_cols))
    del rows, cols, vals
    matrix.sum_duplicates()
    matrix.sort_indices()
    milp = MonolithicMilp(
        cost=np.concatenate([cost, model.facility_cost]).astype(np.float64), matrix=matrix,
        row_lower=np.concatenate(row_lower), row_upper=np.concatenate(row_upper),
        n_binaries=n_binaries, n_facilities=n_facilities, n_sla_rows=n_sla,
        n_capacity_rows=n_capacity, n_facility_rows=n_facility_rows,
        n_convexity_rows=n_convexity, n_linking_rows=n_linking,
        build_seconds=time.perf_counter() - started, encode=encode)

    def decode(values: np.ndarray) -> np.ndarray:
        """Stock plan int64 (n_parts, L) of the binaries at 1 in ``values``."""
        chosen = np.flatnonzero(np.asarray(values)[:n_binaries] > 0.5)
        nodes = col_node[chosen]
        if np.unique(nodes).shape[0] != n_nodes or chosen.shape[0] != n_nodes:
            raise solvers.SolutionCheckError(
                f"values: every part location needs exactly one level at 1 (received "
                f"{chosen.shape[0]} binaries at 1 for {n_nodes} part locations)")
        stock = np.zeros((n_parts, n_loc), dtype=np.int64)
        stock[node_part_loc[0][nodes], node_part_loc[1][nodes]] = col_level[chosen]
        return stock

    return milp, decode


def check_plan(model: PlanningModel, stock: np.ndarray, tolerance: float = 1e-6
               ) -> dict[str, float]:
    """Evaluate a stock plan column by column (:meth:`PlanningModel.column`).

    Returns the plan's yearly cost (facility costs included), the SLA-row activities'
    largest violation of the row bounds and the capacity rows' largest violation, and
    ``ok`` (1.0 when both are within ``tolerance``).
    """
    columns = [model.column(p, stock[p]) for p in range(model.n_parts)]
    cost = float(sum(c.cost for c in columns))
    n_sla = len(model.row_names)
    activity = (np.sum([c.coefficients for c in columns], axis=0) if columns
                else np.zeros(n_sla))
    violation = float(np.max(np.maximum(model.row_lower - activity, activity - model.row_upper),
                             initial=0.0))
    capacity = 0.0
    if model.n_capacity_rows:
        load = model.capacity_coefficients(np.arange(model.n_parts), stock).sum(axis=0)
        capacity = float(np.max(load - model.capacity_upper, initial=0.0))
    if model.n_facilities:
        opened = (stock[:, model.facility_location] > 0).any(axis=0)
        cost += float(model.facility_cost[opened].sum())
    return {"cost": cost, "sla_violation": violation, "capacity_violation": capacity,
            "ok": float(violation <= tolerance and capacity <= tolerance)}


def solve_monolithic(model: PlanningModel, time_limit: float | None = None, *,
                     mip_rel_gap: float = 1e-4, threads: int | None = None,
                     verbose: bool = False) -> dict[str, Any]:
    """Build and solve the monolithic MILP with HiGHS; check the decoded plan.

    Parameters
    ----------
    model : PlanningModel
    time_limit : float, optional
        Seconds for build and solve together (the solver gets what the build left), as
        ``optimize``'s ``time_limit`` covers its whole run.
    mip_rel_gap : float
        HiGHS ``mip_rel_gap`` (``optimize`` defaults to 1e-4 too).

    Returns
    -------
    dict
        ``status`` (:class:`solvers.SolveStatus` value, read from both HiGHS' model status
        and its primal solution status; ``error`` when the decoded plan fails the check),
        ``objective``, ``bound`` (MIP dual bound), ``gap``, ``build_seconds``,
        ``solve_seconds``, ``seconds``, ``n_binaries``, ``n_rows``, ``n_nonzeros``,
        ``mip_nodes``, ``highs_status``, ``check_cost`` / ``check_*`` (the plan evaluated
        by :func:`check_plan`), ``stock`` (the plan, or ``None``) and ``peak_rss_mib`` of
        this process.
    """
    import highspy

    started = time.perf_counter()
    milp, decode = build_monolithic(model)
    result: dict[str, Any] = {
        "n_binaries": milp.n_binaries, "n_cols": milp.n_cols, "n_rows": milp.n_rows,
        "n_linking_rows": milp.n_linking_rows, "n_nonzeros": int(milp.matrix.nnz),
        "build_seconds": milp.build_seconds}
    remaining = None if time_limit is None else time_limit - (time.perf_counter() - started)
    if remaining is not None and remaining <= 0:
        result.update(status=solvers.SolveStatus.NO_SOLUTION_FOUND.value, objective=None,
                      bound=-math.inf, gap=math.inf, solve_seconds=0.0, mip_nodes=0,
                      highs_status="not run: the build used the time limit", stock=None)
    else:
        highs = milp.to_highs(time_limit=remaining, mip_rel_gap=mip_rel_gap, threads=threads,
                              verbose=verbose)
        del milp
        solve_started = time.perf_counter()
        highs.run()
        result["solve_seconds"] = time.perf_counter() - solve_started
        info = highs.getInfo()
        model_status = highs.getModelStatus()
        has_solution = int(info.primal_solution_status) == int(
            highspy.SolutionStatus.kSolutionStatusFeasible.value)
        bound = float(info.mip_dual_bound)
        result["bound"] = bound if math.isfinite(bound) else -math.inf
        result["mip_nodes"] = int(info.mip_node_count)
        result["highs_status"] = highs.modelStatusToString(model_status)
        if model_status == highspy.HighsModelStatus.kOptimal and has_solution:
            status = solvers.SolveStatus.OPTIMAL
        elif model_status == highspy.HighsModelStatus.kInfeasible:
            status = solvers.SolveStatus.INFEASIBLE
        elif has_solution:
            status = solvers.SolveStatus.FEASIBLE
        else:
            status = solvers.SolveStatus.NO_SOLUTION_FOUND
        result["objective"] = float(info.objective_function_value) if has_solution else None
        result["stock"] = None
        if has_solution:
            stock = decode(np.asarray(highs.getSolution().col_value))
            check = check_plan(model, stock)
            result["stock"] = stock
            result.update({f"check_{k}": v for k, v in check.items()})
            if not check["ok"]:
                status = solvers.SolveStatus.ERROR
        result["status"] = status.value
        objective = result["objective"]
        result["gap"] = (max(objective - result["bound"], 0.0) / max(abs(objective), 1e-9)
                         if objective is not None and math.isfinite(result["bound"])
                         else math.inf)
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# --- command line --------------------------------------------------------------------

def _scenario_model(folder: Path, n_parts: int, n_fsls: int, n_dcs: int, seed: int
                    ) -> PlanningModel:
    from spareplan import load_scenario
    from spareplan.scenario.generator import generate_scenario

    path = generate_scenario(folder / "gen", n_parts=n_parts, n_fsls=n_fsls, n_dcs=n_dcs,
                             seed=seed)
    return PlanningModel.build(load_scenario(path))


def _run_one(method: str, n_parts: int, n_fsls: int, n_dcs: int, seed: int,
             time_limit: float | None) -> dict[str, Any]:
    """One method on one generated scenario, in this (sub)process."""
    from spareplan import load_scenario

    # Compile (or load from the numba cache) the kernels on the tiny scenario first: the
    # first call is measured apart from the timed run.
    tiny = PlanningModel.build(load_scenario(ROOT / "scenarios" / "tiny"))
    warm_started = time.perf_counter()
    if method == "monolithic":
        build_monolithic(tiny)
    warm_seconds = time.perf_counter() - warm_started
    with tempfile.TemporaryDirectory() as tmp:
        model = _scenario_model(Path(tmp), n_parts, n_fsls, n_dcs, seed)
    row: dict[str, Any] = {"method": method, "parts": n_parts, "fsls": n_fsls,
                           "sla_rows": len(model.rows), "warm_up_seconds": warm_seconds}
    if method == "monolithic":
        result = solve_monolithic(model, time_limit)
        result.pop("stock")
        row.update(result)
        return row
    from spareplan.planning.optimize import optimize

    started = time.perf_counter()
    optimization = optimize(model, time_limit=time_limit)
    seconds = time.perf_counter() - started
    solution = optimization.solution
    row.update(status=solution.status.value, objective=solution.objective,
               bound=solution.lower_bound, gap=solution.gap, seconds=seconds,
               n_columns=optimization.n_columns, iterations=optimization.iterations,
               stages=optimization.stage_seconds, method_detail=optimization.method,
               peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if solution.status.has_solution:
        stock = np.vstack([c.stock for c in optimization.chosen])
        row.update({f"check_{k}": v for k, v in check_plan(model, stock).items()})
    return row


def _subprocess(method: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one method in a fresh process under an address-space limit and a wall clock."""
    command = [sys.executable, __file__, "--one", str(size), "--method", method,
               "--fsls", str(args.fsls), "--dcs", str(args.dcs), "--seed", str(args.seed)]
    if args.time_limit is not None:
        command += ["--time-limit", str(args.time_limit)]
    limit = int(args.memory_gib * 2**30)

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    wall = None if args.time_limit is None else 3.0 * args.time_limit + 300.0
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=cap_memory,
                              timeout=wall, check=False)
    except subprocess.TimeoutExpired:
        return {"method": method, "parts": size, "status": "killed",
                "note": f"wall clock {wall:.0f} s exceeded",
                "seconds": time.perf_counter() - started}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"method": method, "parts": size, "status": "crashed",
                "returncode": done.returncode, "note": " | ".join(tail),
                "seconds": time.perf_counter() - started}
    return json.loads(lines[-1])


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—"
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("| parts | method | variables | rows | nonzeros | build s | solve s | total s "
            "| status | objective | bound | gap | peak RSS MiB |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        variables = r.get("n_binaries", r.get("n_columns"))
        lines.append(
            f"| {r['parts']:,} | {r['method']} | {_fmt(variables)} | "
            f"{_fmt(r.get('n_rows', r.get('sla_rows')))} | {_fmt(r.get('n_nonzeros'))} | "
            f"{_fmt(r.get('build_seconds'))} | {_fmt(r.get('solve_seconds'))} | "
            f"{_fmt(r.get('seconds'))} | {r['status']} | {_fmt(r.get('objective'), 0)} | "
            f"{_fmt(r.get('bound'), 0)} | "
            f"{_fmt(None if r.get('gap') is None else 100 * r['gap'], 3)} % | "
            f"{_fmt(r.get('peak_rss_mib'), 0)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--fsls", type=int, default=50)
    parser.add_argument("--dcs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--memory-gib", type=float, default=8.0,
                        help="address-space limit of each subprocess (RLIMIT_AS)")
    parser.add_argument("--methods", nargs="+", default=["monolithic", "column_generation"],
                        choices=["monolithic", "column_generation"])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        row = _run_one(args.method, args.one, args.fsls, args.dcs, args.seed, args.time_limit)
        print(json.dumps(row, default=float))
        return 0
    rows = []
    for size in args.sizes:
        for method in args.methods:
            row = _subprocess(method, size, args)
            print(json.dumps(row, default=float), flush=True)
            rows.append(row)
        by_method = {r["method"]: r for r in rows if r["parts"] == size}
        mono, cg = by_method.get("monolithic"), by_method.get("column_generation")
        if mono and cg and mono.get("objective") and cg.get("objective"):
            print(json.dumps({"parts": size,
                              "cost_ratio_monolithic_to_cg": mono["objective"] / cg["objective"],
                              "time_ratio_monolithic_to_cg": mono["seconds"] / cg["seconds"]}),
                  flush=True)
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
