#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite (unit, mpi, e2e).
#   scripts/test.sh [extra ctest arguments, e.g. -L unit]
#   scripts/test.sh --sanitize [extra ctest arguments]
#       builds with clang, AddressSanitizer and UBSan in build-sanitize/ (-DNSBI_FUZZ=ON: the same
#       build holds bench/fuzz.sh's harnesses) and runs the unit and mpi tests there; any ASan, UBSan
#       or LeakSanitizer report fails the test that produced it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --sanitize ]]; then
  shift
  bash scripts/install-deps.sh --with-clang
  source scripts/sanitize-env.sh
  CC=clang CXX=clang++ cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSBI_FUZZ=ON
  cmake --build build-sanitize -j"$(nproc)"
  ctest --test-dir build-sanitize --output-on-failure -j"$(nproc)" -L "unit|mpi" "$@"
  exit
fi
bash scripts/install-deps.sh --with-chromium  # chromium: the corner-plot rendering test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
