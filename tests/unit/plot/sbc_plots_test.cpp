#include "nsbi/plot/sbc_plots.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nsbi::plot {
namespace {

// P(K ≤ k) for K ~ Binomial(n, p), summed directly.
double cdf(int n, double p, int k) {
  double s = 0;
  for (int j = 0; j <= k; ++j) s += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0)) *
                                   std::pow(p, j) * std::pow(1 - p, n - j);
  return s;
}

TEST(SbcPlotsTest, BinomialIntervalIsTheCentralQuantileRange) {
  for (const auto& [n, p] : {std::pair{1000, 0.05}, std::pair{200, 0.5}, std::pair{50, 0.9}}) {
    const auto [lo, hi] = binomial_interval(n, p, 0.99);
    EXPECT_GE(cdf(n, p, lo), 0.005);
    if (lo > 0) {
      EXPECT_LT(cdf(n, p, lo - 1), 0.005);
    }
    EXPECT_GE(cdf(n, p, hi), 0.995);
    EXPECT_LT(cdf(n, p, hi - 1), 0.995);
  }
  // 1000 tests in 20 bins: expected 50 per bin, the 99% band roughly 50 ± 2.58·sqrt(47.5).
  const auto [lo, hi] = binomial_interval(1000, 0.05, 0.99);
  EXPECT_NEAR(lo, 50 - 2.58 * std::sqrt(47.5), 2);
  EXPECT_NEAR(hi, 50 + 2.58 * std::sqrt(47.5), 2);
  EXPECT_EQ(binomial_interval(10, 0.0, 0.99), (std::pair<int, int>{0, 0}));
  EXPECT_EQ(binomial_interval(10, 1.0, 0.99), (std::pair<int, int>{10, 10}));
}

TEST(SbcPlotsTest, RankBinsCoverZeroToLAndScaleWithTests) {
  EXPECT_EQ(rank_bin_edges(99, 1000), (std::vector<int>{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65,
                                                        70, 75, 80, 85, 90, 95, 100}));
  EXPECT_EQ(rank_bin_edges(99, 100), (std::vector<int>{0, 20, 40, 60, 80, 100}));  // 5 bins of 20 tests
  EXPECT_EQ(rank_bin_edges(3, 1000), (std::vector<int>{0, 1, 2, 3, 4}));          // one bin per rank value
  EXPECT_EQ(rank_bin_edges(100, 10), (std::vector<int>{0, 101}));                 // too few tests: one bin
  const auto e = rank_bin_edges(100, 1000);  // 101 rank values in 20 bins of 5 or 6
  EXPECT_EQ(e.front(), 0);
  EXPECT_EQ(e.back(), 101);
  for (std::size_t b = 1; b < e.size(); ++b) EXPECT_TRUE(e[b] - e[b - 1] == 5 || e[b] - e[b - 1] == 6);
}

TEST(SbcPlotsTest, RankPlotHasOneBarPerBinAndPanelWithPValuesInTitles) {
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> ranks(2, 200);
  for (int t = 0; t < 200; ++t) ranks(0, t) = t % 100, ranks(1, t) = 0;
  const std::string svg = sbc_rank_svg(ranks, 99, {"A", "B"}, {0.5, 1e-9});
  EXPECT_NE(svg.find(">A (p = 0.5)<"), std::string::npos);
  EXPECT_NE(svg.find(">B (p = 1e-09)<"), std::string::npos);
  EXPECT_NE(svg.find("10 bins"), std::string::npos);
  // Per panel: 10 band rectangles and 10 bars (2 × 2 × 10), plus frames and legend squares.
  std::size_t bars = 0;
  for (std::size_t at = svg.find("fill=\"#1f77b4\" stroke=\"white\""); at != std::string::npos;
       at = svg.find("fill=\"#1f77b4\" stroke=\"white\"", at + 1))
    ++bars;
  EXPECT_EQ(bars, 20u);
}

}  // namespace
}  // namespace nsbi::plot
