// slcp_distractors against TASKS.md §4, with the mixture and permutation read from
// ../shared/sbibm/task_constants: the 8 slcp values sit at the permuted positions and are slcp's
// own draws; the 92 distractors do not depend on θ, and every linear projection vᵀd has the
// mixture's exact CDF Σ_k w_k T₂((s − vᵀμ_k)/√(vᵀL_kL_kᵀv)) (a projection of a multivariate
// Student-t is univariate Student-t with the same ν), tested by Kolmogorov–Smirnov.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

#include "nsbi/simulator/task.hpp"
#include "task_test_util.hpp"

namespace nsbi {
namespace {

constexpr int kD = 92;

struct Mixture {
  std::vector<double> w;
  std::vector<Eigen::VectorXd> loc;
  std::vector<Eigen::MatrixXd> l;  // lower-triangular scale
  std::vector<int> perm;           // x[j] = v[perm[j]]
};

Mixture shared_mixture() {
  Mixture m;
  const Eigen::MatrixXd wdf = test::read_shared_constant("slcp_distractors_gmm_weights_df.csv");
  const Eigen::MatrixXd loc = test::read_shared_constant("slcp_distractors_gmm_loc.csv");
  const Eigen::MatrixXd tril = test::read_shared_constant("slcp_distractors_gmm_scale_tril.csv");
  const Eigen::MatrixXd perm = test::read_shared_constant("slcp_distractors_permutation_idx.csv");
  for (Eigen::Index k = 0; k < wdf.rows(); ++k) {
    EXPECT_EQ(wdf(k, 2), 2.0) << "the closed-form CDF below is for ν = 2";
    m.w.push_back(wdf(k, 1) / wdf.col(1).sum());
    m.loc.push_back(loc.row(k).transpose());
    m.l.push_back(Eigen::MatrixXd::Zero(kD, kD));
  }
  for (Eigen::Index r = 0; r < tril.rows(); ++r)
    m.l[static_cast<std::size_t>(tril(r, 0))](static_cast<Eigen::Index>(tril(r, 1)), static_cast<Eigen::Index>(tril(r, 2))) = tril(r, 3);
  for (Eigen::Index j = 0; j < perm.rows(); ++j) m.perm.push_back(static_cast<int>(perm(j, 1)));
  return m;
}

// Student-t CDF with ν = 2: F(t) = ½ + t / (2√(2 + t²)).
double t2_cdf(double t) { return 0.5 + t / (2 * std::sqrt(2 + t * t)); }

// v = [slcp(8), d(92)] from x by inverting the permutation.
Eigen::MatrixXd unpermute(const Mixture& m, const Eigen::MatrixXd& x) {
  Eigen::MatrixXd v(x.rows(), x.cols());
  for (int j = 0; j < 100; ++j) v.row(m.perm[static_cast<std::size_t>(j)]) = x.row(j);
  return v;
}

double ks_against_mixture(const Mixture& m, const Eigen::VectorXd& dir, const Eigen::MatrixXd& d) {
  std::vector<double> s(static_cast<std::size_t>(d.cols()));
  for (Eigen::Index j = 0; j < d.cols(); ++j) s[static_cast<std::size_t>(j)] = dir.dot(d.col(j));
  std::sort(s.begin(), s.end());
  std::vector<double> center, scale;
  for (std::size_t k = 0; k < m.w.size(); ++k) {
    center.push_back(dir.dot(m.loc[k]));
    scale.push_back((m.l[k].transpose() * dir).norm());  // √(vᵀ L Lᵀ v)
  }
  const double n = static_cast<double>(s.size());
  double ks = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    double f = 0;
    for (std::size_t k = 0; k < m.w.size(); ++k) f += m.w[k] * t2_cdf((s[i] - center[k]) / scale[k]);
    ks = std::max({ks, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return ks;
}

Eigen::VectorXd test_theta() {
  Eigen::VectorXd theta(5);
  theta << 0.5, -1.0, 1.2, -0.9, 0.7;
  return theta;
}

TEST(SlcpDistractorsTest, SlcpValuesAreSlcpsOwnDrawsAtThePermutedPositions) {
  const Mixture m = shared_mixture();
  const Eigen::MatrixXd x = test::simulate_repeatedly(find_task("slcp_distractors"), test_theta(), 200);
  const Eigen::MatrixXd slcp = test::simulate_repeatedly(find_task("slcp"), test_theta(), 200);
  EXPECT_EQ(unpermute(m, x).topRows(8), slcp);
  // The README's check: slcp values 1..8 land at 1-based columns 23, 34, 24, 68, 43, 22, 17, 91.
  const int expected[8] = {23, 34, 24, 68, 43, 22, 17, 91};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(m.perm[static_cast<std::size_t>(expected[i] - 1)], i);
}

TEST(SlcpDistractorsTest, DistractorsDoNotDependOnTheta) {
  const Mixture m = shared_mixture();
  Eigen::VectorXd other = test_theta();
  other << -2.5, 2.0, 0.1, 2.9, -1.5;
  const Eigen::MatrixXd a = unpermute(m, test::simulate_repeatedly(find_task("slcp_distractors"), test_theta(), 50));
  const Eigen::MatrixXd b = unpermute(m, test::simulate_repeatedly(find_task("slcp_distractors"), other, 50));
  EXPECT_EQ(a.bottomRows(kD), b.bottomRows(kD));
  EXPECT_NE(a.topRows(8), b.topRows(8));
}

TEST(SlcpDistractorsTest, ProjectionsOfDistractorsHaveTheMixtureCdf) {
  const Mixture m = shared_mixture();
  const Eigen::Index n = 20000;
  const Eigen::MatrixXd d =
      unpermute(m, test::simulate_repeatedly(find_task("slcp_distractors"), test_theta(), n)).bottomRows(kD);
  // 0.00001 critical value of KS, about 2.46/√n; 92 marginals and 6 other directions.
  const double critical = 2.46 / std::sqrt(static_cast<double>(n));
  for (int i = 0; i < kD; ++i) EXPECT_LT(ks_against_mixture(m, Eigen::VectorXd::Unit(kD, i), d), critical) << "dim " << i;
  EXPECT_LT(ks_against_mixture(m, Eigen::VectorXd::Ones(kD), d), critical) << "sum";
  RandomStream rng(99, StreamId::diagnostics, 0, 0);
  for (int r = 0; r < 5; ++r) {
    Eigen::VectorXd dir(kD);
    for (int i = 0; i < kD; ++i) dir(i) = rng.normal();
    EXPECT_LT(ks_against_mixture(m, dir, d), critical) << "random direction " << r;
  }
}

// x_o holds slcp's observation at the permuted positions, and each of its distractors lies
// inside the (1e-4, 1 − 1e-4) quantiles of its mixture marginal. (A check of the joint density is
// not possible: several scale factors have near-zero diagonal entries, so L⁻¹(d − μ) amplifies
// the float32 rounding of the stored values beyond use.)
TEST(SlcpDistractorsTest, StoredObservationsArePlausible) {
  const Mixture m = shared_mixture();
  const Task& task = find_task("slcp_distractors");
  for (int k = 1; k <= test::kNumStoredObservations; ++k) {
    const auto [theta, x_o] = test::load_observation(task, k);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "obs " << k;
    const Eigen::VectorXd v = unpermute(m, x_o);
    EXPECT_TRUE(v.head(8).isApprox(test::read_observation_row("slcp", k, "observation.csv"), 1e-6)) << "obs " << k;
    for (int i = 0; i < kD; ++i) {
      double f = 0;
      for (std::size_t c = 0; c < m.w.size(); ++c)
        f += m.w[c] * t2_cdf((v(8 + i) - m.loc[c](i)) / m.l[c].row(i).norm());
      EXPECT_GT(f, 1e-4) << "obs " << k << " dim " << i;
      EXPECT_LT(f, 1 - 1e-4) << "obs " << k << " dim " << i;
    }
  }
}

TEST(SlcpDistractorsTest, PriorIsSlcps) {
  const auto prior = find_task("slcp_distractors").make_prior();
  EXPECT_EQ(prior->lower(), Eigen::VectorXd::Constant(5, -3.0));
  EXPECT_EQ(prior->upper(), Eigen::VectorXd::Constant(5, 3.0));
  EXPECT_NEAR(prior->log_prob(Eigen::VectorXd::Zero(5))(0), -5 * std::log(6.0), 1e-12);
}

}  // namespace
}  // namespace nsbi
