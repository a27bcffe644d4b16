#!/usr/bin/env bash
# Set up (if needed) and run the main job on an embedded dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python examples/quickstart.py "$@"
