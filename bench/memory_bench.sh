#!/usr/bin/env bash
# Peak memory of a run with a large bank (issue 13): gaussian_random_field (x is a 32×32 map,
# 1,024 values), SIMS simulations (default 10^6), NPE-MAF with the mlp embedding and one epoch
# of training, at each NP on this node.
#   bench/memory_bench.sh NSBI OUT [SIMS] [NP ...]      (default NPs: 1 2 4)
# Prints one markdown row per NP: the float copy of x, the largest per-rank peak RSS (from
# report.json; a rank's RSS counts the node-shared pages it touched), and the node's peak
# proportional set size (the ranks' Pss from /proc/PID/smaps_rollup summed, sampled every 0.2 s:
# shared pages counted once per node), all in MiB. The run directory (journal.bin and x.npy hold
# the simulator's doubles: 2 × 8 bytes × SIMS × 1,024) is removed after each run.
set -euo pipefail
nsbi=$(realpath "$1") out=$2 sims=${3:-1000000}
shift $(( $# < 3 ? $# : 3 ))
nps=("$@"); [[ ${#nps[@]} -gt 0 ]] || nps=(1 2 4)
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
# An observation: sbibm's layout for gaussian_random_field, observation 1 (nsbi bench reference).
[[ -f $out/ref/gaussian_random_field/obs1/observation.csv ]] ||
  "$nsbi" bench reference --task gaussian_random_field --observations 1 --out "$out/ref" > "$out/ref.log" 2>&1
echo "| np | simulations | x as float (MiB) | peak RSS, largest rank (MiB) | peak RSS per rank (MiB) | node peak Pss (MiB) | node Pss / float x | seconds (simulate, train) |"
echo "|---|---|---|---|---|---|---|---|"
for np in "${nps[@]}"; do
  dir=$out/np$np
  rm -rf "$dir"
  cat > "$dir.toml" <<TOML
seed = 1
[task]
name = "gaussian_random_field"
[observation]
file = "$out/ref/gaussian_random_field/obs1/observation.csv"
[inference]
method = "npe"
estimator = "maf"
simulations = $sims
[embedding]
type = "mlp"
[training]
max_epochs = 1
[posterior]
samples = 1000
[checkpoint]
every_seconds = 0
[output]
dir = "$dir"
TOML
  if [[ $np == 1 ]]; then "$nsbi" run "$dir.toml" 2> "$dir.log" & else
    mpirun -np "$np" --oversubscribe "$nsbi" run "$dir.toml" 2> "$dir.log" & fi
  launcher=$!
  peak=0
  while kill -0 "$launcher" 2>/dev/null; do
    total=0
    for pid in $(pgrep -f "nsbi run $dir.toml" || true); do
      [[ $(cat /proc/"$pid"/comm 2>/dev/null) == nsbi ]] || continue
      kb=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
      total=$(( total + ${kb:-0} ))
    done
    (( total > peak )) && peak=$total
    sleep 0.2
  done
  wait "$launcher" || { echo "np $np failed:"; tail -5 "$dir.log"; exit 1; }
  /usr/bin/python3 - "$dir/report.json" "$np" "$sims" "$peak" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); np, sims, peak_kib = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t = r["timings_seconds"]; pss = peak_kib / 1024
# A binary older than report.json's "memory" (for before/after figures): x as float from the task.
m = r.get("memory", {"bank_x_mib_per_node": 1024 * 4 * sims / 2**20, "peak_rss_mib": [float("nan")]})
x = m["bank_x_mib_per_node"]; rss = m["peak_rss_mib"]
print(f"| {np} | {sims:,} | {x:.0f} | {max(rss):.0f} | {' / '.join(f'{v:.0f}' for v in rss)} | {pss:.0f} | {pss / x:.2f} | {t['simulate']:.0f}, {t['train']:.0f} |")
PY
  rm -rf "$dir"
done
