// gaussian_mixture against TASKS.md §7: e = x − θ is ½N(0, I) + ½N(0, 0.01·I) with one
// component for both coordinates: mean 0, variance 0.505, E[e₁²e₂²] = ½(1 + 10⁻⁴) (0.255 if
// the coordinates picked components independently), and |e|² has the CDF
// ½(1 − exp(−r/2)) + ½(1 − exp(−r/0.02)).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

TEST(GaussianMixtureTest, NoiseHasTheMixtureMoments) {
  const Eigen::Vector2d theta(3.0, -7.5);
  const Eigen::Index n = 50000;
  const double dn = static_cast<double>(n);
  const Eigen::ArrayXXd e = (test::simulate_repeatedly(find_task("gaussian_mixture"), theta, n).colwise() - theta).array();
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(e.row(i).mean(), 0.0, 5 * std::sqrt(0.505 / dn)) << "coord " << i;
    // Var(e²) = E e⁴ − 0.505², E e⁴ = ½·3 + ½·3·10⁻⁴.
    EXPECT_NEAR(e.row(i).square().mean(), 0.505, 5 * std::sqrt((1.50015 - 0.505 * 0.505) / dn)) << "coord " << i;
  }
  // E[e₁²e₂²] = ½·1 + ½·10⁻⁴; Var = ½·9 + ½·9·10⁻⁸ − 0.50005².
  const double cross = (e.row(0).square() * e.row(1).square()).mean();
  EXPECT_NEAR(cross, 0.50005, 5 * std::sqrt((4.5 - 0.50005 * 0.50005) / dn));
  std::vector<double> r(static_cast<std::size_t>(n));
  for (Eigen::Index j = 0; j < n; ++j) r[static_cast<std::size_t>(j)] = e.col(j).square().sum();
  std::sort(r.begin(), r.end());
  double ks = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double f = 0.5 * (1 - std::exp(-r[i] / 2)) + 0.5 * (1 - std::exp(-r[i] / 0.02));
    ks = std::max({ks, f - static_cast<double>(i) / dn, static_cast<double>(i + 1) / dn - f});
  }
  EXPECT_LT(ks, 1.95 / std::sqrt(dn));  // KS 0.001 critical value
}

TEST(GaussianMixtureTest, PriorIsTheBoxMinusTenTen) {
  const auto prior = find_task("gaussian_mixture").make_prior();
  EXPECT_EQ(prior->lower(), Eigen::Vector2d(-10, -10));
  EXPECT_EQ(prior->upper(), Eigen::Vector2d(10, 10));
  EXPECT_NEAR(prior->log_prob(Eigen::Vector2d(9.9, -3))(0), -2 * std::log(20.0), 1e-12);
  EXPECT_EQ(prior->log_prob(Eigen::Vector2d(10.1, 0))(0), -INFINITY);
}

// |x_o − θ*|²/σ_k² ~ χ²(2) under the component that generated x_o; 13.82 is its 0.999 quantile.
TEST(GaussianMixtureTest, StoredObservationsArePlausible) {
  const Task& task = find_task("gaussian_mixture");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const double d2 = (x_o - theta).squaredNorm();
    EXPECT_LT(std::min(d2, d2 / 0.01), 13.82) << "obs " << k;
  }
}

}  // namespace
}  // namespace nsbi
