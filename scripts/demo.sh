#!/usr/bin/env bash
# Set up (if needed) and run the main job: the one-command report on the embedded
# diabetes dataset (no download), written to report/ (report.html + model.npz).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MPLBACKEND=Agg
exec .venv/bin/regularized report --dataset diabetes --out report/ "$@"
