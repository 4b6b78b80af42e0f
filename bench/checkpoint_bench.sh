#!/usr/bin/env bash
# Checkpoint figures for bench/RESULTS.md (issue 11):
#  1. size and write time of a checkpoint, and the journal's size, for a 10k and a 1M-simulation run;
#  2. the overhead of checkpointing every 60 s on a 10-round run: the same run with
#     checkpoint.every_seconds = 60, 1 (a stress case) and 0 (only at the end of each training), side by side, each
#     NSBI_REPEATS times (default 1) in alternation; plus the measured write time / total time;
#  3. the overhead of checkpointing MCMC chains: NLE on gaussian_linear (10k simulations, 10,000
#     posterior samples by slice sampling at sbibm's settings) with checkpoint.every_seconds = 1
#     (a pause of every chain group and a checkpoint every second) against 0, side by side.
#   bench/checkpoint_bench.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
build=${1:-build} work=${2:-/tmp/nsbi-checkpoint-bench}
nsbi=$(cd "$build" && pwd)/nsbi
repeats=${NSBI_REPEATS:-1}
rm -rf "$work"; mkdir -p "$work"; cd "$work"
field() {  # field REPORT KEY: a number under "checkpoints" or "timings_seconds" of report.json
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r[sys.argv[2]][sys.argv[3]])" "$@"
}
echo "| run | simulations | checkpoints | last checkpoint | write s (mean) | journal.bin | total s |"
echo "|---|---|---|---|---|---|---|"
size_row() {  # size_row NAME TASK SIMS [--set ...]
  local name=$1 task=$2 sims=$3; shift 3
  cat > $name.toml <<TOML
[task]
name = "$task"
[inference]
simulations = $sims
[posterior]
samples = 1000
TOML
  "$nsbi" run $name.toml --set output.dir=$name "$@" 2> $name.err ||
    { cat $name.err; exit 1; }
  local r=$name/report.json n w
  n=$(field $r checkpoints written); w=$(field $r checkpoints write_seconds)
  printf "| %s | %s | %s | %.1f kB | %.4f | %.1f MB | %.1f |\n" "$name" "$sims" "$n" \
    "$(echo "$(field $r checkpoints last_bytes) / 1000" | bc -l)" "$(echo "$w / $n" | bc -l)" \
    "$(echo "$(stat -c %s $name/journal.bin) / 1000000" | bc -l)" "$(field $r timings_seconds total)"
}
obs_gl='observation.values=[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]'
size_row npe_10k gaussian_linear 10000 --set "$obs_gl"
size_row npe_1M gaussian_linear 1000000 --set "$obs_gl" --set training.max_epochs=1
echo
# A 10-round SNPE-C run of a few minutes on two_moons.
cat > rounds.toml <<TOML
seed = 3
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
method = "snpe_c"
simulations = 10000
rounds = 10
[training]
batch_size = 50
[posterior]
samples = 1000
TOML
echo "| 10-round snpe_c | every_seconds | total s | checkpoints | write s | write / total |"
echo "|---|---|---|---|---|---|"
for k in $(seq "$repeats"); do
  for every in 60 1 0; do
    d=rounds_${every}_$k
    "$nsbi" run rounds.toml --set output.dir=$d --set checkpoint.every_seconds=$every 2> $d.err || { cat $d.err; exit 1; }
    r=$d/report.json
    printf "| %s | %s | %.1f | %s | %.4f | %.5f %% |\n" "$k" "$every" "$(field $r timings_seconds total)" \
      "$(field $r checkpoints written)" "$(field $r checkpoints write_seconds)" \
      "$(echo "100 * $(field $r checkpoints write_seconds) / $(field $r timings_seconds total)" | bc -l)"
  done
  cmp -s rounds_60_$k/posterior_samples.npy rounds_0_$k/posterior_samples.npy || { echo "samples differ"; exit 1; }
done
echo
obs_gl10='[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]'
echo "| nle MCMC | every_seconds | sample s | total s | checkpoints | write s |"
echo "|---|---|---|---|---|---|"
for k in $(seq "$repeats"); do
  for every in 1 0; do
    d=nle_${every}_$k
    cat > $d.toml <<TOML
seed = 2
[task]
name = "gaussian_linear"
[observation]
values = $obs_gl10
[inference]
method = "nle"
simulations = 10000
[training]
batch_size = 50
TOML
    "$nsbi" run $d.toml --set output.dir=$d --set checkpoint.every_seconds=$every 2> $d.err || { cat $d.err; exit 1; }
    r=$d/report.json
    printf "| %s | %s | %.2f | %.2f | %s | %.4f |\n" "$k" "$every" "$(field $r timings_seconds sample)" \
      "$(field $r timings_seconds total)" "$(field $r checkpoints written)" "$(field $r checkpoints write_seconds)"
  done
  cmp -s nle_1_$k/posterior_samples.npy nle_0_$k/posterior_samples.npy || { echo "nle samples differ"; exit 1; }
done
