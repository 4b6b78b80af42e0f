// The ratio classifier d(θ, x): its gradient against central differences (both architectures),
// the broadcast of one x against many θ, its z-scoring, its initialisation (sbi/nflows layout
// and bounds) and the registry.
#include "nsbi/nn/ratio_classifier.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

constexpr int kTheta = 3, kX = 4;

Standardizer some_standardizer(int d, double shift) {
  Standardizer s = Standardizer::identity(d);
  for (int i = 0; i < d; ++i) {
    s.mean(i) = shift + 0.3 * i;
    s.std(i) = 0.5 + 0.4 * i;
  }
  return s;
}

template <typename T>
RatioClassifier<T> make(RatioArchitecture arch, std::uint64_t seed = 7, int hidden = 6, int blocks = 2,
                        const EmbeddingSpec& embedding = {}) {
  return RatioClassifier<T>(kTheta, kX, RatioClassifierOptions{arch, hidden, blocks}, seed,
                            some_standardizer(kTheta, 0.2), some_standardizer(kX, -0.4), embedding);
}

// Moves the weights away from their initialisation (whose residual branches are ~1e-3), so
// every layer carries gradient.
template <typename T>
void perturb(RatioClassifier<T>& d, std::uint64_t seed) {
  RandomStream rng(seed, StreamId::initialization, 6, 0);
  for (auto& v : d.parameters().values()) v += static_cast<T>(0.3 * rng.normal());
}

class RatioClassifierTest : public ::testing::TestWithParam<RatioArchitecture> {};

// Σ_n r_n d(θ_n, x_n) for 9 pairs, or for 9 θ against one x (x_cols = 1): its gradient against
// central differences in double. Returns the analytic gradient.
Eigen::VectorXd check_gradient(RatioArchitecture arch, int x_cols, std::uint64_t seed, const EmbeddingSpec& embedding = {}) {
  auto d = make<double>(arch, 7, 6, 2, embedding);
  perturb(d, seed);
  const Mat<double> theta = test::random_matrix(kTheta, 9, seed + 1), x = test::random_matrix(kX, x_cols, seed + 2);
  const Vec<double> r = test::random_matrix(9, 1, seed + 3);
  Vec<double> out(9);
  auto loss = [&] {
    d.forward(theta, x, out);
    return r.dot(out);
  };
  loss();
  d.parameters().zero_grad();
  d.backward(r);
  const Eigen::VectorXd analytic = d.parameters().grads();
  const Eigen::VectorXd numeric = fd::numerical_gradient(d.parameters().values(), loss);
  EXPECT_LT(fd::relative_error(analytic, numeric), 1e-6);
  return analytic;
}

TEST_P(RatioClassifierTest, BackwardMatchesFiniteDifferences) {
  const Eigen::VectorXd g = check_gradient(GetParam(), 9, 1);
  // Not a vacuous check: most parameters (all but those behind units dead on these 9 inputs) move the loss.
  EXPECT_GT((g.array() != 0.0).count(), 8 * g.size() / 10);
}

TEST_P(RatioClassifierTest, BackwardOfABroadcastXMatchesFiniteDifferences) { check_gradient(GetParam(), 1, 20); }

// With an embedding network in front of W_x (x of 4 values: a vector, a series, 2 trials of 2):
// the gradient reaches the embedding's layers, which follow the classifier's in the buffer.
TEST_P(RatioClassifierTest, WithAnEmbeddingBackwardMatchesFiniteDifferences) {
  const int plain = static_cast<int>(make<double>(GetParam()).parameters().size());
  const int features = 3;
  for (EmbeddingSpec e :
       {EmbeddingSpec{.type = "mlp", .features = features, .hidden = 5, .layers = 1},
        EmbeddingSpec{.type = "cnn1d", .features = features, .hidden = 5, .layers = 1, .channels = 2, .kernel = 3},
        EmbeddingSpec{.type = "deepset", .features = features, .hidden = 5, .layers = 1, .trials = 2}}) {
    for (int x_cols : {9, 1}) {
      const Eigen::VectorXd g = check_gradient(GetParam(), x_cols, 30 + x_cols, e);
      // W_x is H × features instead of H × Dx; the embedding's parameters come last.
      const int embedded_from = plain - 6 * kX + 6 * features;
      ASSERT_GT(g.size(), embedded_from) << e.type;
      EXPECT_GT(g.tail(g.size() - embedded_from).cwiseAbs().maxCoeff(), 0.0) << e.type << " x_cols " << x_cols;
    }
  }
}

