#!/usr/bin/env bash
# Create .venv and install the project with the extras named in $REGULARIZED_EXTRAS
# (default: test,nn,io,plot,cli). Idempotent: re-installs only when the project files change.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${REGULARIZED_EXTRAS:-test,nn,io,plot,cli}"
stamp=".venv/.setup-stamp"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-$extras"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # -c constraints.txt pins the CPU build of PyTorch (no CUDA downloads).
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[${extras}]"
  echo "$want" > "$stamp"
fi
