#!/usr/bin/env bash
# Installs what the build needs on Debian/Ubuntu, and only what is missing. Every library comes from NuGet
# (Microsoft.ML, TorchSharp-cpu with its libtorch, Microsoft.Data.Analysis), restored by dotnet itself:
#   libgomp1   OpenMP runtime that LightGBM's native library links (ML.NET's LightGbm trainer, used by the
#              tests, the CLI's report and the Quickstart); present on most machines, installed here if not.
#   chromium   with "setup.sh --tests" only: the headless browser the report test opens the HTML report in.
# The .NET 10 SDK must already be on PATH (it is on the project's machines).
set -euo pipefail

packages=(libgomp1)
# unzip: with --tests only, the package test (scripts/package-test.sh) reads the packed .nupkg files.
if [ "${1:-}" = "--tests" ]; then packages+=(unzip); fi
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser is optional: where it cannot be installed the report's browser test skips and says why.
if [ "${1:-}" = "--tests" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "setup: installing chromium (for the report's browser test)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "setup: chromium could not be installed; the report's browser test will skip" >&2
  fi
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK (10.0 or later) is not on PATH; install it from Microsoft's packages, then rerun." >&2
  exit 1
fi
