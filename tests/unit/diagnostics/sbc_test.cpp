// SBC statistics (nsbi/diagnostics/sbc.hpp): hand-computed small cases, and the conjugate
// Gaussian model where exact posterior draws are available: the exact posterior passes, a
// posterior whose standard deviation is halved (overconfident) or doubled fails.
#include "nsbi/diagnostics/sbc.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "nsbi/core/random.hpp"

namespace nsbi {
namespace {

TEST(SbcTest, RanksCountDrawsBelowTheta) {
  Eigen::VectorXd theta(2);
  theta << 0.5, 2.0;
  Eigen::MatrixXd draws(2, 4);
  draws << 0.1, 0.9, 0.4, 0.6,  //
      3.0, 1.0, 2.5, 0.0;
  const IndexVector r = sbc_ranks(theta, draws);
  EXPECT_EQ(r(0), 2);
  EXPECT_EQ(r(1), 2);
  theta << -1.0, 5.0;
  EXPECT_EQ(sbc_ranks(theta, draws)(0), 0);
  EXPECT_EQ(sbc_ranks(theta, draws)(1), 4);
}

TEST(SbcTest, HpdCountIsDrawsOfHigherDensity) {
  Eigen::VectorXd lp(4);
  lp << -2.0, -0.5, 0.0, -1.5;
  EXPECT_EQ(hpd_count(-1.0, lp), 2);
  EXPECT_EQ(hpd_count(1.0, lp), 0);
  EXPECT_EQ(hpd_count(-3.0, lp), 4);
}

TEST(SbcTest, TarpCountIsDrawsCloserToTheReference) {
  Eigen::VectorXd theta(2), ref = Eigen::VectorXd::Zero(2), scale = Eigen::VectorXd::Ones(2);
  theta << 1.0, 0.0;
  Eigen::MatrixXd draws(2, 4);
  draws << 0.5, 2.0, 0.0, 0.0,  //
      0.0, 0.0, 0.9, -1.1;
  EXPECT_EQ(tarp_count(theta, draws, ref, scale), 2);  // squared distances 0.25, 4, 0.81, 1.21 vs 1
  scale(1) = 0.5;                                      // 0.25, 4, 3.24, 4.84 vs 1
  EXPECT_EQ(tarp_count(theta, draws, ref, scale), 1);
}

TEST(SbcTest, CoverageCurveIsFractionBelowLevel) {
  IndexVector counts(4);
  counts << 0, 1, 2, 3;
  Eigen::VectorXd levels(3);
  levels << 0.1, 0.5, 0.9;
  const Eigen::VectorXd c = coverage_curve(counts, 4, levels);  // count < 0.4, < 2, < 3.6
  EXPECT_DOUBLE_EQ(c(0), 0.25);
  EXPECT_DOUBLE_EQ(c(1), 0.5);
  EXPECT_DOUBLE_EQ(c(2), 1.0);
}

TEST(SbcTest, ChiSquareAgainstHandComputedValues) {
  IndexVector r(4);
  r << 0, 0, 0, 1;  // L = 3, 2 bins {0,1} {2,3}: observed 4, 0, expected 2, 2: χ² = 4, 1 dof
  const UniformityTest t = rank_uniformity(r, 3, 2);
  EXPECT_DOUBLE_EQ(t.statistic, 4.0);
  EXPECT_NEAR(t.p_value, std::erfc(std::sqrt(2.0)), 1e-12);  // P(χ²_1 > 4) = erfc(√2)
  r << 0, 1, 2, 3;  // 3 bins {0,1} {2} {3}: expected 2, 1, 1 = observed
  const UniformityTest u = rank_uniformity(r, 3, 3);
  EXPECT_DOUBLE_EQ(u.statistic, 0.0);
  EXPECT_DOUBLE_EQ(u.p_value, 1.0);
  IndexVector w(8);
  w << 0, 0, 0, 0, 0, 1, 2, 3;  // L = 3, 4 bins of one value: observed 5,1,1,1, expected 2 each: χ² = 6
  const UniformityTest v = rank_uniformity(w, 3, 4);
  EXPECT_DOUBLE_EQ(v.statistic, 6.0);
  EXPECT_NEAR(v.p_value, std::erfc(std::sqrt(3.0)) + 2 * std::sqrt(3 / M_PI) * std::exp(-3.0), 1e-12);  // P(χ²_3 > 6) in closed form
  EXPECT_EQ(sbc_bins(1000, 1000), 20);
  EXPECT_EQ(sbc_bins(30, 1000), 6);
  EXPECT_EQ(sbc_bins(1000, 4), 5);
}

/// Conjugate Gaussian: θ ~ N(0, I_D), x | θ ~ N(θ, σ² I): posterior N(x/(1+σ²), σ²/(1+σ²) I).
/// The tests use q = N(mean, (k·s)² I) with s the exact posterior sd: k = 1 is calibrated.
struct ConjugateSbc {
  IndexMatrix ranks;
  IndexVector hpd, tarp;
  std::int64_t L;
};

ConjugateSbc conjugate_sbc(double k, int n, int L, int D) {
  const double sigma = 0.5, s = sigma / std::sqrt(1 + sigma * sigma), sq = k * s;
  ConjugateSbc out{IndexMatrix(D, n), IndexVector(n), IndexVector(n), L};
  const Eigen::VectorXd scale = Eigen::VectorXd::Ones(D);  // the prior's sd
  for (int i = 0; i < n; ++i) {
    RandomStream rng(42, StreamId::diagnostics, 0, static_cast<std::uint64_t>(i));
    Eigen::VectorXd theta(D), x(D), ref(D);
    for (int d = 0; d < D; ++d) theta(d) = rng.normal();
    for (int d = 0; d < D; ++d) x(d) = theta(d) + sigma * rng.normal();
    for (int d = 0; d < D; ++d) ref(d) = rng.normal();
    const Eigen::VectorXd mean = x / (1 + sigma * sigma);
    Eigen::MatrixXd draws(D, L);
    for (int l = 0; l < L; ++l)
      for (int d = 0; d < D; ++d) draws(d, l) = mean(d) + sq * rng.normal();
    const auto log_q = [&](const Eigen::MatrixXd& t) -> Eigen::VectorXd {
      return -0.5 * (t.colwise() - mean).colwise().squaredNorm().transpose() / (sq * sq);
    };
    out.ranks.col(i) = sbc_ranks(theta, draws);
    out.hpd(i) = hpd_count(log_q(theta)(0), log_q(draws));
    out.tarp(i) = tarp_count(theta, draws, ref, scale);
  }
  return out;
}

TEST(SbcTest, ExactConjugatePosteriorIsCalibrated) {
  const ConjugateSbc c = conjugate_sbc(1.0, 1000, 100, 2);
  const SbcSummary s = summarize_sbc(c.ranks, c.hpd, c.tarp, c.L);
  ASSERT_EQ(s.rank_tests.size(), 2u);
  for (const auto& t : s.rank_tests) EXPECT_GT(t.p_value, 0.005) << t.statistic;
  EXPECT_TRUE(s.uniform);
  EXPECT_LT(s.max_coverage_deviation, 0.05);
  EXPECT_LT(s.tarp_max_deviation, 0.05);
  EXPECT_EQ(s.levels.size(), 19);
  EXPECT_DOUBLE_EQ(s.levels(0), 0.05);
  EXPECT_DOUBLE_EQ(s.levels(18), 0.95);
}

TEST(SbcTest, TooNarrowPosteriorIsFlagged) {
  const ConjugateSbc c = conjugate_sbc(0.5, 1000, 100, 2);
  const SbcSummary s = summarize_sbc(c.ranks, c.hpd, c.tarp, c.L);
  for (const auto& t : s.rank_tests) EXPECT_LT(t.p_value, 1e-10);
  EXPECT_FALSE(s.uniform);
  // Overconfident: coverage far below the diagonal (at α = 0.5 the true mass of the halved
  // region is P(χ²_2 < 0.25·χ²_2,0.5) ≈ 0.16).
  const Eigen::Index half = 9;  // level 0.5
  EXPECT_NEAR(s.levels(half), 0.5, 1e-12);
  EXPECT_LT(s.expected_coverage(half), 0.3);
  EXPECT_GT(s.max_coverage_deviation, 0.25);
  // TARP is less sensitive than the HPD coverage (distances to a random point mix the width with
  // the reference's position) but still well below the diagonal: 0.5 − 3 standard errors ≈ 0.45.
  EXPECT_LT(s.tarp_coverage(half), 0.45);
  std::cout << "narrow: HPD coverage at 0.5 " << s.expected_coverage(half) << ", TARP " << s.tarp_coverage(half)
            << ", max deviations " << s.max_coverage_deviation << ", " << s.tarp_max_deviation << "\n";
  EXPECT_GT(s.tarp_max_deviation, 0.1);
  EXPECT_TRUE(((s.expected_coverage - s.levels).array() <= 0.0).all());
}

TEST(SbcTest, TooWidePosteriorIsFlaggedAboveTheDiagonal) {
  const ConjugateSbc c = conjugate_sbc(2.0, 1000, 100, 2);
  const SbcSummary s = summarize_sbc(c.ranks, c.hpd, c.tarp, c.L);
  EXPECT_FALSE(s.uniform);
  EXPECT_GT(s.expected_coverage(9), 0.7);
  EXPECT_GT(s.max_coverage_deviation, 0.2);
}

}  // namespace
}  // namespace nsbi
