"""What every command shares: error-to-exit-code mapping, messages, the output console."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer

from spareplan.errors import InputError, PlanningError

EXIT_OK, EXIT_SLA, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def say(message: str) -> None:
    """A line for the person (or the log) running the command, on stderr."""
    print(message, file=sys.stderr, flush=True)


def guarded(function: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command; map bad input to exit 2 and an unmet SLA/solver failure to exit 1.

    Messages are printed without a traceback. An unexpected exception is a bug: it is
    reported with its traceback and exit code 3.
    """

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = function(*args, **kwargs)
        except InputError as error:
            say(f"error: {error}")
            raise typer.Exit(EXIT_INPUT) from None
        except PlanningError as error:
            say(f"error: {error}")
            raise typer.Exit(EXIT_SLA) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            say("interrupted")
            raise typer.Exit(130) from None
        except Exception:  # a bug, not bad input: keep the traceback for the report
            say("internal error (please report it with the traceback below):")
            say(traceback.format_exc())
            raise typer.Exit(EXIT_INTERNAL) from None
        raise typer.Exit(code or EXIT_OK)

    return wrapper
