#!/usr/bin/env bash
# sbibm_grid.sh NSBI MPIEXEC SHARED WORKDIR — `nsbi bench sbibm` end to end on a tiny grid:
# one row per cell with a C2ST in (0.4, 1]; a second start skips finished cells; a row cut short
# by a kill is dropped and its cell run again with the same result; np 2 gives the same C2ST
# figures (the runs are byte-identical at any rank count, the C2ST is computed on rank 0).
set -euo pipefail
nsbi=$1 mpiexec=$2 shared=$3 work=$4
[[ -d $shared/sbibm/two_moons ]] || { echo "SKIP: $shared/sbibm not found"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
grid=(bench sbibm --tasks two_moons --methods npe:maf --budgets 500 --observations 1-2 --sbibm "$shared/sbibm"
      --set posterior.samples=1000 --set training.max_epochs=30)
"$nsbi" "${grid[@]}" --out "$work/a" > "$work/a.out" 2> "$work/a.err"
csv=$work/a/results.csv
[[ $(wc -l < "$csv") -eq 3 ]] || { echo "FAIL: expected a header and 2 rows"; cat "$csv"; exit 1; }
awk -F, 'NR > 1 && !($6 > 0.4 && $6 <= 1) { print "FAIL: c2st out of range: " $0; bad = 1 } END { exit bad }' "$csv"
grep -q "| two_moons | " "$work/a/results.md" || { echo "FAIL: no table"; cat "$work/a/results.md"; exit 1; }
cp "$csv" "$work/full.csv"

# Restart: nothing to do.
"$nsbi" "${grid[@]}" --out "$work/a" > "$work/b.out" 2> /dev/null
[[ $(grep -c "finished before, skipped" "$work/b.out") -eq 2 ]] || { echo "FAIL: cells not skipped"; cat "$work/b.out"; exit 1; }
cmp "$csv" "$work/full.csv"

# A kill while the second row was written: the row is cut short; that cell runs again.
head -n 2 "$work/full.csv" > "$csv"
tail -n 1 "$work/full.csv" | head -c 25 >> "$csv"
"$nsbi" "${grid[@]}" --out "$work/a" > "$work/c.out" 2> /dev/null
[[ $(grep -c "finished before, skipped" "$work/c.out") -eq 1 ]] || { echo "FAIL: expected 1 skipped cell"; cat "$work/c.out"; exit 1; }
# Same C2ST (column 6) as the uninterrupted grid; timings differ.
diff <(cut -d, -f1-6 "$csv") <(cut -d, -f1-6 "$work/full.csv")

# --report-only runs nothing: the table of the rows there, observation 3 absent.
"$nsbi" bench sbibm --tasks two_moons --methods npe:maf --budgets 500 --observations 1-3 --sbibm "$shared/sbibm" \
  --set posterior.samples=1000 --set training.max_epochs=30 --out "$work/a" --report-only > "$work/r.out" 2> /dev/null
[[ $(wc -l < "$csv") -eq 3 ]] || { echo "FAIL: --report-only ran a cell"; cat "$csv"; exit 1; }
grep -q "| two_moons | .* (2) |" "$work/r.out" || { echo "FAIL: --report-only table"; cat "$work/r.out"; exit 1; }

# A method that refuses the task's prior (snpe_a's closed-form correction on sir's log-normal
# prior) is skipped with the reason and shown as n/a; the other cells still run.
"$nsbi" bench sbibm --tasks sir --methods snpe_a --budgets 500 --observations 1 --sbibm "$shared/sbibm" \
  --out "$work/na" > "$work/na.out" 2> "$work/na.err"
grep -q "sir snpe_a:mdn 500 obs1: not applicable, skipped (for \"snpe_a\", a Gaussian or box-uniform prior" "$work/na.out" ||
  { echo "FAIL: snpe_a on sir not skipped"; cat "$work/na.out" "$work/na.err"; exit 1; }
[[ $(wc -l < "$work/na/results.csv") -eq 1 ]] || { echo "FAIL: a row for a skipped cell"; cat "$work/na/results.csv"; exit 1; }
grep -q "| sir | n/a |" "$work/na/results.md" || { echo "FAIL: no n/a in the table"; cat "$work/na/results.md"; exit 1; }

# np 2: the same figures.
"$mpiexec" -np 2 --oversubscribe "$nsbi" "${grid[@]}" --out "$work/np2" > "$work/np2.out" 2> /dev/null
diff <(cut -d, -f1-6 "$work/np2/results.csv") <(cut -d, -f1-6 "$work/full.csv")
echo "ok: $(tail -n +2 "$csv" | cut -d, -f5,6 | tr '\n' ' ')"
