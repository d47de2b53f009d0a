"""The ``spareplan`` command line: one typer application, one module per command.

Exit codes (also in ``spareplan --help`` and the README): 0 ok; 1 an SLA is not met or the
solver failed; 2 bad input (a scenario, a file or an option value that the program checks);
3 an internal error; 64 a usage error (an unknown command or option, a missing argument,
an option value that is not of its type; ``spareplan`` alone, which prints the help on
stderr), 64 being ``EX_USAGE`` of BSD's ``sysexits.h``,
so that a batch job can tell a broken command line from a bad scenario (click gives both
2). Help text is rendered as Markdown (:mod:`spareplan.cli.help_text`).

The command modules (this one included) do not use ``from __future__ import
annotations``: typer reads every command's parameters from its annotations each time a
command starts, for all the commands, and evaluates string annotations twice (``eval``
of some 230 strings: about 50 ms of every start, measured on ``get_command`` of this
application: 55–90 ms with strings, 12–18 ms without); names imported for type checking
only are quoted where they are used.
"""

import contextlib
import gc
import sys
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer on click
    from click.exceptions import UsageError  # type: ignore[no-redef]

from typing import Annotated

from spareplan.cli.backtest import backtest_command
from spareplan.cli.common import EXIT_USAGE, guarded, quiet_scope
from spareplan.cli.compare import compare_command
from spareplan.cli.frontier import frontier_command
from spareplan.cli.help_text import command_help
from spareplan.cli.plan import plan_command, validate_command
from spareplan.cli.report import report_command
from spareplan.cli.simulate import simulate_command
from spareplan.cli.sweep import sweep_command
from spareplan.cli.warn import warn_command
from spareplan.cli.warn_ack import warn_ack_command
from spareplan.cli.warn_backtest import warn_backtest_command
from spareplan.versions import __version__


class _Commands(TyperGroup):
    """typer's group, with click's usage errors given :data:`EXIT_USAGE` (click: 2) and
    every command's help taken from its docstring for a terminal
    (:func:`spareplan.cli.help_text.command_help`).

    Parsing the group's options happens in :meth:`make_context`, finding the command and
    parsing its options in :meth:`invoke`; a command's own errors never reach here as a
    usage error (:func:`spareplan.cli.common.guarded` maps them first).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            command.help = command_help(command.help or "")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """``spareplan`` alone: the help, on stderr, and :data:`EXIT_USAGE`.

        A batch job that runs ``spareplan`` with nothing (a command line built from an
        empty variable) has done no work, so it must not exit 0; and stdout carries only
        what ``--json`` prints. ``spareplan --help`` (asked for) prints on stdout, exit 0.
        """
        if not args and not ctx.resilient_parsing:
            with contextlib.redirect_stdout(sys.stderr):  # rich prints the help itself
                text = ctx.get_help()
            if text:
                print(text, file=sys.stderr)
            ctx.exit(EXIT_USAGE)
        return super().parse_args(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:
            error.exit_code = EXIT_USAGE
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            error.exit_code = EXIT_USAGE
            raise


app = typer.Typer(
    name="spareplan",
    cls=_Commands,
    help="Service-parts inventory optimizer: how many units of each part to stock at each "
    "location so that every SLA is met at least cost.\n\n"
    "Exit codes: 0 ok, 1 an SLA is not met or the solver failed, 2 bad input (a scenario, "
    "a file or an option value the program checks), 3 an internal error (a bug: please "
    "report it with the traceback shown), 64 a usage error (an unknown command or option, "
    "a missing argument, a value not of the option's type).\n\n"
    "Progress goes to stderr (a live display on a terminal, one line per stage "
    "otherwise; none with --quiet); stdout carries only what --json prints. "
    "`spareplan` alone prints this help on stderr and exits 64 (a job that ran it did "
    "nothing); `spareplan --help` prints it on stdout and exits 0.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
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
app.command("compare")(guarded(compare_command, "compare"))
app.command("sweep")(guarded(sweep_command, "sweep"))
app.command("warn")(guarded(warn_command, "warn"))
app.command("warn-ack")(guarded(warn_ack_command, "warn-ack"))
app.command("warn-backtest")(guarded(warn_backtest_command, "warn-backtest"))
app.command("backtest")(guarded(backtest_command, "backtest"))


def main() -> None:
    """Entry point of the ``spareplan`` console script.

    When the command has ended (its outputs written and closed; the standard streams are
    flushed by the interpreter's exit), the objects alive are frozen (:func:`gc.freeze`),
    so that the interpreter's last garbage collections do not walk every object of
    pandas, numpy and pydantic once more: that walk was about 0.13 s of the 0.66 s of
    ``spareplan validate scenarios/tiny`` (benchmarks/README.md, "Start-up time"). Only
    cycles of objects alive at the exit are then left to the operating system, which
    takes the whole process back; reference counting still frees everything else and
    ``atexit`` handlers still run. Not done in :data:`app` itself: a test or a notebook
    that calls it goes on running.
    """
    try:
        app()
    finally:
        gc.freeze()
