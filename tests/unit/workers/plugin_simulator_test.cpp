// PluginSimulator with the example plugin examples/plugins/two_moons_plugin.c (built by CMake).
#include "nsbi/simulator/plugin_simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

const std::string kPlugin = NSBI_BINARY_DIR "/examples/two_moons_plugin.so";

SimulatorOptions plugin(std::string library, std::string symbol = "nsbi_simulate") {
  SimulatorOptions o;
  o.kind = SimulatorKind::plugin;
  o.library = std::move(library);
  o.symbol = std::move(symbol);
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SimulatorError& e) {
    return e.what();
  }
  return "no SimulatorError";
}

TEST(PluginSimulatorTest, TwoMoonsPluginFollowsTheTaskSpec) {
  PluginSimulator sim(plugin(kPlugin), 2, 2);
  EXPECT_EQ(sim.name(), "plugin simulator '" + kPlugin + "' (symbol nsbi_simulate)");
  const int n = 4000;
  Eigen::MatrixXd theta(2, n), x(2, n);
  std::vector<std::uint64_t> seeds(n);
  std::vector<SimStatus> status(n);
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> prior(-1, 1);
  for (int j = 0; j < n; ++j) {
    theta(0, j) = prior(gen);
    theta(1, j) = prior(gen);
    seeds[static_cast<std::size_t>(j)] = gen();
  }
  sim.simulate(theta, seeds, x, status);
  // p = x - (-|θ1+θ2|/√2, (-θ1+θ2)/√2) - (0.25, 0) = r (cos a, sin a), a ~ U(-π/2, π/2), r ~ N(0.1, 0.01²).
  double sum_r = 0, sum_r2 = 0, sum_a = 0, sum_a2 = 0;
  for (int j = 0; j < n; ++j) {
    ASSERT_EQ(status[static_cast<std::size_t>(j)], SimStatus::ok);
    const double p0 = x(0, j) + std::fabs(theta(0, j) + theta(1, j)) / std::numbers::sqrt2 - 0.25;
    const double p1 = x(1, j) - (-theta(0, j) + theta(1, j)) / std::numbers::sqrt2;
    const double r = std::hypot(p0, p1), a = std::atan2(p1, p0);
    sum_r += r;
    sum_r2 += r * r;
    sum_a += a;
    sum_a2 += a * a;
  }
  const double mean_r = sum_r / n, sd_r = std::sqrt(sum_r2 / n - mean_r * mean_r);
  const double mean_a = sum_a / n, var_a = sum_a2 / n - mean_a * mean_a;
  EXPECT_NEAR(mean_r, 0.1, 4 * 0.01 / std::sqrt(n));
  EXPECT_NEAR(sd_r, 0.01, 0.0005);
  const double pi = std::numbers::pi;
  EXPECT_NEAR(mean_a, 0.0, 4 * pi / std::sqrt(12.0 * n));
  EXPECT_NEAR(var_a, pi * pi / 12, 0.05 * pi * pi / 12);  // Var U(-π/2, π/2) = π²/12

  // Deterministic in the seed.
  Eigen::MatrixXd x2(2, 2);
  std::vector<SimStatus> st2(2);
  std::vector<std::uint64_t> s2{seeds[0], seeds[1]};
  sim.simulate(theta.leftCols(2), s2, x2, st2);
  EXPECT_EQ(x2, x.leftCols(2));
}

TEST(PluginSimulatorTest, NonZeroReturnIsError) {
  PluginSimulator sim(plugin(kPlugin), 3, 2);  // the plugin rejects theta_dim 3
  Eigen::MatrixXd theta = Eigen::MatrixXd::Zero(3, 1), x(2, 1);
  std::vector<std::uint64_t> seeds{1};
  std::vector<SimStatus> status(1);
  sim.simulate(theta, seeds, x, status);
  EXPECT_EQ(status[0], SimStatus::error);
  EXPECT_EQ(sim.message(0), "returned 1");
  EXPECT_TRUE(std::isnan(x(0, 0)));
}

TEST(PluginSimulatorTest, MissingLibraryNamesPathAndDlerror) {
  const std::string what = error_of([] { PluginSimulator s(plugin("/nonexistent/libsim.so"), 2, 2); });
  EXPECT_NE(what.find("/nonexistent/libsim.so"), std::string::npos) << what;
  EXPECT_NE(what.find("No such file"), std::string::npos) << what;  // from dlerror()
}

TEST(PluginSimulatorTest, MissingSymbolNamesPathSymbolAndDlerror) {
  const std::string what = error_of([] { PluginSimulator s(plugin(kPlugin, "my_simulate"), 2, 2); });
  EXPECT_NE(what.find(kPlugin), std::string::npos) << what;
  EXPECT_NE(what.find("symbol my_simulate"), std::string::npos) << what;
  EXPECT_NE(what.find("undefined symbol"), std::string::npos) << what;  // from dlerror()
}

TEST(PluginSimulatorTest, BadOptionsAreConfigErrors) {
  EXPECT_THROW(PluginSimulator(plugin(""), 2, 2), ConfigError);
  EXPECT_THROW(PluginSimulator(plugin(kPlugin), 0, 2), ConfigError);
}

}  // namespace
}  // namespace nsbi
