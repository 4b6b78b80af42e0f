#pragma once
// Closed forms of the normal distribution for tests that check samples against them: φ, Φ and
// the moments of a normal truncated to an interval.
#include <cmath>
#include <numbers>
#include <utility>

namespace nsbi::closed_form {

inline double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// Mean and standard deviation of N(μ, σ²) truncated to [lo, hi]: with α, β the standardised
/// bounds and Z = Φ(β) − Φ(α), mean μ + σ(φ(α) − φ(β))/Z and
/// variance σ²(1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²).
inline std::pair<double, double> truncated_normal_moments(double mu, double sigma, double lo, double hi) {
  const double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  const double z = normal_cdf(b) - normal_cdf(a), ratio = (normal_pdf(a) - normal_pdf(b)) / z;
  return {mu + sigma * ratio, sigma * std::sqrt(1 + (a * normal_pdf(a) - b * normal_pdf(b)) / z - ratio * ratio)};
}

}  // namespace nsbi::closed_form
