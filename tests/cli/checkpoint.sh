#!/usr/bin/env bash
# checkpoint.sh NSBI MPIEXEC WORKDIR — checkpoints of trainings (issue 11):
#  - a run killed (SIGKILL) in the middle of a training resumes from its newest checkpoint at
#    another rank count, continues that training at the saved epoch (no finished training is
#    run again) and finishes with the same bytes as an uninterrupted run;
#  - SIGTERM during training writes a checkpoint of the training in progress and exits with 3;
#  - a run killed during MCMC (snle: the final posterior's chains, after a checkpoint of them in
#    progress) resumes at another rank count with the finished proposal's sampling and the chains
#    of the one in progress restored, and finishes with the same bytes;
#  - checkpoint.* keys may change on resume, other keys may not;
#  - a bit-flipped, truncated, wrong-version newest checkpoint is reported (file, what is wrong)
#    and the previous one is used; when none is valid, or one is foreign, exit code 2 with one
#    line naming the file; nothing is overwritten;
#  - with an embedding network, whose weights and Adam moments are in the same buffer, a run
#    killed in training resumes with the same bytes too.
set -uo pipefail
nsbi=$1 mpiexec=$2 work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
cat > cfg.toml <<TOML
seed = 6
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
method = "snpe_c"
simulations = 6000
rounds = 3
[estimator]
hidden_features = 30
transforms = 3
[training]
max_epochs = 60
stop_after_epochs = 100
[posterior]
samples = 300
[checkpoint]
every_seconds = 0.2
TOML
files="theta.npy x.npy status.npy round.npy log_proposal.npy posterior_samples.npy estimator_weights.npy estimator.bin"
same() {  # same DIR_A DIR_B
  for f in $files; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done
}
"$nsbi" run cfg.toml --set output.dir=full 2> full.err || { cat full.err; fail "uninterrupted run"; }

# start DIR NP [SETTING...]: the run in the background, in its own process group
start() {
  if (($2 > 1)); then
    setsid "$mpiexec" -np "$2" --oversubscribe "$nsbi" run cfg.toml --set output.dir="$1" "${@:3}" > "$1.out" 2>&1 &
  else
    setsid "$nsbi" run cfg.toml --set output.dir="$1" "${@:3}" > "$1.out" 2>&1 &
  fi
  pid=$!
}
# wait_for DIR PATTERN: until log.txt has PATTERN (or the run ended)
wait_for() {
  for _ in $(seq 3000); do
    grep -q "$2" "$1/log.txt" 2> /dev/null && return 0
    kill -0 $pid 2> /dev/null || return 1
    sleep 0.01
  done
  return 1
}

# (a) SIGKILL during round 2's training at np 2, after a checkpoint of it; resumed at np 3.
start a 2
wait_for a "training 2 at epoch" || fail "a: no checkpoint of round 2's training in progress"
kill -9 -- -$pid 2> /dev/null; wait $pid 2> /dev/null
[[ -f a/report.json ]] && fail "a finished before it was killed"
"$mpiexec" -np 3 --oversubscribe "$nsbi" run cfg.toml --set output.dir=a --resume 2> a.err || { cat a.err; fail "resume a"; }
grep -q "resuming from .*checkpoint-.*1 finished training(s), one continued from epoch .* of round 2" a.err ||
  { cat a.err; fail "a: not resumed from a checkpoint of round 2 in progress"; }
# The finished round 1 is not trained again: round 1's record comes from the checkpoint.
same full a
echo "ok: killed during training at np 2, resumed at np 3 from $(grep -o 'checkpoint-[0-9]*.bin' a.err | head -1)"

# (c) SIGKILL during the final MCMC sampling of an snle run at np 2, after a checkpoint of its
# chains in progress; resumed at np 3 (other groups on other ranks).
cat > mcmc.toml <<TOML
seed = 9
[task]
name = "two_moons"
[observation]
values = [0.1, 0.2]
[inference]
method = "snle"
simulations = 2000
rounds = 2
[estimator]
hidden_features = 20
transforms = 2
[training]
max_epochs = 3
[posterior]
samples = 12000
[mcmc]
chains = 20
group_size = 4
[checkpoint]
every_seconds = 0.2
TOML
"$nsbi" run mcmc.toml --set output.dir=mcmc_full 2> mcmc_full.err || { cat mcmc_full.err; fail "uninterrupted snle run"; }
setsid "$mpiexec" -np 2 --oversubscribe "$nsbi" run mcmc.toml --set output.dir=m > m.out 2>&1 &
pid=$!
wait_for m "MCMC sampling 2 in progress" || { cat m.out; fail "m: no checkpoint of the final sampling in progress"; }
kill -9 -- -$pid 2> /dev/null; wait $pid 2> /dev/null
[[ -f m/report.json ]] && fail "m finished before it was killed"
"$mpiexec" -np 3 --oversubscribe "$nsbi" resume m 2> m.err || { cat m.err; fail "resume m"; }
grep -q "resuming from .*checkpoint-.*2 MCMC sampling(s), the last one in progress" m.err ||
  { cat m.err; fail "m: the MCMC chains were not restored from a checkpoint"; }
same mcmc_full m
grep -q '"restored_samplings": 2' m/report.json || fail "m: report.json does not count 2 restored samplings"
echo "ok: killed during MCMC at np 2, resumed at np 3 with the chains in progress restored"

