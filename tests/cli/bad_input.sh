#!/usr/bin/env bash
# bad_input.sh NSBI WORKDIR — each case must exit with code 2 and print one error line on stderr
# that contains the expected words (file, key, expected and found values).
set -uo pipefail
nsbi=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail=0

# expect NAME EXPECTED_SUBSTRING... -- ARGS...
expect() {
  local name=$1; shift
  local subs=()
  while [[ $1 != "--" ]]; do subs+=("$1"); shift; done
  shift
  # Each case has its own limit, so that a case that hangs is named instead of the whole test
  # reaching CTest's timeout (a loaded CI machine makes each MPI start slower, not this slow).
  timeout -k 5 60 "$nsbi" "$@" > out.txt 2> err.txt
  local code=$?
  if [[ $code -eq 124 || $code -eq 137 ]]; then echo "FAIL $name: no answer within 60 s"; cat err.txt; fail=1; return; fi
  local lines
  lines=$(grep -c . err.txt)
  if [[ $code -ne 2 ]]; then echo "FAIL $name: exit code $code, expected 2"; cat err.txt; fail=1; return; fi
  if [[ $lines -ne 1 ]]; then echo "FAIL $name: $lines stderr lines, expected 1"; cat err.txt; fail=1; return; fi
  for s in "${subs[@]}"; do
    if ! grep -qF -- "$s" err.txt; then echo "FAIL $name: message lacks '$s':"; cat err.txt; fail=1; return; fi
  done
  echo "ok   $name: $(cat err.txt)"
}

cp "$here/tiny_run.toml" good.toml
printf '[task\nname = "two_moons"\n' > malformed.toml
expect malformed_toml "malformed.toml" ":1" -- run malformed.toml

printf '%s\n[inference]\nsimulatons = 5\n' "[task]
name = \"two_moons\"
[observation]
values = [0.1, 0.2]" > unknown_key.toml
expect unknown_key "unknown_key.toml" "simulatons" -- run unknown_key.toml

expect unknown_task "task.name" "two_moons" "no_such_task" -- run good.toml --set task.name=no_such_task

# bench sbibm: the grid is checked before any cell runs.
expect grid_unknown_task "task" "no_such_task" "two_moons" -- bench sbibm --tasks two_moons,no_such_task --sbibm "$work"
expect grid_unknown_method "no_such_method" "npe" -- bench sbibm --methods npe,no_such_method --sbibm "$work"
expect grid_bad_observations "--observations" "5-2" -- bench sbibm --observations 5-2 --sbibm "$work"
expect grid_bad_budget "--budgets" "ten" -- bench sbibm --budgets 1000,ten --sbibm "$work"
expect grid_missing_observation "two_moons" "obs1/observation.csv" -- bench sbibm --observations 1 --sbibm "$work"
long=$(printf 'a%.0s' $(seq 300))
expect grid_overlong_sbibm "--sbibm" "$long" -- bench sbibm --sbibm "$work/$long"
expect resume_overlong_dir "nsbi resume" "$long" -- resume "$work/$long"

expect wrong_type "inference.simulations" "many" -- run good.toml --set inference.simulations='"many"'

# Sequential methods (issue: rounds, atoms, estimator, method, truncation quantile).
expect zero_rounds "inference.rounds" "positive" "got 0" -- run good.toml --set inference.method=snpe_c --set inference.rounds=0
expect one_atom "inference.atoms" "[2, training.batch_size" "got 1" -- run good.toml --set inference.method=snpe_c --set inference.atoms=1
expect too_many_atoms "inference.atoms" "batch_size = 200" "got 500" -- run good.toml --set inference.method=snpe_c --set inference.atoms=500
expect combined_loss_not_snpe_c "inference.combined_loss" "atomic loss of snpe_c" "got true" -- run good.toml --set inference.method=tsnpe --set inference.combined_loss=true
expect snpe_a_flow "inference.estimator" "\"mdn\" for method \"snpe_a\"" "\"nsf\"" -- run good.toml --set inference.method=snpe_a --set inference.estimator=nsf
expect unknown_method "inference.method" "snpe_c" "\"snpe_d\"" -- run good.toml --set inference.method=snpe_d

