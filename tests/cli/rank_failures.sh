#!/usr/bin/env bash
# rank_failures.sh NSBI MPIEXEC WORKDIR — errors seen by rank 0 only, at np 3 (DESIGN.md §7: no
# rank left waiting). Each case must end every rank well within its time limit, with exit code 2
# and exactly one "nsbi: ..." line on stderr naming output.dir and the path. (mpirun may add its
# own banner about the non-zero exit code; it is not counted.)
set -uo pipefail
nsbi=$1 mpiexec=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail=0
limit=90  # seconds; a hang is killed here and fails the case
cp "$here/tiny_run.toml" tiny.toml

# run NAME EXPECTED_CODE SUBSTRING... -- ARGS...
run() {
  local name=$1 want=$2; shift 2
  local subs=()
  while [[ $1 != "--" ]]; do subs+=("$1"); shift; done
  shift
  local t0=$SECONDS
  timeout -s KILL $limit "$mpiexec" -np 3 --oversubscribe "$nsbi" "$@" > out.txt 2> err.txt
  local code=$? took=$((SECONDS - t0))
  local lines
  lines=$(grep -c '^nsbi: ' err.txt)
  if [[ $code -eq 137 ]]; then echo "FAIL $name: killed after ${limit} s (a rank was left waiting)"; fail=1; return; fi
  if [[ $code -ne $want ]]; then echo "FAIL $name: exit code $code, expected $want"; cat err.txt; fail=1; return; fi
  if [[ $want -eq 0 ]]; then echo "ok   $name: exit code 0 in ${took} s"; return; fi
  if [[ $lines -ne 1 ]]; then echo "FAIL $name: $lines 'nsbi:' lines on stderr, expected 1"; cat err.txt; fail=1; return; fi
  if grep -q 'internal error' err.txt; then echo "FAIL $name: an internal error"; cat err.txt; fail=1; return; fi
  for s in "${subs[@]}"; do
    if ! grep '^nsbi: ' err.txt | grep -qF -- "$s"; then echo "FAIL $name: message lacks '$s':"; cat err.txt; fail=1; return; fi
  done
  echo "ok   $name (${took} s): $(grep '^nsbi: ' err.txt)"
}

# A finished run, then the same directory again with output.overwrite = false.
run finished_run 0 -- run tiny.toml --set output.dir="$work/done"
[[ -f done/report.json ]] || { echo "FAIL finished_run: no report.json"; fail=1; }
run finished_run_no_overwrite 2 "output.dir" "$work/done" "report.json" -- \
  run tiny.toml --set output.dir="$work/done" --set output.overwrite=false

# A directory that cannot be created (rank 0 only creates it).
run uncreatable_dir 2 "output.dir" "/proc/nsbi_rank_failures/run" -- \
  run tiny.toml --set output.dir=/proc/nsbi_rank_failures/run

[[ $fail -eq 0 ]] && echo "every rank-0-only failure ends all 3 ranks with one line and exit code 2"
exit $fail
