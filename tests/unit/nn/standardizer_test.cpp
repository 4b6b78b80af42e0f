// z-scoring: per-feature (fit) and structured (fit_structured) statistics against direct sums,
// in double and float, and the map it applies.
#include <gtest/gtest.h>

#include "nsbi/nn/standardizer.hpp"
#include "random_matrix.hpp"

using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

TEST(Standardizer, FitGivesEachFeatureItsOwnMeanAndUnbiasedStd) {
  Eigen::MatrixXd x = random_matrix(3, 500, 1);
  x.row(1) = 4.0 * x.row(1).array() + 2.0;
  x.row(2).setConstant(7.0);  // constant: std 1, so it stays finite
  const Standardizer s = Standardizer::fit(x);
  for (int i = 0; i < 2; ++i) {
    const double mean = x.row(i).mean();
    EXPECT_NEAR(s.mean(i), mean, 1e-12);
    EXPECT_NEAR(s.std(i), std::sqrt((x.row(i).array() - mean).square().sum() / 499.0), 1e-12);
  }
  EXPECT_EQ(s.mean(2), 7.0);
  EXPECT_EQ(s.std(2), 1.0);
}

TEST(Standardizer, StructuredFitSharesOneMeanAndStdOverAllEntries) {
  Eigen::MatrixXd x = random_matrix(4, 300, 2);
  x.row(0) = 3.0 * x.row(0).array() + 1.0;  // features that differ: the pooled values are not any one's
  const double mean = x.mean();
  const double sd = std::sqrt((x.array() - mean).square().sum() / (x.size() - 1.0));
  for (const Standardizer& s : {Standardizer::fit_structured(x), Standardizer::fit_structured(Eigen::MatrixXf(x.cast<float>()))}) {
    ASSERT_EQ(s.dim(), 4);
    EXPECT_NEAR((s.mean.array() - mean).abs().maxCoeff(), 0.0, 1e-6);
    EXPECT_NEAR((s.std.array() - sd).abs().maxCoeff(), 0.0, 1e-6);
  }
  // Applied, all of x's entries together have mean 0 and variance 1.
  const Standardizer s = Standardizer::fit_structured(x);
  Mat<double> u(x.rows(), x.cols());
  s.apply<double>(x, u);
  EXPECT_NEAR(u.mean(), 0.0, 1e-12);
  EXPECT_NEAR((u.array() - u.mean()).square().sum() / (u.size() - 1.0), 1.0, 1e-12);
  // Constant data keeps std 1.
  EXPECT_EQ(Standardizer::fit_structured(Eigen::MatrixXd::Constant(3, 5, 2.0)).std(1), 1.0);
}
