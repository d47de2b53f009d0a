"""One exception hierarchy for spareplan.

Every message names where the problem is (file, row or field), the rule that
was broken and the value received, so that a planner can fix the input without
reading a traceback. The CLI maps :class:`InputError` subclasses to exit code 2
and :class:`PlanningError` subclasses to exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule in the input.

    Parameters
    ----------
    source : str
        The file (or object) the problem was found in, e.g. ``"parts.csv"``.
    location : str
        Where in the source: ``"row 7, column unit_cost"`` or
        ``"field costs.holding_rate_per_year"``.
    rule : str
        The rule, in words: ``"must be >= 0"``.
    value : object
        The value received (``None`` when the value is missing).
    """

    source: str
    location: str
    rule: str
    value: object = None

    def __str__(self) -> str:
        where = f"{self.source}: {self.location}" if self.location else self.source
        return f"{where}: {self.rule} (received {self.value!r})"


class SpareplanError(Exception):
    """Base class of every error spareplan raises on purpose."""


class InputError(SpareplanError):
    """Bad input: a scenario, a plan file or a parameter. CLI exit code 2."""


class ScenarioError(InputError):
    """A scenario failed validation; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem], scenario: str = "") -> None:
        self.problems = list(problems)
        self.scenario = scenario
        head = f"scenario {scenario!r} is invalid" if scenario else "scenario is invalid"
        lines = [f"{head}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ParameterError(InputError, ValueError):
    """A function or command-line parameter broke a rule."""

    def __init__(self, name: str, rule: str, value: object) -> None:
        self.name, self.rule, self.value = name, rule, value
        super().__init__(f"parameter {name}: {rule} (received {value!r})")


class PlanningError(SpareplanError):
    """The planning could not produce a plan that meets every SLA. CLI exit code 1."""


class InfeasibleError(PlanningError):
    """No stock plan meets an SLA; ``diagnosis`` says which SLA, the best reachable and why."""

    def __init__(self, message: str, diagnosis: object = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)


class SolverFailure(PlanningError):
    """The optimization backend failed or returned a solution that breaks its rows."""


class ClusterFailure(PlanningError):
    """The Dask cluster lost a task for good (its workers died more often than the
    scheduler allows) or was lost itself; the run stopped without output (exit code 1)."""
