// The contract every conditional density estimator meets (one typed test over all of them):
// gradients against central finite differences, a density that integrates to one, samples that
// follow the density, and float agreeing with double. The flows (a second typed list) also meet
// inverse ∘ forward = identity and an autoregressive (triangular) Jacobian.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "nsbi/core/error.hpp"

#include "gradient_check.hpp"
#include "nsbi/nn/coupling_spline_flow.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/nn/mixture_density_network.hpp"
#include "nsbi/nn/neural_spline_flow.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

// Each kind builds its estimator from (dim, ctx, seed, size, hidden, standardisers), size being
// the number of transforms of a flow or of components of a mixture.
// MAF with each autoregressive order and scale: reverse orders and sigmoid scales (the default),
// a random order per transform, and s = 1/(softplus(a + c) + eps) (steps that widen as well).
template <FlowOrder Order, MafScale Scale>
struct MafKindOf {
  static constexpr const char* name =
      Order == FlowOrder::random ? "maf_random" : Scale == MafScale::softplus ? "maf_softplus" : "maf";
  template <typename T>
  using Flow = MaskedAutoregressiveFlow<T>;
  template <typename T>
  static Flow<T> make(int dim, int ctx, std::uint64_t seed, int transforms, int hidden, Standardizer ys, Standardizer cs) {
    return Flow<T>(dim, ctx, MafOptions{transforms, hidden, Order, Scale}, seed, std::move(ys), std::move(cs));
  }
  static constexpr bool reversed = Order == FlowOrder::reverse;
};
using MafKind = MafKindOf<FlowOrder::reverse, MafScale::sigmoid>;
using MafRandomKind = MafKindOf<FlowOrder::random, MafScale::sigmoid>;
using MafSoftplusKind = MafKindOf<FlowOrder::reverse, MafScale::softplus>;

struct NsfRandomKind {
  static constexpr const char* name = "nsf_random";
  template <typename T>
  using Flow = NeuralSplineFlow<T>;
  template <typename T>
  static Flow<T> make(int dim, int ctx, std::uint64_t seed, int transforms, int hidden, Standardizer ys, Standardizer cs) {
    return Flow<T>(dim, ctx, NsfOptions{transforms, hidden, 8, 3.0, FlowOrder::random}, seed, std::move(ys),
                   std::move(cs));
  }
  static constexpr bool reversed = false;
};

struct NsfKind {
  static constexpr const char* name = "nsf";
  template <typename T>
  using Flow = NeuralSplineFlow<T>;
  template <typename T>
  static Flow<T> make(int dim, int ctx, std::uint64_t seed, int transforms, int hidden, Standardizer ys, Standardizer cs) {
    return Flow<T>(dim, ctx, NsfOptions{transforms, hidden, 8, 3.0}, seed, std::move(ys), std::move(cs));
  }
  static constexpr bool reversed = true;
};

struct NsfCouplingKind {
  static constexpr const char* name = "nsf_coupling";
  template <typename T>
  using Flow = CouplingSplineFlow<T>;
  template <typename T>
  // Every parameter is free. The LU layers start as the identity (off-diagonal entries and shifts
  // exactly 0), which the finite differences would skip as if masked: they get values away from 0,
  // the same for float and double.
  static Flow<T> make(int dim, int ctx, std::uint64_t seed, int transforms, int hidden, Standardizer ys, Standardizer cs) {
    Flow<T> flow(dim, ctx, CouplingNsfOptions{transforms, hidden, 8, 3.0}, seed, std::move(ys), std::move(cs));
    RandomStream rng(seed, StreamId::initialization, 9, 0);
    for (auto& v : flow.parameters().values())
      if (v == T(0)) v = static_cast<T>(0.2 * rng.normal());
    return flow;
  }
  // Five transforms of residual nets, each block's last layer perturbed far from its 1e-3 start,
  // give spikes narrower than the quadrature grids at the others' 0.3.
  static constexpr double perturbation = 0.1;
};

struct MdnKind {
  static constexpr const char* name = "mdn";
  template <typename T>
  using Flow = MixtureDensityNetwork<T>;
  template <typename T>
  static Flow<T> make(int dim, int ctx, std::uint64_t seed, int components, int hidden, Standardizer ys, Standardizer cs) {
    return Flow<T>(dim, ctx, MdnOptions{components, hidden}, seed, std::move(ys), std::move(cs));
  }
};

