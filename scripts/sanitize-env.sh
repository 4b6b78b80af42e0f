# Sourced by scripts/test.sh --sanitize and bench/fuzz.sh: sanitizer settings for nsbi's own
# code under Open MPI.
#  - abort_on_error: a report ends the process with SIGABRT, so mpirun and ctest see a failure.
#  - LeakSanitizer stays on, with scripts/lsan-openmpi.supp hiding only leaks allocated inside
#    Open MPI and its runtime (hwloc, pmix, libevent, its MCA components): those are allocations
#    Open MPI keeps until exit by design and nsbi cannot free. A leak allocated by nsbi's own code
#    is still reported (detect_leaks=0 would hide those too). fast_unwind_on_malloc=0: Debian's
#    Open MPI has no frame pointers, so the fast unwinder stops one frame into it, often in an
#    MCA component that MPI_Finalize has already dlclose'd ("<unknown module>"); the slow unwinder
#    reaches the libmpi / libopen-rte frames below it that the suppressions name.
#  - UBSan: print the stack, and halt (the build also uses -fno-sanitize-recover=undefined).
nsbi_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$nsbi_root/scripts/lsan-openmpi.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
unset nsbi_root
