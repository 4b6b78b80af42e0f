// sbibm slcp_distractors (TASKS.md §4): θ ∈ [−3, 3]⁵ as slcp, x ∈ R¹⁰⁰. The 8 slcp values are
// followed by 92 distractors d drawn from a fixed mixture of 20 multivariate Student-t
// components (location μ_k, lower-triangular scale L_k, ν_k degrees of freedom, weight w_k):
//   k ~ Categorical(w),  d = μ_k + L_k·z·√(ν_k / c),  z ~ N(0, I₉₂),  c ~ χ²(ν_k),
// and v = [slcp(θ), d] is permuted: x[j] = v[perm[j]]. The mixture and perm are the data files
// slcp_distractors_*.csv (task_constants.hpp). d does not depend on θ: the slcp values take a
// fixed 8 normals first, so for one seed the distractors are the same at every θ.
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random_variates.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"
#include "workers/simulators/slcp.hpp"
#include "workers/simulators/task_constants.hpp"

namespace nsbi {

namespace {

constexpr int kSlcpDim = 8, kDistractorDim = 92, kDim = kSlcpDim + kDistractorDim;

struct DistractorMixture {
  std::vector<double> cumulative_weight;  // normalised, last = 1
  std::vector<double> df;
  Eigen::MatrixXd loc;                    // 92 × K
  std::vector<Eigen::MatrixXd> scale_tril;  // K of 92 × 92, lower triangular
  std::array<int, kDim> perm{};
};

void check(bool ok, const std::string& what, const std::string& expected, const std::string& found) {
  if (!ok) throw ConfigError(make_message("slcp_distractors constants", what, expected, found));
}

DistractorMixture load_mixture() {
  DistractorMixture m;
  const Eigen::MatrixXd w = task_constant_matrix("slcp_distractors_gmm_weights_df.csv");  // component, weight, df
  const Eigen::MatrixXd loc = task_constant_matrix("slcp_distractors_gmm_loc.csv");       // K × 92
  const Eigen::MatrixXd tril = task_constant_matrix("slcp_distractors_gmm_scale_tril.csv");  // component,row,col,value
  const Eigen::MatrixXd perm = task_constant_matrix("slcp_distractors_permutation_idx.csv");  // position, source
  const Eigen::Index K = w.rows();
  check(w.cols() == 3 && K >= 1, "weights_df shape", "K×3", std::to_string(K) + "×" + std::to_string(w.cols()));
  check(loc.rows() == K && loc.cols() == kDistractorDim, "loc shape", std::to_string(K) + "×92",
        std::to_string(loc.rows()) + "×" + std::to_string(loc.cols()));
  check(perm.rows() == kDim && perm.cols() == 2, "permutation rows", "100", std::to_string(perm.rows()));
  const double total = w.col(1).sum();
  double acc = 0;
  for (Eigen::Index k = 0; k < K; ++k) {
    acc += w(k, 1) / total;
    m.cumulative_weight.push_back(k + 1 == K ? 1.0 : acc);
    m.df.push_back(w(k, 2));
  }
  m.loc = loc.transpose();
  m.scale_tril.assign(static_cast<std::size_t>(K), Eigen::MatrixXd::Zero(kDistractorDim, kDistractorDim));
  for (Eigen::Index r = 0; r < tril.rows(); ++r) {
    const auto k = static_cast<Eigen::Index>(tril(r, 0)), i = static_cast<Eigen::Index>(tril(r, 1)),
               j = static_cast<Eigen::Index>(tril(r, 2));
    check(k >= 0 && k < K && j <= i && i < kDistractorDim && j >= 0, "scale_tril entry", "a lower-triangular index",
          std::to_string(k) + "," + std::to_string(i) + "," + std::to_string(j));
    m.scale_tril[static_cast<std::size_t>(k)](i, j) = tril(r, 3);
  }
  std::array<bool, kDim> seen{};
  for (int j = 0; j < kDim; ++j) {
    const int src = static_cast<int>(perm(j, 1));
    check(static_cast<int>(perm(j, 0)) == j && src >= 0 && src < kDim && !seen[static_cast<std::size_t>(src)],
          "permutation row " + std::to_string(j), "a permutation of 0..99", std::to_string(src));
    seen[static_cast<std::size_t>(src)] = true;
    m.perm[static_cast<std::size_t>(j)] = src;
  }
  return m;
}

const DistractorMixture& mixture() {
  static const DistractorMixture m = load_mixture();
  return m;
}

class SlcpDistractorsSimulator final : public BuiltinSimulator {
 public:
  SlcpDistractorsSimulator() : BuiltinSimulator("slcp_distractors", 5, kDim), m_(mixture()) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    std::array<double, kDim> v;
    simulate_slcp(theta, rng, Eigen::Map<Eigen::VectorXd>(v.data(), kSlcpDim));
    const double u = rng.uniform();
    std::size_t k = 0;
    while (k + 1 < m_.cumulative_weight.size() && u > m_.cumulative_weight[k]) ++k;
    std::array<double, kDistractorDim> z;
    for (double& zi : z) zi = rng.normal();
    const double scale = std::sqrt(m_.df[k] / chi_squared(rng, m_.df[k]));
    const Eigen::MatrixXd& l = m_.scale_tril[k];
    for (int i = 0; i < kDistractorDim; ++i) {
      double lz = 0;
      for (int j = 0; j <= i; ++j) lz += l(i, j) * z[static_cast<std::size_t>(j)];
      v[static_cast<std::size_t>(kSlcpDim + i)] = m_.loc(i, static_cast<Eigen::Index>(k)) + scale * lz;
    }
    for (int j = 0; j < kDim; ++j) x(j) = v[static_cast<std::size_t>(m_.perm[static_cast<std::size_t>(j)])];
  }

 private:
  const DistractorMixture& m_;
};

}  // namespace

Task slcp_distractors_task() {
  return {
      .name = "slcp_distractors",
      .theta_dim = 5,
      .x_dim = kDim,
      .description =
          "slcp's 8 values hidden among 92 heavy-tailed Student-t mixture distractors, then permuted; slcp's posterior",
      .make_prior = slcp_prior,
      .make_simulator = [] { return std::make_unique<SlcpDistractorsSimulator>(); }};
}

}  // namespace nsbi
