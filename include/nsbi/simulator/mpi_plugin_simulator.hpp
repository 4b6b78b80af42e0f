#pragma once
// A simulator in a shared library with the MPI C ABI of nsbi/simulator_plugin.h
// (nsbi_simulate_mpi: the group's communicator, θ, x, seed), loaded with dlopen on every rank.
// Each simulation runs on the group joined by join_group(): the leader broadcasts θ and the seed,
// every member calls the function with the group's communicator, x is taken from the leader and
// a non-zero return on any member marks the simulation failed. Runs inside the ranks: a crash or
// hang is not contained (MPI cannot survive a lost rank).
#include <memory>
#include <string>
#include <vector>

#include "nsbi/simulator/group_simulator.hpp"
#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi {

namespace detail {
class SharedLibrary;
}

class MpiPluginSimulator final : public GroupSimulator {
 public:
  /// Loads options.library and looks up options.symbol (SimulatorError naming both and dlerror()
  /// when either is missing); ConfigError for non-positive dimensions or ranks_per_simulation.
  MpiPluginSimulator(const SimulatorOptions& options, int theta_dim, int x_dim);
  ~MpiPluginSimulator() override;
  MpiPluginSimulator(const MpiPluginSimulator&) = delete;
  MpiPluginSimulator& operator=(const MpiPluginSimulator&) = delete;

  /// "MPI plugin simulator 'path/lib.so' (symbol nsbi_simulate_mpi, k ranks per simulation)".
  std::string name() const override;
  int theta_dim() const override { return theta_dim_; }
  int x_dim() const override { return x_dim_; }
  int ranks_per_simulation() const override { return ranks_; }

  /// On the leader of the joined group (MPI_COMM_SELF when none was joined): theta: theta_dim×n,
  /// seeds: n, x: x_dim×n, status: n. A non-zero return on any member is status error (x NaN);
  /// non-finite x on the leader is status non_finite.
  void simulate(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::span<const std::uint64_t> seeds,
                Eigen::Ref<Eigen::MatrixXd> x, std::span<SimStatus> status) override;
  void join_group(MPI_Comm group) override { group_ = group; }
  void follow() override;
  void release_followers(const std::string& encoded_error) override;

 private:
  using Fn = int (*)(MPI_Fint, const double*, int, double*, int, std::uint64_t);
  /// One simulation on every member: the leader's θ and seed are broadcast; returns the largest
  /// "failed" flag over the members (0: every member returned 0).
  int run_one(double* theta, double* x, std::uint64_t& seed);

  std::string name_;
  int theta_dim_, x_dim_, ranks_;
  std::unique_ptr<detail::SharedLibrary> library_;
  Fn fn_ = nullptr;
  MPI_Comm group_ = MPI_COMM_SELF;
  std::vector<double> theta_buf_, x_buf_;
};

}  // namespace nsbi
