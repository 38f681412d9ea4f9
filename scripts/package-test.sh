#!/usr/bin/env bash
# The packages as a user outside this repository gets them. Packs the library (CausalMmm.MLNet) and the causalmmm tool
# into a local folder feed, then, in a temporary directory outside the repository (so none of its build files apply):
#   1. a new console project (dotnet new) adds CausalMmm.MLNet from the feed and TorchSharp-cpu from nuget.org, builds,
#      fits a tiny CausalGraph + MarketingResponse chain and scores it - this is where the GLIBCXX fix the package
#      ships under buildTransitive/ must make libLibTorchSharp.so load on Debian 12; then dotnet publish, and the
#      published copy must be patched and run as well;
#   2. dotnet tool install takes causalmmm from the feed (the linux-x64 package), then runs "causalmmm sample" and
#      "causalmmm fit --epochs 2" on the sample.
# Prints "package test: passed" or "package test: failed (STEP)" last; the exit status says the same.
# Each run packs a version of its own (0.1.0-ci.<time>.<pid>) so the NuGet cache never serves an older build, and
# removes that version from the cache afterwards.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/env.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/causalmmm-package-test.XXXXXX")
case "$work" in "$repo"/*) echo "package test: the temporary directory $work is inside the repository" >&2; exit 2;; esac
version="0.1.0-ci.$(date +%Y%m%d%H%M%S).$$"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() {
  rm -rf "$work"
  for id in causalmmm.mlnet causalmmm causalmmm.linux-x64; do rm -rf "${cache:?}/$id/$version"; done
}
trap cleanup EXIT

step="none"
fail() {
  # The consumer's build log says what the GLIBCXX fix decided (it logs each patched file and, at normal verbosity, why not).
  for log in "$work/consumer-build.log" "$work/consumer-publish.log"; do
    if [ -f "$log" ]; then echo "--- $(basename "$log" .log), last lines:"; { grep -i -E "libstdc|GLIBCXX|weak|patch|error|warn" "$log" || true; } | tail -n 20; fi
  done
  if [ -n "${diagnosis:-}" ]; then echo "--- what the check saw:"; printf '%s\n' "$diagnosis"; fi
  echo "package test: failed ($step)"
  exit 1
}
trap fail ERR
# "! command" never trips set -e or the ERR trap, so what must not hold is checked through this.
refute() { if "$@"; then fail; fi; }

# Whether the dynamic loader itself (ldd, in this process's environment) refuses a library for a missing, non-weak
# GLIBCXX_3.4.32: the ground truth the build's fix must follow, whatever libstdc++ a check would otherwise guess at.
# No pipe: under pipefail a reader that quits early can kill the writer with SIGPIPE and turn a match into a failure,
# as "ldconfig -p | awk '{...; exit}'" did in an earlier version of this script's check; ldd's own status is ignored.
lacks_version() { local out; out=$(ldd "$1" 2>&1) || true; [[ $out == *": version \`GLIBCXX_3.4.32' not found"* ]]; }
# The fix's contract for one output copy ($1) of the shipped library ($shipped): the package's file is untouched (the
# NuGet cache is never written); where the loader refuses the shipped file, the copy differs from it in exactly one
# byte (the weak flag) and the loader accepts it; where the loader accepts the shipped file, the copy is unchanged.
weakened_where_needed() {
  local copy=$1 expected=cf33b1b0bb6bbb9754a768fb5c5d04d9f498603be50e73f55621a0b40ee608b8 differing needed=no shipped_hash
  if lacks_version "$shipped"; then needed=yes; fi
  differing=$(cmp -l "$copy" "$shipped" 2>/dev/null | wc -l || true)
  shipped_hash=$(sha256sum "$shipped" 2>&1 | cut -c1-64)
  diagnosis=$(printf 'copy: %s (sha256 %s)\nshipped: %s (sha256 %s, expected %s)\nbytes that differ: %s; the loader refuses the shipped file: %s\nldd of the shipped file: %s\nldd of the copy: %s' \
    "$copy" "$(sha256sum "$copy" 2>&1 | cut -c1-64)" "$shipped" "$shipped_hash" "$expected" \
    "$differing" "$needed" "$(ldd "$shipped" 2>&1 | grep -E 'libstdc|GLIBCXX' | tr '\n' ' ')" "$(ldd "$copy" 2>&1 | grep -E 'libstdc|GLIBCXX' | tr '\n' ' ')")
  # Called as "weakened_where_needed FILE || fail": set -e does not apply inside, so every check returns on its own.
  test -n "$copy" && test -f "$copy" && test -f "$shipped" || return 1
  test "$shipped_hash" = "$expected" || return 1
  if [ "$needed" = yes ]; then
    test "$(stat -c %s "$copy")" -eq "$(stat -c %s "$shipped")" || return 1 # cmp -l lists only the common length
    test "$differing" -eq 1 || return 1
    if lacks_version "$copy"; then return 1; fi
  else
    cmp -s "$copy" "$shipped" || return 1
  fi
  diagnosis=""
}

feed="$work/feed"
step="pack the library"
dotnet pack "$repo/src/CausalMmm/CausalMmm.csproj" -c Release --nologo -v quiet -o "$feed" -p:PackageVersion="$version"
step="pack the tool"
dotnet pack "$repo/src/CausalMmm.Cli/CausalMmm.Cli.csproj" -c Release --nologo -v quiet -o "$feed" -p:PackageVersion="$version"
ls -l "$feed"
step="the library package references TorchSharp, not a libtorch runtime"
nuspec=$(unzip -p "$feed/CausalMmm.MLNet.$version.nupkg" CausalMmm.MLNet.nuspec)
grep -q 'dependency id="TorchSharp" ' <<<"$nuspec"
refute grep -q 'id="TorchSharp-cpu"\|id="libtorch' <<<"$nuspec"
step="the library package carries the GLIBCXX fix under buildTransitive/"
contents=$(unzip -l "$feed/CausalMmm.MLNet.$version.nupkg")
grep -q 'buildTransitive/CausalMmm.MLNet.targets' <<<"$contents"
grep -q 'buildTransitive/WeakenElfVersionNeed.cs' <<<"$contents"

# Only the local feed and nuget.org: what a user's machine would see.
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
EOF

step="dotnet new console"
cd "$work"
dotnet new console --name Consumer --output "$work/Consumer" --no-restore >/dev/null
cd "$work/Consumer"
step="dotnet add package"
dotnet add package CausalMmm.MLNet --version "$version" >/dev/null
dotnet add package TorchSharp-cpu --version 0.107.0 >/dev/null
cat > Program.cs <<'EOF'
using CausalMmm;
using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 1);
CausalMmmCatalog mmm = ml.CausalMmm();
SimulatedPanel sample = mmm.Data.SimulateMarketing(shops: 4, length: 40, channels: 2, seed: 1);
var pipeline = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Epochs = 2, HiddenSize = 8 })
    .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Epochs = 2, HiddenSize = 8 }));
using var model = pipeline.Fit(sample.Data);
float[] scores = model.Transform(sample.Data).GetColumn<float>("Score").ToArray();
// One score per row; NaN only on each shop's first day, before the forecaster has a day to read.
int finite = scores.Count(float.IsFinite);
if (scores.Length != 4 * 40 || finite < 4 * 39)
{
    Console.Error.WriteLine($"consumer: expected {4 * 40} scores, finite from each shop's second day; got {scores.Length}, {finite} finite");
    return 1;
}
Console.WriteLine($"consumer: fitted and scored {scores.Length} rows with CausalMmm.MLNet on TorchSharp {TorchSharp.torch.__version__}");
return 0;
EOF
step="build the consumer"
dotnet build -c Release --nologo -v normal > "$work/consumer-build.log" 2>&1 || { tail -n 40 "$work/consumer-build.log"; false; }
step="the consumer's libLibTorchSharp.so is weakened exactly where this machine's libstdc++ needs it"
# The package as NuGet extracted it, from the consumer's own package root (not a guess at the cache's path).
packages=$(dotnet msbuild -getProperty:NuGetPackageRoot | tail -n 1)
shipped="${packages%/}/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so"
built=$(find bin/Release -name libLibTorchSharp.so -path '*linux-x64*' -print -quit)
weakened_where_needed "$built" || fail
step="run the consumer"
dotnet run -c Release --no-build
step="dotnet publish the consumer"
dotnet publish -c Release --nologo -v normal -o "$work/published" > "$work/consumer-publish.log" 2>&1 || { tail -n 40 "$work/consumer-publish.log"; false; }
step="the published libLibTorchSharp.so is weakened exactly where this machine's libstdc++ needs it"
weakened_where_needed "$(find "$work/published" -name libLibTorchSharp.so -print -quit)" || fail
step="run the published consumer"
dotnet "$work/published/Consumer.dll"

step="dotnet tool install"
cd "$work"
dotnet tool install causalmmm --version "$version" --tool-path "$work/tools"
step="causalmmm sample"
"$work/tools/causalmmm" sample -o "$work/shops.csv" --shops 4 --length 60 --channels 2 --quiet
step="causalmmm fit --epochs 2"
"$work/tools/causalmmm" fit "$work/shops.csv" --epochs 2 --holdout 14 -o "$work/model.zip" --quiet
test -s "$work/model.zip"

trap - ERR
echo "package test: passed"
