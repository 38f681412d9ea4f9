#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the main job on built-in synthetic data.
# Extra arguments go to the command (for example: --seed 3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
dotnet run -c Release --project src/CausalMmm.Cli -- demo "$@"
