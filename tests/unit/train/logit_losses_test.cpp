// The shared logit losses against their naive formulas, central differences, and extreme logits.
#include "nsbi/train/logit_losses.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace nsbi;

namespace {

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

TEST(LogitLossesTest, BceWithLogitsIsTheCrossEntropyOfTheSigmoid) {
  for (double z : {-7.0, -1.3, -1e-3, 0.0, 0.4, 2.5, 9.0})
    for (double y : {0.0, 1.0, 0.3}) {
      const train::LogitLoss l = train::bce_with_logits(z, y);
      const double p = sigmoid(z);
      EXPECT_NEAR(l.value, -y * std::log(p) - (1 - y) * std::log(1 - p), 1e-12) << z << " " << y;
      EXPECT_NEAR(l.gradient, p - y, 1e-14) << z << " " << y;
      const double h = 1e-6;
      const double fd = (train::bce_with_logits(z + h, y).value - train::bce_with_logits(z - h, y).value) / (2 * h);
      EXPECT_NEAR(l.gradient, fd, 1e-8) << z << " " << y;
    }
}

TEST(LogitLossesTest, BceWithLogitsIsFiniteForExtremeLogits) {
  // softplus(z) − y z: |z| when the label is wrong, ~0 when it is right; σ(z) − y in [−1, 1].
  EXPECT_DOUBLE_EQ(train::bce_with_logits(1000.0, 0.0).value, 1000.0);
  EXPECT_DOUBLE_EQ(train::bce_with_logits(-1000.0, 1.0).value, 1000.0);
  EXPECT_DOUBLE_EQ(train::bce_with_logits(1000.0, 1.0).value, 0.0);
  EXPECT_DOUBLE_EQ(train::bce_with_logits(-1000.0, 0.0).value, 0.0);
  EXPECT_DOUBLE_EQ(train::bce_with_logits(1000.0, 0.0).gradient, 1.0);
  EXPECT_DOUBLE_EQ(train::bce_with_logits(-1000.0, 1.0).gradient, -1.0);
  EXPECT_GT(train::bce_with_logits(-40.0, 0.0).value, 0.0);  // log1p keeps the tiny loss, not 0
}

TEST(LogitLossesTest, SoftmaxCrossEntropyIsMinusTheLogSoftmaxOfTheFirstClass) {
  Eigen::VectorXd a(4);
  a << 0.3, -1.2, 2.0, 0.7;
  float g[4];
  const double l = train::softmax_cross_entropy(a, g);
  const double s = a.array().exp().sum();
  EXPECT_NEAR(l, -std::log(std::exp(a(0)) / s), 1e-12);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(g[j], std::exp(a(j)) / s - (j == 0 ? 1.0 : 0.0), 1e-7) << j;
  EXPECT_DOUBLE_EQ(train::softmax_cross_entropy(a), l);  // without a gradient, the same value
  // Shifting every logit changes nothing; huge logits stay finite.
  EXPECT_NEAR(train::softmax_cross_entropy((a.array() + 800.0).matrix()), l, 1e-10);
  a << -900.0, 900.0, 0.0, 0.0;
  EXPECT_NEAR(train::softmax_cross_entropy(a, g), 1800.0, 1e-9);
  EXPECT_FLOAT_EQ(g[0], -1.0f);
  EXPECT_FLOAT_EQ(g[1], 1.0f);
}

}  // namespace
