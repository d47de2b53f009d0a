"""The examples in the demand layer's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["history", "classify", "intermittent", "backtest", "similar", "supersession",
           "columns"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"spareplan.demand.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE
                             | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
