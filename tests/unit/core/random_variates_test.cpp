// Bernoulli, binomial, gamma and χ² variates against their exact distributions: χ²
// goodness of fit to the binomial pmf (both the inversion and the BTRS branch, and p > ½ by
// symmetry) and Kolmogorov–Smirnov against the regularised incomplete gamma function.
#include "nsbi/core/random_variates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

// Upper 1e-4 quantile of χ²(dof) by the Wilson–Hilferty approximation (z = 3.719).
double chi2_critical(int dof) {
  const double k = dof, h = 2.0 / (9.0 * k);
  return k * std::pow(1.0 - h + 3.719 * std::sqrt(h), 3);
}

double binomial_log_pmf(std::int64_t n, double p, std::int64_t k) {
  const double dn = static_cast<double>(n), dk = static_cast<double>(k);
  return std::lgamma(dn + 1) - std::lgamma(dk + 1) - std::lgamma(dn - dk + 1) + dk * std::log(p) + (dn - dk) * std::log1p(-p);
}

// Pearson χ² over the support, neighbouring cells pooled until each expects ≥ 10 draws.
void expect_binomial_fits(std::int64_t n, double p, std::uint64_t seed) {
  const int draws = 200000;
  RandomStream rng(seed, StreamId::diagnostics, 0, 0);
  std::vector<double> count(static_cast<std::size_t>(n + 1), 0.0);
  for (int i = 0; i < draws; ++i) {
    const std::int64_t k = binomial(rng, n, p);
    ASSERT_GE(k, 0);
    ASSERT_LE(k, n);
    count[static_cast<std::size_t>(k)] += 1;
  }
  double stat = 0, cell_obs = 0, cell_exp = 0;
  int cells = 0;
  for (std::int64_t k = 0; k <= n; ++k) {
    cell_obs += count[static_cast<std::size_t>(k)];
    cell_exp += draws * std::exp(binomial_log_pmf(n, p, k));
    if (cell_exp >= 10 || k == n) {
      stat += (cell_obs - cell_exp) * (cell_obs - cell_exp) / std::max(cell_exp, 1e-300);
      ++cells, cell_obs = 0, cell_exp = 0;
    }
  }
  EXPECT_LT(stat, chi2_critical(cells - 1)) << "Binomial(" << n << ", " << p << ") over " << cells << " cells";
}

TEST(BinomialTest, InversionBranchMatchesPmf) {
  expect_binomial_fits(1000, 0.005, 1);  // n·p = 5
  expect_binomial_fits(20, 0.4, 2);      // n·p = 8
  expect_binomial_fits(1000, 1e-5, 3);   // almost always 0
}

TEST(BinomialTest, RejectionBranchMatchesPmf) {
  expect_binomial_fits(1000, 0.02, 4);  // n·p = 20, just inside BTRS
  expect_binomial_fits(1000, 0.3, 5);
  expect_binomial_fits(50, 0.5, 6);
}

TEST(BinomialTest, LargePUsesSymmetry) {
  expect_binomial_fits(1000, 0.93, 7);
  expect_binomial_fits(1000, 0.998, 8);
}

TEST(BinomialTest, DegenerateAndInvalidArguments) {
  RandomStream rng(9, StreamId::diagnostics, 0, 0);
  EXPECT_EQ(binomial(rng, 1000, 0.0), 0);
  EXPECT_EQ(binomial(rng, 1000, 1.0), 1000);
  EXPECT_EQ(binomial(rng, 0, 0.4), 0);
  EXPECT_THROW(binomial(rng, 10, std::numeric_limits<double>::quiet_NaN()), NumericalError);
  EXPECT_THROW(binomial(rng, 10, 1.5), NumericalError);
  EXPECT_THROW(binomial(rng, -1, 0.5), NumericalError);
}

TEST(BernoulliTest, FrequencyIsP) {
  RandomStream rng(10, StreamId::diagnostics, 0, 0);
  const int n = 200000;
  int ones = 0;
  for (int i = 0; i < n; ++i) ones += bernoulli(rng, 0.27);
  EXPECT_NEAR(ones / double(n), 0.27, 5 * std::sqrt(0.27 * 0.73 / n));
  EXPECT_FALSE(bernoulli(rng, 0.0));
  EXPECT_TRUE(bernoulli(rng, 1.0));
}

// KS distance of n draws from their exact CDF; 1.95/√n is the 0.001 critical value.
template <typename Draw, typename Cdf>
void expect_ks_fits(Draw draw, Cdf cdf, int n, const char* what) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (double& x : v) x = draw();
  std::sort(v.begin(), v.end());
  double ks = 0;
  for (int i = 0; i < n; ++i) {
    const double f = cdf(v[static_cast<std::size_t>(i)]);
    ks = std::max({ks, f - double(i) / n, double(i + 1) / n - f});
  }
  EXPECT_LT(ks, 1.95 / std::sqrt(double(n))) << what;
}

TEST(GammaTest, MatchesIncompleteGammaCdfAndMoments) {
  for (double shape : {0.3, 1.0, 2.5, 9.0}) {
    RandomStream rng(11, StreamId::diagnostics, 0, static_cast<std::uint64_t>(shape * 10));
    expect_ks_fits([&] { return gamma(rng, shape); }, [&](double x) { return boost::math::gamma_p(shape, x); }, 100000,
                   "gamma");
    double s = 0, s2 = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
      const double x = gamma(rng, shape);
      s += x, s2 += x * x;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    EXPECT_NEAR(mean, shape, 5 * std::sqrt(shape / n)) << "shape " << shape;  // E = Var = shape
    // Var of the sample variance ≈ σ⁴(2 + excess kurtosis)/n = (2k² + 6k)/n for Gamma(k).
    EXPECT_NEAR(var, shape, 5 * std::sqrt((2 * shape * shape + 6 * shape) / n)) << "shape " << shape;
  }
}

TEST(GammaTest, ChiSquaredTwoIsExponentialWithMeanTwo) {
  RandomStream rng(12, StreamId::diagnostics, 0, 0);
  expect_ks_fits([&] { return chi_squared(rng, 2.0); }, [](double x) { return 1.0 - std::exp(-x / 2); }, 100000, "chi2(2)");
}

TEST(GammaTest, InvalidShapeThrows) {
  RandomStream rng(13, StreamId::diagnostics, 0, 0);
  EXPECT_THROW(gamma(rng, 0.0), NumericalError);
  EXPECT_THROW(gamma(rng, -1.0), NumericalError);
  EXPECT_THROW(gamma(rng, std::numeric_limits<double>::quiet_NaN()), NumericalError);
}

}  // namespace
}  // namespace nsbi
