"""Plan verification: simulate a stock plan and re-measure every SLA row with its CI.

:func:`simulate_plan` is the public entry point (pandas at the edge): it compiles the
scenario, validates the plan frame, runs :func:`spareplan.simulation.simulate_network` and
measures exactly the rows of :func:`spareplan.sla.sla_rows`:

- fill rate within W hours of a row = sum over its sites and all parts of the requests
  filled within W, divided by the requests (per replication);
- uptime of a row = 1 - sum over its sites and parts of (repair_hours + wait) per request,
  divided by machines x 8760 h x years (per replication).

Each figure is the mean over independent replications; its standard error is the
standard deviation across replications / sqrt(R) and the 95 % confidence interval uses
Student's t with R - 1 degrees of freedom.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from spareplan.demand.history import prepare_history
from spareplan.errors import InputError, ParameterError
from spareplan.network import DAYS_PER_YEAR, HOURS_PER_YEAR, Network, PartArrays, compile_network
from spareplan.scenario.model import Scenario
from spareplan.simulation import _kernels as k
from spareplan.simulation.engine import EmpiricalDemand, SimulationArrays, simulate_network
from spareplan.sla import FILL_RATE, UPTIME, SlaRow, sla_rows

__all__ = ["DEMAND_MODES", "ROW_COLUMNS", "SimulationResult", "empirical_demand",
           "plan_stock_matrix", "simulate_plan"]

DEMAND_MODES = ("model", "empirical")
"""``simulate_plan(demand=...)``: the fitted (compound) Poisson rates, or the history."""

ROW_COLUMNS = ["sla_row", "kind", "target", "value", "std_error", "ci_low", "ci_high",
               "meets_target"]


@dataclass(frozen=True)
class SimulationResult:
    """The verified figures of a plan.

    Attributes
    ----------
    rows : pandas.DataFrame
        One line per SLA row: ``sla_row, kind, target, value, std_error, ci_low, ci_high,
        meets_target`` (plus ``sla_class, sites, replications``). ``meets_target`` compares
        the point estimate with the target; a row without demand has value ``nan`` and meets
        its target.
    parts : pandas.DataFrame
        Per part and site with demand: requests per year, fill rate at the primary
        location, fill within the site's window, mean wait (h), downtime hours per year,
        emergency and lateral shipments per year, each with ``*_se``.
    locations : pandas.DataFrame
        Per part and location: expected backorders, average on hand, units demanded per
        year, each with ``*_se``.
    summary : dict
        Settings, totals (emergency and lateral shipments per year with standard errors,
        their cost) and the largest unit-conservation residual (0 when the model is sound).
    """

    rows: pd.DataFrame
    parts: pd.DataFrame
    locations: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def all_met(self) -> bool:
        """True when every SLA row meets its target."""
        return bool(self.rows["meets_target"].all())

    def to_frame(self) -> pd.DataFrame:
        """The SLA rows with their confidence intervals (a copy)."""
        return self.rows.copy()

    def plot_rows(self, ax: Any = None) -> Any:
        """Value and 95 % CI of every SLA row against its target (matplotlib axes)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.rows) + 1.5))
        y = np.arange(len(self.rows))
        value = self.rows["value"].to_numpy(dtype=float)
        error = np.vstack([value - self.rows["ci_low"].to_numpy(dtype=float),
                           self.rows["ci_high"].to_numpy(dtype=float) - value])
        colors = np.where(self.rows["meets_target"], "tab:green", "tab:red")
        ax.errorbar(value, y, xerr=error, fmt="none", ecolor="gray", capsize=3)
        ax.scatter(value, y, c=colors, zorder=3, label="simulated (95 % CI)")
        ax.scatter(self.rows["target"], y, marker="|", s=200, c="black", label="target")
        ax.set_yticks(y, self.rows["sla_row"])
        ax.invert_yaxis()
        ax.set_xlabel("service")
        ax.legend(loc="lower left")
        return ax


def _mean_se(values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error across replications, ignoring ``nan`` replications."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        count = np.sum(np.isfinite(values), axis=axis)
        mean = np.nanmean(values, axis=axis) if values.size else values.sum(axis=axis)
        centered = np.where(np.isfinite(values), values - np.expand_dims(mean, axis), 0.0)
        variance = np.sum(centered ** 2, axis=axis) / np.maximum(count - 1, 1)
        se = np.sqrt(variance / np.maximum(count, 1))
    return mean, np.where(count >= 2, se, np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1),
                        np.nan)


