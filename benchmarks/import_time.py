"""How long the command line takes to start: imports, ``--help``, ``validate`` of tiny.

Every figure is of a whole fresh process (start-up and the interpreter's exit included):
wall time, and CPU time (user + system, the operating system's account of the finished
child), measured ``--runs`` times in turn with its peers in the same run, so that a busy
machine slows all of them alike; the table gives min and median, and the median of the
per-round ratio to ``import pandas`` (the round's runs are neighbours in time). Peers: a
bare interpreter (``python -c pass``: the floor) and ``python -c 'import pandas'`` (what
reading a scenario's tables needs at least). ``validate`` is timed as a user runs it, by
the console script beside the interpreter (``.venv/bin/spareplan``), and by ``python -m
spareplan``. The modules that ``import spareplan.cli.app`` and
``spareplan validate`` load are listed from ``python -X importtime`` (cumulative
microseconds of the top imports) and ``sys.modules`` (which heavy packages are absent).

Run::

    .venv/bin/python benchmarks/import_time.py --runs 7 --markdown /tmp/import_time.md

``--root`` measures another checkout with the interpreter given by ``--python`` (e.g. the
state before the lazy imports: ``--root /work/main --python /work/main/.venv/bin/python``).

Timings are never asserted in tests; tests/cli/test_batch_jobs.py checks which modules
are imported.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "pydantic", "numba", "scipy", "highspy", "pulp", "matplotlib",
         "rich")

PROBE = """
import sys
{code}
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def _commands(python: str, tiny: Path) -> dict[str, list[str]]:
    script = Path(python).parent / "spareplan"
    console = ({"spareplan validate scenarios/tiny (console script)": [str(script),
                "validate", str(tiny)]} if script.exists() else {})
    return {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import pandas'": [python, "-c", "import pandas"],
        "import spareplan.cli.app": [python, "-c", "import spareplan.cli.app"],
        "spareplan --version": [python, "-m", "spareplan", "--version"],
        "spareplan --help": [python, "-m", "spareplan", "--help"],
        "spareplan validate scenarios/tiny": [python, "-m", "spareplan", "validate",
                                              str(tiny)],
        **console,
    }


def _time(command: list[str], root: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, cwd=root,
                          env={**os.environ, "COLUMNS": "100"})
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _loaded(python: str, root: Path, code: str) -> set[str]:
    done = subprocess.run([python, "-c", PROBE.format(code=code)],
                          capture_output=True, text=True, check=True, cwd=root)
    return set(done.stdout.split())


def _top_imports(python: str, root: Path, code: str, count: int) -> list[tuple[str, int]]:
    """The ``count`` top-level imports with the largest cumulative time (us)."""
    done = subprocess.run([python, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True, cwd=root)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        try:
            cumulative = int(parts[1])
        except ValueError:
            continue
        name = parts[2].rstrip()
        if not name.startswith("  ") and name.strip():  # a top-level import
            rows.append((name.strip(), cumulative))
    return sorted(rows, key=lambda row: -row[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout measured")
    parser.add_argument("--python", default=sys.executable, help="its interpreter")
    options = parser.parse_args()
    root, python = options.root.resolve(), options.python
    tiny = root / "scenarios" / "tiny"

    commands = _commands(python, tiny)
    for command in commands.values():  # warm the file cache and the bytecode
        _time(command, root)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(options.runs):
        for name, command in commands.items():  # in turn: the load drifts alike
            times[name].append(_time(command, root))
    floor = statistics.median(wall for wall, _ in times["python -c pass"])
    pandas_runs = times["python -c 'import pandas'"]
    lines = [f"checkout: {root}; machine: {os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.2f} (1 min) at the end, {options.runs} runs each",
             "", "| command | wall min s | wall median s | CPU median s | median - bare "
             "python s | / import pandas, wall | / import pandas, CPU |",
             "|---|---|---|---|---|---|---|"]
    for name, values in times.items():
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        pairs = list(zip(values, pandas_runs, strict=True))
        ratio_wall = statistics.median(a / b for (a, _), (b, _) in pairs)
        ratio_cpu = statistics.median(a / b for (_, a), (_, b) in pairs if b > 0)
        lines.append(f"| `{name}` | {min(walls):.3f} | {statistics.median(walls):.3f} | "
                     f"{statistics.median(cpus):.3f} | "
                     f"{statistics.median(walls) - floor:.3f} | {ratio_wall:.2f} | "
                     f"{ratio_cpu:.2f} |")
    app = _loaded(python, root, "import spareplan.cli.app")
    validate = _loaded(python, root, "from spareplan.cli.app import app\n"
                       f"app(['--quiet', 'validate', {str(tiny)!r}], standalone_mode=False)")
    lines += ["", "| heavy package | loaded by `import spareplan.cli.app` | loaded by "
              "`validate` |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if name in app else 'no'} | "
              f"{'yes' if name in validate else 'no'} |" for name in HEAVY]
    run_validate = ("from spareplan.cli.app import app\n"
                    f"app(['--quiet', 'validate', {str(tiny)!r}], standalone_mode=False)")
    for title, code in (("import spareplan.cli.app", "import spareplan.cli.app"),
                        ("spareplan validate scenarios/tiny", run_validate)):
        lines += ["", f"`python -X importtime`, `{title}`: top-level imports "
                  "(cumulative ms):", ""]
        lines += [f"- {name}: {us / 1000:.1f}" for name, us in
                  _top_imports(python, root, code, 8)]
    text = "\n".join(lines)
    print(text)
    if options.markdown is not None:
        options.markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
