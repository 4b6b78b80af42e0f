#pragma once
// Simulation-based calibration statistics (Talts et al. 2018, "Validating Bayesian inference
// algorithms with simulation-based calibration"), expected coverage of highest-density regions
// (as sbi's expected coverage) and TARP (Lemos et al. 2023, "Sampling-based accuracy testing of
// posterior estimators for general inference"). Pure functions, no MPI, no network: a test is
// θ_i ~ p(θ), x_i ~ p(x | θ_i) and L draws θ_il ~ q(θ | x_i).
//
// A calibrated q makes, for every test:
//   rank_d = #{l : θ_ild < θ_id}                         uniform on {0, …, L} per marginal d;
//   hpd    = #{l : log q(θ_il|x_i) > log q(θ_i|x_i)}     θ_i is inside the HPD region of
//            credibility α iff hpd/L < α, so P(hpd/L < α) = α;
//   tarp   = #{l : ‖θ_il − θ_r‖ < ‖θ_i − θ_r‖}           the same for balls around a random
//            reference point θ_r drawn independently of θ_i (here: from the prior), with
//            distances in units of a per-dimension scale.
// Coverage at credibility α is the fraction of tests with count/L < α; a calibrated estimator
// lies on the diagonal, an overconfident (too narrow) one below it.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace nsbi {

using IndexVector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
using IndexMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

/// rank_d = #{l : draws(d, l) < theta(d)}: theta (D), draws (D×L) → D values in 0..L.
IndexVector sbc_ranks(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::MatrixXd>& draws);

/// #{l : log_prob_draws(l) > log_prob_theta} (L draws).
std::int64_t hpd_count(double log_prob_theta, const Eigen::Ref<const Eigen::VectorXd>& log_prob_draws);

/// #{l : ‖(draws(:, l) − reference)/scale‖ < ‖(theta − reference)/scale‖}, scale (D) > 0.
std::int64_t tarp_count(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::MatrixXd>& draws,
                        const Eigen::Ref<const Eigen::VectorXd>& reference, const Eigen::Ref<const Eigen::VectorXd>& scale);

/// Fraction of the tests with counts(i)/L < level, for each level → levels.size() values.
Eigen::VectorXd coverage_curve(const Eigen::Ref<const IndexVector>& counts, std::int64_t L,
                               const Eigen::Ref<const Eigen::VectorXd>& levels);

/// Pearson's chi-square test that ranks in 0..L are uniform: `bins` bins of consecutive rank
/// values (bin of r = floor(r·bins/(L+1))), expected counts n·|bin|/(L+1), bins − 1 degrees of
/// freedom; p-value = Q((bins−1)/2, χ²/2).
struct UniformityTest {
  double statistic = 0;
  int bins = 0;
  double p_value = 1;
};
UniformityTest rank_uniformity(const Eigen::Ref<const IndexVector>& ranks, std::int64_t L, int bins);

/// The number of bins for n tests and L draws: 20, fewer so that every bin expects ≥ 5 tests
/// (at least 2), and never more than L + 1.
int sbc_bins(std::int64_t n, std::int64_t L);

/// The credibility levels of coverage.csv: 0.05, 0.10, …, 0.95.
Eigen::VectorXd sbc_levels();

/// What sbc.json reports of a set of tests (ranks D×n, hpd and tarp counts n, L draws each).
struct SbcSummary {
  std::vector<UniformityTest> rank_tests;  // per dimension
  /// Family-wise level of the uniformity verdict: uniform iff every p-value > alpha/D (Bonferroni).
  double alpha = 0.01;
  bool uniform = true;
  Eigen::VectorXd levels, expected_coverage, tarp_coverage;
  double max_coverage_deviation = 0, tarp_max_deviation = 0;
};
SbcSummary summarize_sbc(const Eigen::Ref<const IndexMatrix>& ranks, const Eigen::Ref<const IndexVector>& hpd,
                         const Eigen::Ref<const IndexVector>& tarp, std::int64_t L);

}  // namespace nsbi
