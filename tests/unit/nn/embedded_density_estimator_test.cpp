// q(y | embed(x)) end to end: one parameter buffer holding the flow and then the embedding,
// d(loss)/d(params) through the flow's context gradient into every embedding kind against
// finite differences (with runs of a repeated x, embedded once), the inference paths, and the
// registry's construction.
#include "nsbi/nn/embedded_density_estimator.hpp"

#include <gtest/gtest.h>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/nn/mixture_density_network.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

constexpr int kDim = 2, kXDim = 12, kFeatures = 3;

// x of 12 values seen by each kind: a vector, a series, a 3×4 map, 4 trials of 3 values.
EmbeddingSpec spec_of(const std::string& type) {
  EmbeddingSpec s{.type = type, .features = kFeatures, .hidden = 6, .layers = 1, .channels = 2, .kernel = 3};
  if (type == "cnn2d") s.shape = {3, 4};
  if (type == "deepset") s.trials = 4;
  return s;
}

Standardizer x_standardizer() {
  return {Eigen::VectorXd::LinSpaced(kXDim, -1.0, 1.0), Eigen::VectorXd::LinSpaced(kXDim, 0.5, 2.0)};
}

std::unique_ptr<EmbeddedDensityEstimator<double>> make_embedded(const std::string& type, std::uint64_t seed = 4) {
  Standardizer ys{Eigen::VectorXd::Constant(kDim, 0.3), Eigen::VectorXd::Constant(kDim, 1.7)};
  auto flow = std::make_unique<MaskedAutoregressiveFlow<double>>(kDim, kFeatures, MafOptions{2, 8}, seed, ys,
                                                                 Standardizer::identity(kFeatures));
  auto q = std::make_unique<EmbeddedDensityEstimator<double>>(std::move(flow), spec_of(type), seed, x_standardizer());
  RandomStream rng(seed, StreamId::initialization, 7, 0);
  for (auto& v : q->parameters().values()) v += v == 0.0 ? 0.0 : 0.2 * rng.normal();  // masked stay 0
  return q;
}

class EmbeddedDensityEstimatorTest : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(EmbeddedDensityEstimatorTest, BackwardMatchesFiniteDifferences) {
  auto q = make_embedded(GetParam());
  // x a, a, b, c, c: runs of equal columns are embedded once, single columns too.
  const Mat<double> abc = random_matrix(kXDim, 3, 2);
  Mat<double> y = random_matrix(kDim, 5, 1), x(kXDim, 5);
  x << abc.col(0), abc.col(0), abc.col(1), abc.col(2), abc.col(2);
  const Vec<double> g = random_matrix(5, 1, 3).col(0);
  Vec<double> lp(5);
  auto loss = [&] {
    q->log_prob(y, x, lp);
    return g.dot(lp);
  };
  loss();
  q->parameters().zero_grad();
  q->backward(g);
  const Eigen::VectorXd grads = q->parameters().grads();
  EXPECT_LT(fd::relative_error(grads, fd::numerical_gradient(q->parameters().values(), loss, 1e-6, true)), 1e-6);
  // The embedding's block (after the flow's) is trained: its gradient is not zero.
  const Eigen::Index flow_size = MaskedAutoregressiveFlow<double>(kDim, kFeatures, MafOptions{2, 8}, 4,
                                                                  Standardizer::identity(kDim),
                                                                  Standardizer::identity(kFeatures))
                                     .parameters()
                                     .size();
  ASSERT_GT(q->parameters().size(), flow_size);
  EXPECT_GT(grads.tail(q->parameters().size() - flow_size).cwiseAbs().maxCoeff(), 0.0);
  // And d(loss)/dx, in raw units through x's z-scoring.
  loss();
  Mat<double> dx(kXDim, 5);
  q->backward_with_context(g, dx);
  Eigen::Map<Eigen::VectorXd> x_flat(x.data(), x.size());
  EXPECT_LT(fd::relative_error(dx.reshaped(), fd::numerical_gradient(x_flat, loss)), 1e-6);
}

TEST_P(EmbeddedDensityEstimatorTest, EvaluateAndSampleUseTheSameFeatures) {
  auto q = make_embedded(GetParam());
  const Mat<double> y = random_matrix(kDim, 9, 4);
  const Mat<double> x_o = random_matrix(kXDim, 1, 5);
  Vec<double> a(9), b(9), c(9);
  // One x for every column (the posterior at x_o: embedded once), and different x.
  q->log_prob(y, x_o.replicate(1, 9), a);
  q->evaluate(y, x_o.replicate(1, 9), b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12 * (1 + a.cwiseAbs().maxCoeff()));
  const Mat<double> xs = random_matrix(kXDim, 9, 6);
  q->log_prob(y, xs, a);
  q->evaluate(y, xs, c);
  EXPECT_LT((a - c).cwiseAbs().maxCoeff(), 1e-12 * (1 + a.cwiseAbs().maxCoeff()));
  // Samples at x_o are the inner flow's samples at embed(x_o): same stream, same draws.
  RandomStream r1(9, StreamId::posterior, 0, 0), r2(9, StreamId::posterior, 0, 0);
  const Mat<double> s = q->sample(x_o.col(0), 20, r1);
  ASSERT_EQ(s.rows(), kDim);
  ASSERT_EQ(s.cols(), 20);
  EXPECT_TRUE(s.allFinite());
  EXPECT_EQ(s, q->sample(x_o.col(0), 20, r2));
}

INSTANTIATE_TEST_SUITE_P(Kinds, EmbeddedDensityEstimatorTest,
                         ::testing::Values("mlp", "cnn1d", "cnn2d", "deepset"));

TEST(EmbeddedDensityEstimatorRegistry, WrapsEveryEstimatorKindInOneBuffer) {
  for (const std::string& name : density_estimator_names()) {
    DensityEstimatorSpec plain;
    plain.name = name;
    plain.transforms = 2;
    plain.hidden = 8;
    plain.components = 2;
    DensityEstimatorSpec embedded = plain;
    embedded.embedding = spec_of("mlp");
    const Standardizer ys = Standardizer::identity(kDim);
    auto q = make_density_estimator(embedded, kDim, kXDim, 5, ys, x_standardizer());
    auto inner = make_density_estimator(plain, kDim, kFeatures, 5, ys, Standardizer::identity(kFeatures));
    EXPECT_EQ(q->context_dim(), kXDim) << name;
    EXPECT_EQ(q->target_dim(), kDim) << name;
    // The estimator's own weights come first and are those of the estimator without embedding
    // (same seed); the embedding's follow (mlp 12 → 6 → 3).
    const Eigen::Index n_inner = inner->parameters().size();
    ASSERT_EQ(q->parameters().size(), n_inner + (kXDim * 6 + 6) + (6 * kFeatures + kFeatures)) << name;
    EXPECT_EQ(q->parameters().values().head(n_inner), inner->parameters().values()) << name;
    Vec<float> lp(3);
    q->log_prob(random_matrix(kDim, 3, 1).cast<float>(), random_matrix(kXDim, 3, 2).cast<float>(), lp);
    EXPECT_TRUE(lp.allFinite()) << name;
  }
  DensityEstimatorSpec bad;
  bad.embedding = spec_of("cnn2d");
  bad.embedding.shape = {5, 5};
  EXPECT_THROW(make_density_estimator(bad, kDim, kXDim, 1, Standardizer::identity(kDim), x_standardizer()),
               ConfigError);
}
