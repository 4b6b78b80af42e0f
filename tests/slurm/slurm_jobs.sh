#!/usr/bin/env bash
# slurm_jobs.sh NSBI MPIEXEC SOURCE_DIR WORKDIR — the real sbatch scripts on a one-node SLURM
# cluster (scripts/slurm/start-local-cluster.sh; skipped, exit 77, where one cannot be started):
#  (a) a job that completes gives the same bytes as the same run under plain mpirun;
#  (b) a job stopped mid-training by `scancel --signal=USR1 --batch` stops at a safe point,
#      requeues itself, resumes and finishes with the same bytes;
#  (c) a job array over three observations runs each as its own run.
set -uo pipefail
nsbi=$1 mpiexec=$2 src=$3 work=$4
fail() { echo "FAIL: $*"; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "SKIP: starting a SLURM cluster needs root"; exit 77; }
bash "$src/scripts/slurm/start-local-cluster.sh" > "$work.cluster.log" 2>&1 || { cat "$work.cluster.log"; echo "SKIP: no SLURM cluster here"; exit 77; }
rm -rf "$work"; mkdir -p "$work"; cd "$work"
export NSBI=$nsbi
cat > train.toml <<TOML
seed = 11
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
simulations = 20000
[training]
max_epochs = 40
stop_after_epochs = 100
[posterior]
samples = 1000
TOML
files="theta.npy x.npy status.npy posterior_samples.npy estimator_weights.npy"
same() { for f in $files; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done; }
state_of() { scontrol show job "$1" 2> /dev/null | grep -o "JobState=[A-Z_]*" | cut -d= -f2 | sort -u | tr '\n' ' '; }
wait_job() {  # wait_job ID SECONDS: until every element has ended
  # A requeued job waits AuthInfo=cred_expire (10 s on the test cluster) before it may start again:
  # its old credential is revoked until then, and a start forced earlier fails the job ("Job
  # credential revoked").
  local id=$1 limit=$2 s same=0
  for _ in $(seq $((limit * 2))); do
    s=$(state_of "$id")
    # An ended state counts once it holds for three polls (a requeue passes through one).
    if [[ -n $s && ! $s =~ PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUE ]]; then
      ((++same >= 3)) && { echo "$s"; return; }
    else
      same=0
    fi
    sleep 0.5
  done
  echo "TIMEOUT($s)"
}
env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1 \
  "$mpiexec" -np 2 --oversubscribe "$nsbi" run train.toml --set output.dir="$work/plain" 2> plain.err ||
  { cat plain.err; fail "the plain mpirun run"; }

# (a)
ja=$(sbatch --parsable -n 2 --output="$work/a.out" "$src/scripts/slurm/nsbi.sbatch" train.toml "$work/a")
[[ $(wait_job "$ja" 120) == "COMPLETED " ]] || { cat a.out; fail "job $ja: $(state_of "$ja")"; }
same plain a
echo "ok   (a) job $ja completed with the bytes of plain mpirun"

# (b)
jb=$(sbatch --parsable -n 2 --output="$work/b.out" "$src/scripts/slurm/nsbi.sbatch" train.toml "$work/b")
for _ in $(seq 600); do grep -q "simulated" b/log.txt 2> /dev/null && break; sleep 0.05; done
scancel --signal=USR1 --batch "$jb"
# A requeued job passes through an ended state before it is pending again: wait for the restart.
for _ in $(seq 240); do scontrol show job "$jb" 2> /dev/null | grep -q "Restarts=[1-9]" && break; sleep 0.5; done
[[ $(wait_job "$jb" 180) == "COMPLETED " ]] || { cat b.out; fail "job $jb: $(state_of "$jb")"; }
grep -q "after training epoch" b.out || { cat b.out; fail "job $jb was not stopped during training"; }
grep -q "requeueing job $jb" b.out && grep -q "resuming $work/b" b.out || { cat b.out; fail "job $jb did not requeue and resume"; }
[[ $(scontrol show job "$jb" | grep -o "Restarts=[0-9]*") == "Restarts=1" ]] || fail "job $jb: not restarted once"
same plain b
echo "ok   (b) job $jb stopped mid-training by SIGUSR1, requeued, resumed: same bytes"

# (c)
mkdir -p obs
printf '0.1,0.2\n' > obs/1.csv; printf '%s\n' '-0.3,0.05' > obs/2.csv; printf '0.4,-0.1\n' > obs/3.csv
jc=$(NSBI_SLURM_DIR="$src/scripts/slurm" sbatch --parsable --array=1-3 -n 1 --output="$work/c_%a.out" \
     "$src/scripts/slurm/nsbi-array.sbatch" train.toml "$work/c/obs%a" --set observation.values=[] \
     --set observation.file="$work/obs/%a.csv" --set inference.simulations=2000)
[[ $(wait_job "$jc" 180) == "COMPLETED " ]] || { cat c_*.out; fail "array $jc: $(state_of "$jc")"; }
for i in 1 2 3; do
  [[ -f c/obs$i/report.json ]] || fail "array element $i has no report"
  grep -q "obs/$i.csv" c/obs$i/config.toml || fail "array element $i did not read obs/$i.csv"
done
cmp -s c/obs1/posterior_samples.npy c/obs2/posterior_samples.npy && fail "elements 1 and 2 gave the same samples"
"$nsbi" run train.toml --set observation.values=[] --set observation.file="$work/obs/2.csv" \
  --set inference.simulations=2000 --set output.dir="$work/plain_c2" 2> /dev/null || fail "plain run of observation 2"
same plain_c2 c/obs2
echo "ok   (c) array $jc: three observations, element 2 as a plain run"