TEST_P(RatioClassifierTest, OneXAgainstManyThetaEqualsTheRepeatedColumns) {
  auto d = make<float>(GetParam(), 3, 50, 2);
  perturb(d, 3);
  const Mat<float> theta = test::random_matrix(kTheta, 200, 8).cast<float>();
  const Mat<float> x = test::random_matrix(kX, 1, 9).cast<float>();
  const Mat<float> x_rep = x.replicate(1, 200);
  const Vec<float> g = test::random_matrix(200, 1, 10).cast<float>();
  Vec<float> once(200), repeated(200);
  d.forward(theta, x, once);
  d.parameters().zero_grad();
  d.backward(g);
  const Vec<float> g_once = d.parameters().grads();
  d.forward(theta, x_rep, repeated);
  d.parameters().zero_grad();
  d.backward(g);
  const Vec<float> g_repeated = d.parameters().grads();
  EXPECT_LT((once - repeated).cwiseAbs().maxCoeff(), 1e-5f * std::max(1.0f, repeated.cwiseAbs().maxCoeff()));
  EXPECT_LT((g_once - g_repeated).cwiseAbs().maxCoeff(), 1e-4f * g_repeated.cwiseAbs().maxCoeff());
}

TEST_P(RatioClassifierTest, ZScoresThetaAndXWithTheGivenStatistics) {
  // The same seed gives the same weights whatever the standardizers; z-scoring first by hand
  // and then using identity standardizers must give the same logits.
  const Standardizer st = some_standardizer(kTheta, 0.2), sx = some_standardizer(kX, -0.4);
  RatioClassifier<double> scaled(kTheta, kX, {GetParam(), 8, 2}, 5, st, sx);
  RatioClassifier<double> plain(kTheta, kX, {GetParam(), 8, 2}, 5, Standardizer::identity(kTheta),
                                Standardizer::identity(kX));
  ASSERT_EQ(scaled.parameters().values(), plain.parameters().values());
  const Mat<double> theta = test::random_matrix(kTheta, 5, 11), x = test::random_matrix(kX, 5, 12);
  Mat<double> u(kTheta, 5), v(kX, 5);
  st.apply<double>(theta, u);
  sx.apply<double>(x, v);
  Vec<double> a(5), b(5);
  scaled.forward(theta, x, a);
  plain.forward(u, v, b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Architectures, RatioClassifierTest,
                         ::testing::Values(RatioArchitecture::resnet, RatioArchitecture::mlp),
                         [](const auto& info) { return info.param == RatioArchitecture::resnet ? "resnet" : "mlp"; });

// The flat layout of the header: W_θ, b_0, W_x, then per block W_k1, b_k1, W_k2, b_k2, then w_out, b_out.
TEST(RatioClassifierTest, ResNetHasSbisSizesAndNflowsInitialisation) {
  const int H = 50, in = kTheta + kX;
  auto d = make<float>(RatioArchitecture::resnet, 3, H, 2);
  const Vec<float>& p = d.parameters().values();
  // nflows ResidualNet(in, 1, 50, num_blocks=2): initial in→50, two blocks of two 50→50, final 50→1.
  ASSERT_EQ(p.size(), (in * H + H) + 2 * 2 * (H * H + H) + (H + 1));
  const auto max_abs = [&](Eigen::Index offset, Eigen::Index n) { return p.segment(offset, n).cwiseAbs().maxCoeff(); };
  const float first = 1.0f / std::sqrt(static_cast<float>(in)), hidden = 1.0f / std::sqrt(static_cast<float>(H));
  Eigen::Index o = 0;
  EXPECT_LE(max_abs(o, in * H + H), first);  // the first layer, both blocks, fan_in Dθ + Dx
  EXPECT_GT(max_abs(o, in * H + H), 0.8f * first);
  o += in * H + H;
  for (int k = 0; k < 2; ++k) {
    EXPECT_LE(max_abs(o, H * H + H), hidden) << "block " << k << " first layer";
    EXPECT_GT(max_abs(o, H * H + H), 0.8f * hidden);
    o += H * H + H;
    EXPECT_LE(max_abs(o, H * H + H), 1e-3f) << "block " << k << " last layer (zero_initialization)";
    EXPECT_GT(max_abs(o, H * H + H), 0.8e-3f);
    o += H * H + H;
  }
  EXPECT_LE(max_abs(o, H + 1), hidden);
}

TEST(RatioClassifierTest, MlpHasSbisSizes) {
  const int H = 50, in = kTheta + kX;
  auto d = make<float>(RatioArchitecture::mlp, 3, H, 2);
  // sbi's build_mlp_classifier: Linear(in, 50), ReLU, Linear(50, 50), ReLU, Linear(50, 1).
  EXPECT_EQ(d.parameters().size(), (in * H + H) + (H * H + H) + (H + 1));
}

TEST(RatioClassifierTest, WeightsComeFromTheSeed) {
  EXPECT_EQ(make<float>(RatioArchitecture::resnet, 4).parameters().values(),
            make<float>(RatioArchitecture::resnet, 4).parameters().values());
  EXPECT_NE(make<float>(RatioArchitecture::resnet, 4).parameters().values(),
            make<float>(RatioArchitecture::resnet, 5).parameters().values());
}

TEST(RatioClassifierTest, RegistryBuildsBothArchitecturesAndNamesTheKnownOnes) {
  for (const auto& name : ratio_classifier_names()) {
    const auto d = make_ratio_classifier(name, kTheta, kX, 50, 1, Standardizer::identity(kTheta),
                                         Standardizer::identity(kX), 3);
    EXPECT_EQ(d->options().architecture, name == "mlp" ? RatioArchitecture::mlp : RatioArchitecture::resnet);
    EXPECT_EQ(d->options().blocks, 3);
    EXPECT_EQ(d->theta_dim(), kTheta);
    EXPECT_EQ(d->x_dim(), kX);
  }
  try {
    make_ratio_classifier("maf", kTheta, kX, 50, 1, Standardizer::identity(kTheta), Standardizer::identity(kX));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("one of resnet, mlp, got \"maf\""), std::string::npos) << e.what();
  }
}

