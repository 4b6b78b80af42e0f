// The power_spectrum embedding's own properties (its gradients are in the embedding contract
// test): the bins of a grid, Parseval's identity for the binned powers, a single Fourier mode's
// power in its own bin only, invariance to circular shifts of the map, and the calibration that
// gives its standardised log powers mean 0 and variance 1 over the calibration maps.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>

#include "nsbi/core/error.hpp"
#include "nsbi/nn/power_spectrum_embedding.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

PowerSpectrumEmbedding<double> make(ParameterBuffer<double>& params, int h, int w, int bins) {
  RandomStream rng(5, StreamId::initialization, 0, 0);
  return PowerSpectrumEmbedding<double>(params, h, w, bins, 8, 1, 3, rng);
}

// Position r·W + c of the map, its |k|² in the embedding's units.
double k2(int r, int c, int h, int w) {
  const auto f = [](int i, int n) { return static_cast<double>(i <= n / 2 ? i : i - n) / n; };
  return f(r, h) * f(r, h) + f(c, w) * f(c, w);
}

}  // namespace

TEST(SpectrumBins, EqualWidthInLogK2WithoutEmptyBinsOrTheMeanMode) {
  // 32×32 and 16 intervals: the second of them (|k|² between 1.48 and 2.18 of the lowest) holds
  // |k|² = 2 only, the third nothing, so 15 bins; every mode but k = 0 is in one.
  const SpectrumBins b = spectrum_bins(32, 32, 16);
  EXPECT_EQ(b.count(), 15);
  EXPECT_EQ(b.bin[0], -1);
  EXPECT_EQ(std::accumulate(b.modes.begin(), b.modes.end(), 0), 32 * 32 - 1);
  EXPECT_EQ(b.modes[0], 4);   // |k|² = 1: (±1, 0), (0, ±1)
  EXPECT_EQ(b.modes[1], 4);   // |k|² = 2: (±1, ±1)
  EXPECT_EQ(b.modes.back(), 65);
  // Bins follow |k|²: a mode of a lower bin never has a larger |k|² than one of a higher bin.
  double top_of_lower = 0;
  for (int bin = 0; bin < b.count(); ++bin) {
    double lo = INFINITY, hi = 0;
    for (int i = 1; i < 32 * 32; ++i)
      if (b.bin[static_cast<std::size_t>(i)] == bin) {
        lo = std::fmin(lo, k2(i / 32, i % 32, 32, 32));
        hi = std::fmax(hi, k2(i / 32, i % 32, 32, 32));
      }
    EXPECT_GE(lo, top_of_lower) << "bin " << bin;
    top_of_lower = hi;
  }
  EXPECT_THROW(spectrum_bins(1, 1, 4), ConfigError);
}

TEST(PowerSpectrumEmbedding, BinnedPowersSatisfyParseval) {
  // Σ_b M_b·p_b = Σ_{k≠0} |X_k|²/(H·W) = Σ (x − mean)², on a rectangular grid.
  ParameterBuffer<double> params;
  auto net = make(params, 6, 10, 5);
  const SpectrumBins bins = spectrum_bins(6, 10, 5);
  const Mat<double> x = random_matrix(60, 3, 1);
  const Mat<double> s = net.log_power(x);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    double total = 0;
    for (int b = 0; b < bins.count(); ++b) total += bins.modes[static_cast<std::size_t>(b)] * (std::exp(s(b, j)) - 1e-12);
    const double expected = (x.col(j).array() - x.col(j).mean()).square().sum();
    EXPECT_NEAR(total, expected, 1e-9 * expected) << "column " << j;
  }
}

TEST(PowerSpectrumEmbedding, ReadsAViewWithGapsBetweenItsColumns) {
  // The maps as rows 2.. of a taller matrix: the same features as the maps on their own.
  ParameterBuffer<double> params;
  auto net = make(params, 6, 8, 4);
  const Mat<double> x = random_matrix(48, 3, 4);
  Mat<double> taller = Mat<double>::Zero(51, 3);
  taller.middleRows(2, 48) = x;
  const Mat<double> a = net.forward(x);
  const Mat<double> b = net.forward(taller.middleRows(2, 48));
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0);
}

TEST(PowerSpectrumEmbedding, OneFourierModeHasPowerInItsBinOnly) {
  // map(r, c) = cos(2π(2r/H + 3c/W)): |X|² = (H·W/2)² at ±k, so p = H·W/(2·M_b) in k's bin.
  const int h = 8, w = 12;
  ParameterBuffer<double> params;
  auto net = make(params, h, w, 6);
  const SpectrumBins bins = spectrum_bins(h, w, 6);
  Mat<double> x(h * w, 1);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c)
      x(r * w + c, 0) = std::cos(2 * std::numbers::pi * (2.0 * r / h + 3.0 * c / w));
  const int own = bins.bin[static_cast<std::size_t>(2 * w + 3)];
  ASSERT_EQ(bins.bin[static_cast<std::size_t>((h - 2) * w + (w - 3))], own);  // −k: the same |k|²
  const Mat<double> s = net.log_power(x);
  for (int b = 0; b < bins.count(); ++b) {
    if (b == own)
      EXPECT_NEAR(s(b, 0), std::log(h * w / (2.0 * bins.modes[static_cast<std::size_t>(b)])), 1e-9);
    else
      EXPECT_LT(s(b, 0), -20.0) << "bin " << b;  // log(10⁻¹²): no power
  }
}

TEST(PowerSpectrumEmbedding, FeaturesDoNotDependOnWhereTheMapIsCut) {
  // The grid is periodic: a circular shift of the map changes no |X_k|.
  const int h = 6, w = 8;
  ParameterBuffer<double> params;
  auto net = make(params, h, w, 4);
  const Mat<double> x = random_matrix(h * w, 1, 2);
  Mat<double> shifted(h * w, 1);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) shifted(((r + 2) % h) * w + (c + 5) % w, 0) = x(r * w + c, 0);
  const Mat<double> a = net.forward(x);
  const Mat<double> b = net.forward(shifted);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-10);
  Mat<double> other = x;
  other(7, 0) += 0.5;
  EXPECT_GT((net.forward(other) - a).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(PowerSpectrumEmbedding, CalibrationStandardisesTheLogPowers) {
  // After calibrate(x), a·s + c has mean 0 and variance 1 over x, bin by bin, with maps whose
  // log powers are far from O(1) (amplitude 30).
  ParameterBuffer<double> params;
  auto net = make(params, 6, 8, 4);
  const Mat<double> x = 30.0 * random_matrix(48, 300, 3);
  net.calibrate(x);
  const Mat<double> s = net.log_power(x);
  const int B = net.bin_count();
  // The parameter buffer holds a (B values), then c (B values), then the MLP.
  const Eigen::VectorXd a = params.values().head(B), c = params.values().segment(B, B);
  const Mat<double> z = (s.array().colwise() * a.array()).colwise() + c.array();
  for (int b = 0; b < B; ++b) {
    const double mean = z.row(b).mean();
    const double var = (z.row(b).array() - mean).square().mean();
    EXPECT_NEAR(mean, 0.0, 1e-9) << "bin " << b;
    EXPECT_NEAR(var, 1.0, 1e-9) << "bin " << b;
  }
}
