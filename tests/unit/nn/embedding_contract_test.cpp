// The contract every embedding network meets (one typed test over the registry's types): its
// layers live in the buffer it is given, after what is already there; gradients with respect to
// the parameters and to x match central finite differences; each column is embedded on its own;
// float agrees with double. Plus the structural property of each kind.
#include <gtest/gtest.h>

#include <string>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/nn/embedding_registry.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

// Each kind: a small spec and the x dimension it embeds.
// A small cnn2d on an h × w map; the tests change the sizes they are about.
EmbeddingSpec small_cnn2d(int h, int w, std::string pooling = "flatten", std::string padding = "zeros") {
  return {.type = "cnn2d",
          .features = 4,
          .hidden = 8,
          .layers = 2,
          .channels = 2,
          .kernel = 3,
          .shape = {h, w},
          .pooling = std::move(pooling),
          .padding = std::move(padding)};
}

struct MlpKind {
  static constexpr const char* name = "mlp";
  static constexpr int x_dim = 5;
  static EmbeddingSpec spec() { return {.type = "mlp", .features = 3, .hidden = 8, .layers = 2}; }
};
struct Cnn1dKind {
  static constexpr const char* name = "cnn1d";
  static constexpr int x_dim = 12;
  static EmbeddingSpec spec() {
    return {.type = "cnn1d", .features = 3, .hidden = 8, .layers = 2, .channels = 2, .kernel = 3};
  }
};
struct Cnn2dKind {
  static constexpr const char* name = "cnn2d";
  static constexpr int x_dim = 30;
  static EmbeddingSpec spec() { return small_cnn2d(5, 6); }
};
struct Cnn2dMeanKind {
  static constexpr const char* name = "cnn2d_mean";
  static constexpr int x_dim = 30;
  static EmbeddingSpec spec() { return small_cnn2d(5, 6, "mean"); }
};
struct Cnn1dLogMeanKind {
  static constexpr const char* name = "cnn1d_logmean";
  static constexpr int x_dim = 12;
  static EmbeddingSpec spec() {
    return {.type = "cnn1d", .features = 3, .hidden = 8, .layers = 2, .channels = 2, .kernel = 3, .pooling = "logmean"};
  }
};
struct Cnn2dCircularKind {
  static constexpr const char* name = "cnn2d_circular";
  static constexpr int x_dim = 30;
  static EmbeddingSpec spec() { return small_cnn2d(5, 6, "mean", "circular"); }
};
struct Cnn2dIsotropicKind {
  static constexpr const char* name = "cnn2d_isotropic";
  static constexpr int x_dim = 36;
  static EmbeddingSpec spec() {
    EmbeddingSpec s = small_cnn2d(6, 6, "mean", "circular");
    s.isotropic = true;
    return s;
  }
};
struct Cnn2dMultiscaleKind {
  static constexpr const char* name = "cnn2d_multiscale";
  static constexpr int x_dim = 64;
  static EmbeddingSpec spec() {
    EmbeddingSpec s = small_cnn2d(8, 8, "multiscale", "circular");
    s.layers = 3;
    return s;
  }
};
struct DeepSetKind {
  static constexpr const char* name = "deepset";
  static constexpr int x_dim = 12;
  static EmbeddingSpec spec() {
    return {.type = "deepset", .features = 3, .hidden = 8, .layers = 1, .channels = 6, .kernel = 5, .trials = 4};
  }
};

struct PowerSpectrumKind {
  static constexpr const char* name = "power_spectrum";
  static constexpr int x_dim = 48;
  static EmbeddingSpec spec() {
    return {.type = "power_spectrum", .features = 3, .hidden = 8, .layers = 1, .shape = {6, 8}, .bins = 4};
  }
};

struct KindName {
  template <class Kind>
  static std::string GetName(int) {
    return Kind::name;
  }
};

template <class Kind>
class EmbeddingContractTest : public ::testing::Test {};
using Kinds = ::testing::Types<MlpKind, Cnn1dKind, Cnn2dKind, Cnn2dMeanKind, Cnn1dLogMeanKind, Cnn2dCircularKind,
                                     Cnn2dIsotropicKind, Cnn2dMultiscaleKind, DeepSetKind, PowerSpectrumKind>;
TYPED_TEST_SUITE(EmbeddingContractTest, Kinds, KindName);

constexpr int kOtherParameters = 7;  // a block of another network, registered first

