#!/usr/bin/env bash
# Installs the Debian 12 packages nsbi needs (DESIGN.md §8). Idempotent: installs only what is
# missing, so a second run costs one dpkg query.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --peer   also python3-torch / numpy for the side-by-side benchmarks
#   scripts/install-deps.sh --with-slurm   also munge and SLURM (scripts/slurm/start-local-cluster.sh)
#   scripts/install-deps.sh --with-chromium   also chromium, for the test that renders corner.svg
#                                    (tests/plot/render_corner.sh; skipped without it)
#   scripts/install-deps.sh --with-clang   also clang, its sanitizer/libFuzzer runtimes and
#                                          llvm-symbolizer (scripts/test.sh --sanitize, bench/fuzz.sh)
set -euo pipefail
pkgs=(build-essential cmake pkg-config git
      libopenmpi-dev openmpi-bin
      libeigen3-dev
      libboost-serialization-dev libboost-dev
      librandom123-dev
      libtomlplusplus-dev
      libcli11-dev
      libgtest-dev libgmock-dev googletest
      libbenchmark-dev
      python3 python3-numpy)
for arg in "$@"; do
  case $arg in
    --peer) pkgs+=(python3-torch) ;;
    --with-slurm) pkgs+=(munge slurm-wlm) ;;
    --with-chromium) pkgs+=(chromium) ;;
    --with-clang) pkgs+=(clang libclang-rt-14-dev llvm) ;;
    *) echo "install-deps: unknown option $arg (--peer, --with-slurm, --with-chromium, --with-clang)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
