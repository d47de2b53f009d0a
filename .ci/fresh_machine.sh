#!/usr/bin/env bash
# The fresh-machine check: the README's two lines, in that order, on a fresh clone in a
# fresh venv with an empty user cache; then spareplan is imported from another folder and
# both notebooks are executed there.
#
# Why: `pip install .` + a run, then `pip install -e '.[test]'` into the same .venv, once
# left site-packages/spareplan/ holding only numba cache files (pip removes the files it
# installed, not the ones written at run time), and `import spareplan` outside the
# repository then found that hollow folder as a namespace package. numba's cache now lives
# in a user cache folder (spareplan/_numba.py); this script proves the two lines work.
#
# It lives in .ci/ beside `run` (the CI entry): it is a check of the set-up, not a
# benchmark, and too slow for the default test run (two installs and the demo plan, several
# minutes of CPU). tests/reliability/test_fresh_machine.py runs it when
# SPAREPLAN_FRESH_MACHINE=1.
#
# Usage: .ci/fresh_machine.sh [WORK_DIR]
#   FRESH_PYTEST_ARGS  replaces the arguments of the README's pytest command (default: the
#                      README's own, the whole suite); e.g. "-q tests/notebooks/test_notebooks.py"
# The clone is of the committed HEAD (what a user gets), not of the working tree.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/spareplan-fresh.XXXXXX")}"
mkdir -p "$work"
clone="$work/clone"
elsewhere="$work/elsewhere"
rm -rf "$clone" "$elsewhere"
mkdir -p "$elsewhere"

# A fresh user cache: numba compiles from scratch, as on a new machine.
export XDG_CACHE_HOME="$work/cache"
unset NUMBA_CACHE_DIR
rm -rf "$XDG_CACHE_HOME"

say() { printf '\n== %s\n' "$*"; }

say "fresh clone of $(git -C "$repo" rev-parse --short HEAD) into $clone"
git clone --quiet --no-hardlinks "$repo" "$clone"
cd "$clone"

# The README's two commands, read from the README itself (its first two `python3 -m venv`
# lines), so that this script checks what the README says.
mapfile -t lines < <(grep -E '^python3 -m venv \.venv' README.md | head -n 2)
[ "${#lines[@]}" -eq 2 ] || { echo "README: expected two 'python3 -m venv' lines" >&2; exit 1; }
first="${lines[0]}"
second="${lines[1]}"
if [ -n "${FRESH_PYTEST_ARGS:-}" ]; then
    second="${second%%-m pytest*}-m pytest ${FRESH_PYTEST_ARGS}"
fi

say "README line 1: $first"
bash -c "$first"
site="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
[ -f "$site/spareplan/__init__.py" ] || { echo "pip install . did not install spareplan" >&2; exit 1; }
if find "$site/spareplan" "$site/solvers" \( -name '*.nbi' -o -name '*.nbc' \) | grep -q .; then
    echo "numba wrote its cache into site-packages:" >&2
    find "$site/spareplan" "$site/solvers" \( -name '*.nbi' -o -name '*.nbc' \) >&2
    exit 1
fi
[ -f out/demo/recommendations.csv ] || { echo "the demo plan wrote no recommendations" >&2; exit 1; }

say "README line 2: $second"
bash -c "$second"
if [ -d "$site/spareplan" ] && [ ! -f "$site/spareplan/__init__.py" ]; then
    echo "site-packages/spareplan is a hollow folder after the editable install:" >&2
    find "$site/spareplan" >&2
    exit 1
fi

say "import spareplan from $elsewhere"
(cd "$elsewhere" && "$clone/.venv/bin/python" - "$clone" <<'PY'
import sys
from pathlib import Path

import spareplan

clone = Path(sys.argv[1]).resolve()
assert spareplan.__file__ is not None, "spareplan is a namespace package (a hollow folder)"
assert Path(spareplan.__file__).resolve() == clone / "spareplan" / "__init__.py", spareplan.__file__
scenario = spareplan.load_scenario(clone / "scenarios" / "tiny")
print("spareplan", spareplan.__version__, "from", spareplan.__file__, "-", scenario.name, "loads")
PY
)

say "both notebooks, executed from their own folder"
(cd "$elsewhere" && "$clone/.venv/bin/python" - "$clone" <<'PY'
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

notebooks = sorted((Path(sys.argv[1]) / "notebooks").glob("*.ipynb"))
assert len(notebooks) >= 2, notebooks
for path in notebooks:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, (path.name, errors)
    print("executed", path.name)
PY
)

say "fresh-machine check passed ($work)"
