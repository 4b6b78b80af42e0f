// Posterior predictive summary against hand-computed values.
#include "nsbi/diagnostics/predictive_check.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

TEST(PredictiveCheckTest, MeanSdAndQuantileByHand) {
  Eigen::MatrixXd x(2, 4);
  x << 1.0, 2.0, 3.0, 4.0,  //
      0.0, 0.0, 1.0, 5.0;
  Eigen::VectorXd x_o(2);
  x_o << 2.5, 0.0;
  const PredictiveSummary s = summarize_predictive(x, x_o);
  EXPECT_DOUBLE_EQ(s.mean(0), 2.5);
  EXPECT_DOUBLE_EQ(s.mean(1), 1.5);
  EXPECT_NEAR(s.sd(0), std::sqrt(5.0 / 3.0), 1e-15);  // Σ (x − 2.5)² = 5, / (m − 1)
  EXPECT_NEAR(s.sd(1), std::sqrt(17.0 / 3.0), 1e-15);  // 2.25 + 2.25 + 0.25 + 12.25 = 17
  EXPECT_DOUBLE_EQ(s.quantile(0), 0.5);                // 2 below
  EXPECT_DOUBLE_EQ(s.quantile(1), 0.25);               // 0 below, 2 equal
  x_o << 10.0, -1.0;
  const PredictiveSummary t = summarize_predictive(x, x_o);
  EXPECT_DOUBLE_EQ(t.quantile(0), 1.0);
  EXPECT_DOUBLE_EQ(t.quantile(1), 0.0);
}

TEST(PredictiveCheckTest, WrongShapesAreRefused) {
  EXPECT_THROW(summarize_predictive(Eigen::MatrixXd(2, 0), Eigen::VectorXd::Zero(2)), ShapeError);
  EXPECT_THROW(summarize_predictive(Eigen::MatrixXd::Zero(3, 4), Eigen::VectorXd::Zero(2)), ShapeError);
  const PredictiveSummary one = summarize_predictive(Eigen::MatrixXd::Ones(2, 1), Eigen::VectorXd::Zero(2));
  EXPECT_DOUBLE_EQ(one.sd(0), 0.0);
}

}  // namespace
}  // namespace nsbi
