// bernoulli_glm and bernoulli_glm_raw against TASKS.md §5–6: the design is the lagged shared
// stimulus; the prior precision is the spec's; at a fixed θ the spikes have frequencies
// σ(X·θ) and the summaries mean Xᵀσ(X·θ) and covariance Xᵀ diag(p(1−p)) X; raw and summary
// data are the same draws.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "nsbi/prior/gaussian.hpp"
#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"
#include "workers/simulators/bernoulli_glm.hpp"

namespace nsbi {
namespace {

// X[t, 0] = 1, X[t, j + 1] = I_{t−j} for t ≥ j, else 0 — from the shared stimulus file.
Eigen::MatrixXd design_from_stimulus() {
  const Eigen::VectorXd stimulus = test::read_shared_constant("bernoulli_glm_stimulus_I.csv").col(1);
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(100, 10);
  for (int t = 0; t < 100; ++t) {
    x(t, 0) = 1;
    for (int j = 0; j <= 8 && j <= t; ++j) x(t, j + 1) = stimulus(t - j);
  }
  return x;
}

// Precision: 0.5 for the offset, FᵀF for the filter, F = D² + diag(√(i/9)) where D² has
// 1, −2, 1 on the diagonal and the first two sub-diagonals.
Eigen::MatrixXd prior_precision() {
  Eigen::MatrixXd f = Eigen::MatrixXd::Zero(9, 9);
  for (int i = 0; i < 9; ++i) {
    f(i, i) = 1 + std::sqrt(i / 9.0);
    if (i >= 1) f(i, i - 1) = -2;
    if (i >= 2) f(i, i - 2) = 1;
  }
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(10, 10);
  p(0, 0) = 0.5;
  p.bottomRightCorner(9, 9) = f.transpose() * f;
  return p;
}

Eigen::VectorXd spike_probability(const Eigen::VectorXd& theta) {
  return (1.0 / (1.0 + (-(design_from_stimulus() * theta).array()).exp())).matrix();
}

Eigen::VectorXd test_theta() {
  Eigen::VectorXd theta(10);
  theta << -1.0, 0.8, 0.5, 0.2, -0.1, -0.3, -0.2, 0.0, 0.1, 0.05;
  return theta;
}

TEST(BernoulliGlmTest, DesignIsTheLaggedSharedStimulus) {
  EXPECT_TRUE(bernoulli_glm_design().isApprox(design_from_stimulus(), 1e-7));
  EXPECT_TRUE(bernoulli_glm_design().isApprox(test::read_shared_constant("bernoulli_glm_design_matrix.csv"), 1e-15));
}

TEST(BernoulliGlmTest, PriorHasTheSmoothnessPrecision) {
  for (const char* name : {"bernoulli_glm", "bernoulli_glm_raw"}) {
    const auto prior = find_task(name).make_prior();
    const auto* g = dynamic_cast<const Gaussian*>(prior.get());
    ASSERT_NE(g, nullptr) << name;
    const Eigen::MatrixXd p = prior_precision();
    EXPECT_TRUE((g->covariance() * p).isApprox(Eigen::MatrixXd::Identity(10, 10), 1e-10)) << name;
    EXPECT_TRUE(g->mean().isZero(0.0));
    EXPECT_FALSE(prior->bounded());
    // log N(θ; 0, P⁻¹) = −½θᵀPθ + ½ log det P − 5 log 2π
    const Eigen::VectorXd theta = test_theta();
    const double expected = -0.5 * theta.dot(p * theta) + 0.5 * std::log(p.determinant()) - 5 * std::log(2 * std::numbers::pi);
    EXPECT_NEAR(prior->log_prob(theta)(0), expected, 1e-9) << name;
  }
}

TEST(BernoulliGlmTest, SummariesHaveTheGlmMeanAndCovariance) {
  const Eigen::Index n = 20000;
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("bernoulli_glm"), test_theta(), n);
  const Eigen::MatrixXd design = design_from_stimulus();
  const Eigen::ArrayXd p = spike_probability(test_theta()).array();
  const Eigen::VectorXd mean = design.transpose() * p.matrix();
  const Eigen::MatrixXd cov = design.transpose() * (p * (1 - p)).matrix().asDiagonal() * design;
  // n·(x̄ − μ)ᵀ Σ⁻¹ (x̄ − μ) ~ χ²(10); 29.59 is its 0.999 quantile.
  const Eigen::VectorXd diff = x.rowwise().mean() - mean;
  EXPECT_LT(static_cast<double>(n) * diff.dot(cov.ldlt().solve(diff)), 29.59);
  const Eigen::MatrixXd c = x.colwise() - x.rowwise().mean();
  const Eigen::MatrixXd sample_cov = c * c.transpose() / static_cast<double>(n - 1);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(sample_cov(i, i), cov(i, i), 0.05 * cov(i, i)) << "variance " << i;
  EXPECT_NEAR(sample_cov(0, 1), cov(0, 1), 0.05 * std::sqrt(cov(0, 0) * cov(1, 1)));
}

TEST(BernoulliGlmRawTest, SpikesAreBernoulliWithTheSigmoidRate) {
  const Eigen::Index n = 20000;
  const Eigen::MatrixXd y = test::simulate_repeatedly(find_task("bernoulli_glm_raw"), test_theta(), n);
  EXPECT_TRUE((y.array() == 0 || y.array() == 1).all());
  const Eigen::VectorXd p = spike_probability(test_theta());
  const double dn = static_cast<double>(n);
  for (int t = 0; t < 100; ++t) EXPECT_NEAR(y.row(t).mean(), p(t), 5 * std::sqrt(p(t) * (1 - p(t)) / dn) + 1e-12) << "bin " << t;
  // Bins are independent: correlation of neighbours ≈ 0 (se 1/√n).
  const Eigen::MatrixXd c = y.colwise() - y.rowwise().mean();
  for (int t = 0; t + 1 < 100; t += 11) {
    const double corr = c.row(t).dot(c.row(t + 1)) / (c.row(t).norm() * c.row(t + 1).norm());
    EXPECT_NEAR(corr, 0.0, 5 / std::sqrt(dn)) << "bins " << t << "," << t + 1;
  }
}

TEST(BernoulliGlmRawTest, SummaryTaskIsXTransposeOfTheSameSpikes) {
  const Eigen::MatrixXd y = test::simulate_repeatedly(find_task("bernoulli_glm_raw"), test_theta(), 100);
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("bernoulli_glm"), test_theta(), 100);
  EXPECT_TRUE(x.isApprox(design_from_stimulus().transpose() * y, 1e-6));
}

