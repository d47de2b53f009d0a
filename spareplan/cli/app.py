"""The ``spareplan`` command line: one typer application, one module per command."""

from __future__ import annotations

from typing import Annotated

import typer

from spareplan.cli.backtest import backtest_command
from spareplan.cli.common import guarded, quiet_scope
from spareplan.cli.frontier import frontier_command
from spareplan.cli.plan import plan_command, validate_command
from spareplan.cli.report import report_command
from spareplan.cli.simulate import simulate_command
from spareplan.cli.warn import warn_command
from spareplan.cli.warn_ack import warn_ack_command
from spareplan.cli.warn_backtest import warn_backtest_command
from spareplan.versions import __version__

app = typer.Typer(
    name="spareplan",
    help="Service-parts inventory optimizer: how many units of each part to stock at each "
    "location so that every SLA is met at least cost. Exit codes: 0 ok, 1 an SLA is not "
    "met or the solver failed, 2 bad input or a bad option, 3 an internal error (a bug: "
    "please report it with the traceback shown).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"spareplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    context: typer.Context,
    allow_outside_tables: Annotated[bool, typer.Option(
        "--allow-outside-tables",
        help="Read scenario tables named by an absolute path, through '..' or a symbolic "
             "link leading out of the scenario folder (refused by default).")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress or account lines on stderr (errors are still "
        "shown); for batch jobs.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Options of every command (given before the command's name)."""
    del version  # handled by its callback
    context.with_resource(quiet_scope(quiet))
    if allow_outside_tables:
        from spareplan.scenario.load import outside_tables_allowed

        context.with_resource(outside_tables_allowed())


app.command("validate")(guarded(validate_command, "validate"))
app.command("plan")(guarded(plan_command, "plan"))
app.command("report")(guarded(report_command, "report"))
app.command("simulate")(guarded(simulate_command, "simulate"))
app.command("frontier")(guarded(frontier_command, "frontier"))
app.command("warn")(guarded(warn_command, "warn"))
app.command("warn-ack")(guarded(warn_ack_command, "warn-ack"))
app.command("warn-backtest")(guarded(warn_backtest_command, "warn-backtest"))
app.command("backtest")(guarded(backtest_command, "backtest"))


def main() -> None:
    """Entry point of the ``spareplan`` console script."""
    app()