# Embedding networks (issue 13): unknown type, a cnn2d shape that is not x's dimension (two_moons: 2),
# methods without a network on x (NLE, SNLE, SNPE-A's closed-form MDN), a table without a type,
# deepset trials not dividing x.
expect embedding_unknown_type "embedding.type" "\"cnn2d\"" "\"transformer\"" -- run good.toml --set embedding.type=transformer
expect embedding_cnn2d_shape "embedding.shape" "H·W = x's dimension 2" "[3, 3] (9 values)" -- run good.toml --set embedding.type=cnn2d --set 'embedding.shape=[3, 3]'
expect embedding_cnn2d_no_shape "embedding.shape" "[H, W]" "got 0 values" -- run good.toml --set embedding.type=cnn2d
expect embedding_nle "embedding.type" "\"none\" for method \"nle\"" "npe, snpe_b, snpe_c, tsnpe" "\"mlp\"" -- run good.toml --set inference.method=nle --set embedding.type=mlp
expect embedding_snle "embedding.type" "\"none\" for method \"snle\"" "nre_b" "\"deepset\"" -- run good.toml --set inference.method=snle --set embedding.type=deepset
expect embedding_snpe_a "embedding.type" "\"none\" for method \"snpe_a\"" "\"cnn1d\"" -- run good.toml --set inference.method=snpe_a --set embedding.type=cnn1d
expect embedding_without_type "embedding.type" "no type" -- run good.toml --set embedding.features=4
expect embedding_trials "embedding.trials" "a divisor of x's dimension 2" "got 3" -- run good.toml --set embedding.type=deepset --set embedding.trials=3
expect bad_quantile "inference.truncation_quantile" "(0, 1)" "got 1.5" -- run good.toml --set inference.method=tsnpe --set inference.truncation_quantile=1.5
expect npe_rounds "inference.rounds" "1 for method \"npe\"" "got 3" -- run good.toml --set inference.rounds=3

# MCMC methods (issue: chains, thin, sampler, [mcmc] given to a method without MCMC, estimator family).
expect zero_chains "mcmc.chains" "got 0" -- run good.toml --set inference.method=nle --set mcmc.chains=0
expect zero_thin "mcmc.thin" "got 0" -- run good.toml --set inference.method=nle --set mcmc.thin=0
expect unknown_sampler "mcmc.sampler" "\"slice\"" "\"hmc\"" -- run good.toml --set inference.method=nre_b --set inference.estimator=resnet --set mcmc.sampler=hmc
expect mcmc_for_npe "mcmc.thin" "no [mcmc] settings for method \"npe\"" -- run good.toml --set mcmc.thin=5
expect nre_with_flow "inference.estimator" "a classifier for method \"nre_a\"" "\"maf\"" -- run good.toml --set inference.method=nre_a --set inference.estimator=maf
expect nle_with_classifier "inference.estimator" "a density estimator for method \"nle\"" "\"resnet\"" -- run good.toml --set inference.method=nle --set inference.estimator=resnet

expect theta_ref_dim "inference.theta_ref" "2 values" "3 values" -- run good.toml --set inference.method=carl --set inference.estimator=resnet --set 'inference.theta_ref=[0.0, 0.1, 0.2]'
expect theta_ref_outside "inference.theta_ref" "inside the prior's support" -- run good.toml --set inference.method=carl --set inference.estimator=resnet --set 'inference.theta_ref=[0.0, 5.0]'
expect theta_ref_for_npe "inference.theta_ref" "no theta_ref for method \"npe\" (only carl" -- run good.toml --set 'inference.theta_ref=[0.0, 0.1]'

expect wrong_obs_dim "observation" "2" "3" -- run good.toml --set 'observation.values=[0.1, 0.2, 0.3]'

printf 'data_1,data_2\n0.1,nan\n' > nan_obs.csv
expect nonfinite_obs "nan_obs.csv" "column 2" "finite" "nan" -- run good.toml --set observation.values=[] --set observation.file="$work/nan_obs.csv"

expect missing_obs_file "does_not_exist.csv" -- run good.toml --set observation.values=[] --set observation.file="$work/does_not_exist.csv"

