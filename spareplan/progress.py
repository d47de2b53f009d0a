"""What a long run tells the person (or the log) waiting for it: stages, counts, notes.

The planning library reports through the small :class:`Progress` protocol and knows
nothing of how it is shown; the command line supplies the display
(:mod:`spareplan.cli.progress`: a live display on a terminal, one log line per stage
otherwise), a notebook may pass its own object or nothing (:data:`NO_PROGRESS`).

A run is a sequence of stages (:data:`STAGES` names those of ``spareplan plan``); a
stage whose work is countable gives its ``total`` and reports how much is ``done``, so
that a display can show an ETA. Between stage boundaries, :func:`forward_logs` turns the
``INFO`` records of the ``solvers`` and ``spareplan`` loggers (the column generation's
iterations with their bound and gap, the simulation feed's rounds) into notes of the
current stage; ``solvers`` itself knows nothing of this module.

Example::

    class Printer:
        def stage(self, name, *, total=None, detail=""): print("stage", name, detail)
        def advance(self, done, *, detail=""): print("  done", done)
        def note(self, detail): print("  ", detail)

    spareplan.plan(scenario, progress=Printer())
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Protocol

__all__ = ["NO_PROGRESS", "STAGES", "Progress", "forward_logs"]

#: The stages of ``spareplan plan``, in order (a run skips those it does not need).
STAGES = ("load", "validate", "analytic models", "reachability", "optimization",
          "verification", "writing outputs")

#: Loggers whose INFO records become notes (:func:`forward_logs`).
_LOGGERS = ("solvers", "spareplan")


class Progress(Protocol):
    """Receives the progress of a run (every method returns quickly and draws nothing
    that a caller needs)."""

    def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
        """A new stage begins (the previous one is over); ``total``: its units of work
        when countable, ``detail``: its size in words (e.g. ``"20 x 5 years"``)."""

    def advance(self, done: int, *, detail: str = "") -> None:
        """``done`` of the current stage's ``total`` units are finished."""

    def note(self, detail: str) -> None:
        """What the current stage is doing now (an iteration, a round)."""


class _NoProgress:
    """Reports nothing."""

    def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
        del name, total, detail

    def advance(self, done: int, *, detail: str = "") -> None:
        del done, detail

    def note(self, detail: str) -> None:
        del detail


#: The progress of a caller that wants none.
NO_PROGRESS: Progress = _NoProgress()


class _Notes(logging.Handler):
    """A logging handler that hands each record's message to :meth:`Progress.note`."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.progress.note(record.getMessage())
        except Exception:  # a display must never stop the run
            self.handleError(record)


@contextlib.contextmanager
def forward_logs(progress: Progress) -> Iterator[None]:
    """While the block runs, the INFO records of the ``solvers`` and ``spareplan`` loggers
    are notes of ``progress``; the loggers' levels are restored afterwards.

    For a program that owns its process's logging (the command line): the loggers are set
    to INFO for the block, so a handler of the root logger would see those records too.
    """
    handler = _Notes(progress)
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
