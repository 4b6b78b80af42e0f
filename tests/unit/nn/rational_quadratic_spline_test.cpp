#include "nsbi/nn/rational_quadratic_spline.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

constexpr int kBins = 6;

Mat<double> random_matrix(int r, int c, std::uint64_t seed, double scale = 1.0) {
  RandomStream rng(seed, StreamId::initialization, 3, 0);
  Mat<double> m(r, c);
  for (auto& v : m.reshaped()) v = scale * rng.normal();
  return m;
}

RationalQuadraticSpline<double> make_spline(int bins = kBins, double raw_scale = 0.7) {
  RqSplineOptions o;
  o.bins = bins;
  o.tail_bound = 2.5;
  o.raw_scale = raw_scale;
  return RationalQuadraticSpline<double>(o);
}

// u (D×N) mostly inside [−2.5, 2.5], some in the tails.
Mat<double> inputs(int D, int N, std::uint64_t seed) { return random_matrix(D, N, seed, 1.4); }

}  // namespace

TEST(RationalQuadraticSplineTest, BackwardMatchesFiniteDifferences) {
  const auto spline = make_spline();
  const int P = spline.params_per_dim(), D = 3, N = 25;
  ASSERT_EQ(P, 3 * kBins - 1);
  Mat<double> raw = random_matrix(P * D, N, 1, 1.5), u = inputs(D, N, 2);
  const Mat<double> a = random_matrix(D, N, 3);  // loss = Σ a∘v + Σ_n b_n log det_n
  const Vec<double> b = random_matrix(N, 1, 4).col(0);
  SplineKnots<double> kn;
  Mat<double> v(D, N);
  Vec<double> ld(N);
  auto loss = [&] {
    spline.knots(raw, kn);
    ld.setZero();
    spline.forward(u, kn, v, ld);
    return (a.array() * v.array()).sum() + b.dot(ld);
  };
  loss();
  Mat<double> d_raw(P * D, N), du(D, N);
  spline.backward(u, kn, a, b, d_raw, du);
  Eigen::VectorXd raw_flat = raw.reshaped();
  auto loss_raw = [&] {
    raw = raw_flat.reshaped(P * D, N);
    return loss();
  };
  EXPECT_LT(fd::relative_error(d_raw.reshaped(), fd::numerical_gradient(raw_flat, loss_raw)), 1e-7);
  raw = raw_flat.reshaped(P * D, N);
  Eigen::VectorXd u_flat = u.reshaped();
  auto loss_u = [&] {
    u = u_flat.reshaped(D, N);
    return loss();
  };
  EXPECT_LT(fd::relative_error(du.reshaped(), fd::numerical_gradient(u_flat, loss_u)), 1e-7);
  EXPECT_GT((u.array().abs() > 2.5).count(), 0) << "the tails should be exercised too";
}

TEST(RationalQuadraticSplineTest, InverseOfForwardIsIdentity) {
  const auto spline = make_spline(10, 1.0);
  const int D = 2, N = 401;
  const Mat<double> raw = random_matrix(spline.params_per_dim() * D, N, 7, 2.0);
  Mat<double> u(D, N);
  for (int n = 0; n < N; ++n) u.col(n).setConstant(-3.0 + 6.0 * n / (N - 1));
  SplineKnots<double> kn;
  spline.knots(raw, kn);
  Mat<double> z(D, N), back(D, N);
  Vec<double> ld = Vec<double>::Zero(N);
  spline.forward(u, kn, z, ld);
  for (int i = 0; i < D; ++i) spline.inverse_feature(i, z, kn, back);
  EXPECT_LT((back - u).cwiseAbs().maxCoeff(), 1e-9);  // steep narrow bins amplify rounding
}

TEST(RationalQuadraticSplineTest, MonotoneMapOfTheBoxOntoItselfWithTheRightLogDerivative) {
  const auto spline = make_spline();
  const int N = 1001;
  const double h = 1e-6;
  // One spline (the same raw parameters in every column) on a grid, and at grid ± h.
  const Mat<double> raw = random_matrix(spline.params_per_dim(), 1, 9, 2.0).replicate(1, 3 * N);
  Mat<double> u(1, 3 * N);
  for (int n = 0; n < N; ++n) {
    const double x = -3.0 + 6.0 * n / (N - 1);
    u(0, n) = x;
    u(0, N + n) = x + h;
    u(0, 2 * N + n) = x - h;
  }
  SplineKnots<double> kn;
  spline.knots(raw, kn);
  Mat<double> z(1, 3 * N);
  Vec<double> ld = Vec<double>::Zero(3 * N);
  spline.forward(u, kn, z, ld);
  for (int n = 0; n < N; ++n) {
    const double x = u(0, n);
    if (n > 0) {
      EXPECT_GT(z(0, n), z(0, n - 1));
    }
    EXPECT_NEAR(std::exp(ld(n)), (z(0, N + n) - z(0, 2 * N + n)) / (2 * h), 1e-6 * std::max(1.0, std::exp(ld(n))))
        << "x " << x;
    if (std::abs(x) > 2.5) {
      EXPECT_EQ(z(0, n), x);  // identity tails
      EXPECT_EQ(ld(n), 0.0);
    }
  }
  // The box maps onto itself: g(±B) = ±B (the grid above does not hit ±2.5 exactly).
  Mat<double> ends(1, 2), ends_z(1, 2);
  ends << -2.5, 2.5;
  spline.knots(raw.leftCols(2), kn);
  Vec<double> ld_ends = Vec<double>::Zero(2);
  spline.forward(ends, kn, ends_z, ld_ends);
  EXPECT_NEAR(ends_z(0, 0), -2.5, 1e-12);
  EXPECT_NEAR(ends_z(0, 1), 2.5, 1e-12);
}

TEST(RationalQuadraticSplineTest, RejectsBadOptions) {
  RqSplineOptions o;
  o.bins = 0;
  EXPECT_THROW(RationalQuadraticSpline<double>{o}, ConfigError);
  o.bins = 10;
  o.tail_bound = 0;
  EXPECT_THROW(RationalQuadraticSpline<double>{o}, ConfigError);
  o.tail_bound = 3;
  o.min_bin_width = 0.2;  // 10 bins of at least 0.2 of the range cannot fit
  EXPECT_THROW(RationalQuadraticSpline<double>{o}, ConfigError);
}
