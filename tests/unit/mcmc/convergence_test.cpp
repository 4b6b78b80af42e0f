// R̂ and ESS against values known in closed form: independent draws (ESS ≈ S, R̂ ≈ 1), AR(1)
// chains (ESS ≈ S(1−φ)/(1+φ), the integrated autocorrelation time of an AR(1) process),
// chains stuck at different locations (R̂ ≫ 1), a drift inside each chain (only the split R̂
// sees it), and the invariance of the rank-normalised values under a monotone map.
#include <gtest/gtest.h>

#include <cmath>

#include "nsbi/core/random.hpp"
#include "nsbi/mcmc/convergence.hpp"

using namespace nsbi;
using namespace nsbi::mcmc;

namespace {

Eigen::MatrixXd ar1(int n, int chains, double phi, std::uint64_t seed) {
  Eigen::MatrixXd x(n, chains);
  for (int c = 0; c < chains; ++c) {
    RandomStream rng(seed, StreamId::diagnostics, 0, c);
    double v = rng.normal();  // stationary start: Var = 1
    for (int t = 0; t < n; ++t) {
      if (t > 0) v = phi * v + std::sqrt(1 - phi * phi) * rng.normal();
      x(t, c) = v;
    }
  }
  return x;
}

TEST(Convergence, IndependentDraws) {
  const Eigen::MatrixXd x = ar1(1000, 8, 0.0, 1);
  EXPECT_NEAR(ess_bulk(x) / 8000, 1.0, 0.1);
  EXPECT_NEAR(ess_tail(x) / 8000, 1.0, 0.15);
  EXPECT_NEAR(ess(x) / 8000, 1.0, 0.1);
  EXPECT_LT(split_rhat(x), 1.01);
  EXPECT_GT(split_rhat(x), 0.99);
}

TEST(Convergence, Ar1EssMatchesTheAutocorrelationTime) {
  for (double phi : {0.5, 0.9}) {
    const Eigen::MatrixXd x = ar1(4000, 8, phi, 2);
    const double expected = 32000 * (1 - phi) / (1 + phi);
    EXPECT_NEAR(ess(x) / expected, 1.0, 0.2) << "phi " << phi;
    EXPECT_NEAR(ess_bulk(x) / expected, 1.0, 0.2) << "phi " << phi;
    EXPECT_LT(split_rhat(x), 1.01);
  }
}

TEST(Convergence, ChainsAtDifferentLocationsAreFlagged) {
  Eigen::MatrixXd x = ar1(500, 4, 0.3, 3);
  x.col(3).array() += 2.0;
  EXPECT_GT(split_rhat(x), 1.1);
  // A drift inside each chain: the chains agree with each other but their halves do not.
  Eigen::MatrixXd y = ar1(500, 4, 0.3, 4);
  for (int t = 0; t < 500; ++t) y.row(t).array() += 3.0 * t / 500.0;
  EXPECT_GT(split_rhat(y), 1.1);
}

TEST(Convergence, ScaleOnlyDifferencesAreSeenByTheFoldedRhat) {
  Eigen::MatrixXd x = ar1(1000, 4, 0.0, 5);
  x.col(0) *= 4.0;  // same location, different spread
  EXPECT_GT(split_rhat(x), 1.05);
}

TEST(Convergence, RankNormalisedValuesAreInvariantUnderMonotoneMaps) {
  const Eigen::MatrixXd x = ar1(300, 4, 0.7, 6);
  const Eigen::MatrixXd y = x.array().exp();
  EXPECT_DOUBLE_EQ(ess_bulk(x), ess_bulk(y));
  EXPECT_DOUBLE_EQ(split_rhat(x), split_rhat(y));
}

}  // namespace
