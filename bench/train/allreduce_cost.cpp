// Cost of the exact fixed-point gradient reduction the trainer uses (ExactAllreduce::sum_scaled)
// against a plain floating-point MPI_SUM allreduce of the same buffer (issue: target ≤ 1.3×),
// with the double allreduce, the general exact path (sum) and a float ring for reference.
// Run under mpirun:
//   mpirun -np 2 ./build/allreduce_cost [--params 15020] [--shards 4] [--reps 2000]
// Prints one JSON line: microseconds per call for both, and their ratio.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/train/exact_allreduce.hpp"

int main(int argc, char** argv) {
  nsbi::mpi::Environment env(&argc, &argv);
  nsbi::mpi::Communicator comm;
  long params = 15020, shards = 4, reps = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--params")) params = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--shards")) shards = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--reps")) reps = std::atol(argv[i + 1]);
  }
  const int P = comm.size(), r = comm.rank();
  const long mine = (shards - r + P - 1) / P > 0 ? (shards - r + P - 1) / P : 0;
  Eigen::MatrixXf g(params + 1, mine);
  nsbi::RandomStream rng(1, nsbi::StreamId::diagnostics, 0, r);
  for (auto& v : g.reshaped()) v = static_cast<float>(rng.normal());
  nsbi::train::ExactAllreduce exact(comm);
  Eigen::VectorXd out(params + 1);
  std::vector<float> plain(params + 1);

  auto time_it = [&](auto&& fn) {
    for (int i = 0; i < 50; ++i) fn();  // warm-up
    comm.barrier();
    const double t0 = MPI_Wtime();
    for (long i = 0; i < reps; ++i) fn();
    comm.barrier();
    return (MPI_Wtime() - t0) / reps * 1e6;
  };
  // Plain: the rank's shards summed in float, then a float MPI_SUM allreduce (what a usual
  // data-parallel trainer does; its result depends on the rank count and reduction order).
  const double us_plain = time_it([&] {
    Eigen::Map<Eigen::VectorXf> p(plain.data(), params + 1);
    p = g.rowwise().sum();
    MPI_Allreduce(MPI_IN_PLACE, plain.data(), static_cast<int>(plain.size()), MPI_FLOAT, MPI_SUM, comm.native());
  });
  // Plain in double: the same bytes on the wire as the exact int64 reduction.
  std::vector<double> plain_d(params + 1);
  const Eigen::MatrixXd gd = g.cast<double>();  // shards held in double, as a double trainer would
  const double us_plain_double = time_it([&] {
    Eigen::Map<Eigen::VectorXd> p(plain_d.data(), params + 1);
    p = gd.rowwise().sum();
    MPI_Allreduce(MPI_IN_PLACE, plain_d.data(), static_cast<int>(plain_d.size()), MPI_DOUBLE, MPI_SUM, comm.native());
  });
  // The general exact path: max-allreduce, int64 allreduce, convert back on every rank.
  const double us_exact_allreduce = time_it([&] { exact.sum<float>(g, shards, out); });
  // The training step's exact path (what the trainer calls): predicted bound, int64 ring
  // reduce-scatter, float allgather of the converted segments; the loss row stays exact.
  Eigen::VectorXd loss(1);
  const double comm_before = exact.communication_seconds();
  const double us_exact = time_it([&] { exact.sum_scaled(g, shards, 1.0 / 200, loss); });
  // Time inside MPI calls per sum_scaled call (the rest is conversion on this rank).
  const double us_exact_comm = (exact.communication_seconds() - comm_before) / (reps + 50) * 1e6;
  // Not a baseline, a disclosure: the float sum through the same hand-written ring exchange as the
  // exact path (float ring reduce-scatter, float allgather), to show what the exchange pattern
  // alone is worth against Open MPI's MPI_Allreduce on this machine.
  const long B = (params + 1 + P - 1) / P;
  std::vector<float> ring(static_cast<std::size_t>(B * P)), recv(static_cast<std::size_t>(B));
  std::vector<int> counts(P, static_cast<int>(B)), displs(P);
  for (int p = 0; p < P; ++p) displs[p] = static_cast<int>(p * B);
  const double us_plain_ring = time_it([&] {
    Eigen::Map<Eigen::VectorXf>(ring.data(), params + 1) = g.rowwise().sum();
    for (int k = 0; k + 1 < P; ++k) {
      const long send = (r - k - 1 + 2 * P) % P, into = (r - k - 2 + 2 * P) % P;
      comm.sendrecv(std::span<const float>(ring.data() + send * B, B), (r + 1) % P, std::span<float>(recv),
                    (r + P - 1) % P, 7);
      for (long i = 0; i < B; ++i) ring[into * B + i] += recv[i];
    }
    if (P > 1) comm.allgather_in_place(std::span<float>(ring), counts, displs);
  });
  if (comm.is_root())
    std::printf(
        "{\"ranks\":%d,\"params\":%ld,\"shards\":%ld,\"plain_us\":%.2f,\"plain_double_us\":%.2f,"
        "\"exact_us\":%.2f,\"ratio\":%.3f,\"ratio_vs_double\":%.3f,\"exact_allreduce_us\":%.2f,"
        "\"exact_comm_us\":%.2f,\"plain_ring_us\":%.2f,\"fallbacks\":%lld}\n",
        P, params, shards, us_plain, us_plain_double, us_exact, us_exact / us_plain, us_exact / us_plain_double,
        us_exact_allreduce, us_exact_comm, us_plain_ring, static_cast<long long>(exact.fallbacks()));
  return 0;
}
