"""What a long run tells the person (or the log) waiting for it: stages, counts, notes.

The planning library reports through the small :class:`Progress` protocol and knows
nothing of how it is shown; the command line supplies the display
(:mod:`spareplan.cli.progress`: a live display on a terminal, one log line per stage
otherwise), a notebook may pass its own object or nothing (:data:`NO_PROGRESS`).

A run is a sequence of stages (:data:`STAGES` names those of ``spareplan plan``); a
stage whose work is countable gives its ``total`` and reports how much is ``done``, so
that a display can show an ETA (:func:`count_and_eta`, the one place that formats it; once
the count reaches its total it reads ``"N/N done"``, with no ETA, and
:func:`is_finished_count` tells a display so, for the stage may go on with work it cannot
count, such as the optimization's MILP after the feed's simulations). Work
that runs in chunks inside a stage (the verification's parts, the simulation feed's stock
vectors: :func:`spareplan.simulation.simulate_network` and
:func:`~spareplan.simulation.simulate_jobs` call ``on_chunk(done, total)`` after each
chunk) is counted with :class:`ChunkCounter`. Between stage boundaries,
:func:`forward_logs` turns the ``INFO`` records of the ``solvers`` and ``spareplan``
loggers (the column generation's iterations with their bound and gap, the simulation
feed's rounds and stock vectors) into notes of the current stage; ``solvers`` itself
knows nothing of this module.

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
import re
import time
from collections.abc import Callable, Iterator
from typing import Protocol

__all__ = ["NO_PROGRESS", "STAGES", "ChunkCounter", "Progress", "count_and_eta",
           "forward_logs", "is_finished_count"]

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


def count_and_eta(done: int, total: int | None, seconds: float) -> str:
    """``done/total`` and the time left at the pace so far (``seconds`` since the count
    began), e.g. ``"512/2,048, about 40 s left"``; ``"2,048/2,048 done"`` once the count
    has reached its total (the counted work is over: no time left to estimate);
    ``done`` alone without a total.

    Examples
    --------
    >>> count_and_eta(1, 4, 10.0)
    '1/4, about 30 s left'
    >>> count_and_eta(0, 4, 10.0)
    '0/4'
    >>> count_and_eta(4, 4, 40.0)
    '4/4 done'
    """
    if total is None:
        return f"{done:,}"
    if done >= total:
        return f"{done:,}/{total:,} done"
    if done <= 0 or seconds <= 0:
        return f"{done:,}/{total:,}"
    left = max(total - done, 0) * seconds / done
    return f"{done:,}/{total:,}, about {left:.0f} s left"


#: The end of a text whose count has reached its total, as :func:`count_and_eta` writes it.
_FINISHED = re.compile(r"(?<![\d,])(\d[\d,]*)/(\d[\d,]*) done$")


def is_finished_count(text: str) -> bool:
    """Whether ``text`` (a note) ends in a count that has reached its total, as
    :func:`count_and_eta` writes it: the counted work is over, and what the stage does
    next is not counted (a display stops repeating the count and its ETA).

    Examples
    --------
    >>> is_finished_count("feed: stock vectors simulated 3,537/3,537 done")
    True
    >>> is_finished_count("feed: stock vectors simulated 512/3,537, about 40 s left")
    False
    """
    match = _FINISHED.search(text)
    if match is None:
        return False
    done, total = (int(group.replace(",", "")) for group in match.groups())
    return done >= total


class ChunkCounter:
    """An ``on_chunk(done, total)`` callback that reports a count and an ETA.

    Parameters
    ----------
    report : callable
        Receives the text, e.g. ``"feed: stock vectors simulated 512/2,048, about 40 s
        left"`` and, after the last chunk, ``"feed: stock vectors simulated 2,048/2,048
        done"`` (:func:`is_finished_count`): a :meth:`Progress.note`, or a logger's
        ``info`` (notes through :func:`forward_logs`).
    what : str
        The text around the count (``"feed: stock vectors simulated {count}"``).
    clock : callable
        Seconds, monotonic (the pace is measured from the counter's creation, just before
        the chunked work starts).

    Work done in one chunk (``done == total`` at the first call) is not reported: there
    was nothing to count. The callback reads a clock and formats a line, nothing else: it
    touches no random stream and no result, so a run reports progress or not with the
    same figures.
    """

    def __init__(self, report: Callable[[str], None], what: str = "{count}",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.report = report
        self.what = what
        self.clock = clock
        self.started = clock()
        self.calls = 0

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        if self.calls == 1 and done >= total:
            return
        count = count_and_eta(done, total, self.clock() - self.started)
        self.report(self.what.format(count=count))


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
