#!/usr/bin/env bash
# Data-parallel training: epoch time and communication fraction of `nsbi bench train` at several
# rank counts, on two_moons and slcp pairs (10,000 and 100,000), plus the cost of the exact
# allreduce against a plain float MPI_SUM allreduce of the same gradient buffer.
#   bench/train_scaling.sh [--nps "1 2 4 8"] [--sizes "10000 100000"] [--tasks "two_moons slcp"] [--epochs 5]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
nsbi=${NSBI:-$here/build/nsbi}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
nps="1 2 4 8" sizes="10000 100000" tasks="two_moons slcp" epochs=5
while (($#)); do
  case $1 in
    --nps) nps=$2; shift 2 ;; --sizes) sizes=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;; --epochs) epochs=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
for task in $tasks; do
  theta_dim=$([[ $task == slcp ]] && echo 5 || echo 2)
  for n in $sizes; do
    /usr/bin/python3 "$here/bench/scripts/make_pairs.py" "$task" "$n" "$tmp/$task$n.csv"
    for np in $nps; do
      out=$(mpirun -np "$np" --oversubscribe "$nsbi" bench train --data "$tmp/$task$n.csv" --theta-dim "$theta_dim" --epochs "$epochs")
      python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"$task pairs=$n np=$np: {d['seconds_per_epoch']:.4f} s/epoch, communication {100*d['communication_fraction']:.1f}%, val {d['final_val_loss']:.4f}\")" "$out"
    done
  done
done
for np in $nps; do
  [[ $np -gt 1 ]] && mpirun -np "$np" --oversubscribe "$here/build/allreduce_cost"
done
