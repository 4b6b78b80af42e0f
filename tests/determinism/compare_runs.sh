#!/usr/bin/env bash
# compare_runs.sh NSBI MPIEXEC CONFIG OUTDIR NP...
# Runs CONFIG at every NP and fails unless the bank, the trained weights and the posterior
# samples are byte-identical to those of the first NP.
set -euo pipefail
nsbi=$1 mpiexec=$2 config=$3 out=$4
shift 4
rm -rf "$out"
first=""
for np in "$@"; do
  dir="$out/np$np"
  "$mpiexec" -np "$np" --oversubscribe "$nsbi" run "$config" --set output.dir="$dir" 2> "$out.np$np.log" ||
    { cat "$out.np$np.log"; echo "run at np=$np failed"; exit 1; }
  if [[ -z "$first" ]]; then first=$dir; continue; fi
  for f in theta.npy x.npy status.npy round.npy log_proposal.npy estimator_weights.npy posterior_samples.npy \
           posterior_samples.csv; do
    if ! cmp -s "$first/$f" "$dir/$f"; then
      echo "DIFFER: $f at np=$np vs np=${first##*np}"; exit 1
    fi
  done
  echo "np=$np: bank, weights and samples byte-identical to np=${first##*np}"
done