template <class Kind, typename T>
std::unique_ptr<EmbeddingNet<T>> make(ParameterBuffer<T>& params, std::uint64_t seed = 3) {
  params.allocate(kOtherParameters);
  params.values().head(kOtherParameters).setConstant(T(0.5));
  RandomStream rng(seed, StreamId::initialization, 0, 0);
  return make_embedding_net<T>(Kind::spec(), Kind::x_dim, params, rng);
}

}  // namespace

TYPED_TEST(EmbeddingContractTest, LivesInTheGivenBufferAfterWhatIsThere) {
  ParameterBuffer<double> params;
  auto net = make<TypeParam, double>(params);
  EXPECT_EQ(net->input_dim(), TypeParam::x_dim);
  EXPECT_EQ(net->output_dim(), TypeParam::spec().features);
  EXPECT_GT(params.size(), kOtherParameters);
  EXPECT_TRUE((params.values().head(kOtherParameters).array() == 0.5).all());
  const Mat<double> x = random_matrix(TypeParam::x_dim, 5, 1);
  EXPECT_EQ(net->forward(x).rows(), TypeParam::spec().features);
  EXPECT_EQ(net->forward(x).cols(), 5);
  params.zero_grad();
  net->backward(random_matrix(TypeParam::spec().features, 5, 2));
  EXPECT_TRUE((params.grads().head(kOtherParameters).array() == 0.0).all());
  EXPECT_GT(params.grads().tail(params.size() - kOtherParameters).cwiseAbs().maxCoeff(), 0.0);
}

TYPED_TEST(EmbeddingContractTest, BackwardMatchesFiniteDifferences) {
  ParameterBuffer<double> params;
  auto net = make<TypeParam, double>(params, 11);
  Mat<double> x = random_matrix(TypeParam::x_dim, 4, 3);
  const Mat<double> R = random_matrix(TypeParam::spec().features, 4, 4);
  auto loss = [&] { return (R.array() * net->forward(x).array()).sum(); };
  loss();
  params.zero_grad();
  const Mat<double> dx = net->backward(R);
  EXPECT_LT(fd::relative_error(params.grads(), fd::numerical_gradient(params.values(), loss)), 1e-6);
  Eigen::Map<Eigen::VectorXd> x_flat(x.data(), x.size());
  EXPECT_LT(fd::relative_error(dx.reshaped(), fd::numerical_gradient(x_flat, loss)), 1e-6);
}

TYPED_TEST(EmbeddingContractTest, EachColumnIsEmbeddedOnItsOwn) {
  ParameterBuffer<double> params;
  auto net = make<TypeParam, double>(params);
  const Mat<double> x = random_matrix(TypeParam::x_dim, 6, 5);
  const Mat<double> all = net->forward(x);
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    EXPECT_LT((net->forward(x.col(j)).col(0) - all.col(j)).cwiseAbs().maxCoeff(), 1e-12) << "column " << j;
}

TYPED_TEST(EmbeddingContractTest, FloatAndDoubleAgree) {
  ParameterBuffer<double> pd;
  ParameterBuffer<float> pf;
  auto nd = make<TypeParam, double>(pd, 17);
  auto nf = make<TypeParam, float>(pf, 17);
  const Mat<double> x = random_matrix(TypeParam::x_dim, 5, 6);
  const Mat<double> fd_out = nd->forward(x);
  const Mat<float> ff_out = nf->forward(x.cast<float>());
  EXPECT_LT((fd_out - ff_out.cast<double>()).cwiseAbs().maxCoeff(), 1e-4 * (1 + fd_out.cwiseAbs().maxCoeff()));
}

