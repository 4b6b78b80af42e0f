# Sourced by the `nsbi sample` / `sbc` / `ppc` script tests after `set -euo pipefail`, with the
# arguments NSBI MPIEXEC WORKDIR NP...: sets nsbi, mpiexec, work, here (tests/cli), leaves the NPs in
# "$@", starts in a fresh WORKDIR, and defines run_np NP ARGS... (mpirun unless NP is 1).
nsbi=$1 mpiexec=$2 work=$3
shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
run_np() { local np=$1; shift; if [[ $np == 1 ]]; then "$nsbi" "$@"; else "$mpiexec" -np "$np" --oversubscribe "$nsbi" "$@"; fi; }
