#!/usr/bin/env bash
# signals.sh NSBI MPIEXEC FAULTY_SIMULATOR WORKDIR — a stop signal (SIGUSR1 forwarded by mpirun,
# SIGTERM, SIGINT) during simulation, training or MCMC ends every rank at the next safe point with
# exit code 3 and one line naming the run directory; no simulator process is left behind; the
# resumed run has the same bytes as an uninterrupted one.
set -uo pipefail
nsbi=$1 mpiexec=$2 sim=$3 work=$4
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
marker="--x-dim 2 --sleep-ms 15 --nan 0"
cat > sim.toml <<TOML
seed = 5
[prior]
type = "box_uniform"
low = [-1.0, -1.0]
high = [1.0, 1.0]
[simulator]
kind = "external"
command = ["$sim", "--crash", "0", "--hang", "0", $(printf '"%s", ' $marker) "--noise", "0.2"]
theta_dim = 2
x_dim = 2
chunk_size = 4
[observation]
values = [0.1, 0.2]
[inference]
simulations = 400
[estimator]
hidden_features = 20
transforms = 2
[training]
max_epochs = 5
[posterior]
samples = 300
TOML
cat > train.toml <<TOML
seed = 6
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
simulations = 10000
[training]
max_epochs = 400
[posterior]
samples = 300
TOML
cat > mcmc.toml <<TOML
seed = 8
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
method = "nle"
simulations = 2000
[training]
max_epochs = 3
[posterior]
samples = 30000
[mcmc]
chains = 20
group_size = 10
TOML
files="theta.npy x.npy status.npy posterior_samples.npy estimator_weights.npy"
same() { for f in $files; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done; }

# signal_when CONFIG DIR NP SIGNAL CONDITION: start the run in its own process group, send SIGNAL
# to its leader (mpirun, or nsbi) once CONDITION (a shell test) holds, expect exit code 3.
signal_when() {
  local cfg=$1 dir=$2 np=$3 sig=$4 cond=$5
  if ((np > 1)); then
    setsid "$mpiexec" -np "$np" --oversubscribe "$nsbi" run "$cfg" --set output.dir="$dir" > "$dir.out" 2>&1 &
  else
    setsid "$nsbi" run "$cfg" --set output.dir="$dir" > "$dir.out" 2>&1 &
  fi
  local pid=$!
  for _ in $(seq 1500); do
    eval "$cond" && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.02
  done
  kill -"$sig" $pid 2> /dev/null
  wait $pid
  local code=$?
  [[ $code -eq 3 ]] || { cat "$dir.out"; fail "$dir: exit code $code after SIG$sig, expected 3"; }
  grep -q "nsbi: interrupted: .*nsbi resume $dir" "$dir.out" || { cat "$dir.out"; fail "$dir: no interrupted line"; }
  [[ -f $dir/report.json ]] && fail "$dir finished"
  echo "ok   $dir: $(grep 'nsbi: interrupted' "$dir.out")"
}

"$nsbi" run sim.toml --set output.dir=sim_full 2> /dev/null || fail "uninterrupted sim run"
signal_when sim.toml sim_usr1 2 USR1 '[[ -s sim_usr1/journal.bin ]] && (($(stat -c %s sim_usr1/journal.bin) > 1500))'
grep -q "during the simulations" sim_usr1.out || fail "not stopped during the simulations"
sleep 0.5
pgrep -f -- "$marker" > /dev/null && { pgrep -af -- "$marker"; fail "simulator processes left behind"; }
"$nsbi" resume sim_usr1 2> /dev/null || fail "resume sim_usr1"
same sim_full sim_usr1

"$nsbi" run train.toml --set output.dir=train_full 2> /dev/null || fail "uninterrupted training run"
signal_when train.toml train_term 1 TERM 'grep -q "simulated" train_term/log.txt 2> /dev/null'
grep -q "after training epoch" train_term.out || fail "not stopped during training"
"$mpiexec" -np 2 --oversubscribe "$nsbi" resume train_term 2> /dev/null || fail "resume train_term"
same train_full train_term

"$nsbi" run mcmc.toml --set output.dir=mcmc_full 2> /dev/null || fail "uninterrupted mcmc run"
signal_when mcmc.toml mcmc_int 1 INT 'grep -q "trained" mcmc_int/log.txt 2> /dev/null'
grep -q "during MCMC" mcmc_int.out || fail "not stopped during MCMC"
"$nsbi" resume mcmc_int 2> /dev/null || fail "resume mcmc_int"
same mcmc_full mcmc_int
echo "ok: every stop signal ends the run at a safe point and the resumed runs are byte-identical"
