// The coupling spline flow beyond the estimator contract: its inverse, its masks (what passes a
// transform unchanged), its LU layers (identity at the start, L·U with a positive diagonal), and
// the residual conditioner's gradient on its own.
#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/nn/coupling_spline_flow.hpp"
#include "nsbi/nn/residual_net.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

CouplingSplineFlow<double> make_flow(int dim, int ctx, std::uint64_t seed, int transforms, bool perturb) {
  Standardizer ys{Eigen::VectorXd::LinSpaced(dim, -0.5, 0.5), Eigen::VectorXd::LinSpaced(dim, 0.7, 1.9)};
  Standardizer cs{Eigen::VectorXd::LinSpaced(ctx, 0.2, 1.0), Eigen::VectorXd::LinSpaced(ctx, 1.5, 0.5)};
  CouplingSplineFlow<double> flow(dim, ctx, CouplingNsfOptions{transforms, 16, 6, 3.0}, seed, ys, cs);
  if (perturb) {
    RandomStream rng(seed, StreamId::initialization, 7, 0);
    for (auto& v : flow.parameters().values()) v += 0.1 * rng.normal();
  }
  return flow;
}

TEST(CouplingSplineFlowTest, InverseOfForwardIsIdentity) {
  for (int dim : {1, 2, 5}) {
    auto flow = make_flow(dim, 3, 21 + dim, 5, true);
    // Spread enough that some values fall in the linear tails (|u| > 3).
    const Mat<double> y = 2.5 * random_matrix(dim, 60, 4), c = random_matrix(3, 60, 5);
    const Mat<double> back = flow.inverse(flow.transform(y, c), c);
    EXPECT_LT((back - y).cwiseAbs().maxCoeff(), 1e-9) << "dim " << dim;
  }
}

TEST(CouplingSplineFlowTest, FreshLinearLayersAreTheIdentityAndTheOddFeaturesPassTheFirstTransform) {
  constexpr int D = 5;
  auto flow = make_flow(D, 2, 3, 1, false);
  EXPECT_LT((flow.linear_map(0) - Mat<double>::Identity(D, D)).cwiseAbs().maxCoeff(), 1e-12);
  const Mat<double> y = random_matrix(D, 8, 1), c = random_matrix(2, 8, 2);
  const Mat<double> z = flow.transform(y, c);
  const Standardizer ys{Eigen::VectorXd::LinSpaced(D, -0.5, 0.5), Eigen::VectorXd::LinSpaced(D, 0.7, 1.9)};
  Mat<double> u(D, 8);
  ys.apply<double>(y, u);
  for (int i = 1; i < D; i += 2) EXPECT_EQ(z.row(i), u.row(i)) << "feature " << i;
  for (int i = 0; i < D; i += 2) EXPECT_GT((z.row(i) - u.row(i)).cwiseAbs().maxCoeff(), 1e-6) << "feature " << i;
  // The second transform of a two-transform flow transforms the odd features.
  auto two = make_flow(D, 2, 3, 2, false);
  const Mat<double> z2 = two.transform(y, c);
  for (int i = 0; i < D; ++i) EXPECT_GT((z2.row(i) - u.row(i)).cwiseAbs().maxCoeff(), 1e-6) << "feature " << i;
}

TEST(CouplingSplineFlowTest, OutsideTheSplinesTheDensityIsTheLinearMapsGaussian) {
  // After perturbation W = L·U is a general matrix with det W = Π (softplus(d_i) + eps) > 0. With
  // one transform and every standardised value beyond the tail bound, the spline is the
  // identity, so q(y) = N(W u + b; 0, I)·det W·Π 1/σ_i.
  constexpr int D = 3;
  auto flow = make_flow(D, 1, 8, 1, true);
  const Mat<double> W = flow.linear_map(0);
  EXPECT_GT(W.determinant(), 0.0);
  EXPECT_GT((W - Mat<double>::Identity(D, D)).cwiseAbs().maxCoeff(), 0.05);
  const Eigen::VectorXd mean = Eigen::VectorXd::LinSpaced(D, -0.5, 0.5), sd = Eigen::VectorXd::LinSpaced(D, 0.7, 1.9);
  Mat<double> u(D, 4);
  u << 4, -5, 7, 3.5, -4, 6, -3.2, 9, 5, 5, -8, -3.1;
  const Mat<double> y = ((u.array().colwise() * sd.array()).colwise() + mean.array()).matrix();
  const Mat<double> c = random_matrix(1, 4, 3);
  Vec<double> lp(4);
  flow.log_prob(y, c, lp);
  const Mat<double> z = flow.transform(y, c);
  for (int n = 0; n < 4; ++n) {
    // z_n − z_0 = W (u_n − u_0) (the shift b cancels; the context only moves the splines).
    EXPECT_LT((z.col(n) - z.col(0) - W * (u.col(n) - u.col(0))).cwiseAbs().maxCoeff(), 1e-10) << "column " << n;
    const double expected = -0.5 * z.col(n).squaredNorm() - 0.5 * D * std::log(2 * M_PI) +
                            std::log(W.determinant()) - sd.array().log().sum();
    EXPECT_NEAR(lp(n), expected, 1e-10) << "column " << n;
  }
}

TEST(CouplingSplineFlowTest, RejectsAnEmptyTarget) {
  EXPECT_THROW(CouplingSplineFlow<double>(0, 2, CouplingNsfOptions{}, 1, Standardizer::identity(0),
                                          Standardizer::identity(2)),
               ConfigError);
}

TEST(ResidualNetTest, BackwardMatchesFiniteDifferences) {
  // With and without context, and with no inputs at all (the conditioner of a 1-D flow).
  for (const auto& [in, ctx] : {std::pair{3, 2}, std::pair{4, 0}, std::pair{0, 3}}) {
    ParameterBuffer<double> params;
    ResidualNet<double> net(params, in, ctx, 6, 5, 2);
    RandomStream rng(11, StreamId::initialization, 0, 0);
    net.init(rng);
    for (auto& v : params.values()) v += 0.3 * rng.normal();
    Mat<double> a = random_matrix(in, 7, 1), c = random_matrix(ctx, 7, 2);
    const Mat<double> w = random_matrix(5, 7, 3);
    auto loss = [&] {
      net.forward(a, c);
      return (net.output().array() * w.array()).sum();
    };
    loss();
    params.zero_grad();
    Mat<double> da(in, 7), dc = Mat<double>::Zero(ctx, 7);
    net.backward(w, da, &dc);
    EXPECT_LT(fd::relative_error(params.grads(), fd::numerical_gradient(params.values(), loss)), 1e-6)
        << in << " " << ctx;
    if (in > 0) {
      Eigen::Map<Eigen::VectorXd> a_flat(a.data(), a.size());
      EXPECT_LT(fd::relative_error(da.reshaped(), fd::numerical_gradient(a_flat, loss)), 1e-6) << in << " " << ctx;
    }
    if (ctx > 0) {
      Eigen::Map<Eigen::VectorXd> c_flat(c.data(), c.size());
      EXPECT_LT(fd::relative_error(dc.reshaped(), fd::numerical_gradient(c_flat, loss)), 1e-6) << in << " " << ctx;
    }
  }
  ParameterBuffer<double> params;
  EXPECT_THROW(ResidualNet<double>(params, 0, 0, 6, 5, 2), ConfigError);
}

}  // namespace
