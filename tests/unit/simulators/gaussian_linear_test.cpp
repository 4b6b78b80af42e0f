// gaussian_linear and gaussian_linear_uniform against TASKS.md §1–2: x − θ ~ N(0, 0.1·I).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

constexpr double kNoiseVariance = 0.1;
constexpr double kChi2Dof10Quantile999 = 29.59;  // χ²(10) 0.999 quantile

void expect_noise_is_isotropic_normal(const Task& task) {
  const Eigen::VectorXd theta = task.make_prior()->sample(3, StreamId::proposal, 0, 0, 1).col(0);
  const Eigen::Index n = 20000;
  const double dn = static_cast<double>(n);
  const Eigen::MatrixXd x = test::simulate_repeatedly(task, theta, n);
  const Eigen::MatrixXd e = x.colwise() - theta;
  const Eigen::VectorXd mean = e.rowwise().mean();
  const Eigen::MatrixXd c = e.colwise() - mean;
  const Eigen::MatrixXd cov = c * c.transpose() / (dn - 1);
  for (int i = 0; i < task.x_dim; ++i) {
    EXPECT_NEAR(mean(i), 0.0, 5 * std::sqrt(kNoiseVariance / dn)) << "dimension " << i;
    // Normal: se(variance) = σ²·√(2/n); se(covariance) = σ²/√n.
    EXPECT_NEAR(cov(i, i), kNoiseVariance, 5 * kNoiseVariance * std::sqrt(2 / dn)) << "dimension " << i;
    for (int k = 0; k < i; ++k) EXPECT_NEAR(cov(i, k), 0.0, 5 * kNoiseVariance / std::sqrt(dn)) << i << "," << k;
  }
  // Fourth moment of a normal: E e⁴ = 3σ⁴ (rules out, e.g., uniform noise of the same variance).
  const double m4 = c.row(0).array().pow(4).mean();
  EXPECT_NEAR(m4, 3 * kNoiseVariance * kNoiseVariance, 5 * std::sqrt(96.0 / dn) * kNoiseVariance * kNoiseVariance);
}

// Σ_i (x_o − θ*)_i² / 0.1 ~ χ²(10) when x_o was simulated at θ*.
void expect_stored_observations_plausible(const std::string& name) {
  const Task& task = find_task(name);
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    EXPECT_LT((x_o - theta).squaredNorm() / kNoiseVariance, kChi2Dof10Quantile999) << "obs " << k;
  }
}

TEST(GaussianLinearTest, NoiseHasMeanZeroVarianceOneTenth) { expect_noise_is_isotropic_normal(find_task("gaussian_linear")); }

TEST(GaussianLinearTest, PriorIsNormalWithVarianceOneTenth) {
  const auto prior = find_task("gaussian_linear").make_prior();
  EXPECT_EQ(prior->dim(), 10);
  EXPECT_FALSE(prior->bounded());
  EXPECT_TRUE(prior->mean().isZero(0.0));
  EXPECT_TRUE(prior->stddev().isApprox(Eigen::VectorXd::Constant(10, std::sqrt(0.1))));
  // log N(θ; 0, 0.1·I) = −5·log(2π·0.1) − ‖θ‖²/(2·0.1)
  const Eigen::VectorXd theta = Eigen::VectorXd::LinSpaced(10, -0.5, 0.4);
  EXPECT_NEAR(prior->log_prob(theta)(0), -5 * std::log(2 * std::numbers::pi * 0.1) - theta.squaredNorm() / 0.2, 1e-12);
  for (int k = 1; k <= test::kNumStoredObservations; ++k)  // θ* ~ prior: ‖θ*‖²/0.1 ~ χ²(10)
    EXPECT_LT(test::read_observation_row("gaussian_linear", k, "true_parameters.csv").squaredNorm() / 0.1,
              kChi2Dof10Quantile999);
}

TEST(GaussianLinearTest, StoredObservationsArePlausible) { expect_stored_observations_plausible("gaussian_linear"); }

TEST(GaussianLinearUniformTest, NoiseHasMeanZeroVarianceOneTenth) {
  expect_noise_is_isotropic_normal(find_task("gaussian_linear_uniform"));
}

TEST(GaussianLinearUniformTest, PriorIsTheBoxMinusOneOne) {
  const auto prior = find_task("gaussian_linear_uniform").make_prior();
  EXPECT_TRUE(prior->bounded());
  EXPECT_EQ(prior->lower(), Eigen::VectorXd::Constant(10, -1.0));
  EXPECT_EQ(prior->upper(), Eigen::VectorXd::Constant(10, 1.0));
  EXPECT_NEAR(prior->log_prob(Eigen::VectorXd::Zero(10))(0), -10 * std::log(2.0), 1e-12);
}

TEST(GaussianLinearUniformTest, StoredObservationsArePlausible) {
  expect_stored_observations_plausible("gaussian_linear_uniform");
}

}  // namespace
}  // namespace nsbi
