// Cost of the exact fixed-point gradient allreduce against a plain floating-point MPI_SUM
// allreduce of the same buffer (issue: target ≤ 1.3×). Run under mpirun:
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
  const double us_exact = time_it([&] { exact.sum<float>(g, shards, out); });
  if (comm.is_root())
    std::printf(
        "{\"ranks\":%d,\"params\":%ld,\"shards\":%ld,\"plain_us\":%.2f,\"plain_double_us\":%.2f,"
        "\"exact_us\":%.2f,\"ratio\":%.3f,\"ratio_vs_double\":%.3f}\n",
        P, params, shards, us_plain, us_plain_double, us_exact, us_exact / us_plain, us_exact / us_plain_double);
  return 0;
}
