#include "nsbi/nn/adam.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nsbi/core/random.hpp"

using namespace nsbi;
using namespace nsbi::nn;

TEST(AdamTest, MatchesTheUpdateRuleByHand) {
  Adam<double> adam(2, {0.1, 0.9, 0.999, 1e-8});
  Vec<double> p(2), g(2);
  p << 1.0, -2.0;
  double m0 = 0, v0 = 0, q0 = 1.0;
  for (int t = 1; t <= 3; ++t) {
    g << 0.5 * t, -0.25;
    adam.step(p, g);
    m0 = 0.9 * m0 + 0.1 * g(0);
    v0 = 0.999 * v0 + 0.001 * g(0) * g(0);
    const double mhat = m0 / (1 - std::pow(0.9, t)), vhat = v0 / (1 - std::pow(0.999, t));
    q0 -= 0.1 * mhat / (std::sqrt(vhat) + 1e-8);
    EXPECT_NEAR(p(0), q0, 1e-12);
  }
  EXPECT_EQ(adam.steps(), 3);
}

TEST(AdamTest, MinimisesAQuadratic) {
  Adam<double> adam(3, {0.05});
  Vec<double> p = Vec<double>::Constant(3, 4.0), target(3);
  target << 1, -2, 0.5;
  for (int t = 0; t < 2000; ++t) adam.step(p, 2 * (p - target));
  EXPECT_LT((p - target).norm(), 1e-3);
}

TEST(ClipGradNormTest, ScalesOnlyAboveTheThreshold) {
  Vec<float> g(2);
  g << 3, 4;
  EXPECT_NEAR(clip_grad_norm<float>(g, 10.0), 5.0, 1e-6);
  EXPECT_FLOAT_EQ(g(0), 3.0f);
  EXPECT_NEAR(clip_grad_norm<float>(g, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(g.norm(), 1.0, 1e-5);
}

TEST(ClipGradNormTest, NormOfALongVectorMatchesALongDoubleSum) {
  // Lengths around the 16-lane blocks, including tails.
  for (int n : {1, 15, 16, 17, 1003, 15021}) {
    Vec<float> g(n);
    RandomStream rng(n, StreamId::diagnostics, 0, 0);
    long double ref = 0;
    for (auto& v : g) {
      v = static_cast<float>(rng.normal() * std::pow(10.0, rng.uniform(-3, 3)));
      ref += static_cast<long double>(v) * v;
    }
    const double expected = std::sqrt(static_cast<double>(ref));
    EXPECT_NEAR(clip_grad_norm<float>(g, 1e30), expected, 1e-13 * expected) << "n " << n;
  }
}
