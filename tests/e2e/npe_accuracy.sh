#!/usr/bin/env bash
# npe_accuracy.sh NSBI SHARED TASK OBS SIMULATIONS MAX_C2ST OUTDIR [ESTIMATOR]
# Runs NPE on sbibm observation OBS of TASK and fails unless the C2ST of the posterior samples
# against the reference samples (3,000 of each) is at most MAX_C2ST.
set -euo pipefail
nsbi=$1 shared=$2 task=$3 obs=$4 sims=$5 max=$6 out=$7 estimator=${8:-maf}
ref=$shared/sbibm/$task/obs$obs/reference_posterior_samples.csv
if [[ ! -f $ref ]]; then echo "reference data missing: $ref"; exit 1; fi
dir=$out/$estimator/$task/obs$obs
mkdir -p "$dir"
cat > "$dir.toml" <<TOML
seed = $obs
[task]
name = "$task"
[observation]
file = "$shared/sbibm/$task/obs$obs/observation.csv"
[inference]
estimator = "$estimator"
simulations = $sims
[training]                 # the settings of bench/accuracy.sh (bench/RESULTS.md)
batch_size = 50
lr_decays = 2
[posterior]
samples = 3000
[output]
dir = "$dir"
TOML
"$nsbi" run "$dir.toml" 2> "$dir.log" || { cat "$dir.log"; exit 1; }
tail -4 "$dir.log"
c=$("$nsbi" c2st "$dir/posterior_samples.csv" "$ref" --max-samples 3000)
echo "$task obs$obs, $estimator, $sims simulations: C2ST $c (pass if <= $max)"
python3 -c "import sys; sys.exit(0 if float('$c') <= float('$max') else 1)"
