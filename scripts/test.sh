#!/usr/bin/env bash
# The README's test command: installs what is missing, builds every project and runs every test project, then prints one
# summary line "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
source scripts/env.sh

# Build the whole solution first: dotnet test builds only what the tests reference, and the examples, benchmarks and
# CLI must compile too.
dotnet build CausalMmm.MLNet.sln -c Release --nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test CausalMmm.MLNet.sln -c Release --no-build --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The packages as a user outside the repository gets them (scripts/package-test.sh): counted as one test.
bash scripts/package-test.sh 2>&1 | tee -a "$log"
package=${PIPESTATUS[0]}
if [ "$package" -ne 0 ] && [ "$status" -eq 0 ]; then status=$package; fi
set -e

# CI shows only the end of this output: name each failed test there, with the first line of its message.
awk '/^  Failed [A-Za-z_]/ { name = $2; next }
  name != "" && /^  Error Message:/ { getline; sub(/^ +/, ""); printf "failed test: %s: %s\n", name, substr($0, 1, 300); name = "" }' "$log"

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per test assembly.
awk -F'[:,]' '/ - Failed: +[0-9]+, Passed: +[0-9]+/ { f += $2; p += $4; s += $6 }
  /^package test: passed/ { p += 1 }
  /^package test: failed/ { f += 1 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
