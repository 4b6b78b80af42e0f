#include "nsbi/diagnostics/sbc.hpp"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

#include "nsbi/core/error.hpp"

namespace nsbi {

IndexVector sbc_ranks(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::MatrixXd>& draws) {
  // Per dimension: count the draws below θ_d (column-wise comparison, then a row sum).
  return (draws.array() < theta.replicate(1, draws.cols()).array()).cast<std::int64_t>().rowwise().sum();
}

std::int64_t hpd_count(double log_prob_theta, const Eigen::Ref<const Eigen::VectorXd>& log_prob_draws) {
  return (log_prob_draws.array() > log_prob_theta).count();
}

std::int64_t tarp_count(const Eigen::Ref<const Eigen::VectorXd>& theta, const Eigen::Ref<const Eigen::MatrixXd>& draws,
                        const Eigen::Ref<const Eigen::VectorXd>& reference, const Eigen::Ref<const Eigen::VectorXd>& scale) {
  const double d_theta = ((theta - reference).array() / scale.array()).square().sum();
  const Eigen::ArrayXd d_draws =
      ((draws.colwise() - reference).array().colwise() / scale.array()).square().colwise().sum().transpose();
  return (d_draws < d_theta).count();
}

Eigen::VectorXd coverage_curve(const Eigen::Ref<const IndexVector>& counts, std::int64_t L,
                               const Eigen::Ref<const Eigen::VectorXd>& levels) {
  Eigen::VectorXd out(levels.size());
  const auto n = static_cast<double>(counts.size());
  for (Eigen::Index k = 0; k < levels.size(); ++k) {
    // count/L < α  ⇔  count < α·L.
    const double bound = levels(k) * static_cast<double>(L);
    out(k) = n > 0 ? static_cast<double>((counts.cast<double>().array() < bound).count()) / n : 0.0;
  }
  return out;
}

int sbc_bins(std::int64_t n, std::int64_t L) {
  std::int64_t b = std::min<std::int64_t>(20, n / 5);
  b = std::min<std::int64_t>(b, L + 1);
  return static_cast<int>(std::max<std::int64_t>(b, 2));
}

UniformityTest rank_uniformity(const Eigen::Ref<const IndexVector>& ranks, std::int64_t L, int bins) {
  if (bins < 2 || bins > L + 1)
    throw ShapeError(make_message("rank_uniformity", "bins", "2..L+1 = " + std::to_string(L + 1), std::to_string(bins)));
  std::vector<double> observed(static_cast<std::size_t>(bins), 0.0), width(static_cast<std::size_t>(bins), 0.0);
  const auto bin_of = [&](std::int64_t r) { return static_cast<std::size_t>(r * bins / (L + 1)); };
  for (std::int64_t r = 0; r <= L; ++r) width[bin_of(r)] += 1;
  for (Eigen::Index i = 0; i < ranks.size(); ++i) {
    if (ranks(i) < 0 || ranks(i) > L)
      throw ShapeError(make_message("rank_uniformity", "rank", "in 0.." + std::to_string(L), std::to_string(ranks(i))));
    observed[bin_of(ranks(i))] += 1;
  }
  UniformityTest t;
  t.bins = bins;
  const auto n = static_cast<double>(ranks.size());
  for (int b = 0; b < bins; ++b) {
    const double expected = n * width[b] / static_cast<double>(L + 1);
    t.statistic += (observed[b] - expected) * (observed[b] - expected) / expected;
  }
  t.p_value = n > 0 ? boost::math::gamma_q(0.5 * (bins - 1), 0.5 * t.statistic) : 1.0;
  return t;
}

Eigen::VectorXd sbc_levels() {
  Eigen::VectorXd levels(19);
  for (int k = 0; k < 19; ++k) levels(k) = (k + 1) * 5 / 100.0;  // 0.05, 0.1, …: shortest decimals in coverage.csv
  return levels;
}

SbcSummary summarize_sbc(const Eigen::Ref<const IndexMatrix>& ranks, const Eigen::Ref<const IndexVector>& hpd,
                         const Eigen::Ref<const IndexVector>& tarp, std::int64_t L) {
  SbcSummary s;
  const Eigen::Index D = ranks.rows(), n = ranks.cols();
  const int bins = sbc_bins(n, L);
  for (Eigen::Index d = 0; d < D; ++d) {
    const IndexVector r = ranks.row(d).transpose();
    s.rank_tests.push_back(rank_uniformity(r, L, bins));
    if (!(s.rank_tests.back().p_value > s.alpha / static_cast<double>(D))) s.uniform = false;
  }
  s.levels = sbc_levels();
  s.expected_coverage = coverage_curve(hpd, L, s.levels);
  s.tarp_coverage = coverage_curve(tarp, L, s.levels);
  s.max_coverage_deviation = (s.expected_coverage - s.levels).cwiseAbs().maxCoeff();
  s.tarp_max_deviation = (s.tarp_coverage - s.levels).cwiseAbs().maxCoeff();
  return s;
}

}  // namespace nsbi
