#!/usr/bin/env bash
# mpi_plugin.sh NSBI MPIEXEC SOURCE_DIR BUILD_DIR WORKDIR — MPI-parallel simulators on rank groups
# (issue 13), with examples/mpi_simulator.toml and its plugin examples/plugins/mpi_slab_plugin.c:
#  - the same run with one process (a group of one), at np 3 with ranks_per_simulation = 1, at
#    np 3 with groups of 2, np 5 (two groups of 2) and np 4 (one group of 3) gives the same bank
#    and the same posterior samples, also with failing simulations (a prior that reaches A <= 0,
#    where the plugin returns 1: status error, resampled);
#  - the Fortran version of the plugin (when built) gives the same bank as the C one;
#  - a rank count that does not split into groups, ranks_per_simulation with another simulator
#    kind, and 0 ranks are bad input (exit 2, one line naming the key).
set -uo pipefail
nsbi=$1 mpiexec=$2 src=$3 build=$4 work=$5
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
lib=$build/examples/mpi_slab_plugin.so
common=(--set simulator.library="$lib" --set inference.simulations=400 --set training.max_epochs=5
        --set posterior.samples=200)
run() {  # run NAME NP K [--set ...]
  local name=$1 np=$2 k=$3; shift 3
  if ((np > 1)); then
    timeout 120 "$mpiexec" -np "$np" --oversubscribe "$nsbi" run "$src/examples/mpi_simulator.toml" "${common[@]}" \
      --set simulator.ranks_per_simulation="$k" --set output.dir="$work/$name" "$@" > "$name.out" 2>&1
  else
    timeout 120 "$nsbi" run "$src/examples/mpi_simulator.toml" "${common[@]}" \
      --set simulator.ranks_per_simulation="$k" --set output.dir="$work/$name" "$@" > "$name.out" 2>&1
  fi || { cat "$name.out"; fail "$name: exit code $?"; }
}
files="theta.npy x.npy status.npy posterior_samples.npy estimator_weights.npy"
same() { for f in $files; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done; }

run np1_k2 1 2
for c in "np3_k1 3 1" "np3_k2 3 2" "np5_k2 5 2" "np4_k3 4 3"; do
  set -- $c
  run "$1" "$2" "$3"
  same np1_k2 "$1"
  echo "ok   $1: the bank and samples of one process"
done

# Failing simulations (A <= 0 for a fifth of the prior: status error, resampled): the same bank
# for every grouping.
sed 's/^low = .*/low = [-0.5, 0.5]/' "$src/examples/mpi_simulator.toml" > failing.toml
run_failing() {  # NAME NP K
  if (($2 > 1)); then
    timeout 120 "$mpiexec" -np "$2" --oversubscribe "$nsbi" run failing.toml "${common[@]}" \
      --set simulator.ranks_per_simulation="$3" --set output.dir="$work/$1" > "$1.out" 2>&1
  else
    timeout 120 "$nsbi" run failing.toml "${common[@]}" --set simulator.ranks_per_simulation="$3" \
      --set output.dir="$work/$1" > "$1.out" 2>&1
  fi || { cat "$1.out"; fail "$1: exit code $?"; }
}
run_failing fail_np1 1 2
run_failing fail_np5 5 2
same fail_np1 fail_np5
grep -q '"error": [1-9]' fail_np1/report.json || fail "no simulation failed with a prior reaching A <= 0"
echo "ok   failing simulations: $(grep -o '"error": [0-9]*' fail_np1/report.json | head -1), the same at np 5"

# The Fortran plugin: the same bank as the C one.
if [[ -f $build/examples/mpi_slab_plugin_fortran.so ]]; then
  run fortran_np3_k2 3 2 --set simulator.library="$build/examples/mpi_slab_plugin_fortran.so"
  for f in theta.npy x.npy status.npy; do cmp -s np1_k2/$f fortran_np3_k2/$f || fail "Fortran plugin: $f differs"; done
  echo "ok   the Fortran plugin gives the C plugin's bank"
else
  echo "skip the Fortran plugin (not built: no Fortran compiler with Open MPI's module)"
fi

# Bad input: one line naming the key, exit code 2.
expect_bad() {  # NAME SUBSTRING NP ARGS...
  local name=$1 sub=$2 np=$3; shift 3
  timeout 60 "$mpiexec" -np "$np" --oversubscribe "$nsbi" run "$src/examples/mpi_simulator.toml" "${common[@]}" \
    --set output.dir="$work/$name" "$@" > "$name.out" 2> "$name.err"
  local code=$?
  [[ $code -eq 2 && $(grep -c '^nsbi: ' "$name.err") -eq 1 ]] && grep '^nsbi: ' "$name.err" | grep -qF -- "$sub" ||
    { cat "$name.err"; fail "$name: exit code $code"; }
  echo "ok   $name: $(grep '^nsbi: ' "$name.err")"
}
expect_bad groups_do_not_split "simulator.ranks_per_simulation" 4 --set simulator.ranks_per_simulation=2
expect_bad other_kind "simulator.ranks_per_simulation" 1 --set simulator.kind=plugin
expect_bad zero_ranks "simulator.ranks_per_simulation" 1 --set simulator.ranks_per_simulation=0
echo "ok: MPI-parallel simulators give the same bytes for every grouping"
