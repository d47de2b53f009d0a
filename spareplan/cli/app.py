"""The ``spareplan`` command line: one typer application, one module per command."""

from __future__ import annotations

import typer

from spareplan.cli.backtest import backtest_command
from spareplan.cli.common import guarded
from spareplan.cli.frontier import frontier_command
from spareplan.cli.plan import plan_command, validate_command
from spareplan.cli.simulate import simulate_command
from spareplan.cli.warn import warn_command
from spareplan.cli.warn_ack import warn_ack_command
from spareplan.cli.warn_backtest import warn_backtest_command

app = typer.Typer(
    name="spareplan",
    help="Service-parts inventory optimizer: how many units of each part to stock at each "
    "location so that every SLA is met at least cost. Exit codes: 0 ok, 1 an SLA is not "
    "met or the solver failed, 2 bad input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("validate")(guarded(validate_command))
app.command("plan")(guarded(plan_command))
app.command("simulate")(guarded(simulate_command))
app.command("frontier")(guarded(frontier_command))
app.command("warn")(guarded(warn_command))
app.command("warn-ack")(guarded(warn_ack_command))
app.command("warn-backtest")(guarded(warn_backtest_command))
app.command("backtest")(guarded(backtest_command))


def main() -> None:
    """Entry point of the ``spareplan`` console script."""
    app()