// The scale of make_flow's perturbation: 0.3 unless the kind names its own.
template <class Kind>
constexpr double perturbation() {
  if constexpr (requires { Kind::perturbation; })
    return Kind::perturbation;
  else
    return 0.3;
}

// An estimator with non-trivial standardisation and weights perturbed away from initialisation, so that
// every term of the log density is exercised.
template <class Kind>
auto make_flow(int dim, int ctx, std::uint64_t seed, int size = 3, int hidden = 8) {
  Standardizer ys{Eigen::VectorXd::LinSpaced(dim, -0.5, 0.5), Eigen::VectorXd::LinSpaced(dim, 0.7, 1.9)};
  Standardizer cs{Eigen::VectorXd::LinSpaced(ctx, 0.2, 1.0), Eigen::VectorXd::LinSpaced(ctx, 1.5, 0.5)};
  auto flow = Kind::template make<double>(dim, ctx, seed, size, hidden, ys, cs);
  RandomStream rng(seed, StreamId::initialization, 7, 0);
  for (auto& v : flow.parameters().values()) v += v == 0.0 ? 0.0 : perturbation<Kind>() * rng.normal();  // masked stay 0
  return flow;
}

// The density on a regular grid of n points per axis over [lo, hi]^dim (dim 1 or 2), and the
// grid itself; returns the cell volume.
template <class Flow>
double density_on_grid(Flow& flow, const Mat<double>& c, int dim, int n, double lo, double hi, Mat<double>& y,
                       Eigen::ArrayXd& p) {
  const double h = (hi - lo) / (n - 1);
  const int points = dim == 1 ? n : n * n;
  y.resize(dim, points);
  for (int i = 0; i < points; ++i) {
    y(0, i) = lo + (i % n) * h;
    if (dim == 2) y(1, i) = lo + (i / n) * h;
  }
  Vec<double> lp(points);
  flow.log_prob(y, c.replicate(1, points), lp);
  p = lp.array().exp();
  return dim == 1 ? h : h * h;
}

}  // namespace

struct KindName {
  template <class Kind>
  static std::string GetName(int) {
    return Kind::name;
  }
};
template <class Kind>
class DensityEstimatorContractTest : public ::testing::Test {};
// (nsf_random shares the order mechanism with maf_random: the flow tests below cover its inverse.)
// (nsf_coupling's own test adds its inverse and its linear layers away from the identity.)
using Kinds = ::testing::Types<MafKind, NsfKind, NsfCouplingKind, MdnKind, MafRandomKind, MafSoftplusKind>;
TYPED_TEST_SUITE(DensityEstimatorContractTest, Kinds, KindName);
template <class Kind>
class FlowContractTest : public ::testing::Test {};
using FlowKinds = ::testing::Types<MafKind, NsfKind, MafRandomKind, NsfRandomKind, MafSoftplusKind>;
TYPED_TEST_SUITE(FlowContractTest, FlowKinds, KindName);

TYPED_TEST(DensityEstimatorContractTest, BackwardMatchesFiniteDifferences) {
  for (int dim : {1, 2, 3}) {
    auto flow = make_flow<TypeParam>(dim, 2, 5 + dim);
    Mat<double> y = random_matrix(dim, 7, 1), c = random_matrix(2, 7, 2);
    Vec<double> g = random_matrix(7, 1, 3).col(0), lp(7);
    auto loss = [&] {
      flow.log_prob(y, c, lp);
      return g.dot(lp);
    };
    loss();
    flow.parameters().zero_grad();
    flow.backward(g);
    const Eigen::VectorXd numeric = fd::numerical_gradient(flow.parameters().values(), loss, 1e-6, true);
    EXPECT_LT(fd::relative_error(flow.parameters().grads(), numeric), 1e-6) << "dim " << dim;
    // d(loss)/dc, for an embedding network in front: the same parameter gradient, and the
    // context gradient in raw units (through the z-scoring) against differences in c.
    const Eigen::VectorXd params_only = flow.parameters().grads();
    loss();
    flow.parameters().zero_grad();
    Mat<double> dc(2, 7);
    flow.backward_with_context(g, dc);
    EXPECT_LT(fd::relative_error(flow.parameters().grads(), params_only), 1e-12) << "dim " << dim;
    Eigen::Map<Eigen::VectorXd> c_flat(c.data(), c.size());
    EXPECT_LT(fd::relative_error(dc.reshaped(), fd::numerical_gradient(c_flat, loss)), 1e-6) << "dim " << dim;
  }
}

