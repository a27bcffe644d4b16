#!/usr/bin/env bash
# Set up the benchmark environment (once) and run the benchmarks.
#   bash benchmarks/run.sh                     # everything; rewrites benchmarks/RESULTS.md
#   bash benchmarks/run.sh --quick --only regularized --problem dense_10000x1000
# Extra arguments go to benchmarks/bench.py (see --help). VENV overrides the environment path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv-bench}"
cd "$ROOT"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --upgrade pip
fi
# python-glmnet ships manylinux wheels; building it from source would need gfortran.
STAMP="$VENV/.bench-installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    "$VENV/bin/pip" install -e ".[bench]"
    touch "$STAMP"
fi
exec "$VENV/bin/python" benchmarks/bench.py "$@"
