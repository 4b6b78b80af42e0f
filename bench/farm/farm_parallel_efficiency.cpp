// Parallel efficiency of the simulation farm with uneven simulation times: each simulation
// sleeps for a log-normal duration (median 20 ms, σ = 1, drawn from its seed), so ranks may be
// oversubscribed freely. The makespan is compared with the lower bound of any schedule,
//   bound = max(longest simulation, total work / workers),   efficiency = bound / makespan.
//
//   mpirun -np P farm_parallel_efficiency [N=2000] [MEDIAN_MS=20] [SIGMA=1] [TARGET_CHUNK_SECONDS=0.5]
//
// Prints one JSON object (rank 0).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "nsbi/core/random.hpp"
#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/mpi/environment.hpp"

namespace {

double duration_seconds(std::uint64_t seed, double median, double sigma) {
  nsbi::RandomStream rng(seed, nsbi::StreamId::simulation, 0, 0);
  return median * std::exp(sigma * rng.normal());
}

class SleepingSimulator : public nsbi::Simulator {
 public:
  SleepingSimulator(double median, double sigma) : median_(median), sigma_(sigma) {}
  std::string name() const override { return "sleeping"; }
  int theta_dim() const override { return 1; }
  int x_dim() const override { return 1; }
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<nsbi::SimStatus> status) override {
    for (std::size_t j = 0; j < seeds.size(); ++j) {
      std::this_thread::sleep_for(std::chrono::duration<double>(duration_seconds(seeds[j], median_, sigma_)));
      x(0, Eigen::Index(j)) = theta(0, Eigen::Index(j));
      status[j] = nsbi::SimStatus::ok;
    }
  }

 private:
  double median_, sigma_;
};

}  // namespace

int main(int argc, char** argv) {
  nsbi::mpi::Environment env(&argc, &argv);
  const nsbi::mpi::Communicator comm;
  const long n = argc > 1 ? std::atol(argv[1]) : 2000;
  const double median = (argc > 2 ? std::atof(argv[2]) : 20.0) / 1000.0;
  const double sigma = argc > 3 ? std::atof(argv[3]) : 1.0;
  SleepingSimulator sim(median, sigma);
  nsbi::FarmOptions options;
  options.seed = 2024;
  if (argc > 4) options.target_chunk_seconds = std::atof(argv[4]);
  options.sim.on_failure = nsbi::FailurePolicy::drop;
  const Eigen::MatrixXd theta = comm.is_root() ? Eigen::MatrixXd::Zero(1, n) : Eigen::MatrixXd();
  comm.barrier();
  const double t0 = MPI_Wtime();
  nsbi::run_simulations(comm, sim, theta, {}, options);
  const double makespan = MPI_Wtime() - t0;
  if (comm.is_root()) {
    double total = 0.0, longest = 0.0;
    for (long i = 0; i < n; ++i) {
      const std::uint64_t seed = nsbi::simulation_seed(options.seed, options.round, std::uint64_t(i));
      const double d = duration_seconds(seed, median, sigma);
      total += d;
      longest = std::max(longest, d);
    }
    const int workers = std::max(1, comm.size() - 1);
    const double bound = std::max(longest, total / workers);
    std::printf(
        "{\"benchmark\": \"farm_parallel_efficiency\", \"np\": %d, \"workers\": %d, \"simulations\": %ld, "
        "\"median_ms\": %.1f, \"sigma\": %.2f, \"total_work_seconds\": %.3f, \"longest_seconds\": %.3f, "
        "\"bound_seconds\": %.3f, \"makespan_seconds\": %.3f, \"efficiency\": %.3f}\n",
        comm.size(), workers, n, median * 1000, sigma, total, longest, bound, makespan, bound / makespan);
  }
  return 0;
}