TYPED_TEST(FlowContractTest, InverseOfForwardIsIdentity) {
  auto flow = make_flow<TypeParam>(4, 3, 21, 5, 16);
  Mat<double> y = 1.5 * random_matrix(4, 50, 4), c = random_matrix(3, 50, 5);
  const Mat<double> u = flow.transform(y, c);
  const Mat<double> back = flow.inverse(u, c);
  EXPECT_LT((back - y).cwiseAbs().maxCoeff(), 1e-10);
}

TYPED_TEST(FlowContractTest, JacobianIsTriangular) {
  // With one transform the Jacobian is triangular in the transform's order: the outputs depend
  // on nested sets of 1, 2, …, D inputs. In reversed order: z_{D-1-i} depends on y_0..y_i only.
  constexpr int D = 5;
  for (std::uint64_t seed : {33, 34, 35}) {
    auto flow = make_flow<TypeParam>(D, 2, seed, 1, 10);
    Mat<double> y = random_matrix(D, 1, 10), c = random_matrix(2, 1, 11);
    const Mat<double> z0 = flow.transform(y, c);
    std::vector<std::set<int>> seen(D);  // the inputs each output depends on
    for (int j = 0; j < D; ++j) {
      Mat<double> yp = y;
      yp(j, 0) += 0.3;
      const Mat<double> z = flow.transform(yp, c);
      for (int i = 0; i < D; ++i)
        if (z(i, 0) != z0(i, 0)) seen[static_cast<std::size_t>(i)].insert(j);
    }
    std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    for (int r = 0; r < D; ++r) {
      EXPECT_EQ(seen[static_cast<std::size_t>(r)].size(), static_cast<std::size_t>(r + 1)) << "seed " << seed;
      if (r > 0) {
        EXPECT_TRUE(std::includes(seen[r].begin(), seen[r].end(), seen[r - 1].begin(), seen[r - 1].end()))
            << "seed " << seed << ": the dependency sets are not nested";
      }
    }
    if (TypeParam::reversed) {
      for (int i = 0; i < D; ++i) EXPECT_EQ(*seen[static_cast<std::size_t>(i)].rbegin(), i) << "reversed order: z_" << D - 1 - i;
    }
  }
}

TEST(FlowOrderTest, RandomOrdersDifferBetweenTransformsAndSeeds) {
  // In the reverse kind's order y_0 comes first, so every output of one transform changes with
  // it; in a random order only the outputs from y_0's position on do. Over seeds the random
  // order must not put y_0 first every time (it does with probability 1/4).
  int not_reversed = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    auto flow = make_flow<MafRandomKind>(4, 1, seed, 1, 10);
    Mat<double> y = random_matrix(4, 1, 3), c = random_matrix(1, 1, 4);
    const Mat<double> z0 = flow.transform(y, c);
    Mat<double> yp = y;
    yp(0, 0) += 0.3;
    const Mat<double> z = flow.transform(yp, c);
    int changed = 0;
    for (int i = 0; i < 4; ++i) changed += z(i, 0) != z0(i, 0);
    not_reversed += changed != 4;
  }
  EXPECT_GT(not_reversed, 2);
  EXPECT_THROW(flow_order_from("sorted", "order"), ConfigError);
  EXPECT_EQ(flow_order_from("random", "order"), FlowOrder::random);
}

TYPED_TEST(DensityEstimatorContractTest, DensityIntegratesToOneIn1D) {
  auto flow = make_flow<TypeParam>(1, 1, 41, 5, 10);
  Mat<double> y;
  Eigen::ArrayXd p;
  // ±60: wide enough for the tails of a mixture component of sd ~10 (perturbed MDN weights).
  const double cell = density_on_grid(flow, Mat<double>::Constant(1, 1, 0.4), 1, 40001, -60, 60, y, p);
  EXPECT_NEAR(p.sum() * cell, 1.0, 2e-3);
}

TYPED_TEST(DensityEstimatorContractTest, DensityIntegratesToOneIn2D) {
  auto flow = make_flow<TypeParam>(2, 2, 43, 5, 10);
  Mat<double> c(2, 1), y;
  c << 0.1, -0.3;
  Eigen::ArrayXd p;
  const double cell = density_on_grid(flow, c, 2, 601, -15, 15, y, p);
  EXPECT_NEAR(p.sum() * cell, 1.0, 1e-2);
}

