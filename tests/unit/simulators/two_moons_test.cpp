// two_moons against TASKS.md §8: invert x → p and check r ~ N(0.1, 0.01²), a ~ U(−π/2, π/2).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

struct Polar {
  double r, a;
};
// p = x − (−|θ1 + θ2|/√2, (−θ1 + θ2)/√2); (r, a) = polar coordinates of p − (0.25, 0).
Polar invert(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::VectorXd>& x) {
  const double px = x(0) + std::abs(theta(0) + theta(1)) / std::sqrt(2.0);
  const double py = x(1) - (-theta(0) + theta(1)) / std::sqrt(2.0);
  return {std::hypot(px - 0.25, py), std::atan2(py, px - 0.25)};
}

TEST(TwoMoonsTest, RadiusIsNormalAndAngleUniform) {
  const Task& task = find_task("two_moons");
  const Eigen::Vector2d theta(0.3, -0.7);
  const Eigen::Index n = 20000;
  const Eigen::MatrixXd x = test::simulate_repeatedly(task, theta, n);
  Eigen::ArrayXd r(n), a(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Polar p = invert(theta, x.col(j));
    r(j) = p.r, a(j) = p.a;
  }
  const double dn = static_cast<double>(n);
  EXPECT_NEAR(r.mean(), 0.1, 5 * 0.01 / std::sqrt(dn));
  EXPECT_NEAR(std::sqrt((r - r.mean()).square().mean()), 0.01, 5 * 0.01 / std::sqrt(2 * dn));
  EXPECT_GT(a.minCoeff(), -std::numbers::pi / 2);
  EXPECT_LT(a.maxCoeff(), std::numbers::pi / 2);
  // Kolmogorov–Smirnov against U(−π/2, π/2); 1.95/√n is the 0.001 critical value.
  std::vector<double> sorted(a.begin(), a.end());
  std::sort(sorted.begin(), sorted.end());
  double ks = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double cdf = sorted[i] / std::numbers::pi + 0.5;
    ks = std::max({ks, cdf - static_cast<double>(i) / dn, static_cast<double>(i + 1) / dn - cdf});
  }
  EXPECT_LT(ks, 1.95 / std::sqrt(dn));
  // r and a are independent: cov(r, a) ≈ 0 (se = sd_r·sd_a/√n).
  const double cov = ((r - r.mean()) * (a - a.mean())).mean();
  EXPECT_NEAR(cov, 0.0, 5 * 0.01 * (std::numbers::pi / std::sqrt(12.0)) / std::sqrt(dn));
}

// x depends on θ only through |θ1 + θ2| and θ2 − θ1, so (θ1, θ2) and (−θ2, −θ1) are
// indistinguishable: the source of the two posterior modes.
TEST(TwoMoonsTest, ReflectedThetaGivesIdenticalData) {
  const Task& task = find_task("two_moons");
  const Eigen::MatrixXd x1 = test::simulate_repeatedly(task, Eigen::Vector2d(0.3, -0.7), 50);
  const Eigen::MatrixXd x2 = test::simulate_repeatedly(task, Eigen::Vector2d(0.7, -0.3), 50);
  EXPECT_TRUE(x1.isApprox(x2, 1e-14));
  const Eigen::MatrixXd x3 = test::simulate_repeatedly(task, Eigen::Vector2d(0.3, -0.6), 50);
  EXPECT_FALSE(x1.isApprox(x3, 1e-3));
}

TEST(TwoMoonsTest, StoredObservationsArePlausible) {
  const Task& task = find_task("two_moons");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const Polar p = invert(theta, x_o);
    EXPECT_NEAR(p.r, 0.1, 0.03) << "obs " << k;  // 3 standard deviations of r
    EXPECT_LT(std::abs(p.a), std::numbers::pi / 2) << "obs " << k;
  }
}

}  // namespace
}  // namespace nsbi
