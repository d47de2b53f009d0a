"""What the cluster tests run twice (in this process and on a LocalCluster) and compare
byte for byte: a plan's output files, a simulation's frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import spareplan
from spareplan.planning.feed import FeedSettings
from spareplan.reports.plan_outputs import write_plan

#: A feed small enough for a loaded 2-core machine, every stage of the feed still run
#: (column generation, the larger feed near the plan, a holdout round).
SMALL_FEED = FeedSettings(replications=10, near_replications=20, curse_rounds=1,
                          pricing_rounds=1)
#: The summary's fields that measure wall time, not the plan.
RUNTIME_FIELDS = ("runtime_seconds", "stage_seconds")


def plan_files(scenario: Path, out: Path, client: Any = None, **options: Any
               ) -> dict[str, bytes]:
    """Plan ``scenario`` (small feed and verification), write the plan's files into
    ``out`` and return their bytes by name (summary.json without its runtime fields)."""
    result = spareplan.plan(spareplan.load_scenario(scenario), seed=7, feed=SMALL_FEED,
                            replications=4, years=2.0, client=client, **options)
    folder = write_plan(result, out, plots=False)
    files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())
             if path.is_file() and path.name != "summary.json"}
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for field in RUNTIME_FIELDS:
        assert field in summary, field  # the fields left out exist (the filter is real)
        summary.pop(field)
    files["summary.json"] = json.dumps(summary, sort_keys=True).encode()
    return files


def simulation_bytes(scenario: Path, client: Any = None) -> dict[str, bytes]:
    """``spareplan.simulate`` of the scenario's current stock: every frame as CSV bytes
    and the summary as JSON."""
    result = spareplan.simulate(spareplan.load_scenario(scenario), replications=6,
                                years=2.0, seed=11, client=client)
    return {"rows": result.rows.to_csv(index=False).encode(),
            "parts": result.parts.to_csv(index=False).encode(),
            "locations": result.locations.to_csv(index=False).encode(),
            "summary": json.dumps(result.summary, sort_keys=True, default=str).encode()}
