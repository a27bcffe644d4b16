#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The HTML report is checked in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
        && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" -q "$@"
