#!/usr/bin/env bash
# Training throughput of nsbi against the PyTorch peer (../shared/peer/torch_maf.py): the same
# conditional MAF, the same pairs, the same epochs, one thread each, run alternately in one
# session so both see the same machine load.
#   bench/train_speed.sh [--task two_moons|slcp] [--pairs 10000] [--epochs 20] [--reps 3]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
nsbi=${NSBI:-$here/build/nsbi}
peer=${NSBI_PEER:-$here/../shared/peer/torch_maf.py}
py=${NSBI_PYTHON:-/usr/bin/python3}   # Debian's interpreter, which has python3-torch
task=two_moons pairs=10000 epochs=20 reps=3
while (($#)); do
  case $1 in
    --task) task=$2; shift 2 ;; --pairs) pairs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;; --reps) reps=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
theta_dim=$([[ $task == slcp ]] && echo 5 || echo 2)
data=$(mktemp -d)/pairs.csv
"$py" "$here/bench/scripts/make_pairs.py" "$task" "$pairs" "$data"
for r in $(seq "$reps"); do
  t=$(OMP_NUM_THREADS=1 "$py" "$peer" --data "$data" --theta-dim "$theta_dim" --epochs "$epochs" --threads 1)
  n=$("$nsbi" bench train --data "$data" --theta-dim "$theta_dim" --epochs "$epochs")
  "$py" - "$t" "$n" "$task" "$pairs" <<'PY'
import json, sys
t, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{sys.argv[3]} {sys.argv[4]} pairs: torch {t['seconds_per_epoch']:.4f} s/epoch ({t['train_pairs_per_second']:.0f} pairs/s, "
      f"val {t['final_val_loss']:.3f}) | nsbi {n['seconds_per_epoch']:.4f} s/epoch ({n['train_pairs_per_second']:.0f} pairs/s, "
      f"val {n['final_val_loss']:.3f}) | ratio {t['seconds_per_epoch'] / n['seconds_per_epoch']:.1f}x")
PY
done
