#!/usr/bin/env bash
# resume.sh NSBI MPIEXEC FAULTY_SIMULATOR WORKDIR — a run killed with SIGKILL during simulation
# resumes from its journal without simulating again what it holds, and finishes with the same
# bytes as an uninterrupted run, also at another rank count; a torn or bit-flipped journal tail
# is dropped and redone; --resume with a changed configuration, a foreign journal, or a plain
# `run` over an interrupted directory are refused with one line and exit code 2.
set -uo pipefail
nsbi=$1 mpiexec=$2 sim=$3 work=$4
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
cat > cfg.toml <<TOML
seed = 3
[prior]
type = "box_uniform"
low = [-1.0, -1.0]
high = [1.0, 1.0]
[simulator]
kind = "external"
command = ["$sim", "--crash", "0", "--hang", "0", "--nan", "0.05", "--sleep-ms", "4"]
theta_dim = 2
x_dim = 2
chunk_size = 8
on_failure = "resample"
[observation]
values = [0.1, 0.2]
[inference]
method = "snpe_c"
estimator = "maf"
simulations = 800
rounds = 2
[estimator]
hidden_features = 20
transforms = 2
[training]
max_epochs = 5
[posterior]
samples = 500
TOML
files="theta.npy x.npy status.npy round.npy log_proposal.npy posterior_samples.npy estimator_weights.npy"
same() {  # same DIR_A DIR_B
  for f in $files; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done
}
"$nsbi" run cfg.toml --set output.dir=full 2> full.err || { cat full.err; fail "uninterrupted run"; }

# Kill (SIGKILL, the whole process group) once the journal holds some chunks of round 2 or
# round 1 — wherever the run is after $1 bytes of journal.
kill_after() {  # kill_after DIR BYTES NP
  local dir=$1 bytes=$2 np=$3
  if ((np > 1)); then
    setsid "$mpiexec" -np "$np" --oversubscribe "$nsbi" run cfg.toml --set output.dir="$dir" > "$dir.out" 2>&1 &
  else
    setsid "$nsbi" run cfg.toml --set output.dir="$dir" > "$dir.out" 2>&1 &
  fi
  local pid=$!
  for _ in $(seq 600); do
    [[ -f $dir/journal.bin ]] && (($(stat -c %s "$dir/journal.bin") >= bytes)) && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.02
  done
  kill -9 -- -$pid 2> /dev/null
  wait $pid 2> /dev/null
  [[ -f $dir/report.json ]] && fail "$dir finished before it was killed (make the simulator slower)"
  echo "killed $dir at $(stat -c %s "$dir/journal.bin") journal bytes"
}

# Killed in round 1 at np 2, resumed at np 3.
kill_after a 3000 2
"$nsbi" run cfg.toml --set output.dir=a > plain.out 2> plain.err
code=$?
[[ $code -eq 2 && $(grep -c . plain.err) -eq 1 ]] && grep -q "interrupted run" plain.err && grep -q -- "--resume" plain.err ||
  { cat plain.err; fail "a plain run over an interrupted directory: exit $code"; }
"$mpiexec" -np 3 --oversubscribe "$nsbi" run cfg.toml --set output.dir=a --resume 2> a.err || { cat a.err; fail "resume a"; }
grep -q "taken from the journal" a.err || { cat a.err; fail "nothing taken from the journal"; }
same full a

# Killed in round 2 at np 1 (journal past round 1's ~424 simulations, ~42 bytes each), resumed
# by `nsbi resume` at np 2, after the journal's last chunk is cut short and a byte flipped before it.
kill_after b 24000 1
size=$(stat -c %s b/journal.bin)
truncate -s $((size - 11)) b/journal.bin
printf '\xff' | dd of=b/journal.bin bs=1 seek=$((size - 400)) conv=notrunc status=none
"$mpiexec" -np 2 --oversubscribe "$nsbi" resume b 2> b.err || { cat b.err; fail "resume b"; }
grep -q "dropped" b.err || { cat b.err; fail "the torn tail was not reported"; }
same full b

# Refusals: a changed configuration (names the key), a foreign journal.
kill_after c 2000 1
"$nsbi" run cfg.toml --set output.dir=c --set inference.simulations=900 --resume 2> c.err
code=$?
[[ $code -eq 2 && $(grep -c . c.err) -eq 1 ]] && grep -q "inference.simulations" c.err ||
  { cat c.err; fail "resume with another budget: exit $code"; }
"$nsbi" run cfg.toml --set output.dir=d --set seed=4 > /dev/null 2>&1
cp d/journal.bin c/journal.bin
"$nsbi" run cfg.toml --set output.dir=c --resume 2> c2.err
code=$?
[[ $code -eq 2 && $(grep -c . c2.err) -eq 1 ]] && grep -q "c/journal.bin" c2.err && grep -q "another configuration" c2.err ||
  { cat c2.err; fail "a foreign journal: exit $code"; }
# --overwrite discards the interrupted run.
"$nsbi" run cfg.toml --set output.dir=c --overwrite 2> /dev/null || fail "--overwrite"
same full c
# kill -9 during training and during MCMC (two_moons, builtin simulator): the journal holds every
# simulation, the resumed run replays training and sampling and ends with the same bytes.
cat > train.toml <<TOML
seed = 6
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
simulations = 10000
[training]
max_epochs = 60
stop_after_epochs = 100
[posterior]
samples = 300
TOML
sed 's/^simulations = 10000$/simulations = 2000\nmethod = "nle"/; s/^samples = 300$/samples = 30000/; s/^max_epochs = 60$/max_epochs = 3/' train.toml > mcmc.toml
kill_when() {  # kill_when CONFIG DIR PATTERN: SIGKILL once log.txt has PATTERN
  setsid "$nsbi" run "$1" --set output.dir="$2" > "$2.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1500); do
    grep -q "$3" "$2/log.txt" 2> /dev/null && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.02
  done
  kill -9 -- -$pid 2> /dev/null
  wait $pid 2> /dev/null
  [[ -f $2/report.json ]] && fail "$2 finished before it was killed"
  echo "killed $2 after '$3'"
}
for phase in train mcmc; do
  "$nsbi" run $phase.toml --set output.dir=${phase}_full 2> /dev/null || fail "uninterrupted $phase run"
  if [[ $phase == train ]]; then kill_when train.toml train_kill "simulated"; else kill_when mcmc.toml mcmc_kill "trained"; fi
  "$nsbi" resume ${phase}_kill 2> ${phase}_kill.err || { cat ${phase}_kill.err; fail "resume ${phase}_kill"; }
  grep -q "taken from the journal" ${phase}_kill.err || fail "${phase}_kill simulated again"
  same ${phase}_full ${phase}_kill
done
echo "ok: resumed runs are byte-identical to the uninterrupted one"
