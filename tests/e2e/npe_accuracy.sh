#!/usr/bin/env bash
# npe_accuracy.sh NSBI SHARED TASK OBS SIMULATIONS MAX_C2ST OUTDIR [ESTIMATOR [METHOD ROUNDS [KEY=VALUE...]]]
# Runs METHOD (default npe, one round) on sbibm observation OBS of TASK with SIMULATIONS in all
# and fails unless the C2ST of the posterior samples against the reference samples (3,000 of
# each) is at most MAX_C2ST. KEY=VALUE settings are passed to nsbi run as --set (e.g.
# embedding.type=mlp); the run directory then carries their names.
set -euo pipefail
nsbi=$1 shared=$2 task=$3 obs=$4 sims=$5 max=$6 out=$7 estimator=${8:-maf} method=${9:-npe} rounds=${10:-1}
shift $(( $# < 10 ? $# : 10 ))
sets=() tag=""
for kv in "$@"; do sets+=(--set "$kv"); tag+="_${kv//[^A-Za-z0-9]/_}"; done
ref=$shared/sbibm/$task/obs$obs/reference_posterior_samples.csv
if [[ ! -f $ref ]]; then echo "reference data missing: $ref"; exit 1; fi
dir=$out/$method/$estimator$tag/$task/obs$obs
rm -rf "$dir"; mkdir -p "$dir"
decays=0; [[ $method == npe ]] && decays=2  # sequential runs: sbi's plain early stopping each round
cat > "$dir.toml" <<TOML
seed = $obs
[task]
name = "$task"
[observation]
file = "$shared/sbibm/$task/obs$obs/observation.csv"
[inference]
method = "$method"
estimator = "$estimator"
simulations = $sims
rounds = $rounds
[training]                 # the settings of bench/accuracy.sh (bench/RESULTS.md)
batch_size = 50
lr_decays = $decays
[posterior]
samples = 3000
[output]
dir = "$dir"
TOML
"$nsbi" run "$dir.toml" ${sets[@]+"${sets[@]}"} 2> "$dir.log" || { cat "$dir.log"; exit 1; }
tail -4 "$dir.log"
c=$("$nsbi" c2st "$dir/posterior_samples.csv" "$ref" --max-samples 3000)
echo "$task obs$obs, $method ($rounds rounds), $estimator${tag:+ ($*)}, $sims simulations: C2ST $c (pass if <= $max)"
python3 -c "import sys; sys.exit(0 if float('$c') <= float('$max') else 1)"
