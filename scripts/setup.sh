#!/usr/bin/env bash
# Installs the native prerequisites on Debian/Ubuntu, and only what is missing:
#   libtorch-dev          libtorch's headers, CMake config and shared libraries (the tensor core)
#   libopenblas0-pthread  a fast BLAS; without it libtorch falls back to reference BLAS (~10x slower matmul)
#   cmake, g++            to build src/CausalMmm.Native, our C ABI over libtorch
# The .NET 10 SDK must already be on PATH (it is on the project's machines).
set -euo pipefail

packages=(libtorch-dev libopenblas0-pthread cmake g++)
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

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET SDK (10.0 or later) is not on PATH; install it from Microsoft's packages, then rerun." >&2
  exit 1
fi
