"""The files of ``spareplan plan``: recommendations.csv, service.csv, summary.json."""

from __future__ import annotations

from pathlib import Path

from spareplan.planning.plan import PlanResult
from spareplan.reports.atomic import atomic_folder, write_csv, write_json

SERVICE_COLUMNS = ["sla_row", "kind", "sla_class", "sites", "target", "planned", "simulated",
                   "std_error", "ci_low", "ci_high", "half_width", "half_width_share",
                   "verdict", "meets_target", "window_hours",
                   "repair_hours", "demand_per_year"]


def write_plan(result: PlanResult, out: str | Path, *, plots: bool = True) -> Path:
    """Write a plan's outputs into ``out`` atomically; returns the folder."""
    out = Path(out)
    with atomic_folder(out) as staging:
        write_csv(staging / "recommendations.csv", result.recommendations)
        service = result.service[[c for c in SERVICE_COLUMNS if c in result.service]]
        write_csv(staging / "service.csv", service)
        write_json(staging / "summary.json", result.summary.to_dict())
        if plots:
            _plots(result, staging)
    return out


def _plots(result: PlanResult, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = result.plot_service()
    ax.figure.tight_layout()
    ax.figure.savefig(folder / "service.png", dpi=110, metadata={"Software": None})
    plt.close(ax.figure)
