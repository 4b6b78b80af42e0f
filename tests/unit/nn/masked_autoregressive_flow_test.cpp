#include "nsbi/nn/masked_autoregressive_flow.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gradient_check.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

Mat<double> random_matrix(int r, int c, std::uint64_t seed) {
  RandomStream rng(seed, StreamId::initialization, 9, 0);
  Mat<double> m(r, c);
  for (auto& v : m.reshaped()) v = rng.normal();
  return m;
}

// A flow with non-trivial standardisation and weights perturbed away from initialisation, so that
// every term of the log density is exercised.
MaskedAutoregressiveFlow<double> make_flow(int dim, int ctx, std::uint64_t seed, int transforms = 3, int hidden = 8) {
  Standardizer ys{Eigen::VectorXd::LinSpaced(dim, -0.5, 0.5), Eigen::VectorXd::LinSpaced(dim, 0.7, 1.9)};
  Standardizer cs{Eigen::VectorXd::LinSpaced(ctx, 0.2, 1.0), Eigen::VectorXd::LinSpaced(ctx, 1.5, 0.5)};
  MaskedAutoregressiveFlow<double> flow(dim, ctx, {transforms, hidden}, seed, ys, cs);
  RandomStream rng(seed, StreamId::initialization, 7, 0);
  for (auto& v : flow.parameters().values()) v += v == 0.0 ? 0.0 : 0.3 * rng.normal();  // masked stay 0
  return flow;
}

}  // namespace

TEST(MafTest, BackwardMatchesFiniteDifferences) {
  for (int dim : {1, 2, 3}) {
    auto flow = make_flow(dim, 2, 5 + dim);
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
  }
}

