"""The time budget of a run and the work limits it gives each solver call.

One :class:`TimeBudget` is made by the command (``spareplan plan --time-limit``) and passed
to every stage; a stage takes a share of what is left (:meth:`TimeBudget.share`) or a
share of the whole (:meth:`TimeBudget.until`) and asks :meth:`TimeBudget.milp_limit` for
the limits of one MILP. Without a limit every MILP stops on a node count instead of
seconds where the backend supports it: a node count is a deterministic work limit, so the
same problem gives the same answer on any machine, however loaded.

The margins a stage leaves are named here (:class:`Margin`), not scattered as literals.

Examples
--------
>>> budget = TimeBudget.of(None)
>>> budget.limited, budget.left()
(False, None)
>>> budget.milp_limit("highs", seconds=5.0, nodes=500)
MilpLimit(time_limit=None, node_limit=500)
>>> TimeBudget.of(10.0).milp_limit("pulp-cbc", seconds=5.0, nodes=500).time_limit <= 5.0
True
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from solvers.errors import InvalidProblemError
from solvers.registry import supports_node_limit

__all__ = ["FINAL_MILP_MARGIN", "MIN_SOLVER_SECONDS", "Margin", "MilpLimit", "StageClock",
           "TimeBudget"]


def _now() -> float:
    """The budget's clock: ``time.perf_counter`` (one place, so that a test can replace it
    by a deterministic clock)."""
    return time.perf_counter()


@dataclass(frozen=True)
class Margin:
    """Seconds a stage leaves unused at the end of its time: ``seconds + share x left``
    (HiGHS checks its clock between nodes and after presolve, so it overruns a little)."""

    seconds: float = 0.0
    share: float = 0.0

    def of(self, left: float) -> float:
        """The margin for ``left`` seconds left."""
        return self.seconds + self.share * max(left, 0.0)


#: The least seconds a solver call is ever given (HiGHS refuses a limit <= 0): a stage
#: that finds the budget spent between its check and its call overruns by at most this.
MIN_SOLVER_SECONDS = 0.05

#: What the final MILP leaves of the time left, so that the run ends within its limit
#: after the plan is checked (measured on 10,000 parts: HiGHS overran by ~0.5 s + 5 %).
FINAL_MILP_MARGIN = Margin(seconds=1.0, share=0.1)


@dataclass(frozen=True)
class MilpLimit:
    """The limits of one MILP: seconds (``None``: none) and nodes (``None``: none)."""

    time_limit: float | None
    node_limit: int | None = None

    def as_kwargs(self) -> dict[str, float | int | None]:
        """Keyword arguments of :func:`solvers.solve`."""
        kwargs: dict[str, float | int | None] = {"time_limit": self.time_limit}
        if self.node_limit is not None:
            kwargs["node_limit"] = self.node_limit
        return kwargs

    @property
    def usable(self) -> bool:
        """False when there are no seconds left worth starting a MILP for (< 0.2 s)."""
        return self.time_limit is None or self.time_limit > 0.2


@dataclass(frozen=True)
class TimeBudget:
    """Seconds a run may take, counted on the monotonic clock from ``started``.

    Parameters
    ----------
    seconds : float or None
        The limit; ``None`` for none (then every stage stops on work limits).
    started : float
        The budget's clock (``time.perf_counter()``) at the start of the run.
    """

    seconds: float | None
    started: float = field(default_factory=lambda: _now())

    @classmethod
    def of(cls, seconds: float | None, started: float | None = None) -> TimeBudget:
        """A budget of ``seconds`` from now (or from ``started``), validated.

        Raises
        ------
        InvalidProblemError
            ``seconds`` is not a finite number > 0 (``inf`` is refused: say ``None``).
        """
        if seconds is not None:
            if (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                    or not math.isfinite(seconds) or seconds <= 0):
                raise InvalidProblemError(
                    f"time_limit must be a finite number of seconds > 0 (None: no limit); "
                    f"received {seconds!r}")
            seconds = float(seconds)
        return cls(seconds, _now() if started is None else started)

    @property
    def limited(self) -> bool:
        return self.seconds is not None

    @property
    def deadline(self) -> float | None:
        """``time.perf_counter()`` value at which the budget ends (``None``: never)."""
        return None if self.seconds is None else self.started + self.seconds

    def left(self) -> float | None:
        """Seconds to the deadline (negative once past it); ``None`` without a limit."""
        deadline = self.deadline
        return None if deadline is None else deadline - _now()

    def elapsed(self) -> float:
        """Seconds since ``started``."""
        return _now() - self.started

    @staticmethod
    def now() -> float:
        """The budget's clock (seconds, monotonic)."""
        return _now()

    def expired(self, margin: float = 0.0) -> bool:
        """True when less than ``margin`` seconds are left (never without a limit)."""
        left = self.left()
        return left is not None and left <= margin

    def until(self, fraction: float) -> TimeBudget:
        """The part of this budget that ends at ``started + fraction x seconds``."""
        if self.seconds is None:
            return self
        return TimeBudget(fraction * self.seconds, self.started)

    def share(self, fraction: float) -> TimeBudget:
        """A budget of ``fraction`` of the seconds left, from now."""
        left = self.left()
        if left is None:
            return self
        return TimeBudget(max(fraction * left, 0.0), _now())

    def milp_limit(self, backend: str, *, seconds: float, nodes: int,
                   margin: Margin | None = None) -> MilpLimit:
        """Limits of one MILP: without a budget, ``nodes`` where ``backend`` supports a
        node limit, else ``seconds``; with a budget, at most ``seconds`` and what is left
        (less ``margin``). ``seconds = inf`` means "as long as the budget allows"."""
        left = self.left()
        if left is None:
            if supports_node_limit(backend):
                return MilpLimit(None, nodes)
            return MilpLimit(seconds if math.isfinite(seconds) else None)
        if margin is not None:
            left -= margin.of(left)
        return MilpLimit(max(min(seconds, left), MIN_SOLVER_SECONDS))

    def solver_seconds(self, cap: float = math.inf) -> float | None:
        """Seconds for one solver call: what is left (at most ``cap``), never below
        :data:`MIN_SOLVER_SECONDS`; ``None`` (no limit) without a budget and cap."""
        left = self.left()
        if left is None:
            return None if not math.isfinite(cap) else cap
        return max(min(cap, left), MIN_SOLVER_SECONDS)


class StageClock:
    """Accumulated wall-clock seconds per named stage of a run (for the run's account)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Charge the time since the last lap to ``stage``."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now
