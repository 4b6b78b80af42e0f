#pragma once
// Non-uniform variates drawn from a RandomStream, for the builtin simulators: Bernoulli,
// binomial, gamma and χ². Every sampler is exact (up to floating point) and takes all of its
// randomness from `rng`, so a simulation stays a function of (seed, θ). The number of draws a
// rejection sampler consumes depends on its arguments; callers that need later draws to be
// independent of θ must draw those first.
#include <cstdint>

#include "nsbi/core/random.hpp"

namespace nsbi {

/// 1 with probability p, else 0 (one uniform): p ≤ 0 gives 0, p ≥ 1 gives 1.
inline bool bernoulli(RandomStream& rng, double p) { return rng.uniform() < p; }

/// Binomial(n, p), n ≥ 0, p ∈ [0, 1] (NumericalError otherwise). By symmetry p ≤ ½ is drawn;
/// n·p < 10: inversion (sequential search of the CDF from 0); otherwise BTRS, Hörmann's
/// transformed rejection with squeeze (W. Hörmann, "The generation of binomial random variates",
/// J. Stat. Comput. Simul. 46, 1993), with the exact log pmf ratio in the final test.
std::int64_t binomial(RandomStream& rng, std::int64_t n, double p);

/// Gamma(shape, scale 1), shape > 0 (NumericalError otherwise): Marsaglia & Tsang, "A simple
/// method for generating gamma variables", ACM TOMS 26, 2000; shape < 1 as
/// Gamma(shape + 1)·U^(1/shape).
double gamma(RandomStream& rng, double shape);

/// χ²(df) = 2·Gamma(df/2), df > 0.
inline double chi_squared(RandomStream& rng, double df) { return 2.0 * gamma(rng, 0.5 * df); }

}  // namespace nsbi
