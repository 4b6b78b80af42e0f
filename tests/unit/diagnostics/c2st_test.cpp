#include "nsbi/diagnostics/c2st.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "../nn/gradient_check.hpp"
#include "c2st_test_data.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/io/csv.hpp"

using namespace nsbi;
using c2st_testing::gaussian;

namespace {

// Accuracy of the Bayes classifier between N(0, I) and N(Δ, I) with equal priors: Φ(‖Δ‖/2).
double bayes_accuracy(double distance) { return 0.5 * std::erfc(-distance / 2 / std::sqrt(2.0)); }

}  // namespace

// Over seeds, equal samples give C2ST 0.500 ± 0.005 (sd) at D = 2 with 5000 per side, and
// about 0.50 ± 0.01 at D = 5 with 2000 per side (the 50-unit classifier memorises its training folds
// for hundreds of epochs there, so larger D = 5 samples would make this test slow).
TEST(C2stTest, SameGaussianIsChanceLevelD2) {
  const double a = c2st(gaussian(2, 5000, 0, 1), gaussian(2, 5000, 0, 2));
  EXPECT_NEAR(a, 0.5, 0.02);
}

TEST(C2stTest, SameGaussianIsChanceLevelD5) {
  const double a = c2st(gaussian(5, 2000, 0, 3), gaussian(5, 2000, 0, 4));
  EXPECT_NEAR(a, 0.5, 0.03);
}

TEST(C2stTest, WellSeparatedGaussiansApproachBayesAccuracy) {
  // Means 3σ apart in each of 2 coordinates: ‖Δ‖ = 3√2, Bayes accuracy Φ(2.12) = 0.983.
  const double a = c2st(gaussian(2, 2000, 0, 5), gaussian(2, 2000, 3, 6));
  EXPECT_GT(a, 0.95);
  EXPECT_LT(a, bayes_accuracy(3 * std::sqrt(2.0)) + 0.01);
}

TEST(C2stTest, ModerateShiftIsBetweenChanceAndSeparable) {
  // Means 1σ apart in one coordinate: Bayes accuracy Φ(0.5) = 0.691.
  Eigen::MatrixXd shifted = gaussian(2, 2000, 0, 8);
  shifted.row(0).array() += 1.0;
  const double a = c2st(gaussian(2, 2000, 0, 7), shifted);
  EXPECT_NEAR(a, bayes_accuracy(1.0), 0.03);
}

TEST(C2stTest, TwoMoonsReferenceHalvesAreIndistinguishable) {
  const std::string path = std::string(NSBI_SHARED_DIR) + "/sbibm/two_moons/obs1/reference_posterior_samples.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  const Eigen::MatrixXd s = read_csv(path).rows.transpose();
  ASSERT_EQ(s.rows(), 2);
  const Eigen::Index half = s.cols() / 2;
  const C2stResult r = c2st_detailed(s.leftCols(half), s.rightCols(s.cols() - half));
  EXPECT_NEAR(r.accuracy, 0.5, 0.02);
  EXPECT_EQ(r.n_reference, half);
}

TEST(C2stTest, BatchLossGradientMatchesFiniteDifferences) {
  nn::Mlp<double> net({3, 6, 6, 1}, nn::Activation::relu, 5, /*glorot=*/true);
  RandomStream rng(3, StreamId::diagnostics, 9, 0);
  nn::Mat<double> X(3, 9), y(1, 9), d(1, 9);
  for (auto& v : X.reshaped()) v = 2 * rng.normal();
  for (Eigen::Index i = 0; i < 9; ++i) y(0, i) = static_cast<double>(i % 2);
  const double alpha = 0.3;  // large, so that the L2 term's gradient is visible
  const double loss = c2st_batch_loss<double>(net, X, y, alpha, d);
  const Eigen::VectorXd analytic = net.parameters().grads();
  auto f = [&] {
    nn::Mat<double> scratch(1, 9);
    return c2st_batch_loss<double>(net, X, y, alpha, scratch);
  };
  const Eigen::VectorXd numeric = nn::fd::numerical_gradient(net.parameters().values(), f);
  EXPECT_LT(nn::fd::relative_error(analytic, numeric), 1e-7);
  EXPECT_GT(analytic.cwiseAbs().maxCoeff(), 1e-3);  // a non-trivial gradient

  // The value, computed independently: mean BCE of σ(z) plus α/(2B)·ΣW².
  const nn::Mat<double> z = net.forward(X);
  double bce = 0;
  for (Eigen::Index i = 0; i < 9; ++i) {
    const double p = 1 / (1 + std::exp(-z(0, i)));
    bce -= y(0, i) * std::log(p) + (1 - y(0, i)) * std::log(1 - p);
  }
  EXPECT_NEAR(loss, bce / 9 + alpha / (2 * 9) * net.weight_square_sum(), 1e-12);
}

