"""Plan verification: simulate a stock plan and re-measure every SLA row with its CI.

:func:`simulate_plan` is the public entry point (pandas at the edge): it compiles the
scenario, validates the plan frame, runs :func:`spareplan.simulation.simulate_network` and
measures exactly the rows of :func:`spareplan.sla.sla_rows`
(:meth:`~spareplan.simulation.results.SimulationArrays.rows_frame`):

- fill rate within W hours of a row = sum over its sites and all parts of the requests
  filled within W, divided by the requests (per replication);
- uptime of a row = 1 - sum over its sites and parts of (repair_hours + wait) per request,
  divided by machines x 8760 h x years (per replication).

Each figure is the mean over independent replications; its standard error is the
standard deviation across replications / sqrt(R) and the 95 % confidence interval uses
Student's t with R - 1 degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spareplan.codes import DAYS_PER_YEAR
from spareplan.demand.history import prepare_history
from spareplan.display import SERVICE_HEADER, html_table, service_rows_html, service_rows_text
from spareplan.errors import InputError, ParameterError
from spareplan.evaluation.availability import installed_positions
from spareplan.network import Network, PartArrays, compile_network, current_stock
from spareplan.scenario.model import Scenario
from spareplan.simulation.engine import EmpiricalDemand, simulate_network
from spareplan.simulation.results import ROW_COLUMNS
from spareplan.sla import AVAILABILITY, FILL_RATE, UPTIME, sla_rows

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DEMAND_MODES", "ROW_COLUMNS", "SimulationResult", "current_stock_matrix",
           "empirical_demand", "plan_stock_matrix", "simulate_plan"]

DEMAND_MODES = ("model", "empirical")
"""``simulate_plan(demand=...)``: the fitted (compound) Poisson rates, or the history."""


@dataclass(frozen=True)
class SimulationResult:
    """The verified figures of a plan.

    Attributes
    ----------
    rows : pandas.DataFrame
        One line per SLA row: ``sla_row, kind, target, simulated, std_error, ci_low,
        ci_high, meets_target`` (plus ``sla_class, sites, replications``; the columns of
        ``verification.csv``, named as in ``service.csv``). ``meets_target`` compares
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

    def _lines(self) -> list[tuple[str, str]]:
        s, rows = self.summary, self.rows
        below = int((~rows["meets_target"].astype(bool)).sum())
        empty = int(rows["simulated"].isna().sum())
        lines = [
            ("simulated", f"{s.get('replications')} replications x {s.get('years', 0):g} "
                          f"year(s), seed {s.get('seed')}, demand {s.get('demand')}"),
            ("network", f"{s.get('parts', 0):,} parts, {s.get('locations', 0):,} locations, "
                        f"{s.get('sites', 0):,} sites"),
            ("SLA rows", f"{len(rows) - below - empty} met, {below} below target"
                         + (f", {empty} without demand" if empty else "")),
        ]
        if "emergency_shipments_per_year" in s:
            lines.append(("shipments per year",
                          f"emergency {s['emergency_shipments_per_year']:,.2f} ± "
                          f"{s['emergency_shipments_per_year_se']:,.2f}, lateral "
                          f"{s['lateral_shipments_per_year']:,.2f} ± "
                          f"{s['lateral_shipments_per_year_se']:,.2f}"))
        return lines

    def __repr__(self) -> str:
        lines = self._lines()
        body = [f"  {k}: {v}" for k, v in lines[1:]]
        body += service_rows_text(self.rows)
        body.append("  .rows, .parts, .locations, .summary")
        return "\n".join([f"SimulationResult: {lines[0][1]}", *body])

    def _repr_html_(self) -> str:
        rows, note = service_rows_html(self.rows, attribute=".rows")
        return html_table(self._lines(), title="SimulationResult", header=SERVICE_HEADER,
                          rows=rows, note=note or ".rows, .parts, .locations, .summary")

    def plot_rows(self, ax: Any = None) -> Any:
        """Value and 95 % CI of every SLA row against its target (matplotlib axes)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.rows) + 1.5))
        y = np.arange(len(self.rows))
        value = self.rows["simulated"].to_numpy(dtype=float)
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


def current_stock_matrix(scenario: Scenario, network: Network, parts: PartArrays
                         ) -> np.ndarray:
    """The scenario's current stock as a base-stock matrix ``(P, L)``: on hand + on order
    per part and location (missing = 0; no ``current_stock`` table: all 0), read by
    :func:`spareplan.network.current_stock` (the planner's reader: a superseded part's
    units count towards the newest part of its chain)."""
    frame = current_stock(scenario)
    if frame.empty:
        return np.zeros((parts.n_parts, network.n_locations), dtype=np.int64)
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


def simulate_plan(scenario: Scenario, stock: pd.DataFrame | None = None, *,
                  replications: int = 20, years: float = 5.0, warmup_years: float = 1.0,
                  seed: int = 0, source: str = "plan", demand: str = "model",
                  client: Client | None = None,
                  on_chunk: Callable[[int, int], None] | None = None) -> SimulationResult:
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
    client : dask.distributed.Client, optional
        Simulate the parts' chunks on its workers (``docs/cluster.md``); the figures are
        byte-identical to this process's.
    on_chunk : callable, optional
        ``on_chunk(parts done, parts)`` after each chunk of parts (a progress display;
        :func:`spareplan.simulation.simulate_network`).

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
    >>> result.rows[["sla_row", "simulated", "ci_low", "ci_high", "meets_target"]]  # doctest: +SKIP
    """
    if demand not in DEMAND_MODES:
        raise ParameterError("demand", f"must be one of {', '.join(DEMAND_MODES)}", demand)
    network, parts = compile_network(scenario)
    empirical = empirical_demand(scenario, network, parts) if demand == "empirical" else None
    matrix = (current_stock_matrix(scenario, network, parts) if stock is None
              else plan_stock_matrix(stock, network, parts, source=source))
    rows = sla_rows(scenario.document, network)
    window = np.full(network.n_sites, np.nan)
    repair = np.full(network.n_sites, np.nan)
    for row in rows:
        if row.kind == FILL_RATE:
            window[row.sites] = row.window_hours
        elif row.kind == UPTIME:
            repair[row.sites] = row.repair_hours
    arrays = simulate_network(network, parts, matrix, window_hours=window,
                              replications=replications, years=years,
                              warmup_years=warmup_years, seed=seed, empirical=empirical,
                              client=client, on_chunk=on_chunk)
    emergency = arrays.site_estimate("emergency_per_year")
    lateral = arrays.site_estimate("lateral_per_year")
    positions = (installed_positions(scenario, network, parts)
                 if any(row.kind == AVAILABILITY for row in rows) else None)
    rows_frame = arrays.rows_frame(rows, positions)
    summary: dict[str, Any] = {
        "replications": replications, "years": years, "warmup_years": warmup_years,
        "seed": seed, "demand": demand, "parts": parts.n_parts, "locations": network.n_locations,
        "sites": network.n_sites,
        "emergency_shipments_per_year": emergency.mean,
        "emergency_shipments_per_year_se": emergency.std_error,
        "lateral_shipments_per_year": lateral.mean,
        "lateral_shipments_per_year_se": lateral.std_error,
        "shipment_cost_per_year": float(emergency.mean * network.emergency_shipment_cost
                                        + lateral.mean * network.lateral_shipment_cost),
        "conservation_residual": arrays.conservation_residual,
        "all_rows_met": bool(rows_frame["meets_target"].all()),
    }
    return SimulationResult(rows=rows_frame, parts=arrays.sites_frame(repair_hours=repair),
                            locations=arrays.locations_frame(), summary=summary)
