#!/usr/bin/env bash
# Regenerates the "Current figures" section of docs/benchmarks.md and the README's headline table: runs the planning
# suite (5 seeds of the marketing simulator), the Quickstart's holdout table, the demo's and the forecast benchmark on
# the drifting simulator (5 seeds), writes their output between the markers <!-- current:begin --> and
# <!-- current:end -->, and the README's rows with benchmarks/headline.py. About 55 minutes on 2 cores.
# Usage: bash benchmarks/report.sh
#        bash benchmarks/report.sh --from DIR   (no runs: DIR holds planning.txt, quickstart.txt, demo.txt and
#        forecast.txt from runs made separately, for example planning seeds merged with benchmarks/merge-planning.py)
set -euo pipefail
from=""
if [ "${1:-}" = "--from" ]; then
  from="$(cd "${2:?--from needs a directory}" && pwd)"
  for f in planning.txt quickstart.txt demo.txt forecast.txt; do
    [ -s "$from/$f" ] || { echo "$from/$f is missing or empty" >&2; exit 1; }
  done
elif [ $# -gt 0 ]; then
  echo "usage: bash benchmarks/report.sh [--from DIR]; got: $*" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
source scripts/env.sh
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ -n "$from" ]; then
  cp "$from"/planning.txt "$from"/quickstart.txt "$from"/demo.txt "$from"/forecast.txt "$out"/
else
dotnet build CausalMmm.MLNet.sln -c Release --nologo -v quiet
dotnet run -c Release --no-build --project benchmarks/CausalMmm.Benchmarks -- planning > "$out/planning.txt"
dotnet run -c Release --no-build --project examples/Quickstart | sed -n '/^Holdout gmv/,/^$/p' > "$out/quickstart.txt"
dotnet run -c Release --no-build --project src/CausalMmm.Cli -- demo --out "$out/demo" > "$out/demo-run.txt"
dotnet run -c Release --no-build --project benchmarks/CausalMmm.Benchmarks -- forecast --seeds 5 > "$out/forecast.txt"
# The demo's holdout table from its HTML report: one line per model.
python3 - "$out/demo/report.html" > "$out/demo.txt" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", r)).strip() for r in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
start = next(i for i, r in enumerate(rows) if "RMSE" in r)
for r in rows[start:start + 10]:
    print(r)
PY
fi

{
  echo "<!-- current:begin -->"
  echo "## Current figures"
  echo
  echo "Written by \`bash benchmarks/report.sh${from:+ --from DIR}\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(git rev-parse --short HEAD))${from:+; the runs were made separately, before this commit: their commands are in each section}."
  echo
  echo "### Planning against truth (\`dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- planning\`)"
  echo
  echo '```'
  cat "$out/planning.txt"
  echo '```'
  echo
  echo "### Quickstart holdout (\`dotnet run -c Release --project examples/Quickstart\`, the estimators' defaults)"
  echo
  echo '```'
  cat "$out/quickstart.txt"
  echo '```'
  echo
  echo "### Demo holdout (\`bash scripts/demo.sh\`, the estimators' defaults; the report's table)"
  echo
  echo '```'
  cat "$out/demo.txt"
  echo '```'
  echo
  echo "### Holdout forecasts on the drifting simulator (\`dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- forecast --seeds 5\`)"
  echo
  echo '```'
  cat "$out/forecast.txt"
  echo '```'
  echo "<!-- current:end -->"
} > "$out/current.md"

python3 - docs/benchmarks.md "$out/current.md" <<'PY'
import re, sys
doc, current = sys.argv[1], open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
text = open(doc, encoding="utf-8").read()
text = re.sub(r"<!-- current:begin -->.*?<!-- current:end -->", lambda _: current, text, flags=re.S)
open(doc, "w", encoding="utf-8").write(text)
PY
echo "docs/benchmarks.md: current figures updated"
python3 benchmarks/headline.py "$out" README.md
