// MpiPluginSimulator with the example MPI plugin examples/plugins/mpi_slab_plugin.c (built by
// CMake), on a group of one rank (MPI_COMM_SELF, as a run with one process): the values follow
// the model in its comment (residuals against the noiseless curve are N(0, 0.1²)), a seed fixes
// x, a non-zero return is status error, and a missing symbol names the MPI ABI. Groups of more
// ranks are tested by tests/cli/mpi_plugin.sh under mpirun.
#include "nsbi/simulator/mpi_plugin_simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/mpi/environment.hpp"

namespace nsbi {
namespace {

const std::string kPlugin = NSBI_BINARY_DIR "/examples/mpi_slab_plugin.so";

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

SimulatorOptions mpi_plugin(std::string symbol = "nsbi_simulate_mpi") {
  SimulatorOptions o;
  o.kind = SimulatorKind::mpi_plugin;
  o.library = kPlugin;
  o.symbol = std::move(symbol);
  return o;
}

TEST(MpiPluginSimulatorTest, SlabPluginFollowsItsModel) {
  env();
  MpiPluginSimulator sim(mpi_plugin(), 2, 40);
  EXPECT_EQ(sim.ranks_per_simulation(), 1);
  const int n = 500, X = 40;
  Eigen::MatrixXd theta(2, n), x(X, n);
  std::vector<std::uint64_t> seeds(n);
  std::vector<SimStatus> status(n);
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> a(0.5, 2.0), w(0.5, 3.0);
  for (int j = 0; j < n; ++j) {
    theta(0, j) = a(gen);
    theta(1, j) = w(gen);
    seeds[static_cast<std::size_t>(j)] = gen();
  }
  sim.simulate(theta, seeds, x, status);
  // x_i − A e^{−t_i/5} sin(ω t_i) = 0.1 ε_i: mean 0, sd 0.1, and about 95 % within ±0.196.
  double sum = 0, sum2 = 0;
  int inside = 0;
  for (int j = 0; j < n; ++j) {
    ASSERT_EQ(status[static_cast<std::size_t>(j)], SimStatus::ok);
    for (int i = 0; i < X; ++i) {
      const double t = 10.0 * i / (X - 1);
      const double r = x(i, j) - theta(0, j) * std::exp(-t / 5.0) * std::sin(theta(1, j) * t);
      sum += r;
      sum2 += r * r;
      inside += std::fabs(r) < 0.196;
    }
  }
  const double m = n * X, mean = sum / m, sd = std::sqrt(sum2 / m - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * 0.1 / std::sqrt(m));
  EXPECT_NEAR(sd, 0.1, 0.003);
  EXPECT_NEAR(inside / m, 0.95, 0.01);

  // The same seed gives the same x; another seed another.
  Eigen::MatrixXd x2(X, 2);
  std::vector<std::uint64_t> s2{seeds[0], seeds[0] + 1};
  std::vector<SimStatus> st2(2);
  Eigen::MatrixXd th2(2, 2);
  th2 << theta(0, 0), theta(0, 0), theta(1, 0), theta(1, 0);
  sim.simulate(th2, s2, x2, st2);
  EXPECT_EQ(x2.col(0), x.col(0));
  EXPECT_NE(x2.col(1), x.col(0));
}

TEST(MpiPluginSimulatorTest, ANonZeroReturnIsStatusError) {
  env();
  MpiPluginSimulator sim(mpi_plugin(), 2, 8);
  Eigen::MatrixXd theta(2, 2), x(8, 2);
  theta << -1.0, 1.0, 1.0, 1.0;  // A = −1: the plugin returns 1
  std::vector<std::uint64_t> seeds{1, 2};
  std::vector<SimStatus> status(2);
  sim.simulate(theta, seeds, x, status);
  EXPECT_EQ(status[0], SimStatus::error);
  EXPECT_TRUE(x.col(0).array().isNaN().all());
  EXPECT_EQ(status[1], SimStatus::ok);
}

TEST(MpiPluginSimulatorTest, MissingSymbolOrLibraryIsNamed) {
  env();
  try {
    MpiPluginSimulator sim(mpi_plugin("no_such_function"), 2, 8);
    ADD_FAILURE() << "no error";
  } catch (const SimulatorError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no_such_function"), std::string::npos) << m;
    EXPECT_NE(m.find("MPI_Fint"), std::string::npos) << m;
  }
  SimulatorOptions o = mpi_plugin();
  o.library = "/nonexistent/lib.so";
  EXPECT_THROW(MpiPluginSimulator(o, 2, 8), SimulatorError);
  o = mpi_plugin();
  o.ranks_per_simulation = 0;
  EXPECT_THROW(MpiPluginSimulator(o, 2, 8), ConfigError);
}

}  // namespace
}  // namespace nsbi
