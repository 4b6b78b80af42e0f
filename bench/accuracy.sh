#!/usr/bin/env bash
# Accuracy benchmark: single-round NPE-MAF on sbibm tasks, C2ST of the posterior samples
# against the reference samples (observations 1-5), as in Lueckmann et al. 2021.
#
#   bench/accuracy.sh [--sims N] [--tasks "two_moons slcp ..."] [--obs "1 2 3 4 5"] [--np P] [--out DIR]
#
# Prints one line per run and the mean C2ST per task; writes DIR/results.csv.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
nsbi=${NSBI:-$here/build/nsbi}
shared=${NSBI_SHARED:-$here/../shared}
sims=10000 tasks="gaussian_linear gaussian_linear_uniform two_moons slcp" obs="1 2 3 4 5" np=1
out=/tmp/nsbi-accuracy method=npe seed=1 extra=()
while (($#)); do
  case $1 in
    --sims) sims=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --obs) obs=$2; shift 2 ;;
    --np) np=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
launch=()
if ((np > 1)); then launch=(mpirun -np "$np" --oversubscribe); fi
mkdir -p "$out"
cfg=$out/base.toml
cat > "$cfg" <<TOML
seed = $seed
[task]
name = "two_moons"
[inference]
method = "$method"
estimator = "maf"
simulations = $sims
[posterior]
samples = 10000
TOML
echo "task,observation,simulations,c2st,train_seconds,total_seconds,epochs" > "$out/results.csv"
for task in $tasks; do
  for o in $obs; do
    dir=$out/$task/obs$o
    mkdir -p "$out/$task"
    "${launch[@]}" "$nsbi" run "$cfg" --overwrite --set task.name="$task" \
      --set observation.file="$shared/sbibm/$task/obs$o/observation.csv" --set output.dir="$dir" \
      --set seed=$((seed + o)) "${extra[@]}" 2> "$dir.log" || { cat "$dir.log"; exit 1; }
    c=$("$nsbi" c2st "$dir/posterior_samples.csv" "$shared/sbibm/$task/obs$o/reference_posterior_samples.csv")
    read -r train total epochs < <(python3 -c "import json;r=json.load(open('$dir/report.json'));t=r['timings_seconds'];print(t['train'],t['total'],r['training']['epochs'])")
    echo "$task,$o,$sims,$c,$train,$total,$epochs" >> "$out/results.csv"
    echo "$task obs$o: c2st $c  (train ${train}s, ${epochs} epochs)"
  done
done
python3 - "$out/results.csv" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.defaultdict(list)
for r in rows: by[r["task"]].append(float(r["c2st"]))
for t, v in by.items(): print(f"MEAN {t}: {sum(v)/len(v):.4f} over {len(v)} observations")
PY
