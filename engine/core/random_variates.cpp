#include "nsbi/core/random_variates.hpp"

#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi {

namespace {

// Inversion for p ≤ ½: walk the CDF with pmf(k)/pmf(k−1) = (n + 1 − k)/k · p/q = a/k − s.
std::int64_t binomial_inversion(RandomStream& rng, std::int64_t n, double p) {
  const double q = 1.0 - p, s = p / q, a = static_cast<double>(n + 1) * s;
  const double pmf0 = std::pow(q, static_cast<double>(n));
  for (;;) {  // restarts only if rounding leaves u above the summed pmf
    double u = rng.uniform(), pmf = pmf0;
    std::int64_t k = 0;
    while (u > pmf && k < n) {
      u -= pmf;
      ++k;
      pmf *= a / static_cast<double>(k) - s;
    }
    if (u <= pmf) return k;
  }
}

// BTRS for p ≤ ½, n·p ≥ 10. A uniform u ∈ (−½, ½) is mapped through the inverse of a
// Cauchy-like hat, k = ⌊(2a/u_s + b)·u + c⌋ with u_s = ½ − |u|; the box u_s ≥ 0.07, v ≤ v_r
// is accepted at once, otherwise k is accepted when log(v·α/(a/u_s² + b)) ≤ log f(k)/f(m),
// f the binomial pmf and m its mode.
std::int64_t binomial_btrs(RandomStream& rng, std::int64_t n, double p) {
  const double dn = static_cast<double>(n), q = 1.0 - p;
  const double spq = std::sqrt(dn * p * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = dn * p + 0.5;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double v_r = 0.92 - 4.2 / b;
  const double log_odds = std::log(p / q);
  const double m = std::floor((dn + 1.0) * p);
  const double log_f_m = -std::lgamma(m + 1.0) - std::lgamma(dn - m + 1.0);
  for (;;) {
    const double u = rng.uniform() - 0.5, v = rng.uniform();
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0.0 || k > dn) continue;
    if (us >= 0.07 && v <= v_r) return static_cast<std::int64_t>(k);
    const double log_ratio = -std::lgamma(k + 1.0) - std::lgamma(dn - k + 1.0) - log_f_m + (k - m) * log_odds;
    if (std::log(v * alpha / (a / (us * us) + b)) <= log_ratio) return static_cast<std::int64_t>(k);
  }
}

}  // namespace

std::int64_t binomial(RandomStream& rng, std::int64_t n, double p) {
  if (n < 0 || !(p >= 0.0 && p <= 1.0))
    throw NumericalError(make_message("binomial", "(n, p)", "n >= 0 and 0 <= p <= 1",
                                      "(" + std::to_string(n) + ", " + std::to_string(p) + ")"));
  if (p > 0.5) return n - binomial(rng, n, 1.0 - p);
  if (n == 0 || p == 0.0) return 0;
  return static_cast<double>(n) * p < 10.0 ? binomial_inversion(rng, n, p) : binomial_btrs(rng, n, p);
}

double gamma(RandomStream& rng, double shape) {
  if (!(shape > 0.0) || !std::isfinite(shape))
    throw NumericalError(make_message("gamma", "shape", "finite and > 0", std::to_string(shape)));
  if (shape < 1.0) {
    const double u = rng.uniform();
    return gamma(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  // X = d·v with v = (1 + c·z)³, z ~ N(0, 1), accepted when
  // log u < z²/2 + d − d·v + d·log v (with the cheap squeeze u < 1 − 0.0331 z⁴ first).
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z, v;
    do {
      z = rng.normal();
      v = 1.0 + c * z;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform(), z2 = z * z;
    if (u < 1.0 - 0.0331 * z2 * z2) return d * v;
    if (std::log(u) < 0.5 * z2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace nsbi
