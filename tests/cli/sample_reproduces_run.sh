#!/usr/bin/env bash
# sample_reproduces_run.sh NSBI MPIEXEC WORKDIR NP... — for each loadable kind of run (NPE with a
# MAF, an NSF ensemble, NPE with embedding networks, NLE (one flow and an ensemble) and NRE through MCMC, NRE with an embedding): `nsbi sample` at the run's own observation with
# the run's seed gives the run's posterior_samples bytes, and at another observation the same
# bytes at every NP.
set -euo pipefail
source "$(dirname "$0")/amortized_common.sh"
printf 'x_1,x_2\n0.1,0.2\n' > own.csv      # tiny_run.toml's observation.values
printf 'x_1,x_2\n-0.3,0.05\n' > other.csv
check() {
  local name=$1; shift
  "$nsbi" run "$here/tiny_run.toml" --set output.dir="$work/$name" "$@" 2> "$name.log" || { cat "$name.log"; exit 1; }
  "$nsbi" sample "$name" --observation own.csv -n 100 --out "$name/own" 2>> "$name.log" || { cat "$name.log"; exit 1; }
  for f in posterior_samples.npy posterior_samples.csv; do
    cmp "$name/$f" "$name/own/$f" || { echo "FAIL $name: sample at the run's observation differs in $f"; exit 1; }
  done
  local first=""
  for np in $NPS; do
    run_np "$np" sample "$name" --observation other.csv -n 150 --seed 7 --out "$name/other_np$np" 2>> "$name.log" ||
      { cat "$name.log"; exit 1; }
    if [[ -z $first ]]; then first=$np; continue; fi
    cmp "$name/other_np$first/posterior_samples.npy" "$name/other_np$np/posterior_samples.npy" ||
      { echo "FAIL $name: np $np differs from np $first"; exit 1; }
  done
  echo "ok   $name: the run's samples reproduced; other observation identical at np $NPS"
}
NPS="$*"
check npe_maf
check npe_nsf_ensemble --set inference.estimator=nsf --set estimator.ensemble=2
# The embedding's weights are in estimator.bin with the flow's; config.toml rebuilds the network.
check npe_mlp_embedding --set embedding.type=mlp --set embedding.features=4
check npe_cnn1d_embedding --set embedding.type=cnn1d --set embedding.kernel=3 --set embedding.features=4
check nle --set inference.method=nle --set mcmc.chains=20 --set mcmc.warmup=20 --set mcmc.thin=2 --set mcmc.group_size=5
check nle_ensemble --set inference.method=nle --set estimator.ensemble=2 --set estimator.scale=softplus \
  --set mcmc.chains=20 --set mcmc.warmup=20 --set mcmc.thin=2 --set mcmc.group_size=5
check nre_b --set inference.method=nre_b --set mcmc.chains=20 --set mcmc.warmup=20 --set mcmc.thin=2 --set mcmc.group_size=5
check nre_b_embedding --set inference.method=nre_b --set embedding.type=mlp --set embedding.features=4 \
  --set mcmc.chains=20 --set mcmc.warmup=20 --set mcmc.thin=2 --set mcmc.group_size=5
