"""``--cluster local:N`` / ``--scheduler ADDRESS``: a bad value is refused before any work,
naming the option, the rule and the value (exit 2, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY

from spareplan.cluster import ClusterSpec, parse_cluster_options
from spareplan.errors import ParameterError


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "spareplan", *args], capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.mark.parametrize("value", ["local:0", "local:x", "remote:2", "local:-1", "local:257",
                                   "local:", ""])
def test_a_bad_cluster_value_names_the_option_the_rule_and_the_value(value: str) -> None:
    with pytest.raises(ParameterError) as caught:
        parse_cluster_options(value, None)
    message = str(caught.value)
    assert "--cluster" in message and "local:N" in message and repr(value) in message


def test_the_options_are_exclusive_and_a_good_value_parses() -> None:
    with pytest.raises(ParameterError, match="cannot be combined with --scheduler"):
        parse_cluster_options("local:2", "tcp://127.0.0.1:8786")
    with pytest.raises(ParameterError, match="--scheduler"):
        parse_cluster_options(None, "  ")
    assert parse_cluster_options(" local:3 ", None) == ClusterSpec(local_workers=3)
    assert parse_cluster_options(None, "tcp://h:1") == ClusterSpec(scheduler="tcp://h:1")
    assert parse_cluster_options(None, None) is None


def test_the_cli_refuses_a_bad_cluster_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("plan", str(TINY), "--out", str(out), "--cluster", "local:0")
    assert done.returncode == 2
    assert "parameter --cluster: must be local:N" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_an_unreachable_scheduler_is_refused_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run("simulate", str(TINY), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9")
    assert done.returncode == 2, done.stderr
    assert "parameter --scheduler: must be the address of a running Dask scheduler" in (
        done.stderr)
    assert "Traceback" not in done.stderr and not out.exists()
