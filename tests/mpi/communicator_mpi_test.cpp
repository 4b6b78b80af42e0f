// Communicator's 64-bit counts (issue 13) under mpirun: broadcasts, allreduces and
// allgather_blocks of more elements than one MPI call may carry go in pieces (the limit lowered
// to 7 elements here to exercise those paths) and give exactly what one call gives. Prints one
// line and returns 0 when every check passed on every rank.
#include <cstdio>
#include <numeric>
#include <vector>

#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"

using namespace nsbi;

namespace {

struct Result {
  std::vector<double> bcast, reduced, gathered;
  std::vector<std::int64_t> counts;
};

Result run(const mpi::Communicator& comm) {
  const int P = comm.size(), r = comm.rank();
  Result out;
  out.bcast.assign(1000, 0.0);
  const int root = P - 1;
  if (r == root) std::iota(out.bcast.begin(), out.bcast.end(), 0.5);
  comm.broadcast(std::span<double>(out.bcast), root);
  out.reduced.resize(997);
  for (std::size_t i = 0; i < out.reduced.size(); ++i) out.reduced[i] = static_cast<double>(i * (r + 1));
  comm.allreduce(std::span<double>(out.reduced), mpi::Op::sum);
  std::vector<double> mine(static_cast<std::size_t>(13 * r + 5));
  for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = 1000.0 * r + static_cast<double>(i);
  out.gathered = comm.allgather_blocks<double>(mine, &out.counts);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  const mpi::Communicator comm;
  const int P = comm.size(), r = comm.rank();
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) {
      ++failures;
      std::fprintf(stderr, "[rank %d of %d] FAILED: %s\n", r, P, what);
    }
  };
  const Result whole = run(comm);
  mpi::Communicator::set_max_count(7);
  const Result pieces = run(comm);
  mpi::Communicator::set_max_count(2147483647);
  check(whole.bcast == pieces.bcast, "broadcast in pieces");
  check(whole.reduced == pieces.reduced, "allreduce in pieces");
  check(whole.gathered == pieces.gathered && whole.counts == pieces.counts, "allgather_blocks in pieces");
  // Against the values by definition.
  for (std::size_t i = 0; i < whole.bcast.size(); ++i) check(whole.bcast[i] == 0.5 + static_cast<double>(i), "broadcast values");
  const double ranks = P * (P + 1) / 2.0;
  for (std::size_t i = 0; i < whole.reduced.size(); ++i)
    check(whole.reduced[i] == static_cast<double>(i) * ranks, "allreduce values");
  std::size_t at = 0;
  for (int p = 0; p < P; ++p) {
    check(whole.counts[static_cast<std::size_t>(p)] == 13 * p + 5, "allgather counts");
    for (int i = 0; i < 13 * p + 5; ++i) check(whole.gathered[at++] == 1000.0 * p + i, "allgather values");
  }
  check(at == whole.gathered.size(), "allgather total");
  const int all = comm.allreduce(failures, mpi::Op::sum);
  if (r == 0) std::printf(all == 0 ? "communicator np %d: ok\n" : "communicator np %d: %d failures\n", P, all);
  return all == 0 ? 0 : 1;
}
