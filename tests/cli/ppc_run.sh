#!/usr/bin/env bash
# ppc_run.sh NSBI MPIEXEC WORKDIR NP... — `nsbi ppc` on tiny NPE runs: at the run's plausible x_o
# no dimension is flagged; at an x_o no simulation of two_moons can produce (3, 3) every dimension
# is; the files are sane and the same bytes at every NP.
set -euo pipefail
source "$(dirname "$0")/amortized_common.sh"
"$nsbi" run "$here/tiny_run.toml" --set output.dir="$work/plausible" 2> run.log || { cat run.log; exit 1; }
"$nsbi" run "$here/tiny_run.toml" --set output.dir="$work/impossible" --set 'observation.values=[3.0, 3.0]' 2>> run.log ||
  { cat run.log; exit 1; }
first=""
for np in "$@"; do
  for r in plausible impossible; do
    run_np "$np" ppc "$r" -n 80 --out "$work/$r/ppc_np$np" 2> "ppc_$r.np$np.log" || { cat "ppc_$r.np$np.log"; exit 1; }
  done
  /usr/bin/python3 - "$work" "$np" <<'PY'
import json, sys, numpy as np
w, np_ = sys.argv[1], sys.argv[2]
for run, flagged in (("plausible", []), ("impossible", [1, 2])):
    d = f"{w}/{run}/ppc_np{np_}"
    j = json.load(open(f"{d}/ppc.json"))
    assert open(f"{d}/ppc.csv").readline().strip() == "dim,x_o,mean,sd,quantile"
    rows = np.genfromtxt(f"{d}/ppc.csv", delimiter=",", names=True)
    x = np.load(f"{d}/x.npy")
    assert j["draws"] == 80 and j["valid_draws"] == x.shape[0] == 80 and x.shape[1] == 2 == j["x_dim"], j
    assert np.allclose(rows["mean"], x.mean(axis=0), rtol=0, atol=1e-12)
    assert np.allclose(rows["sd"], x.std(axis=0, ddof=1), rtol=0, atol=1e-12)
    xo = rows["x_o"]
    assert np.allclose(rows["quantile"], ((x < xo).sum(0) + 0.5 * (x == xo).sum(0)) / 80)
    assert j["extreme_dims"] == flagged, (run, j["extreme_dims"], j["quantiles"])
PY
  if [[ -z $first ]]; then first=$np; continue; fi
  for r in plausible impossible; do
    for f in ppc.csv x.npy theta.npy; do
      cmp "$r/ppc_np$first/$f" "$r/ppc_np$np/$f" || { echo "FAIL: $r $f at np $np differs from np $first"; exit 1; }
    done
  done
done
echo "ok: nsbi ppc flags only the impossible observation; identical at np $*"
