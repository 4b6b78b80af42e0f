// sir against TASKS.md §9: the solver's I(t)/N against a fixed-step RK4 written here (step
// 1/200 day, error far below the solver's 1e-8 tolerance) and a closed-form early-time limit;
// the counts are Binomial(1000, I/N); a failed integration gives status non_finite.
#include "workers/simulators/sir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

// Classical RK4 on (S, I, R) with step h, read at kSirTimes (integers, multiples of h).
std::array<double, 10> rk4_infected_fraction(double beta, double gamma, double h = 0.005) {
  constexpr double n = 1e6;
  using V = std::array<double, 3>;
  const auto f = [&](const V& u) {
    const double inf = beta * u[0] * u[1] / n;
    return V{-inf, inf - gamma * u[1], gamma * u[1]};
  };
  const auto axpy = [](const V& u, double a, const V& k) { return V{u[0] + a * k[0], u[1] + a * k[1], u[2] + a * k[2]}; };
  V u{n - 1, 1, 0};
  std::array<double, 10> out{};
  double t = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    const int steps = static_cast<int>(std::lround((kSirTimes[k] - t) / h));
    for (int s = 0; s < steps; ++s) {
      const V k1 = f(u), k2 = f(axpy(u, h / 2, k1)), k3 = f(axpy(u, h / 2, k2)), k4 = f(axpy(u, h, k3));
      for (int i = 0; i < 3; ++i) u[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    t = kSirTimes[k];
    out[k] = u[1] / n;
  }
  return out;
}

TEST(SirTest, SolutionMatchesFineRk4) {
  for (const auto& [beta, gamma] : std::vector<std::array<double, 2>>{{0.4, 0.125}, {0.8, 0.1}, {0.25, 0.15}, {0.1, 0.2}}) {
    std::array<double, 10> solver;
    ASSERT_TRUE(sir_infected_fraction(beta, gamma, solver)) << beta << "," << gamma;
    const std::array<double, 10> reference = rk4_infected_fraction(beta, gamma);
    for (std::size_t k = 0; k < 10; ++k)
      EXPECT_NEAR(solver[k], reference[k], 1e-6 * reference[k] + 1e-13) << "β " << beta << " γ " << gamma << " t " << kSirTimes[k];
  }
}

// While S ≈ N the infected grow as I(t) = exp((β − γ)t): at t = 17 the depletion of S is
// ~ I/N ≈ 1e-4, so the closed form holds to that relative accuracy.
TEST(SirTest, EarlyGrowthIsExponential) {
  std::array<double, 10> f;
  ASSERT_TRUE(sir_infected_fraction(0.3, 0.1, f));
  EXPECT_DOUBLE_EQ(f[0], 1e-6);
  EXPECT_NEAR(f[1], std::exp(0.2 * 17) / 1e6, 2e-4 * std::exp(0.2 * 17) / 1e6);
}

TEST(SirTest, CountsAreBinomialInTheInfectedFraction) {
  const Eigen::Vector2d theta(0.4, 0.125);
  const Eigen::Index n = 5000;
  const double dn = static_cast<double>(n);
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("sir"), theta, n);
  EXPECT_TRUE((x.array() >= 0 && x.array() <= 1000 && x.array() == x.array().round()).all());
  const std::array<double, 10> p = rk4_infected_fraction(theta(0), theta(1));
  for (int k = 0; k < 10; ++k) {
    const double mean = 1000 * p[static_cast<std::size_t>(k)], var = mean * (1 - p[static_cast<std::size_t>(k)]);
    EXPECT_NEAR(x.row(k).mean(), mean, 5 * std::sqrt(var / dn) + 1e-9) << "t " << kSirTimes[static_cast<std::size_t>(k)];
    const double sample_var = (x.row(k).array() - x.row(k).mean()).square().sum() / (dn - 1);
    EXPECT_NEAR(sample_var, var, 5 * var * std::sqrt(2 / dn) + 0.01) << "t " << kSirTimes[static_cast<std::size_t>(k)];
  }
}

// Inside the prior the SIR solution is bounded by N and never fails; a negative recovery rate
// (γ = −50, outside the prior) makes I grow as e^{50t} until it overflows: the integration
// fails and the simulation is reported non_finite (sbibm's NaN rows), its neighbours ok.
TEST(SirTest, FailedIntegrationIsNonFinite) {
  std::array<double, 10> f;
  EXPECT_FALSE(sir_infected_fraction(0.4, -50, f));
  Eigen::MatrixXd theta(2, 3);
  theta << 0.4, 0.4, 0.3,  //
      0.125, -50, 0.1;
  const auto [x, status] = test::simulate_columns(find_task("sir"), theta);
  EXPECT_EQ(status, (std::vector<SimStatus>{SimStatus::ok, SimStatus::non_finite, SimStatus::ok}));
  EXPECT_TRUE(x.col(1).array().isNaN().all());
}

TEST(SirTest, PriorIsLogNormal) {
  const auto prior = find_task("sir").make_prior();
  EXPECT_EQ(prior->lower(), Eigen::Vector2d(0, 0));
  EXPECT_FALSE(prior->bounded());
  // E θ = exp(m + s²/2)
  EXPECT_TRUE(prior->mean().isApprox(Eigen::Vector2d(0.4 * std::exp(0.125), 0.125 * std::exp(0.02)), 1e-12));
  EXPECT_EQ(prior->log_prob(Eigen::Vector2d(-0.1, 0.1))(0), -INFINITY);
}

// Σ_k (x_k − 1000p_k)² / max(1000p_k(1 − p_k), 1) below the χ²(10) 0.999 quantile at θ*.
TEST(SirTest, StoredObservationsArePlausible) {
  const Task& task = find_task("sir");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const std::array<double, 10> p = rk4_infected_fraction(theta(0), theta(1));
    double chi2 = 0;
    for (int t = 0; t < 10; ++t) {
      const double pt = p[static_cast<std::size_t>(t)], mean = 1000 * pt;
      chi2 += (x_o(t) - mean) * (x_o(t) - mean) / std::max(mean * (1 - pt), 1.0);
    }
    EXPECT_LT(chi2, 29.59) << "obs " << k;
  }
}

}  // namespace
}  // namespace nsbi