TEST(DeepSetEmbedding, InvariantToTheOrderOfTheTrials) {
  ParameterBuffer<double> params;
  auto net = make<DeepSetKind, double>(params);
  const Mat<double> x = random_matrix(12, 1, 7);  // 4 trials of 3 values
  Mat<double> shuffled(12, 1);
  const int order[] = {2, 0, 3, 1};
  for (int t = 0; t < 4; ++t) shuffled.middleRows(3 * t, 3) = x.middleRows(3 * order[t], 3);
  const Mat<double> a = net->forward(x);
  const Mat<double> b = net->forward(shuffled);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12);
  Mat<double> other = x;
  other(0, 0) += 1.0;  // a different value within a trial changes the features
  EXPECT_GT((net->forward(other) - a).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(CnnEmbedding, SeesTheWholeMap) {
  // A change in any single pixel reaches the features (no pixel is cut off by padding or pooling
  // of a 5×6 map, with 2 blocks of 3×3 kernels: the last block's pooled grid is 1×1 wide).
  ParameterBuffer<double> params;
  auto net = make<Cnn2dKind, double>(params);
  const Mat<double> x = random_matrix(30, 1, 8);
  const Mat<double> base = net->forward(x);
  int reached = 0;
  for (int i = 0; i < 30; ++i) {
    Mat<double> xp = x;
    xp(i, 0) += 2.0;
    reached += (net->forward(xp) - base).cwiseAbs().maxCoeff() > 0;
  }
  EXPECT_GE(reached, 24);  // ReLU and max pooling may hide a few pixels at this input
}

TEST(EmbeddingRegistry, ProblemsNameTheKey) {
  EmbeddingSpec s;
  s.type = "transformer";
  EXPECT_EQ(embedding_problem(s, 4)->key, "embedding.type");
  s = {.type = "cnn2d", .features = 4, .hidden = 8, .layers = 2, .channels = 2, .kernel = 3, .shape = {5, 5}};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.shape");
  EXPECT_NE(embedding_problem(s, 30)->found.find("25 values"), std::string::npos);
  s.shape = {};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.shape");
  s = {.type = "mlp", .features = 4, .hidden = 8, .layers = 2, .channels = 2, .kernel = 3, .shape = {5, 6}};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.shape");
  s = {.type = "cnn1d", .features = 4, .hidden = 8, .layers = 2, .channels = 2, .kernel = 4};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.kernel");
  s = {.type = "deepset", .features = 4, .hidden = 8, .layers = 2, .channels = 2, .kernel = 3, .trials = 4};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.trials");
  s.trials = 5;
  EXPECT_FALSE(embedding_problem(s, 30).has_value());
  ParameterBuffer<float> params;
  RandomStream rng(1, StreamId::initialization, 0, 0);
  s.trials = 4;
  EXPECT_THROW(make_embedding_net<float>(s, 30, params, rng), ConfigError);
  s.type = "none";
  EXPECT_THROW(make_embedding_net<float>(s, 30, params, rng), ConfigError);
  s = {.type = "cnn2d", .kernel = 3, .shape = {5, 6}, .pooling = "max"};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.pooling");
  s = {.type = "mlp", .pooling = "mean"};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.pooling");
  s = {.type = "cnn2d", .kernel = 3, .shape = {5, 6}, .pooling = "mean", .padding = "reflect"};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.padding");
  s = {.type = "deepset", .trials = 5, .padding = "circular"};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.padding");
  s = {.type = "mlp", .isotropic = true};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.isotropic");
  s = {.type = "power_spectrum"};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.shape");
  s.shape = {5, 6};
  EXPECT_FALSE(embedding_problem(s, 30).has_value());
  s.shape = {1, 1};
  EXPECT_EQ(embedding_problem(s, 1)->key, "embedding.shape");
  s = {.type = "mlp", .bins = 8};
  EXPECT_EQ(embedding_problem(s, 30)->key, "embedding.bins");
}

// Global average pooling: one value per channel into the head, whatever the grid's size, and a
// map moved by whole pooling cells (2^layers pixels) away from the zero border gives the same
// summary.
TEST(CnnEmbedding, MeanPoolingIsIndependentOfTheGridAndOfShifts) {
  const EmbeddingSpec s = small_cnn2d(32, 32, "mean");
  ParameterBuffer<double> small, large;
  RandomStream rng_a(5, StreamId::initialization, 0, 0), rng_b(5, StreamId::initialization, 0, 0);
  auto a = make_embedding_net<double>(small_cnn2d(8, 12, "mean"), 96, small, rng_a);
  auto net = make_embedding_net<double>(s, 1024, large, rng_b);
  EXPECT_EQ(small.size(), large.size());
  // A blob inside the map, then the same blob 4 pixels right and 4 down; zeros elsewhere. Both
  // stay clear of the cells whose receptive field reaches the zero padding.
  Mat<double> x = Mat<double>::Zero(1024, 2);
  const Mat<double> blob = random_matrix(16, 1, 9);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      x((12 + i) * 32 + 12 + j, 0) = blob(i * 4 + j, 0);
      x((16 + i) * 32 + 16 + j, 1) = blob(i * 4 + j, 0);
    }
  const Mat<double> y = net->forward(x);
  EXPECT_NEAR((y.col(0) - y.col(1)).cwiseAbs().maxCoeff(), 0.0, 1e-12);
  EXPECT_GT(y.col(0).cwiseAbs().maxCoeff(), 0.0);
}