def plan_stock_matrix(plan: pd.DataFrame, network: Network, parts: PartArrays,
                      source: str = "plan") -> np.ndarray:
    """The base-stock matrix ``(P, L)`` of a plan frame ``part, location, stock``.

    Pairs the plan does not name get 0. Raises :class:`InputError` naming the row (1 =
    first data row), the column, the rule and the value for a missing column, an unknown
    part or location, a duplicate pair, or a stock that is not an integer >= 0.
    """
    missing = [c for c in ("part", "location", "stock") if c not in plan.columns]
    if missing:
        raise InputError(f"{source}: columns {missing} are required "
                         f"(received columns {list(plan.columns)!r})")
    part_index = {p: i for i, p in enumerate(parts.part_ids)}
    location_index = {loc: i for i, loc in enumerate(network.location_ids)}
    matrix = np.zeros((parts.n_parts, network.n_locations), dtype=np.int64)
    seen: set[tuple[int, int]] = set()
    numeric = pd.to_numeric(plan["stock"], errors="coerce").to_numpy(dtype=float)
    for row, (part, location, raw, value) in enumerate(
            zip(plan["part"], plan["location"], plan["stock"], numeric, strict=True), start=1):
        if str(part) not in part_index:
            raise InputError(f"{source}: row {row}, column part: must be a part of the "
                             f"scenario (received {part!r})")
        if str(location) not in location_index:
            raise InputError(f"{source}: row {row}, column location: must be a location of "
                             f"the scenario (received {location!r})")
        if not (np.isfinite(value) and value >= 0 and value == np.round(value)):
            raise InputError(f"{source}: row {row}, column stock: must be an integer >= 0 "
                             f"(received {raw!r})")
        key = (part_index[str(part)], location_index[str(location)])
        if key in seen:
            raise InputError(f"{source}: row {row}: (part, location) must be unique "
                             f"(received {part!r}, {location!r} twice)")
        seen.add(key)
        matrix[key] = int(value)
    return matrix


def _current_stock(scenario: Scenario, network: Network, parts: PartArrays) -> np.ndarray:
    table = scenario.table("current_stock")
    if table is None or table.empty:
        return np.zeros((parts.n_parts, network.n_locations), dtype=np.int64)
    on_order = (table["on_order"].fillna(0) if "on_order" in table.columns else 0)
    frame = pd.DataFrame({"part": table["part"].astype(str),
                          "location": table["location"].astype(str),
                          "stock": table["on_hand"].fillna(0) + on_order})
    return plan_stock_matrix(frame, network, parts, source="current_stock")


def empirical_demand(scenario: Scenario, network: Network, parts: PartArrays
                     ) -> EmpiricalDemand:
    """The scenario's ``demand_history`` packed for resampling, one series per part x site.

    The history is read with the scenario's ``[demand] history_period`` by
    :func:`spareplan.demand.history.prepare_history` (duplicates summed, missing periods
    zero, one common calendar). The simulation then replays, period after period, a
    quantity drawn at random from the pair's own history (a bootstrap of the periods) and
    spreads its units uniformly over the period; the mean demand of a pair is its
    history's mean per period, its variability the history's own (no distribution is
    fitted). Pairs without a history row, or whose history is all zeros, keep the rate of
    the demand model.

    Raises
    ------
    InputError
        The scenario has no ``demand_history`` table, or the table has no ``site`` column
        (the simulation needs the site of every request).
    """
    table = scenario.table("demand_history")
    if table is None or table.empty:
        raise ParameterError("demand", "'empirical' needs a demand_history table in the "
                             "scenario", "empirical")
    source = scenario.document.tables.demand_history or "demand_history.csv"
    packed = prepare_history(table, period=scenario.document.demand.history_period,
                             source=source)
    if not packed.has_site:
        raise InputError(f"{source}: column site: demand='empirical' needs the site of "
                         f"every row (received columns {list(map(str, table.columns))!r})")
    part_index = {part: i for i, part in enumerate(parts.part_ids)}
    site_index = {site: i for i, site in enumerate(network.site_ids)}
    series: dict[tuple[int, int], np.ndarray] = {}
    for i in range(packed.n_series):
        p, s = part_index.get(str(packed.parts[i])), site_index.get(str(packed.sites[i]))
        if p is not None and s is not None:
            series[(p, s)] = packed.series(i)
    return EmpiricalDemand.from_series(parts.n_parts, network.n_sites, series,
                                       period_days=DAYS_PER_YEAR / packed.periods_per_year)