TYPED_TEST(DensityEstimatorContractTest, SamplesFollowTheDensity) {
  // Sample mean and standard deviation of y under q against quadrature of exp(log q) in 1-D.
  auto flow = make_flow<TypeParam>(1, 1, 47, 5, 10);
  const Vec<double> c = Vec<double>::Constant(1, -0.2);
  RandomStream rng(1, StreamId::posterior, 0, 0);
  const int n = 40000;
  const Mat<double> s = flow.sample(c, n, rng);
  Mat<double> y;
  Eigen::ArrayXd p;
  p *= density_on_grid(flow, c, 1, 40001, -60, 60, y, p);
  const Eigen::ArrayXd grid = y.row(0).transpose().array();
  const double mean = (p * grid).sum(), sd = std::sqrt((p * (grid - mean).square()).sum());
  EXPECT_NEAR(s.mean(), mean, 4 * sd / std::sqrt(double(n)));
  const double s_sd = std::sqrt((s.array() - s.mean()).square().sum() / (n - 1));
  EXPECT_NEAR(s_sd, sd, 4 * sd / std::sqrt(2.0 * n));
}

TYPED_TEST(DensityEstimatorContractTest, FloatAndDoubleAgree) {
  Standardizer ys = Standardizer::identity(3), cs = Standardizer::identity(2);
  auto fd = TypeParam::template make<double>(3, 2, 99, 5, 50, ys, cs);
  auto ff = TypeParam::template make<float>(3, 2, 99, 5, 50, ys, cs);
  Mat<double> y = random_matrix(3, 10, 12), c = random_matrix(2, 10, 13);
  Vec<double> ld(10);
  Vec<float> lf(10);
  fd.log_prob(y, c, ld);
  ff.log_prob(y.cast<float>(), c.cast<float>(), lf);
  EXPECT_LT((ld - lf.cast<double>()).cwiseAbs().maxCoeff(), 1e-4);
}

// The inference path (evaluate: MAF's batch-major layout; the others' log_prob) gives the
// training path's values, for narrow inputs (rank-one updates) and wide ones (GEMM), one column
// and many.
TYPED_TEST(DensityEstimatorContractTest, EvaluateMatchesLogProb) {
  for (const auto& [dim, ctx] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{3, 1}, std::pair{6, 10}}) {
    auto flow = make_flow<TypeParam>(dim, ctx, 21 + dim);
    for (const Eigen::Index n : {Eigen::Index(1), Eigen::Index(13)}) {
      const Mat<double> y = random_matrix(dim, n, 5), c = random_matrix(ctx, n, 6);
      Vec<double> a(n), b(n);
      flow.log_prob(y, c, a);
      flow.evaluate(y, c, b);
      EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12 * (1 + a.cwiseAbs().maxCoeff())) << dim << " " << ctx << " " << n;
    }
  }
}

// MAF without context (an unconditional density) takes the same batch-major path.
TEST(MafEvaluate, MatchesLogProbWithoutContext) {
  auto flow = make_flow<MafKind>(3, 0, 4);
  const Mat<double> y = random_matrix(3, 7, 5), c(0, 7);
  Vec<double> a(7), b(7);
  flow.log_prob(y, c, a);
  flow.evaluate(y, c, b);
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-12 * (1 + a.cwiseAbs().maxCoeff()));
}

// MAF's batch-major evaluate leaves the training path's state alone: backward after it still
// gives the gradient of the last log_prob.
TEST(MafEvaluate, LeavesTheTrainingStateAlone) {
  auto flow = make_flow<MafKind>(3, 2, 5);
  const Mat<double> y = random_matrix(3, 4, 7), c = random_matrix(2, 4, 8);
  Vec<double> lp(4), other(9);
  const Vec<double> g = Vec<double>::LinSpaced(4, 0.5, 2.0);
  flow.log_prob(y, c, lp);
  flow.parameters().zero_grad();
  flow.backward(g);
  const Eigen::VectorXd expected = flow.parameters().grads();
  flow.log_prob(y, c, lp);
  flow.evaluate(random_matrix(3, 9, 9), random_matrix(2, 9, 10), other);
  flow.parameters().zero_grad();
  flow.backward(g);
  EXPECT_EQ(flow.parameters().grads(), expected);
}
