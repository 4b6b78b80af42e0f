#!/usr/bin/env bash
# idle_ranks.sh NSBI MPIEXEC WORKDIR — at np 2, a run whose units of parallel work are fewer than
# the ranks says so in its log, naming the setting to change: a minibatch of one micro-shard in
# training, one chain group in MCMC. With enough units, no such line.
set -uo pipefail
nsbi=$1 mpiexec=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail=0
# run NAME ARGS... — a tiny run at np 2 into NAME/
run() {
  local name=$1; shift
  timeout -k 5 120 "$mpiexec" -np 2 --oversubscribe "$nsbi" run "$here/tiny_run.toml" --set output.dir="$name" "$@" \
    > "$name.out" 2> "$name.err" || { echo "FAIL $name: exit $?"; cat "$name.err"; fail=1; }
}
# expect NAME yes|no PATTERN
expect() {
  if grep -qF -- "$3" "$1/log.txt"; then found=yes; else found=no; fi
  if [[ $found == "$2" ]]; then echo "ok   $1: '$3' $([[ $2 == yes ]] && echo present || echo absent)"
  else echo "FAIL $1: '$3' expected $([[ $2 == yes ]] && echo present || echo absent)"; cat "$1/log.txt"; fail=1; fi
}
run one_shard --set training.batch_size=50
expect one_shard yes "training.batch_size = 50 is 1 micro-shard(s) of training.micro_batch = 50 for 2 ranks: 1 rank(s) sat idle"
run two_shards --set training.batch_size=100
expect two_shards no "sat idle"
mcmc=(--set inference.method=nle --set mcmc.chains=20 --set mcmc.warmup=10 --set mcmc.thin=1)
run one_group "${mcmc[@]}" --set mcmc.group_size=20
expect one_group yes "1 chain group(s) of mcmc.group_size = 20 for 2 ranks: 1 rank(s) sat idle"
run two_groups "${mcmc[@]}" --set mcmc.group_size=10
expect two_groups no "sat idle"
exit $fail
