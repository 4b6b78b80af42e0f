#!/usr/bin/env bash
# Data-parallel training: epoch time and communication fraction of `nsbi bench train` at several
# rank counts, on two_moons and slcp pairs (10,000 and 100,000); then np 1 and np 2 alternately
# (--alternate times each) at the largest size; then the cost of the exact gradient reduction
# against a plain float MPI_SUM allreduce of the same buffer (allreduce_cost, 3 runs at np 2).
#   bench/train_scaling.sh [--nps "1 2 4 8"] [--sizes "10000 100000"] [--tasks "two_moons slcp"]
#                          [--epochs 5] [--alternate 3] [--alternate-epochs 4] [--reps 20000]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
nsbi=${NSBI:-$here/build/nsbi}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
nps="1 2 4 8" sizes="10000 100000" tasks="two_moons slcp" epochs=5 alternate=3 alternate_epochs=4 reps=20000
while (($#)); do
  case $1 in
    --nps) nps=$2; shift 2 ;; --sizes) sizes=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;; --epochs) epochs=$2; shift 2 ;;
    --alternate) alternate=$2; shift 2 ;; --alternate-epochs) alternate_epochs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# run_train TASK N NP EPOCHS: one `nsbi bench train`, summarised on one line.
run_train() {
  local theta_dim out
  theta_dim=$([[ $1 == slcp ]] && echo 5 || echo 2)
  out=$(mpirun -np "$3" --oversubscribe "$nsbi" bench train --data "$tmp/$1$2.csv" --theta-dim "$theta_dim" --epochs "$4")
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"$1 pairs=$2 np=$3: {d['seconds_per_epoch']:.4f} s/epoch, communication {100*d['communication_fraction']:.1f}%, val {d['final_val_loss']:.4f}\")" "$out"
}
largest=${sizes##* }
for task in $tasks; do
  for n in $sizes; do
    /usr/bin/python3 "$here/bench/scripts/make_pairs.py" "$task" "$n" "$tmp/$task$n.csv"
    for np in $nps; do run_train "$task" "$n" "$np" "$epochs"; done
  done
done
for task in $tasks; do
  for ((i = 0; i < alternate; ++i)); do
    for np in 1 2; do run_train "$task" "$largest" "$np" "$alternate_epochs"; done
  done
done
mpirun -np 1 "$here/build/allreduce_cost" --reps "$reps"
for i in 1 2 3; do mpirun -np 2 "$here/build/allreduce_cost" --reps "$reps"; done
for np in $nps; do
  [[ $np -gt 2 ]] && mpirun -np "$np" --oversubscribe "$here/build/allreduce_cost" --reps $((reps / 4))
done
exit 0