// Circular padding and global average pooling: the summary of a periodic map does not change when
// the map is rolled by whole pooling cells (2^layers pixels), wherever its features sit, edges
// included; with zero padding the same roll changes it.
TEST(CnnEmbedding, CircularPaddingMakesTheSummaryInvariantToRollsOfTheMap) {
  Mat<double> x = random_matrix(16 * 16, 2, 21);
  for (int h = 0; h < 16; ++h)
    for (int w = 0; w < 16; ++w) x(((h + 4) % 16) * 16 + (w + 12) % 16, 1) = x(h * 16 + w, 0);
  for (const char* padding : {"circular", "zeros"}) {
    ParameterBuffer<double> params;
    RandomStream rng(8, StreamId::initialization, 0, 0);
    EmbeddingSpec spec = small_cnn2d(16, 16, "mean", padding);
    spec.channels = 3;
    spec.kernel = 5;
    auto net = make_embedding_net<double>(spec, 256, params, rng);
    const Mat<double> y = net->forward(x);
    const double change = (y.col(0) - y.col(1)).cwiseAbs().maxCoeff();
    if (std::string(padding) == "circular")
      EXPECT_LT(change, 1e-12);
    else
      EXPECT_GT(change, 1e-6);
  }
}

// Multiscale pooling: the head reads the channel means of every block (2 + 4 + 8 of them here),
// not only the last block's 8, and the rest of the network is the same; with one block the two
// poolings are the same network. With circular padding, a roll by 2^layers cells leaves it unchanged.
TEST(CnnEmbedding, MultiscalePoolingReadsTheMeansOfEveryBlock) {
  const int hidden = 8, side = 16;
  auto build = [&](const char* pooling, int layers, ParameterBuffer<double>& params) {
    RandomStream rng(10, StreamId::initialization, 0, 0);
    EmbeddingSpec spec = small_cnn2d(side, side, pooling, "circular");
    spec.hidden = hidden;
    spec.layers = layers;
    return make_embedding_net<double>(spec, side * side, params, rng);
  };
  Mat<double> x = random_matrix(side * side, 2, 23);
  for (int h = 0; h < side; ++h)
    for (int w = 0; w < side; ++w) x(((h + 8) % side) * side + (w + 8) % side, 1) = x(h * side + w, 0);
  ParameterBuffer<double> mean, multi;
  build("mean", 3, mean);
  auto net = build("multiscale", 3, multi);
  EXPECT_EQ(multi.size() - mean.size(), (2 + 4) * hidden);
  const Mat<double> y = net->forward(x);
  EXPECT_LT((y.col(0) - y.col(1)).cwiseAbs().maxCoeff(), 1e-12);

  ParameterBuffer<double> mean1, multi1;
  auto a = build("mean", 1, mean1);
  auto b = build("multiscale", 1, multi1);
  ASSERT_EQ(mean1.size(), multi1.size());
  EXPECT_EQ(a->forward(x), b->forward(x));
}

// Isotropic kernels and global average pooling: the summary of a square map is the same for its 8
// rotations and reflections (here a quarter turn and a transposition); free kernels tell them apart.
TEST(CnnEmbedding, IsotropicKernelsMakeTheSummaryInvariantToRotationsAndReflections) {
  const int n = 16;
  Mat<double> x = random_matrix(n * n, 3, 22);
  for (int h = 0; h < n; ++h)
    for (int w = 0; w < n; ++w) {
      x(w * n + (n - 1 - h), 1) = x(h * n + w, 0);  // a quarter turn
      x(w * n + h, 2) = x(h * n + w, 0);            // the transposition
    }
  for (const bool isotropic : {true, false}) {
    ParameterBuffer<double> params;
    RandomStream rng(9, StreamId::initialization, 0, 0);
    EmbeddingSpec spec = small_cnn2d(n, n, "mean");
    spec.channels = 3;
    spec.kernel = 5;
    spec.isotropic = isotropic;
    auto net = make_embedding_net<double>(spec, n * n, params, rng);
    const Mat<double> y = net->forward(x);
    const double change = std::max((y.col(0) - y.col(1)).cwiseAbs().maxCoeff(), (y.col(0) - y.col(2)).cwiseAbs().maxCoeff());
    if (isotropic)
      EXPECT_LT(change, 1e-12);
    else
      EXPECT_GT(change, 1e-6);
  }
}
