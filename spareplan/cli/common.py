"""What every command shares: error-to-exit-code mapping, the checks that run before any
work (options, the output contract), messages on the console.

Imported by every command module when the application starts (``spareplan --help``
builds every command), so it imports nothing heavy at module level: the output contract
(:mod:`spareplan.reports.atomic`, which needs pandas) and the scenario loader are
imported when a command runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from spareplan.errors import InputError, ParameterError, PlanningError

EXIT_OK, EXIT_SLA, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
#: A usage error (unknown command or option, missing argument): ``EX_USAGE`` of
#: ``sysexits.h`` (click's own 2 would be taken for bad input; see spareplan/cli/app.py).
EXIT_USAGE = 64
#: Largest seed accepted: every seed fits a signed 64-bit integer.
SEED_MAX = 2**63 - 1


#: ``--cluster`` and ``--scheduler`` of the commands whose per-part simulations can run on
#: a Dask cluster (``plan``, ``simulate``; docs/cluster.md).
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", help="local:N: run the per-part simulations on a local Dask cluster of "
    "N worker processes, started for the run (needs spareplan[cluster]; "
    "docs/cluster.md).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a running Dask scheduler (tcp://host:8786) whose "
    "workers run the per-part simulations.")]


#: ``spareplan --quiet``: progress and account lines are dropped, errors still shown.
_QUIET = contextvars.ContextVar("spareplan_quiet", default=False)


def say(message: str) -> None:
    """A line for the person (or the log) running the command, on stderr (none under
    ``--quiet``)."""
    if not _QUIET.get():
        print(message, file=sys.stderr, flush=True)


def is_quiet() -> bool:
    """Whether ``--quiet`` is in force for the command running."""
    return _QUIET.get()


def complain(message: str) -> None:
    """An error line, on stderr even under ``--quiet``."""
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def quiet_scope(quiet: bool) -> Iterator[None]:
    """``--quiet`` for one command: the earlier setting comes back when it ends (tests and
    notebooks run many commands in one process)."""
    token = _QUIET.set(quiet)
    try:
        yield
    finally:
        _QUIET.reset(token)


def check_seed(seed: int, name: str = "--seed") -> None:
    """A seed is an integer from 0 to 2**63 - 1 (:class:`ParameterError` otherwise)."""
    if not 0 <= seed <= SEED_MAX:
        raise ParameterError(name, f"must be an integer from 0 to {SEED_MAX}", seed)


def check_time_limit(seconds: float | None, name: str = "--time-limit") -> None:
    """A time limit is a finite number of seconds > 0, or absent for no limit."""
    if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
        raise ParameterError(name, "must be a finite number of seconds > 0 (leave it out "
                             "for no limit)", seconds)


def check_simulation_size(replications: int, years: float) -> None:
    """A simulation's size: at least 2 replications (for a confidence interval) and a
    finite positive number of years (:class:`ParameterError` otherwise)."""
    if replications < 2:
        raise ParameterError("--replications", "must be >= 2 (for a confidence interval)",
                             replications)
    if not (math.isfinite(years) and years > 0):
        raise ParameterError("--years", "must be > 0 and finite", years)


def start_command(*, out: Path | None = None, scenario: Path | None = None,
                  inputs: Iterable[Path | None] = (), seed: int | None = None,
                  time_limit: float | None = None) -> None:
    """The first call of every command: check the options and ``--out`` before any work.

    Parameters
    ----------
    out : pathlib.Path, optional
        The output folder: leftovers of an interrupted run beside it are repaired
        (:func:`spareplan.reports.atomic.recover_leftovers`), then it is checked against
        the output contract (:func:`spareplan.reports.atomic.check_output_folder`).
    scenario : pathlib.Path, optional
        The scenario argument; its folder is an input that ``--out`` must not touch.
    inputs : iterable of pathlib.Path
        Other inputs (plan file, state file, history file).
    seed, time_limit
        Checked with :func:`check_seed` and :func:`check_time_limit` when given.

    Raises
    ------
    ParameterError
        The first rule broken (exit code 2); nothing has been written.
    """
    if seed is not None:
        check_seed(seed)
    check_time_limit(time_limit)
    if out is None:
        return
    from spareplan.reports.atomic import check_output_folder, pause_point, recover_leftovers
    from spareplan.scenario.load import resolve_scenario_path

    protected: list[tuple[str, Path | None]] = [("an input file of the run", p)
                                                for p in inputs]
    toml = None if scenario is None else resolve_scenario_path(scenario)
    if toml is not None and toml.exists():  # a missing scenario is the loader's to report
        protected.append(("the scenario folder", toml.parent))
    recover_leftovers(out)
    check_output_folder(out, inputs=protected)
    pause_point("output-checked")


def guarded(function: Callable[..., int | None],
            command: str | None = None) -> Callable[..., None]:
    """Run a command; map bad input to exit 2 and an unmet SLA/solver failure to exit 1.

    ``command`` names the command in the output marker
    (:func:`spareplan.reports.atomic.command_scope`). SIGTERM, SIGHUP and SIGINT unwind
    the run (staging folders are removed) and exit with 128 + the signal number.
    Messages are printed without a traceback. An unexpected exception is a bug: it is
    reported with its traceback and exit code 3.
    """

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from spareplan.reports.atomic import Terminated, command_scope, handle_termination

        with command_scope(command), handle_termination():
            try:
                code = function(*args, **kwargs)
            except InputError as error:
                complain(f"error: {error}")
                raise typer.Exit(EXIT_INPUT) from None
            except PlanningError as error:
                complain(f"error: {error}")
                raise typer.Exit(EXIT_SLA) from None
            except (typer.Exit, typer.Abort):
                raise
            except Terminated as stop:
                say(f"{stop}: stopped; no partial output is left (an output folder holds "
                    "the previous or the new complete output)")
                raise typer.Exit(128 + stop.signum) from None
            except KeyboardInterrupt:
                say("interrupted; no partial output is left")
                raise typer.Exit(130) from None
            except Exception:  # a bug, not bad input: keep the traceback for the report
                complain("internal error (please report it with the traceback below):")
                complain(traceback.format_exc())
                raise typer.Exit(EXIT_INTERNAL) from None
        raise typer.Exit(code or EXIT_OK)

    return wrapper
