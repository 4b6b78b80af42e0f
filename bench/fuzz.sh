#!/usr/bin/env bash
# Fuzzes nsbi's input loaders with libFuzzer (issue 11, hardening): the TOML run configuration,
# the simulation journal and the checkpoints (the run directory's resume files), an external simulator's answer line
# and the CSV / observation readers. Builds the harnesses of tests/fuzz in build-sanitize/ (clang,
# ASan, UBSan; the same build as scripts/test.sh --sanitize), writes small valid seed inputs,
# runs each harness for --seconds and prints one table row per harness for bench/RESULTS.md.
# A crash stops that harness; its input is left in build-sanitize/fuzz/work/<name>/crash-*.
#   bench/fuzz.sh [--seconds 600] [--only run_config,csv]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=600 only=run_config,simulation_journal,checkpoint,external_protocol,csv
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;; --only) only=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a harnesses <<<"$only"
build=$here/build-sanitize
bash "$here/scripts/install-deps.sh" --with-clang
source "$here/scripts/sanitize-env.sh"
CC=clang CXX=clang++ cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSBI_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target nsbi "${harnesses[@]/#/fuzz_}" >/dev/null

# Seeds: small valid inputs of each format, made afresh (nothing binary is committed).
seed_run_config() {
  local i=0 f
  for f in "$here"/tests/*/*.toml "$here"/examples/*.toml; do cp "$f" "$1/seed$((i++)).toml"; done
}
seed_simulation_journal() {
  # The journal of a tiny real run (two_moons, 200 simulations), whole and cut short.
  local run; run=$(mktemp -d)
  (cd "$run" && "$build/nsbi" run "$here/tests/cli/tiny_run.toml" --set output.dir="$run/out" >/dev/null 2>&1)
  cp "$run/out/journal.bin" "$1/whole.bin"
  head -c 32 "$run/out/journal.bin" >"$1/header.bin"
  head -c 500 "$run/out/journal.bin" >"$1/cut.bin"
  rm -rf "$run"
}
seed_checkpoint() {
  # The checkpoints of two tiny real runs with a small flow: NPE (finished trainings) and NLE (a
  # training and an MCMC sampling of 4 chains in 2 groups), whole and cut short.
  local run; run=$(mktemp -d)
  (cd "$run" && "$build/nsbi" run "$here/tests/cli/tiny_run.toml" --set output.dir="$run/npe" \
     --set estimator.hidden_features=4 --set estimator.transforms=1 >/dev/null 2>&1)
  (cd "$run" && "$build/nsbi" run "$here/tests/cli/tiny_run.toml" --set output.dir="$run/nle" \
     --set inference.method=nle --set estimator.hidden_features=4 --set estimator.transforms=1 \
     --set mcmc.chains=4 --set mcmc.group_size=2 --set mcmc.warmup=5 --set mcmc.init_candidates=20 \
     --set posterior.samples=8 >/dev/null 2>&1)
  local f; f=$(ls "$run"/npe/checkpoint-*.bin | tail -1)
  cp "$f" "$1/whole.bin"
  head -c 200 "$f" >"$1/cut.bin"
  f=$(ls "$run"/nle/checkpoint-*.bin | tail -1)
  cp "$f" "$1/mcmc.bin"
  rm -rf "$run"
}
seed_external_protocol() {
  # First byte: how many values the answer must hold; the rest: the answer line.
  printf '\x02%s\n' '0.5 -1.25' >"$1/two"
  printf '\x03%s\r\n' '1e308,-inf,nan' >"$1/special"
  printf '\x01%s\n' '+3.0' >"$1/plus"
  printf '\x04%s\n' '1	2  3,,4' >"$1/separators"
  printf '\x02%s\n' '1e999 4.9e-324' >"$1/range"
}
seed_csv() {
  printf 'x_1,x_2\n0.5,-1.25\n' >"$1/header"
  printf '1,2,3\n4,5,6\n\n7,8,9\n' >"$1/rows"
  printf '" a ","b""c"\n nan , inf \n' >"$1/quoted"
  printf '1.5e-3,-inf\r\n' >"$1/crlf"
  head -n 3 "$here/workers/simulators/data/bernoulli_glm_design_matrix.csv" >"$1/design"
  cp "$here/workers/simulators/data/slcp_distractors_permutation_idx.csv" "$1/permutation"
}

echo "| harness | seconds | executions | exec/s | crashes | corpus |"
echo "|---|---|---|---|---|---|"
for name in "${harnesses[@]}"; do
  work=$build/fuzz/work/$name
  rm -rf "$work" && mkdir -p "$work/corpus"
  "seed_$name" "$work/corpus"
  max_len=4096
  [[ $name == simulation_journal ]] && max_len=16384  # the tiny run's journal is 7.6 kB
  [[ $name == checkpoint ]] && max_len=$(( $(stat -c %s "$work/corpus/"*.bin | sort -n | tail -1) + 64 ))
  status=0 start=$SECONDS
  # The harnesses do not start MPI, so the fast unwinder is enough for their leak reports.
  ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=1 "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=30 -max_len=$max_len -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || status=$?
  elapsed=$((SECONDS - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
  crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  echo "| $name | $elapsed | ${execs:-?} | ${secs:-?} | $crashes | $(find "$work/corpus" -type f | wc -l) files |"
  if ((status != 0)); then
    echo "fuzz.sh: $name stopped (exit $status); see $work/log" >&2
  fi
done
