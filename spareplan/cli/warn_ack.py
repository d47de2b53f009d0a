"""``spareplan warn-ack``: record that someone answered an alert of the alert history.

A plain function annotated for typer; the application registers it as a command and maps
:class:`spareplan.errors.InputError` to exit code 2.
"""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from spareplan.cli.common import say
from spareplan.errors import ParameterError

__all__ = ["warn_ack_command"]


def warn_ack_command(
    alert: Annotated[int, typer.Argument(help="Alert id (column alert_id of alerts.csv).")],
    by: Annotated[str, typer.Option("--by", help="Who answered: a role (e.g. 'service "
                                    "manager') or a customer site id.")],
    state: Annotated[Path, typer.Option("--state", help="The SQLite alert history of "
                                        "`spareplan warn --state`.")],
    on: Annotated[str | None, typer.Option("--on", help="Date of the answer, YYYY-MM-DD "
                                           "(default today).")] = None,
    note: Annotated[str, typer.Option("--note", help="What was agreed.")] = "",
) -> int:
    """Record an acknowledgement; the next ``warn`` run lists who has not answered.

    An alert counts as answered by its owner when the owner acknowledged it at its current
    level; customers told of it answer with their site id. Unknown or closed alerts and a
    file that is not an alert history are refused (exit 2); nothing else is changed.
    """
    from spareplan.warning.state import acknowledge

    who = by.strip()
    if not who:
        raise ParameterError("--by", "must name a role or a site", by)
    day = dt.date.today()
    if on is not None:
        try:
            day = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise ParameterError("--on", "must be a date YYYY-MM-DD", on) from None
    found = acknowledge(Path(state), alert, by=who, on=day, note=note)
    say(f"alert {found['alert_id']} ({found['part']} at {found['location']}, "
        f"{str(found['level']).replace('_', ' ')}, owner {found['owner'] or 'none'}) "
        f"acknowledged by {who} on {day.isoformat()}")
    return 0
