// slcp against TASKS.md §3: four iid points z_k ~ N(m(θ), Σ(θ)) in R².
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

// m = (θ1, θ2); s1 = θ3², s2 = θ4², ρ = tanh θ5; Σ = [[s1², ρ s1 s2], [ρ s1 s2, s2²]] + 1e-6·I.
Eigen::Vector2d slcp_mean(const Eigen::VectorXd& theta) { return theta.head(2); }
Eigen::Matrix2d slcp_covariance(const Eigen::VectorXd& theta) {
  const double s1 = theta(2) * theta(2), s2 = theta(3) * theta(3), rho = std::tanh(theta(4));
  Eigen::Matrix2d s;
  s << s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2;
  return s + 1e-6 * Eigen::Matrix2d::Identity();
}

TEST(SlcpTest, EachPointHasTheThetaMeanAndCovariance) {
  const Task& task = find_task("slcp");
  Eigen::VectorXd theta(5);
  theta << 0.5, -1.0, 1.2, -0.9, 0.7;
  const Eigen::Vector2d m = slcp_mean(theta);
  const Eigen::Matrix2d s = slcp_covariance(theta);
  const Eigen::Index n = 20000;
  const double dn = static_cast<double>(n);
  const Eigen::MatrixXd x = test::simulate_repeatedly(task, theta, n);
  const Eigen::MatrixXd c = x.colwise() - x.rowwise().mean();
  const Eigen::MatrixXd cov = c * c.transpose() / (dn - 1);  // 8×8
  for (int k = 0; k < 4; ++k) {
    for (int a = 0; a < 2; ++a) {
      EXPECT_NEAR(x.row(2 * k + a).mean(), m(a), 5 * std::sqrt(s(a, a) / dn)) << "point " << k << " coord " << a;
      for (int b = 0; b < 2; ++b) {
        const double se = std::sqrt((s(a, a) * s(b, b) + s(a, b) * s(a, b)) / dn);
        EXPECT_NEAR(cov(2 * k + a, 2 * k + b), s(a, b), 5 * se) << "point " << k;
      }
    }
    // Points are independent: the cross-covariance blocks vanish.
    for (int l = 0; l < k; ++l)
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          EXPECT_NEAR(cov(2 * k + a, 2 * l + b), 0.0, 5 * std::sqrt(s(a, a) * s(b, b) / dn)) << k << "," << l;
  }
}

// θ3 and θ4 enter only squared: flipping their signs leaves x unchanged (the four modes).
TEST(SlcpTest, SignsOfTheta3AndTheta4AreUnidentifiable) {
  const Task& task = find_task("slcp");
  Eigen::VectorXd theta(5);
  theta << -2.0, 1.0, 0.8, 1.5, -1.1;
  Eigen::VectorXd flipped = theta;
  flipped(2) = -flipped(2), flipped(3) = -flipped(3);
  EXPECT_TRUE(test::simulate_repeatedly(task, theta, 20).isApprox(test::simulate_repeatedly(task, flipped, 20), 1e-14));
}

// Σ_k (z_k − m)ᵀ Σ⁻¹ (z_k − m) ~ χ²(8) when x_o was simulated at θ*.
TEST(SlcpTest, StoredObservationsArePlausible) {
  const Task& task = find_task("slcp");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const Eigen::Matrix2d inv = slcp_covariance(theta).inverse();
    double chi2 = 0;
    for (int p = 0; p < 4; ++p) {
      const Eigen::Vector2d d = x_o.segment(2 * p, 2) - slcp_mean(theta);
      chi2 += d.dot(inv * d);
    }
    EXPECT_LT(chi2, 26.12) << "obs " << k;  // χ²(8) 0.999 quantile
  }
}

}  // namespace
}  // namespace nsbi
