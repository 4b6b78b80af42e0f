// What only the mixture density network has: its mixture at one context in raw units (checked
// against log_prob by an independent Eigen LLT evaluation), expand() from one component to K,
// and samples against the mixture's closed-form moments. The generic checks (gradients, density
// integrates to one, float vs double) are in density_estimator_contract_test.cpp.
#include "nsbi/nn/mixture_density_network.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "nsbi/core/error.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

// Non-trivial standardisation and weights moved away from initialisation (off-diagonal
// precision factors and unequal weights then matter).
MixtureDensityNetwork<double> make_mdn(int dim, int ctx, int components, std::uint64_t seed) {
  Standardizer ys{Eigen::VectorXd::LinSpaced(dim, -0.5, 0.5), Eigen::VectorXd::LinSpaced(dim, 0.7, 1.9)};
  Standardizer cs{Eigen::VectorXd::LinSpaced(ctx, 0.2, 1.0), Eigen::VectorXd::LinSpaced(ctx, 1.5, 0.5)};
  MixtureDensityNetwork<double> mdn(dim, ctx, MdnOptions{components, 12}, seed, ys, cs);
  RandomStream rng(seed, StreamId::initialization, 7, 0);
  for (auto& v : mdn.parameters().values()) v += 0.3 * rng.normal();
  return mdn;
}

// log Σ_k α_k N(y; μ_k, Σ_k) from the mixture's parts, each Gaussian through its own LLT.
double direct_log_prob(const GaussianMixture& q, const Eigen::VectorXd& y) {
  const int D = q.dim();
  double p = 0;
  for (int k = 0; k < q.components(); ++k) {
    const Eigen::LLT<Eigen::MatrixXd> llt(q.covariances[k]);
    const Eigen::VectorXd w = llt.matrixL().solve(y - q.means.col(k));
    const double log_det = 2 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
    p += std::exp(q.log_weights(k) - 0.5 * w.squaredNorm() - 0.5 * log_det - 0.5 * D * std::log(2 * std::numbers::pi));
  }
  return std::log(p);
}

}  // namespace

TEST(MixtureDensityNetworkTest, LogProbEqualsItsMixtureInRawUnits) {
  auto mdn = make_mdn(3, 2, 4, 11);
  const Mat<double> y = 1.3 * random_matrix(3, 6, 1), c = random_matrix(2, 6, 2);
  Vec<double> lp(6);
  mdn.log_prob(y, c, lp);
  for (int n = 0; n < 6; ++n) {
    const GaussianMixture q = mdn.mixture(c.col(n));
    ASSERT_EQ(q.components(), 4);
    EXPECT_NEAR(q.log_weights.array().exp().sum(), 1.0, 1e-12);
    EXPECT_NEAR(lp(n), direct_log_prob(q, y.col(n)), 1e-10) << "column " << n;
  }
}

TEST(MixtureDensityNetworkTest, InitialMixtureIsNearUniformWithUnitCovariancesInStandardUnits) {
  Standardizer ys = Standardizer::identity(2), cs = Standardizer::identity(3);
  MixtureDensityNetwork<double> mdn(2, 3, MdnOptions{5, 50}, 4, ys, cs);
  const GaussianMixture q = mdn.mixture(random_matrix(3, 1, 3).col(0));
  EXPECT_LT((q.log_weights.array() + std::log(5.0)).abs().maxCoeff(), 0.1);
  for (const auto& s : q.covariances) EXPECT_LT((s - Eigen::MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff(), 0.2);
  EXPECT_GT((q.means.col(0) - q.means.col(1)).norm(), 1e-3);  // the components start apart
}

TEST(MixtureDensityNetworkTest, ExpandWithoutJitterKeepsTheDensity) {
  auto one = make_mdn(2, 2, 1, 21);
  auto expanded = one.expand(4, 5, 0.0);
  EXPECT_EQ(expanded.components(), 4);
  const Mat<double> y = random_matrix(2, 9, 4), c = random_matrix(2, 9, 5);
  Vec<double> a(9), b(9);
  one.log_prob(y, c, a);
  expanded.log_prob(y, c, b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(MixtureDensityNetworkTest, ExpandWithJitterGivesKComponentsAroundTheOne) {
  auto one = make_mdn(2, 2, 1, 23);
  auto expanded = one.expand(3, 6, 0.1);
  const Vec<double> c = random_matrix(2, 1, 7).col(0);
  const GaussianMixture q1 = one.mixture(c), q3 = expanded.mixture(c);
  ASSERT_EQ(q3.components(), 3);
  EXPECT_LT((q3.log_weights.array() + std::log(3.0)).abs().maxCoeff(), 1e-12);  // equal logits
  for (int k = 0; k < 3; ++k) {
    EXPECT_LT((q3.covariances[k] - q1.covariances[0]).cwiseAbs().maxCoeff(), 1e-12);
    // Jitter 0.1 in standard units: the raw means move by 0.1·σ·N(0, 1), σ ≤ 1.9.
    const double shift = (q3.means.col(k) - q1.means.col(0)).cwiseAbs().maxCoeff();
    EXPECT_GT(shift, 0.0);
    EXPECT_LT(shift, 5 * 0.1 * 1.9);
  }
  EXPECT_GT((q3.means.col(0) - q3.means.col(1)).norm(), 1e-4);
  // Training continues: the gradient is defined and finite on the expanded network.
  const Mat<double> y = random_matrix(2, 5, 8), cc = random_matrix(2, 5, 9);
  Vec<double> lp(5);
  expanded.log_prob(y, cc, lp);
  expanded.parameters().zero_grad();
  expanded.backward(Vec<double>::Ones(5));
  EXPECT_TRUE(expanded.parameters().grads().allFinite());
}

TEST(MixtureDensityNetworkTest, ExpandNeedsOneComponent) {
  auto two = make_mdn(2, 2, 2, 25);
  EXPECT_THROW(two.expand(4, 1), ConfigError);
}

TEST(MixtureDensityNetworkTest, SamplesMatchTheMixtureMoments) {
  auto mdn = make_mdn(2, 2, 3, 31);
  const Vec<double> c = random_matrix(2, 1, 10).col(0);
  const GaussianMixture q = mdn.mixture(c);
  RandomStream rng(2, StreamId::posterior, 0, 0);
  const int n = 60000;
  const Mat<double> s = mdn.sample(c, n, rng);
  const Eigen::VectorXd mean = s.rowwise().mean();
  const Eigen::MatrixXd centered = s.colwise() - mean;
  const Eigen::MatrixXd cov = centered * centered.transpose() / (n - 1), true_cov = q.covariance();
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(mean(i), q.mean()(i), 4 * std::sqrt(true_cov(i, i) / n));
    EXPECT_NEAR(cov(i, i), true_cov(i, i), 8 * true_cov(i, i) / std::sqrt(double(n)));
  }
}

TEST(MixtureDensityNetworkTest, RegistryBuildsItAsMdn) {
  DensityEstimatorSpec spec;
  spec.name = "mdn";
  spec.components = 3;
  spec.hidden = 7;
  auto q = make_density_estimator(spec, 2, 4, 1, Standardizer::identity(2), Standardizer::identity(4));
  auto* mdn = dynamic_cast<MixtureDensityNetwork<float>*>(q.get());
  ASSERT_NE(mdn, nullptr);
  EXPECT_EQ(mdn->components(), 3);
  EXPECT_EQ(mdn->options().hidden, 7);
  EXPECT_EQ(mdn->target_dim(), 2);
  EXPECT_EQ(mdn->context_dim(), 4);
}