def _rows_frame(rows: list[SlaRow], network: Network, arrays: SimulationArrays
                ) -> pd.DataFrame:
    totals = arrays.site_totals  # (R, N, F)
    replications = arrays.replications
    records = []
    t_quantile = float(stats.t.ppf(0.975, replications - 1))
    for row in rows:
        sites = row.sites
        requests = totals[:, sites, k.SITE_REQUESTS].sum(axis=1)
        if row.kind == FILL_RATE:
            per_replication = _ratio(totals[:, sites, k.SITE_WITHIN_WINDOW].sum(axis=1),
                                     requests)
        elif row.kind == UPTIME:
            downtime = (requests * row.repair_hours
                        + totals[:, sites, k.SITE_WAIT_HOURS].sum(axis=1))
            machine_hours = network.machines[sites].sum() * HOURS_PER_YEAR * arrays.years
            per_replication = (1.0 - downtime / machine_hours if machine_hours > 0
                               else np.full(replications, np.nan))
        else:  # pragma: no cover - sla_rows only makes the two kinds
            raise InputError(f"SLA row {row.name}: unknown kind (received {row.kind!r})")
        mean_array, se_array = _mean_se(per_replication, axis=0)
        mean, se = float(mean_array), float(se_array)
        half = t_quantile * se if np.isfinite(se) else np.nan
        records.append({
            "sla_row": row.name, "kind": row.kind, "target": row.target, "value": mean,
            "std_error": se, "ci_low": mean - half, "ci_high": mean + half,
            "meets_target": bool(not np.isfinite(mean) or mean >= row.target),
            "sla_class": row.sla_class, "sites": ";".join(network.site_ids[s] for s in sites),
            "replications": replications,
        })
    columns = [*ROW_COLUMNS, "sla_class", "sites", "replications"]
    return pd.DataFrame.from_records(records, columns=columns)


def _parts_frame(network: Network, parts: PartArrays, arrays: SimulationArrays,
                 repair_hours: np.ndarray) -> pd.DataFrame:
    site = arrays.site_parts  # (P, R, N, F)
    assert site is not None
    years = arrays.years
    requests = site[..., k.SITE_REQUESTS]
    figures = {
        "requests_per_year": requests / years,
        "fill_rate_primary": _ratio(site[..., k.SITE_FILLED_PRIMARY], requests),
        "fill_rate_within_window": _ratio(site[..., k.SITE_WITHIN_WINDOW], requests),
        "mean_wait_hours": _ratio(site[..., k.SITE_WAIT_HOURS], requests),
        "downtime_hours_per_year": (requests * np.nan_to_num(repair_hours)
                                    + site[..., k.SITE_WAIT_HOURS]) / years,
        "emergency_per_year": site[..., k.SITE_EMERGENCY] / years,
        "lateral_per_year": site[..., k.SITE_LATERAL] / years,
    }
    p_index, s_index = np.nonzero(parts.demand_rate > 0)
    frame = pd.DataFrame({
        "part": np.asarray(parts.part_ids, dtype=object)[p_index],
        "site": np.asarray(network.site_ids, dtype=object)[s_index],
        "location": np.asarray(network.location_ids, dtype=object)[
            network.site_primary[s_index]],
    })
    for name, values in figures.items():
        mean, se = _mean_se(values, axis=1)
        frame[name] = mean[p_index, s_index]
        frame[f"{name}_se"] = se[p_index, s_index]
    return frame


def _locations_frame(network: Network, parts: PartArrays, arrays: SimulationArrays,
                     stock: np.ndarray) -> pd.DataFrame:
    location = arrays.location_parts  # (P, R, L, F)
    days = arrays.years * 365.0
    figures = {
        "expected_backorders": location[..., k.LOCATION_BACKORDER_DAYS] / days,
        "average_on_hand": location[..., k.LOCATION_ON_HAND_DAYS] / days,
        "demand_per_year": location[..., k.LOCATION_DEMAND] / arrays.years,
    }
    n_parts, n_locations = stock.shape
    frame = pd.DataFrame({
        "part": np.repeat(np.asarray(parts.part_ids, dtype=object), n_locations),
        "location": np.tile(np.asarray(network.location_ids, dtype=object), n_parts),
        "stock": stock.ravel(),
    })
    for name, values in figures.items():
        mean, se = _mean_se(values, axis=1)
        frame[name] = mean.ravel()
        frame[f"{name}_se"] = se.ravel()
    keep = (frame["stock"] > 0) | (frame["demand_per_year"] > 0)
    return frame[keep].reset_index(drop=True)


