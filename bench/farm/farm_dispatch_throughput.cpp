// Dispatch throughput of the simulation farm: simulations per second through rank 0 with an
// instant simulator (x = θ), so the figure is the farm's own cost (scheduling, messages, bank).
//
//   mpirun -np P farm_dispatch_throughput [N=1000000] [REPEATS=3]
//
// Prints one JSON object (rank 0): the median over REPEATS rounds of N simulations.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "nsbi/farm/run_simulations.hpp"
#include "nsbi/mpi/environment.hpp"

namespace {

class InstantSimulator : public nsbi::Simulator {
 public:
  std::string name() const override { return "instant"; }
  int theta_dim() const override { return 2; }
  int x_dim() const override { return 2; }
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t>,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<nsbi::SimStatus> status) override {
    x = theta;
    std::fill(status.begin(), status.end(), nsbi::SimStatus::ok);
  }
};

}  // namespace

int main(int argc, char** argv) {
  nsbi::mpi::Environment env(&argc, &argv);
  const nsbi::mpi::Communicator comm;
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  InstantSimulator sim;
  const Eigen::MatrixXd theta = comm.is_root() ? Eigen::MatrixXd::Random(2, n) : Eigen::MatrixXd();
  nsbi::FarmOptions options;
  options.seed = 1;
  options.sim.on_failure = nsbi::FailurePolicy::drop;
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    options.round = static_cast<std::uint32_t>(r);
    comm.barrier();
    const double t0 = MPI_Wtime();
    const nsbi::SimulationBank bank = nsbi::run_simulations(comm, sim, theta, {}, options);
    seconds.push_back(MPI_Wtime() - t0);
    if (comm.is_root() && bank.counts()[0] != static_cast<std::size_t>(n)) {
      std::fprintf(stderr, "farm_dispatch_throughput: expected %ld ok simulations\n", n);
      return 1;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  if (comm.is_root())
    std::printf(
        "{\"benchmark\": \"farm_dispatch_throughput\", \"np\": %d, \"workers\": %d, \"simulations\": %ld, "
        "\"repeats\": %d, \"median_seconds\": %.4f, \"best_seconds\": %.4f, \"simulations_per_second\": %.0f}\n",
        comm.size(), std::max(1, comm.size() - 1), n, repeats, median, seconds.front(), double(n) / median);
  return 0;
}
