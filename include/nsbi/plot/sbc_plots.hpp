#pragma once
// Simulation-based calibration plots: rank histograms with the band a uniform histogram stays in
// (Talts et al. 2018, "Validating Bayesian inference algorithms with simulation-based
// calibration", Fig. 1), and coverage against credibility level (expected coverage and TARP,
// Lemos et al. 2023) with the diagonal of a calibrated posterior.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nsbi::plot {

/// The central interval [lo, hi] of Binomial(n, p) holding at least `level` of its mass: lo the
/// smallest k with P(K ≤ k) ≥ (1 − level)/2, hi the smallest k with P(K ≤ k) ≥ (1 + level)/2.
std::pair<int, int> binomial_interval(int n, double p, double level);

/// Rank bins for ranks 0..L: B = min(20, L + 1, max(1, tests / 20)) bins, bin b holding ranks
/// [floor(b(L+1)/B), floor((b+1)(L+1)/B)). Returns the B + 1 edges (first 0, last L + 1).
std::vector<int> rank_bin_edges(int samples_per_test, int tests);

/// One rank histogram per marginal (rows of `ranks`, D×tests, values in 0..L) in a grid, each
/// with the 99% band of a uniform histogram in grey and the expected count; `pvalues` (D values
/// or empty) in the panel titles, `labels` the D parameter labels.
std::string sbc_rank_svg(const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>& ranks,
                         int samples_per_test, const std::vector<std::string>& labels,
                         const std::vector<double>& pvalues);

/// Coverage curves: `level`, `expected` and `tarp` of equal length (levels in [0, 1]), the
/// diagonal, and the 99% band of the empirical coverage of `tests` calibrated tests.
std::string sbc_coverage_svg(const std::vector<double>& level, const std::vector<double>& expected,
                             const std::vector<double>& tarp, int tests);

}  // namespace nsbi::plot
