#!/usr/bin/env bash
# sbc_run.sh NSBI MPIEXEC WORKDIR NP... — `nsbi sbc` on a tiny NPE run: the files another command
# reads exist with their names, dtypes and shapes, the values are sane (ranks in 0..L, coverage in
# [0, 1] at ascending levels), and ranks.npy, theta.npy and coverage.csv are the same bytes at
# every NP (sbc.json too, apart from its timings and rank count).
set -euo pipefail
source "$(dirname "$0")/amortized_common.sh"
"$nsbi" run "$here/tiny_run.toml" --set output.dir="$work/run" 2> run.log || { cat run.log; exit 1; }
first=""
for np in "$@"; do
  run_np "$np" sbc run --tests 35 --samples 40 --out "$work/sbc_np$np" 2> "sbc_np$np.log" || { cat "sbc_np$np.log"; exit 1; }
  /usr/bin/python3 - "$work/sbc_np$np" <<'PY'
import json, sys, numpy as np
d = sys.argv[1]
r = np.load(f"{d}/ranks.npy"); t = np.load(f"{d}/theta.npy"); j = json.load(open(f"{d}/sbc.json"))
rows = np.genfromtxt(f"{d}/coverage.csv", delimiter=",", names=True)
assert open(f"{d}/coverage.csv").readline().strip() == "level,expected_coverage,tarp_coverage"
n, D, L = j["valid_tests"], j["dim"], j["samples_per_test"]
assert j["tests"] == 35 and L == 40 and D == 2 and 0 < n <= 35, j
assert r.dtype == np.int64 and r.shape == (n, D), (r.dtype, r.shape)
assert t.dtype == np.float64 and t.shape == (n, D), (t.dtype, t.shape)
assert r.min() >= 0 and r.max() <= L and len(np.unique(r)) > 5
assert (np.abs(t) <= 1).all()                     # two_moons' prior: U(-1, 1)^2
assert len(j["rank_pvalues"]) == D and all(0 <= p <= 1 for p in j["rank_pvalues"])
assert isinstance(j["uniform"], bool) and j["seconds"] > 0
assert 0 <= j["max_coverage_deviation"] <= 1 and 0 <= j["tarp_max_deviation"] <= 1
lv = rows["level"]
assert len(lv) == 19 and np.all(np.diff(lv) > 0) and abs(lv[0] - 0.05) < 1e-12 and abs(lv[-1] - 0.95) < 1e-12
for c in ("expected_coverage", "tarp_coverage"):
    assert ((rows[c] >= 0) & (rows[c] <= 1)).all() and np.all(np.diff(rows[c]) >= 0)
assert abs(np.max(np.abs(rows["expected_coverage"] - lv)) - j["max_coverage_deviation"]) < 1e-12
PY
  if [[ -z $first ]]; then first=$np; continue; fi
  for f in ranks.npy theta.npy coverage.csv; do
    cmp "sbc_np$first/$f" "sbc_np$np/$f" || { echo "FAIL: $f at np $np differs from np $first"; exit 1; }
  done
  strip() { grep -v -E '"(seconds|simulate|sample|ranks)":' "$1"; }
  diff <(strip "sbc_np$first/sbc.json") <(strip "sbc_np$np/sbc.json") || { echo "FAIL: sbc.json at np $np"; exit 1; }
done
echo "ok: nsbi sbc files sane; identical at np $*"