# (b) SIGTERM during round 3's training at np 1: exit code 3, a checkpoint of the training in
# progress; resumed with another checkpoint.every_seconds (allowed), then corrupt checkpoints.
start b 1
wait_for b "training 3 at epoch" || fail "b: no checkpoint of round 3's training"
kill -TERM $pid; wait $pid; code=$?
[[ $code -eq 3 ]] || { cat b.out; fail "b: SIGTERM gave exit code $code, expected 3"; }
grep -q "every training in its checkpoint" b.out || { cat b.out; fail "b: the stop message does not name the checkpoints"; }
cp -r b b_copy

# A changed configuration key is refused by name; checkpoint.every_seconds is not part of it.
"$nsbi" run cfg.toml --set output.dir=b --set training.max_epochs=61 --resume 2> b_key.err
code=$?
[[ $code -eq 2 && $(grep -c "nsbi: error" b_key.err) -eq 1 ]] && grep -q "training.max_epochs" b_key.err ||
  { cat b_key.err; fail "resume with another max_epochs: exit $code"; }

# The newest checkpoint bit-flipped: reported by name, the previous one is used.
newest=$(ls b/checkpoint-*.bin | sort | tail -1)
prev=$(ls b/checkpoint-*.bin | sort | tail -2 | head -1)
size=$(stat -c %s "$newest")
printf '\x5a' | dd of="$newest" bs=1 seek=$((size / 2)) conv=notrunc status=none
cp "$newest" flipped.bin
"$nsbi" run cfg.toml --set output.dir=b --set checkpoint.every_seconds=0 --resume 2> b.err || { cat b.err; fail "resume b"; }
grep -q "$(basename "$newest").*checksum.*corrupt.*previous valid checkpoint .*$(basename "$prev")" b.err ||
  { cat b.err; fail "b: the corrupt checkpoint was not reported with the fallback"; }
cmp -s "$newest" flipped.bin || fail "b: the corrupt checkpoint was overwritten"
same full b
echo "ok: SIGTERM → exit 3, corrupt newest checkpoint skipped, same bytes"

# Every checkpoint invalid (one truncated, one of another format version): exit 2, one line.
for f in b_copy/checkpoint-*.bin; do cp "$f" "$f.orig"; done
files_ck=($(ls b_copy/checkpoint-*.bin | sort))
truncate -s 100 "${files_ck[-1]}"
printf '\x07' | dd of="${files_ck[-2]}" bs=1 seek=8 conv=notrunc status=none
"$nsbi" resume b_copy 2> bad.err
code=$?
[[ $code -eq 2 && $(grep -c "nsbi: error" bad.err) -eq 1 ]] && grep -q "$(basename "${files_ck[-1]}")" bad.err &&
  grep -q "truncated" bad.err && grep -q "no valid checkpoint" bad.err ||
  { cat bad.err; fail "all checkpoints invalid: exit $code"; }
cmp -s "${files_ck[-1]}" /dev/null && fail "the truncated checkpoint was rewritten"
rm "${files_ck[-1]}"
"$nsbi" resume b_copy 2> version.err
code=$?
[[ $code -eq 2 ]] && grep -q "checkpoint format version expected 2, got 7" version.err ||
  { cat version.err; fail "wrong-version checkpoint: exit $code"; }

# A foreign checkpoint (a run with another seed) in place of the run's own.
"$nsbi" run cfg.toml --set output.dir=other --set seed=7 --set training.max_epochs=2 > /dev/null 2>&1 || fail "other run"
rm b_copy/checkpoint-*.bin
cp "$(ls other/checkpoint-*.bin | sort | tail -1)" b_copy/checkpoint-000001.bin
"$nsbi" resume b_copy 2> foreign.err
code=$?
[[ $code -eq 2 && $(grep -c "nsbi: error" foreign.err) -eq 1 ]] && grep -q "checkpoint-000001.bin" foreign.err &&
  grep -q "another configuration" foreign.err || { cat foreign.err; fail "a foreign checkpoint: exit $code"; }
echo "ok: truncated, wrong-version and foreign checkpoints are refused with exit code 2"

# (e) An embedding network (issue 13) trains in the flow's buffer: SIGKILL during round 2's
# training at np 1, resumed at np 2, the same bytes as an uninterrupted run.
emb=(--set embedding.type=mlp --set embedding.features=4 --set embedding.hidden=16)
"$nsbi" run cfg.toml --set output.dir=full_emb "${emb[@]}" 2> full_emb.err || { cat full_emb.err; fail "uninterrupted run with an embedding"; }
start e 1 "${emb[@]}"
wait_for e "training 2 at epoch" || fail "e: no checkpoint of round 2's training in progress"
kill -9 -- -$pid 2> /dev/null; wait $pid 2> /dev/null
[[ -f e/report.json ]] && fail "e finished before it was killed"
"$mpiexec" -np 2 --oversubscribe "$nsbi" run cfg.toml --set output.dir=e "${emb[@]}" --resume 2> e.err ||
  { cat e.err; fail "resume e"; }
grep -q "one continued from epoch .* of round 2" e.err || { cat e.err; fail "e: not resumed within round 2's training"; }
same full_emb e
echo "ok: with an mlp embedding, killed during training at np 1, resumed at np 2, same bytes"