def simulate_plan(scenario: Scenario, stock: pd.DataFrame | None = None, *,
                  replications: int = 20, years: float = 5.0, warmup_years: float = 1.0,
                  seed: int = 0, source: str = "plan", demand: str = "model"
                  ) -> SimulationResult:
    """Simulate a stock plan (or the current stock) and measure every SLA row.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`spareplan.load_scenario`).
    stock : pandas.DataFrame, optional
        The plan: columns ``part, location, stock`` (extra columns ignored); pairs not
        named get 0. ``None``: the scenario's ``current_stock`` (on hand + on order,
        missing = 0).
    replications : int
        Independent replications (>= 2), each with its own seed derived from ``seed``.
    years, warmup_years : float
        Measured horizon and warm-up per replication, in years.
    seed : int
        Seed of every random draw; same seed, same figures, whatever the thread count.
    source : str
        Name of the plan in error messages (e.g. the file name).
    demand : {"model", "empirical"}
        ``"model"``: every part x site draws from its demand rate (Poisson, or compound
        Poisson with the scenario's variance-to-mean). ``"empirical"``: the pairs with a
        ``demand_history`` resample their own history period by period (see
        :func:`empirical_demand`), the others keep the rate. Use it to check a plan
        against the demand actually observed rather than the fitted model.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InputError
        Unknown part or location, duplicate pair, negative or non-integer stock in the
        plan; zero or negative horizon; negative demand rates; an unknown ``demand``
        mode, or ``"empirical"`` without a ``demand_history`` table with sites.

    Examples
    --------
    >>> from spareplan import load_scenario  # doctest: +SKIP
    >>> result = simulate_plan(load_scenario("scenarios/tiny"), replications=5)  # doctest: +SKIP
    >>> result.rows[["sla_row", "value", "ci_low", "ci_high", "meets_target"]]  # doctest: +SKIP
    """
    if demand not in DEMAND_MODES:
        raise ParameterError("demand", f"must be one of {', '.join(DEMAND_MODES)}", demand)
    network, parts = compile_network(scenario)
    empirical = empirical_demand(scenario, network, parts) if demand == "empirical" else None
    matrix = (_current_stock(scenario, network, parts) if stock is None
              else plan_stock_matrix(stock, network, parts, source=source))
    rows = sla_rows(scenario.document, network)
    window = np.full(network.n_sites, np.nan)
    repair = np.full(network.n_sites, np.nan)
    for row in rows:
        if row.kind == FILL_RATE:
            window[row.sites] = row.window_hours
        else:
            repair[row.sites] = row.repair_hours
    arrays = simulate_network(network, parts, matrix, window_hours=window,
                              replications=replications, years=years,
                              warmup_years=warmup_years, seed=seed, empirical=empirical)
    emergency, emergency_se = _mean_se(
        arrays.site_totals[:, :, k.SITE_EMERGENCY].sum(axis=1) / years, axis=0)
    lateral, lateral_se = _mean_se(
        arrays.site_totals[:, :, k.SITE_LATERAL].sum(axis=1) / years, axis=0)
    rows_frame = _rows_frame(rows, network, arrays)
    summary: dict[str, Any] = {
        "replications": replications, "years": years, "warmup_years": warmup_years,
        "seed": seed, "demand": demand, "parts": parts.n_parts, "locations": network.n_locations,
        "sites": network.n_sites,
        "emergency_shipments_per_year": float(emergency),
        "emergency_shipments_per_year_se": float(emergency_se),
        "lateral_shipments_per_year": float(lateral),
        "lateral_shipments_per_year_se": float(lateral_se),
        "shipment_cost_per_year": float(emergency * network.emergency_shipment_cost
                                        + lateral * network.lateral_shipment_cost),
        "conservation_residual": float(arrays.part_out[..., k.PART_CONSERVATION].max(
            initial=0.0)),
        "all_rows_met": bool(rows_frame["meets_target"].all()),
    }
    return SimulationResult(rows=rows_frame,
                            parts=_parts_frame(network, parts, arrays, repair),
                            locations=_locations_frame(network, parts, arrays, matrix),
                            summary=summary)