// Raw observations are binary and Xᵀy_o is bernoulli_glm's x_o; the Bernoulli log likelihood of
// y_o at θ* is within 4 standard deviations of its mean.
TEST(BernoulliGlmRawTest, StoredObservationsArePlausible) {
  const Task& task = find_task("bernoulli_glm_raw");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, y] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    EXPECT_TRUE((y.array() == 0 || y.array() == 1).all()) << "obs " << k;
    const Eigen::VectorXd x_o = test::read_observation_row("bernoulli_glm", k, "observation.csv");
    EXPECT_TRUE((design_from_stimulus().transpose() * y).isApprox(x_o, 1e-5)) << "obs " << k;
    EXPECT_TRUE(theta.isApprox(test::read_observation_row("bernoulli_glm", k, "true_parameters.csv"))) << "obs " << k;
    const Eigen::ArrayXd p = spike_probability(theta).array();
    const Eigen::ArrayXd logit = (p / (1 - p)).log();
    const double ll = (y.array() * p.log() + (1 - y.array()) * (1 - p).log()).sum();
    const double mean = (p * p.log() + (1 - p) * (1 - p).log()).sum();
    const double sd = std::sqrt((p * (1 - p) * logit * logit).sum());
    EXPECT_NEAR(ll, mean, 4 * sd) << "obs " << k;
  }
}

}  // namespace
}  // namespace nsbi
