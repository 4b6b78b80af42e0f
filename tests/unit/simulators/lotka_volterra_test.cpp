// lotka_volterra against TASKS.md §10: the solver's populations against a fixed-step RK4
// written here (step 10⁻⁴) and the conserved quantity V = δX − γ log X + βY − α log Y of the
// exact flow; log x − log clamp(u, 1e-10, 1e4) ~ N(0, 0.1²); a failed integration gives
// status non_finite.
#include "workers/simulators/lotka_volterra.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

using Theta = std::array<double, 4>;

std::array<double, 20> rk4_populations(const Theta& th, double h = 1e-4) {
  using V = std::array<double, 2>;
  const auto f = [&](const V& u) { return V{th[0] * u[0] - th[1] * u[0] * u[1], -th[2] * u[1] + th[3] * u[0] * u[1]}; };
  V u{30, 1};
  std::array<double, 20> out{};
  double t = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    const int steps = static_cast<int>(std::lround((kLotkaVolterraTimes[k] - t) / h));
    for (int s = 0; s < steps; ++s) {
      const V k1 = f(u), k2 = f({u[0] + h / 2 * k1[0], u[1] + h / 2 * k1[1]}), k3 = f({u[0] + h / 2 * k2[0], u[1] + h / 2 * k2[1]}),
              k4 = f({u[0] + h * k3[0], u[1] + h * k3[1]});
      for (int i = 0; i < 2; ++i) u[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    t = kLotkaVolterraTimes[k];
    out[k] = u[0], out[k + 10] = u[1];
  }
  return out;
}

const std::vector<Theta> kThetas{{0.88, 0.05, 0.88, 0.05}, {0.6, 0.03, 1.2, 0.08}, {1.5, 0.1, 0.5, 0.02}};

TEST(LotkaVolterraTest, SolutionMatchesFineRk4) {
  for (const Theta& th : kThetas) {
    std::array<double, 20> solver;
    ASSERT_TRUE(lotka_volterra_populations(th, solver));
    const std::array<double, 20> reference = rk4_populations(th);
    for (std::size_t i = 0; i < 20; ++i)
      EXPECT_NEAR(solver[i], reference[i], 1e-5 * reference[i] + 1e-9) << "α " << th[0] << " value " << i;
  }
}

TEST(LotkaVolterraTest, SolutionConservesTheFirstIntegral) {
  for (const Theta& th : kThetas) {
    std::array<double, 20> u;
    ASSERT_TRUE(lotka_volterra_populations(th, u));
    const auto v = [&](double x, double y) { return th[3] * x - th[2] * std::log(x) + th[1] * y - th[0] * std::log(y); };
    const double v0 = v(30, 1);
    for (std::size_t k = 0; k < 10; ++k) EXPECT_NEAR(v(u[k], u[k + 10]), v0, 1e-6 * std::abs(v0)) << "t " << kLotkaVolterraTimes[k];
  }
}

TEST(LotkaVolterraTest, NoiseIsLogNormalAroundTheClampedSolution) {
  const Theta th = kThetas[0];
  const Eigen::Index n = 20000;
  const double dn = static_cast<double>(n);
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("lotka_volterra"), Eigen::Map<const Eigen::Vector4d>(th.data()), n);
  const std::array<double, 20> u = rk4_populations(th);
  for (int i = 0; i < 20; ++i) {
    const Eigen::ArrayXd e = x.row(i).array().log() - std::log(u[static_cast<std::size_t>(i)]);
    EXPECT_NEAR(e.mean(), 0.0, 5 * 0.1 / std::sqrt(dn)) << "value " << i;
    EXPECT_NEAR(std::sqrt((e - e.mean()).square().mean()), 0.1, 5 * 0.1 / std::sqrt(2 * dn)) << "value " << i;
  }
}

// Prey without predators grows as 30·e^{αt} far beyond 1e4: the noise is centred on the clamp.
TEST(LotkaVolterraTest, LargePopulationsAreClampedAt1e4) {
  const Theta th{1.0, 1e-3, 1.0, 1e-9};
  ASSERT_GT(rk4_populations(th, 1e-3)[9], 1e6);
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("lotka_volterra"), Eigen::Map<const Eigen::Vector4d>(th.data()), 4000);
  EXPECT_NEAR(x.row(9).array().log().mean(), std::log(1e4), 5 * 0.1 / std::sqrt(4000.0));
}

// α = 1000 (prey growth by e^{1000t} until predators with δ = 1e-12 catch up) drives the
// populations through extremes the solver cannot follow within its step budget: the
// integration fails and the simulation is reported non_finite, its neighbours ok.
TEST(LotkaVolterraTest, FailedIntegrationIsNonFinite) {
  std::array<double, 20> u;
  EXPECT_FALSE(lotka_volterra_populations({1000, 1e-12, 1, 1e-12}, u));
  Eigen::MatrixXd theta(4, 3);
  theta.col(0) << 0.88, 0.05, 0.88, 0.05;
  theta.col(1) << 1000, 1e-12, 1, 1e-12;
  theta.col(2) << 0.6, 0.03, 1.2, 0.08;
  const auto [x, status] = test::simulate_columns(find_task("lotka_volterra"), theta);
  EXPECT_EQ(status, (std::vector<SimStatus>{SimStatus::ok, SimStatus::non_finite, SimStatus::ok}));
  EXPECT_TRUE(x.col(1).array().isNaN().all());
}

TEST(LotkaVolterraTest, PriorIsLogNormal) {
  const auto prior = find_task("lotka_volterra").make_prior();
  EXPECT_EQ(prior->lower(), Eigen::Vector4d::Zero());
  const double m1 = std::exp(-0.125 + 0.125), m2 = std::exp(-3 + 0.125);  // exp(m + s²/2), s = 0.5
  EXPECT_TRUE(prior->mean().isApprox(Eigen::Vector4d(m1, m2, m1, m2), 1e-12));
  EXPECT_EQ(prior->log_prob(Eigen::Vector4d(1, -1, 1, 1))(0), -INFINITY);
}

// Σ_i (log x_o,i − log clamp(u_i))² / 0.1² ~ χ²(20) at θ*; 45.31 is its 0.999 quantile.
TEST(LotkaVolterraTest, StoredObservationsArePlausible) {
  const Task& task = find_task("lotka_volterra");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const std::array<double, 20> u = rk4_populations({theta(0), theta(1), theta(2), theta(3)});
    double chi2 = 0;
    for (int i = 0; i < 20; ++i) {
      const double e = std::log(x_o(i)) - std::log(std::clamp(u[static_cast<std::size_t>(i)], 1e-10, 1e4));
      chi2 += e * e / 0.01;
    }
    EXPECT_LT(chi2, 45.31) << "obs " << k;
  }
}

}  // namespace
}  // namespace nsbi
