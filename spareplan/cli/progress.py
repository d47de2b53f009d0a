"""The display of a command's progress (:class:`spareplan.progress.Progress`) on stderr.

On a terminal (stderr is a TTY) a live display (rich): one row per stage with a spinner,
its elapsed time, its size and what it is doing now (the column generation's iteration,
bound and gap; the simulation feed's round and its stock vectors simulated so far), and a
count with an ETA where the work is countable (frontier points, the parts of the
verification and of ``simulate``). Otherwise (a batch job, CI, a pipe) one plain line
per stage with the seconds since the command started and, while a stage lasts, a line at
most every :data:`HEARTBEAT_SECONDS` (its latest count or note, or that it is still
running), so that a log never stays silent for long. A count that reaches its total is a
line at once (``… 3,537/3,537 done``); from then on the heartbeat shows the stage and its
elapsed time only, not that count again with an ETA of 0 s, for the stage may go on with
work it cannot count (the MILP after the feed's simulations)::

    [    0.0 s] plan: scenario: scenarios/demo
    [    1.9 s] plan: analytic models: 200 parts
    [   62.4 s] plan: optimization: column generation fed by simulation
    [   92.4 s] plan:   optimization: feed: stock vectors simulated 2,048/3,537, about 22 s left
    [  115.0 s] plan:   optimization: feed: stock vectors simulated 3,537/3,537 done
    [  145.0 s] plan:   optimization: still running (83 s)
    [  160.3 s] plan:   optimization: column generation 3: master 658885.8371, ...
    [  212.0 s] plan: verification: 20 x 5 years, 2,000 parts, independent random numbers
    [  242.3 s] plan:   verification 768/2,000, about 49 s left

``--quiet`` shows nothing; errors are printed by :func:`spareplan.cli.common.complain`
after the display is closed. stdout is never written.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from spareplan.cli.common import is_quiet
from spareplan.progress import (
    NO_PROGRESS,
    Progress,
    count_and_eta,
    forward_logs,
    is_finished_count,
)

__all__ = ["HEARTBEAT_SECONDS", "ConsoleProgress", "LineProgress", "command_progress"]

#: Plain lines: at most one note line per this many seconds within a stage.
HEARTBEAT_SECONDS = 30.0
#: A note longer than this is cut (a terminal row, a log line).
NOTE_CHARACTERS = 110


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NOTE_CHARACTERS else text[:NOTE_CHARACTERS - 3] + "..."


class LineProgress:
    """One plain line per stage on ``stream`` (for logs): ``[elapsed s] command: stage``."""

    def __init__(self, command: str, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.command = command
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.name = ""
        self.total: int | None = None
        self.stage_started = self.started
        self.last_line = self.started
        self.last_note = ""
        self.lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self.lock:
            now = self.clock()
            self.last_line = now
            print(f"[{now - self.started:9.1f} s] {self.command}: {text}",
                  file=self.stream or sys.stderr, flush=True)

    def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
        self.name, self.total, self.last_note = name, total, ""
        self.stage_started = self.clock()
        self._line(name + (f": {_clip(detail)}" if detail else ""))

    def advance(self, done: int, *, detail: str = "") -> None:
        """A count with a detail (a frontier point and its result) is a line; a bare count
        (a chunk of the verification's parts) is a line at most every
        :data:`HEARTBEAT_SECONDS`, like a note, and the heartbeat's line shows the latest;
        a bare count that reaches the stage's total is a line at once, and the heartbeat
        no longer shows it."""
        count = count_and_eta(done, self.total, self.clock() - self.stage_started)
        if detail:
            self._line(f"  {self.name} {count}: {_clip(detail)}")
            return
        if self.total is not None and done >= self.total:
            self.last_note = ""
            self._line(f"  {self.name} {count}")
            return
        self.last_note = f"{done:,}/{self.total:,} done" if self.total else count
        if self.clock() - self.last_line >= HEARTBEAT_SECONDS:
            self._line(f"  {self.name} {count}")

    def note(self, detail: str) -> None:
        """A note is a line at most every :data:`HEARTBEAT_SECONDS` (the heartbeat's line
        shows the latest); a finished count (:func:`~spareplan.progress.is_finished_count`)
        is a line at once, and the heartbeat no longer shows it."""
        if is_finished_count(detail):
            self.last_note = ""
            self._line(f"  {self.name}: {_clip(detail)}")
            return
        self.last_note = detail
        if self.clock() - self.last_line >= HEARTBEAT_SECONDS:
            self._line(f"  {self.name}: {_clip(detail)}")

    def tick(self) -> None:
        """A line when none was printed for :data:`HEARTBEAT_SECONDS` (called from a
        timer thread, :func:`command_progress`): the stage, its elapsed time and the latest
        note or count not yet finished."""
        if self.name and self.clock() - self.last_line >= HEARTBEAT_SECONDS:
            since = self.clock() - self.stage_started
            self._line(f"  {self.name}: still running ({since:.0f} s)"
                       + (f", last: {_clip(self.last_note)}" if self.last_note else ""))

    def close(self) -> None:
        """Nothing to tear down."""


class ConsoleProgress:
    """A live rich display on stderr: one row per stage (spinner, stage, elapsed, its size
    or what it is doing now, cut to the terminal's width); the rows stay on the screen,
    with the stage's size, when the stage is over."""

    #: Columns before the stage's detail: spinner, name (16), elapsed (7), spaces.
    _FIXED_WIDTH = 2 + 16 + 8 + 2

    def __init__(self, command: str, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import Progress as RichProgress
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.table import Column

        self.command = command
        self.console = Console(file=stream or sys.stderr, stderr=stream is None)
        self.display = RichProgress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("[bold]{task.description}[/bold]",
                       table_column=Column(no_wrap=True, min_width=15)),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}", markup=False,
                       table_column=Column(no_wrap=True, overflow="ellipsis")),
            console=self.console, transient=False, redirect_stdout=False,
            redirect_stderr=True)
        self.display.start()
        self.task: Any = None
        self.size = ""
        self.total: int | None = None
        self.stage_started = time.monotonic()

    def _detail(self, *parts: str) -> str:
        """The parts joined and cut to what the terminal's row leaves (a row that does not
        fit makes rich drop the spinner and the elapsed time)."""
        text = "  ".join(" ".join(part.split()) for part in parts if part)
        room = max(self.console.width - self._FIXED_WIDTH, 10)
        return text if len(text) <= room else text[:room - 3] + "..."

    def _finish(self) -> None:
        if self.task is not None:
            self.display.update(self.task, completed=1, total=1,
                                detail=self._detail(self.size))
            self.display.stop_task(self.task)
            self.task = None

    def stage(self, name: str, *, total: int | None = None, detail: str = "") -> None:
        from rich.markup import escape

        self._finish()
        self.size, self.total = detail, total
        self.stage_started = time.monotonic()
        self.task = self.display.add_task(escape(name), total=None,
                                          detail=self._detail(detail))

    def advance(self, done: int, *, detail: str = "") -> None:
        if self.task is not None:
            count = count_and_eta(done, self.total, time.monotonic() - self.stage_started)
            self.display.update(self.task, detail=self._detail(self.size, count, detail))

    def note(self, detail: str) -> None:
        if self.task is not None:  # the note alone: a row has room for little more
            self.display.update(self.task, detail=self._detail(detail))

    def close(self) -> None:
        """The last stage is over; the display stops (later lines print below it)."""
        self._finish()
        self.display.stop()


@contextlib.contextmanager
def command_progress(command: str, *, live: bool | None = None) -> Iterator[Progress]:
    """The progress display of one command, closed when the block ends (also on error,
    so that an error message prints below it); the ``solvers`` and ``spareplan`` loggers'
    INFO records are its notes meanwhile (:func:`spareplan.progress.forward_logs`).

    ``live``: the rich display (default: when stderr is a terminal); nothing at all under
    ``--quiet``.
    """
    if is_quiet():
        yield NO_PROGRESS
        return
    if live is None:
        live = sys.stderr.isatty()
    display: ConsoleProgress | LineProgress = (ConsoleProgress(command) if live
                                               else LineProgress(command))
    stop = threading.Event()
    if isinstance(display, LineProgress):
        beat = display.tick

        def heartbeat() -> None:
            while not stop.wait(1.0):
                beat()

        threading.Thread(target=heartbeat, name="spareplan-heartbeat", daemon=True).start()
    try:
        with forward_logs(display):
            yield display
    finally:
        stop.set()
        display.close()