printf 'data_1,data_2,data_3\n0.1,0.2,0.3\n' > obs3.csv
expect obs_file_dim "obs3.csv" "2" "3" -- run good.toml --set observation.values=[] --set observation.file="$work/obs3.csv"

expect missing_plugin "nonexistent_plugin.so" "nsbi_simulate" -- run good.toml --set simulator.kind=plugin --set simulator.library=/nonexistent_plugin.so

expect missing_executable "/no/such/program" -- run good.toml --set simulator.kind=external --set 'simulator.command=["/no/such/program"]'

expect missing_config "no_config.toml" -- run no_config.toml

# nsbi sample / nsbi sbc on a trained run (issue 12): one tiny run, then each bad input.
timeout -k 5 120 "$nsbi" run good.toml --set output.dir="$work/trained" > /dev/null 2>&1 || { echo "FAIL: the tiny run for sample/sbc"; fail=1; }
printf 'x_1,x_2\n0.1,0.2\n' > obs2.csv
mkdir -p no_estimator && cp "$work/trained/config.toml" no_estimator/
expect sample_no_estimator "no_estimator" "estimator.bin" "method \"npe\"" -- sample no_estimator --observation obs2.csv -n 10
expect sample_no_run "no_such_run" "run directory" -- sample no_such_run --observation obs2.csv -n 10
expect sample_obs_dim "obs3.csv" "2 values" "got 3" -- sample trained --observation obs3.csv -n 10
expect sample_missing_obs "does_not_exist.csv" -- sample trained --observation does_not_exist.csv -n 10
printf 'x_1,x_2\n0.1,abc\n' > unparseable.csv
expect sample_unparseable_obs "unparseable.csv" "a number" "abc" -- sample trained --observation unparseable.csv -n 10
expect sample_zero_n "-n" "≥ 1" "got 0" -- sample trained --observation obs2.csv -n 0
mkdir -p corrupt && cp "$work/trained/config.toml" corrupt/ && head -c 64 "$work/trained/estimator.bin" > corrupt/estimator.bin
expect sample_corrupt_estimator "corrupt/estimator.bin" "checksum" -- sample corrupt --observation obs2.csv -n 10
mkdir -p sequential && sed 's/^rounds = 1$/rounds = 3/; s/^method = "npe"$/method = "snpe_c"/' "$work/trained/config.toml" > sequential/config.toml
cp "$work/trained/estimator.bin" sequential/
expect sample_sequential "inference.rounds" "not amortized" "snpe_c" -- sample sequential --observation obs2.csv -n 10
expect sbc_zero_tests "--tests" "≥ 1" "got 0" -- sbc trained --tests 0
expect sbc_zero_samples "--samples" "≥ 1" "got 0" -- sbc trained --tests 10 --samples 0
expect sbc_no_estimator "no_estimator" "estimator.bin" -- sbc no_estimator --tests 10
expect sbc_sequential "inference.rounds" "not amortized" -- sbc sequential --tests 10
expect ppc_too_many "-n" "at most 100" "got 500" -- ppc trained -n 500
expect ppc_no_run "no_such_run" "run directory" -- ppc no_such_run

# nsbi plot (issue 12): a run directory that does not exist, a run without samples, a reference
# of another dimension, a malformed report.json (file, line and column).
expect plot_no_run_dir "no_such_run" "run directory" "no such directory" -- plot "$work/no_such_run"
mkdir -p plot_empty
expect plot_no_samples "plot_empty/posterior_samples.csv" "no such file" -- plot "$work/plot_empty"
mkdir -p plot_run
printf 'theta_1,theta_2\n0.1,0.2\n0.3,0.1\n-0.2,0.0\n' > plot_run/posterior_samples.csv
printf 'p_1,p_2,p_3\n0.1,0.2,0.3\n' > ref3.csv
expect plot_reference_dim "ref3.csv" "expected 2" "got 3" -- plot "$work/plot_run" --reference "$work/ref3.csv"
printf '{"rounds": [\n  {"round": 0, "train_loss": [1.0,]}]}\n' > plot_run/report.json
expect plot_bad_report "plot_run/report.json:2:35" "expected a value" -- plot "$work/plot_run"

[[ $fail -eq 0 ]] && echo "all bad-input cases give one clear line and exit code 2"
exit $fail