TEST(MafTest, InverseOfForwardIsIdentity) {
  auto flow = make_flow(4, 3, 21, 5, 16);
  Mat<double> y = random_matrix(4, 50, 4), c = random_matrix(3, 50, 5);
  const Mat<double> u = flow.transform(y, c);
  const Mat<double> back = flow.inverse(u, c);
  EXPECT_LT((back - y).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(MafTest, EachMadeHasATriangularJacobian) {
  // Structure: output i of a MADE (shift and log-scale) must not depend on inputs ≥ i.
  ParameterBuffer<double> p;
  Made<double> made(p, 5, 2, 12);
  RandomStream rng(3, StreamId::initialization, 0, 0);
  made.init(rng);
  Mat<double> u = random_matrix(5, 1, 8), c = random_matrix(2, 1, 9);
  made.forward(u, c);
  const Mat<double> base = made.output();
  for (int j = 0; j < 5; ++j) {
    Mat<double> up = u;
    up(j, 0) += 0.5;
    made.forward(up, c);
    for (int i = 0; i <= j; ++i) {
      EXPECT_EQ(made.output()(i, 0), base(i, 0)) << "shift " << i << " depends on input " << j;
      EXPECT_EQ(made.output()(5 + i, 0), base(5 + i, 0)) << "scale " << i << " depends on input " << j;
    }
  }
  // The flow's Jacobian dz/dy, with z in reversed order per transform, is triangular: with an
  // odd number of transforms, z_{D-1-i} depends on y_0..y_i only.
  auto flow = make_flow(4, 2, 33, 1, 10);
  Mat<double> y = random_matrix(4, 1, 10), cc = random_matrix(2, 1, 11);
  const Mat<double> z0 = flow.transform(y, cc);
  for (int j = 0; j < 4; ++j) {
    Mat<double> yp = y;
    yp(j, 0) += 0.3;
    const Mat<double> z = flow.transform(yp, cc);
    for (int i = 0; i < j; ++i) EXPECT_EQ(z(3 - i, 0), z0(3 - i, 0));
    EXPECT_NE(z(3 - j, 0), z0(3 - j, 0));
  }
}

TEST(MafTest, DensityIntegratesToOneIn1D) {
  auto flow = make_flow(1, 1, 41, 5, 10);
  Mat<double> c = Mat<double>::Constant(1, 1, 0.4);
  const int n = 20001;
  const double lo = -25, hi = 25, h = (hi - lo) / (n - 1);
  Mat<double> y(1, n);
  for (int i = 0; i < n; ++i) y(0, i) = lo + i * h;
  Vec<double> lp(n);
  flow.log_prob(y, c.replicate(1, n), lp);
  const double integral = lp.array().exp().sum() * h;
  EXPECT_NEAR(integral, 1.0, 2e-3);
}

TEST(MafTest, DensityIntegratesToOneIn2D) {
  auto flow = make_flow(2, 2, 43, 5, 10);
  Mat<double> c(2, 1);
  c << 0.1, -0.3;
  const int n = 601;
  const double lo = -15, hi = 15, h = (hi - lo) / (n - 1);
  Mat<double> y(2, n * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) y.col(i * n + j) << lo + i * h, lo + j * h;
  Vec<double> lp(n * n);
  flow.log_prob(y, c.replicate(1, n * n), lp);
  EXPECT_NEAR(lp.array().exp().sum() * h * h, 1.0, 1e-2);
}

TEST(MafTest, SamplesFollowTheDensity) {
  // Sample mean of y under q versus the mean computed by quadrature of exp(log q) in 1-D.
  auto flow = make_flow(1, 1, 47, 5, 10);
  Vec<double> c = Vec<double>::Constant(1, -0.2);
  RandomStream rng(1, StreamId::posterior, 0, 0);
  const Mat<double> s = flow.sample(c, 40000, rng);
  const int n = 20001;
  const double lo = -25, hi = 25, h = (hi - lo) / (n - 1);
  Mat<double> y(1, n);
  for (int i = 0; i < n; ++i) y(0, i) = lo + i * h;
  Vec<double> lp(n);
  flow.log_prob(y, c.replicate(1, n), lp);
  const Eigen::ArrayXd p = lp.array().exp() * h;
  const double mean = (p * y.row(0).transpose().array()).sum();
  const double sd = std::sqrt((p * (y.row(0).transpose().array() - mean).square()).sum());
  EXPECT_NEAR(s.mean(), mean, 4 * sd / std::sqrt(40000.0));
}

TEST(MafTest, FloatAndDoubleAgree) {
  Standardizer ys = Standardizer::identity(3), cs = Standardizer::identity(2);
  MaskedAutoregressiveFlow<double> fd(3, 2, {}, 99, ys, cs);
  MaskedAutoregressiveFlow<float> ff(3, 2, {}, 99, ys, cs);
  Mat<double> y = random_matrix(3, 10, 12), c = random_matrix(2, 10, 13);
  Vec<double> ld(10);
  Vec<float> lf(10);
  fd.log_prob(y, c, ld);
  ff.log_prob(y.cast<float>(), c.cast<float>(), lf);
  EXPECT_LT((ld - lf.cast<double>()).cwiseAbs().maxCoeff(), 1e-4);
}

TEST(MadeTest, BackwardMatchesFiniteDifferences) {
  ParameterBuffer<double> p;
  Made<double> made(p, 3, 2, 6);
  RandomStream rng(3, StreamId::initialization, 0, 0);
  made.init(rng);
  Mat<double> u = random_matrix(3, 5, 8), c = random_matrix(2, 5, 9), R = random_matrix(6, 5, 10);
  auto loss = [&] {
    made.forward(u, c);
    return (R.array() * made.output().array()).sum();
  };
  loss();
  p.zero_grad();
  Mat<double> du(3, 5);
  made.backward(R, du);
  EXPECT_LT(fd::relative_error(p.grads(), fd::numerical_gradient(p.values(), loss, 1e-6, true)), 1e-7);
  Eigen::VectorXd uflat = u.reshaped();
  auto loss_u = [&] {
    made.forward(uflat.reshaped(3, 5), c);
    return (R.array() * made.output().array()).sum();
  };
  EXPECT_LT(fd::relative_error(du.reshaped(), fd::numerical_gradient(uflat, loss_u)), 1e-7);
}
