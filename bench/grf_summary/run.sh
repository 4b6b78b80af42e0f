#!/usr/bin/env bash
# Issue 13's diagnostic: NPE at 10,000 simulations on the gaussian_random_field task with the map
# reduced to a fixed summary by grf_summary_plugin.so (built as <build>/bench/grf_summary_plugin.so),
# C2ST against reference posteriors made by `nsbi bench reference --task gaussian_random_field`.
#   shells: log mean power per |k|² shell, the exact sufficient statistic (134 values)
#   mle:    the maximum-likelihood estimate of (log A, n) (2 values)
#   binned: log mean power in 16 bins of equal width in log |k|² (15 non-empty values)
# Compare with the cnn2d embedding on the map (bench/RESULTS.md). One training per line.
#
#   bench/grf_summary/run.sh --ref DIR --obs "6 7 8" --summary shells|mle|binned --out DIR [--seed S] [--set key=value ...]
#
# Environment: NSBI (default build/nsbi), PLUGIN (default build/bench/grf_summary_plugin.so).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
nsbi=${NSBI:-$here/build/nsbi}
plugin=$(realpath "${PLUGIN:-$here/build/bench/grf_summary_plugin.so}")
ref="" obs="1 2 3 4 5" summary=shells out=/tmp/nsbi-grf-summary seed=1 extra=()
while (($#)); do
  case $1 in
    --ref) ref=$2; shift 2 ;;
    --obs) obs=$2; shift 2 ;;
    --summary) summary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --set) extra+=(--set "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $ref ]] || { echo "--ref DIR is required (made by nsbi bench reference)" >&2; exit 2; }
case $summary in
  shells) kind=0 symbol=nsbi_simulate ;;
  mle) kind=1 symbol=nsbi_simulate_mle ;;
  binned) kind=2 symbol=nsbi_simulate_binned ;;
  *) echo "--summary: expected shells, mle or binned, got '$summary'" >&2; exit 2 ;;
esac
mkdir -p "$out"
echo "observation,c2st,epochs" > "$out/results.csv"
for o in $obs; do
  dir=$out/obs$o
  mkdir -p "$dir"
  # The observed map through the plugin's own reduction (python3's standard library only).
  read -r dim values < <(python3 - "$plugin" "$ref/gaussian_random_field/obs$o/observation.csv" "$kind" <<'PY'
import ctypes, csv, sys
lib = ctypes.CDLL(sys.argv[1])
f = lib.nsbi_grf_summary
f.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
kind = int(sys.argv[3])
rows = list(csv.reader(open(sys.argv[2])))
m = [float(v) for v in rows[1]]
dim = f(None, 0, kind, None)
arr = (ctypes.c_double * len(m))(*m)
res = (ctypes.c_double * dim)()
if f(arr, len(m), kind, res) != 0:
    sys.exit(f"{sys.argv[2]}: the summary could not be computed")
print(dim, ", ".join(repr(v) for v in res))
PY
)
  cat > "$dir/run.toml" <<TOML
seed = $((seed + o))
[prior]
type = "box_uniform"
low = [-1.0, 1.0]
high = [1.0, 4.0]
[simulator]
kind = "plugin"
library = "$plugin"
symbol = "$symbol"
theta_dim = 2
x_dim = $dim
[observation]
values = [$values]
[inference]
method = "npe"
estimator = "maf"
simulations = 10000
[training]
batch_size = 50
lr_decays = 2
[posterior]
samples = 10000
[output]
dir = "$dir/run"
TOML
  "$nsbi" run "$dir/run.toml" --overwrite "${extra[@]}" 2> "$dir/run.log" || { cat "$dir/run.log"; exit 1; }
  c=$("$nsbi" c2st "$dir/run/posterior_samples.csv" "$ref/gaussian_random_field/obs$o/reference_posterior_samples.csv")
  epochs=$(python3 -c "import json; print(json.load(open('$dir/run/report.json'))['training']['epochs'])")
  echo "$o,$c,$epochs" >> "$out/results.csv"
  echo "gaussian_random_field ($summary) obs$o: c2st $c ($epochs epochs)"
done
python3 - "$out/results.csv" <<'PY'
import csv, sys
v = [float(r["c2st"]) for r in csv.DictReader(open(sys.argv[1]))]
print(f"MEAN: {sum(v) / len(v):.4f} over {len(v)} observations")
PY
