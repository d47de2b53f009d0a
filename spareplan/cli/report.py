"""``spareplan report``: rebuild a plan folder's report.html from its files."""

from pathlib import Path
from typing import Annotated

import typer

from spareplan.cli.common import EXIT_OK, say
from spareplan.cli.progress import command_progress


def report_command(
    folder: Annotated[Path, typer.Argument(help="A plan folder written by spareplan plan "
                                           "(recommendations.csv, service.csv, "
                                           "summary.json, ...).")],
) -> int:
    """Rebuild report.html of a plan folder from its files (no planning, no simulation);
    nothing but report.html (and the folder's marker, when it does not list the page yet)
    is written. Exit 0 ok, 2 bad input (nothing written)."""
    from spareplan.reports.report_rebuild import rebuild_report

    with command_progress("report") as progress:
        path = rebuild_report(folder, progress=progress)
    say(f"report written to {path.resolve()}")
    return EXIT_OK