TEST(C2stTest, BatchLossIsFiniteForExtremeLogitsAndCappedLikeSklearn) {
  nn::Mlp<double> net({1, 2, 2, 1}, nn::Activation::relu, 1, /*glorot=*/true);
  nn::Mat<double> X(1, 2), y(1, 2), d(1, 2);
  X << 1e6, -1e6;  // huge logits of either sign
  y << 0, 1;
  const nn::Mat<double> z = net.forward(X);
  const double loss = c2st_batch_loss<double>(net, X, y, 0.0, d);
  ASSERT_TRUE(std::isfinite(loss));
  ASSERT_TRUE(net.parameters().grads().allFinite());
  // Each sample's loss is min(softplus(±z), −log(DBL_EPSILON)) (sklearn clips p to [eps, 1−eps]).
  const double cap = -std::log(std::numeric_limits<double>::epsilon());
  auto sample_loss = [&](double zi, double yi) {
    return std::min(std::max(zi, 0.0) - yi * zi + std::log1p(std::exp(-std::abs(zi))), cap);
  };
  EXPECT_NEAR(loss, (sample_loss(z(0, 0), 0) + sample_loss(z(0, 1), 1)) / 2, 1e-9);
}

TEST(C2stTest, StopsLikeSklearnWhenNoEpochImprovesByTol) {
  // sklearn: the first epoch sets best_loss; every later one counts as "no improvement" when tol is
  // huge, and training stops once the count exceeds n_iter_no_change: after n_iter_no_change + 2 epochs.
  C2stOptions o;
  o.tol = 1e9;
  o.n_iter_no_change = 4;
  const C2stResult r = c2st_detailed(gaussian(2, 200, 0, 1), gaussian(2, 200, 1, 2), o);
  ASSERT_EQ(r.fold_epochs.size(), 5u);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(r.fold_epochs[k], 6);
    EXPECT_TRUE(r.fold_converged[k]);
  }
  o.tol = 1e-4;
  o.max_epochs = 3;
  const C2stResult capped = c2st_detailed(gaussian(2, 200, 0, 1), gaussian(2, 200, 1, 2), o);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(capped.fold_epochs[k], 3);
    EXPECT_FALSE(capped.fold_converged[k]);
  }
}

TEST(C2stTest, FoldDetailsAreConsistent) {
  C2stOptions o;
  o.folds = 4;
  const C2stResult r = c2st_detailed(gaussian(3, 301, 0, 1), gaussian(3, 250, 0.5, 2), o);
  ASSERT_EQ(r.fold_accuracies.size(), 4u);
  double mean = 0;
  for (const double a : r.fold_accuracies) {
    EXPECT_GE(a, 0.0);
    EXPECT_LE(a, 1.0);
    mean += a / 4;
  }
  EXPECT_DOUBLE_EQ(r.accuracy, mean);
  EXPECT_EQ(r.dim, 3);
  EXPECT_EQ(r.n_reference, 301);
  EXPECT_EQ(r.n_samples, 250);
  for (const int e : r.fold_epochs) EXPECT_GE(e, 1);
}

TEST(C2stTest, DeterministicAndIndependentOfThreadCount) {
  const Eigen::MatrixXd a = gaussian(2, 500, 0, 1), b = gaussian(2, 500, 0.7, 2);
  C2stOptions o;
  const C2stResult r1 = c2st_detailed(a, b, o);
  o.threads = 3;
  const C2stResult r3 = c2st_detailed(a, b, o);
  EXPECT_EQ(r1.fold_accuracies, r3.fold_accuracies);
  EXPECT_EQ(r1.fold_epochs, r3.fold_epochs);
  o.threads = 1;
  o.seed = 2;
  const C2stResult other = c2st_detailed(a, b, o);
  EXPECT_NE(r1.fold_accuracies, other.fold_accuracies);
}

TEST(C2stTest, ZScoringMakesTheTestScaleInvariant) {
  // Scaling both sets by a power of two scales the reference mean and std exactly, so the
  // standardized data, and the result, are bit for bit the same.
  const Eigen::MatrixXd a = gaussian(2, 400, 0, 1), b = gaussian(2, 400, 0.8, 2);
  const double base = c2st(a, b);
  EXPECT_EQ(c2st(1024.0 * a, 1024.0 * b), base);
  // Without z-scoring the classifier sees the raw scale, and the result changes.
  C2stOptions raw;
  raw.z_score = false;
  EXPECT_NE(c2st(1024.0 * a, 1024.0 * b, raw), base);
}

TEST(C2stTest, UsesOnlyTheFirstMaxSamples) {
  // The reference's second half is far away; with max_samples = its first half both sets match.
  Eigen::MatrixXd ref(2, 1200);
  ref << gaussian(2, 600, 0, 1), gaussian(2, 600, 10, 2);
  C2stOptions o;
  o.max_samples = 600;
  const C2stResult r = c2st_detailed(ref, gaussian(2, 900, 0, 3), o);
  EXPECT_EQ(r.n_reference, 600);
  EXPECT_EQ(r.n_samples, 600);
  EXPECT_NEAR(r.accuracy, 0.5, 0.04);
}

TEST(C2stTest, RejectsBadInput) {
  const Eigen::MatrixXd a = gaussian(2, 50, 0, 1);
  EXPECT_THROW(c2st(a, gaussian(3, 50, 0, 2)), ShapeError);
  Eigen::MatrixXd bad = a;
  bad(1, 7) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(c2st(a, bad), NumericalError);
  EXPECT_THROW(c2st(a, a.leftCols(1)), ConfigError);
  C2stOptions o;
  o.folds = 1;
  EXPECT_THROW(c2st(a, a, o), ConfigError);
  o = {};
  o.learning_rate = 0;
  EXPECT_THROW(c2st(a, a, o), ConfigError);
  try {
    c2st(a, gaussian(3, 50, 0, 2));
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 2"), std::string::npos) << e.what();
  }
}
