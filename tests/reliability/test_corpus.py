"""Every bad input of the corpus (corpus_cases.py), through the command line in-process.

Each case must give exit code 2, a message holding the substrings the case names (file,
row or field, rule, value received), no traceback, and leave the work folder exactly as
it was: no new output, no hidden staging folder, the previous output (OUT holds one of
the same command before the run) byte for byte unchanged. Scenario cases run through
``spareplan validate`` as well."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpus_cases import CASES, EXTRA, Case
from reliability_helpers import invoke, previous_output, snapshot


def _params(cases: list[Case]) -> list[object]:
    return [pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True,
                                                                    reason=case.xfail)]
                         if case.xfail else []) for case in cases]


def test_the_corpus_is_large_and_covers_every_command() -> None:
    assert len(CASES) >= 120
    assert {case.command for case in CASES} == {"validate", "plan", "simulate", "frontier",
                                                 "warn", "backtest"}


def _check(code: int, message: str, case: Case) -> None:
    assert code == 2, f"{case.id}: exit {code}\n{message}"
    missing = [text for text in case.expect if text not in message]
    assert not missing, f"{case.id}: {missing} not in the message:\n{message}"
    assert "Traceback" not in message and "internal error" not in message


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_exit_2_clear_message_nothing_written(case: Case, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    here = os.getcwd()
    try:
        args = case.setup(work)
        if case.command not in ("validate",) and not case.own_out:
            previous_output(work / "out", case.command)
            args += ["--out", str(work / "out")]
        before = snapshot(work)
        extra = [item for option, value in EXTRA[case.command] if option not in args
                 for item in (option, value)]
        code, message = invoke([case.command, *args, *extra]
                               if args[:1] != ["--allow-outside-tables"]
                               else [args[0], case.command, *args[1:], *extra])
    finally:
        os.chdir(here)
    _check(code, message, case)
    assert snapshot(work) == before, f"{case.id}: the run changed the work folder"


SCENARIO_CASES = [case for case in CASES if case.scenario and case.command != "validate"]


@pytest.mark.parametrize("case", _params(SCENARIO_CASES))
def test_bad_scenario_is_refused_by_validate(case: Case, tmp_path: Path) -> None:
    args = case.setup(tmp_path)
    before = snapshot(tmp_path)
    code, message = invoke(["validate", args[0]])
    _check(code, message, case)
    assert snapshot(tmp_path) == before
