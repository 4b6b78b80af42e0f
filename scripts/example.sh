#!/usr/bin/env bash
# Installs what is missing, builds the nsbi executable and runs the main example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target nsbi
./build/nsbi run examples/two_moons.toml
