#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite (unit, mpi, e2e).
#   scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-chromium  # chromium: the corner-plot rendering test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