TEST(RatioClassifierTest, RejectsBadSizesAndShapes) {
  const auto id = [](int n) { return Standardizer::identity(n); };
  EXPECT_THROW(RatioClassifier<float>(0, kX, {}, 1, id(0), id(kX)), ConfigError);
  EXPECT_THROW(RatioClassifier<float>(kTheta, kX, {RatioArchitecture::mlp, 0, 2}, 1, id(kTheta), id(kX)), ConfigError);
  EXPECT_THROW(RatioClassifier<float>(kTheta, kX, {RatioArchitecture::resnet, 8, 0}, 1, id(kTheta), id(kX)),
               ConfigError);
  EXPECT_NO_THROW(RatioClassifier<float>(kTheta, kX, {RatioArchitecture::mlp, 8, 0}, 1, id(kTheta), id(kX)));
  EXPECT_THROW(RatioClassifier<float>(kTheta, kX, {}, 1, id(kTheta + 1), id(kX)), ShapeError);
  auto d = make<float>(RatioArchitecture::resnet);
  Vec<float> out(4);
  EXPECT_THROW(d.forward(Mat<float>::Zero(kTheta + 1, 4), Mat<float>::Zero(kX, 4), out), ShapeError);
  EXPECT_THROW(d.forward(Mat<float>::Zero(kTheta, 4), Mat<float>::Zero(kX, 3), out), ShapeError);
  Vec<float> short_out(3);
  EXPECT_THROW(d.forward(Mat<float>::Zero(kTheta, 4), Mat<float>::Zero(kX, 4), short_out), ShapeError);
  try {
    d.forward(Mat<float>::Zero(kTheta, 4), Mat<float>::Zero(kX - 1, 4), out);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 3×N, 4×N (or ×1) and N, got 3×4, 3×4 and 4"), std::string::npos)
        << e.what();
  }
}

}  // namespace
