#include "nsbi/nn/conv2d.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <tuple>
#include <utility>
#include <vector>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

namespace {

struct Geometry {
  int cin, cout, h, w, kh, kw;
  Padding padding = Padding::zeros;
  bool symmetric = false;
};

// The kernel averaged over the symmetries of its rectangle, built from rotations: for a square
// kernel the four rotations by 90° and the same after a left-right mirror (D4); otherwise the
// identity, both mirrors and the half turn.
Mat<double> symmetrized(const Geometry& g, const Mat<double>& K) {
  using Tap = std::pair<int, int>;
  std::vector<std::function<Tap(int, int)>> group;
  const int a = g.kh - 1, b = g.kw - 1;
  if (g.kh == g.kw) {
    for (int m = 0; m < 2; ++m)
      for (int r = 0; r < 4; ++r)
        group.push_back([=](int i, int j) {
          if (m) j = b - j;
          for (int q = 0; q < r; ++q) std::tie(i, j) = Tap(j, a - i);
          return Tap(i, j);
        });
  } else {
    group = {[](int i, int j) { return Tap(i, j); }, [=](int i, int j) { return Tap(a - i, j); },
             [=](int i, int j) { return Tap(i, b - j); }, [=](int i, int j) { return Tap(a - i, b - j); }};
  }
  Mat<double> out = Mat<double>::Zero(K.rows(), K.cols());
  for (int o = 0; o < g.cout; ++o)
    for (int c = 0; c < g.cin; ++c)
      for (int i = 0; i < g.kh; ++i)
        for (int j = 0; j < g.kw; ++j)
          for (const auto& t : group) {
            const auto [ii, jj] = t(i, j);
            out(o, (c * g.kh + i) * g.kw + j) += K(o, (c * g.kh + ii) * g.kw + jj) / static_cast<double>(group.size());
          }
  return out;
}

// The definition, term by term: Y[o,h,w] = b_o + Σ K[o,c,i,j]·X[c, h+i−kh/2, w+j−kw/2], X zero
// outside the grid or periodic.
Mat<double> direct_convolution(const Geometry& g, const Mat<double>& K, const Mat<double>& b, const Mat<double>& X) {
  Mat<double> Y(g.cout * g.h * g.w, X.cols());
  for (Eigen::Index s = 0; s < X.cols(); ++s)
    for (int o = 0; o < g.cout; ++o)
      for (int h = 0; h < g.h; ++h)
        for (int w = 0; w < g.w; ++w) {
          double y = b(o, 0);
          for (int c = 0; c < g.cin; ++c)
            for (int i = 0; i < g.kh; ++i)
              for (int j = 0; j < g.kw; ++j) {
                int hh = h + i - g.kh / 2, ww = w + j - g.kw / 2;
                if (g.padding == Padding::circular) {
                  hh = ((hh % g.h) + g.h) % g.h;
                  ww = ((ww % g.w) + g.w) % g.w;
                }
                if (hh >= 0 && hh < g.h && ww >= 0 && ww < g.w)
                  y += K(o, (c * g.kh + i) * g.kw + j) * X((c * g.h + hh) * g.w + ww, s);
              }
          Y((o * g.h + h) * g.w + w, s) = y;
        }
  return Y;
}

class Conv2dTest : public ::testing::TestWithParam<Geometry> {};

}  // namespace

TEST_P(Conv2dTest, ForwardIsTheConvolution) {
  const Geometry g = GetParam();
  ParameterBuffer<double> params;
  Conv2d<double> conv(params, g.cin, g.cout, g.h, g.w, g.kh, g.kw, g.padding, g.symmetric);
  params.values() = random_matrix(static_cast<int>(params.size()), 1, 3).col(0);
  const Mat<double> X = random_matrix(conv.in_size(), 4, 4);
  Mat<double> Y;
  conv.forward(X, Y);
  const int K = g.cin * g.kh * g.kw;
  Mat<double> kernel = params.matrix(0, g.cout, K);
  const Mat<double> bias = params.matrix(g.cout * K, g.cout, 1);
  if (g.symmetric) kernel = symmetrized(g, kernel);
  EXPECT_LT((Y - direct_convolution(g, kernel, bias, X)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_P(Conv2dTest, BackwardMatchesFiniteDifferences) {
  const Geometry g = GetParam();
  ParameterBuffer<double> params;
  Conv2d<double> conv(params, g.cin, g.cout, g.h, g.w, g.kh, g.kw, g.padding, g.symmetric);
  RandomStream rng(5, StreamId::initialization, 0, 0);
  conv.init_default(rng);
  Mat<double> X = random_matrix(conv.in_size(), 3, 6);
  const Mat<double> R = random_matrix(conv.out_size(), 3, 7);
  Mat<double> Y, dX;
  auto loss = [&] {
    conv.forward(X, Y);
    return (R.array() * Y.array()).sum();
  };
  loss();
  params.zero_grad();
  conv.backward(R, dX);
  EXPECT_LT(fd::relative_error(params.grads(), fd::numerical_gradient(params.values(), loss)), 1e-7);
  Eigen::Map<Eigen::VectorXd> x_flat(X.data(), X.size());
  EXPECT_LT(fd::relative_error(dX.reshaped(), fd::numerical_gradient(x_flat, loss)), 1e-7);
}

// A series (height 1, a 1×k kernel: cnn1d), a map with several channels, an even-sided grid
// smaller than the kernel; each with zero and with circular padding (where a small grid wraps
// more than once).
INSTANTIATE_TEST_SUITE_P(
    Geometries, Conv2dTest,
    ::testing::Values(Geometry{1, 3, 1, 9, 1, 5}, Geometry{2, 3, 4, 5, 3, 3}, Geometry{3, 2, 2, 2, 5, 5},
                      Geometry{1, 3, 1, 9, 1, 5, Padding::circular}, Geometry{2, 3, 4, 5, 3, 3, Padding::circular},
                      Geometry{3, 2, 2, 2, 5, 5, Padding::circular}, Geometry{1, 2, 3, 7, 5, 7, Padding::circular},
                      // symmetric kernels: D4 (square), the mirrors (1×k and 3×5)
                      Geometry{2, 3, 4, 5, 3, 3, Padding::zeros, true}, Geometry{2, 2, 6, 6, 5, 5, Padding::circular, true},
                      Geometry{1, 3, 1, 9, 1, 5, Padding::zeros, true}, Geometry{1, 2, 4, 7, 3, 5, Padding::circular, true}));

// Symmetric kernels on a square map: rotating the map by 90° or mirroring it rotates or mirrors
// each output channel, with either padding; free kernels do not.
TEST(Conv2dSymmetric, CommutesWithTheRotationsAndMirrorsOfASquareMap) {
  const int n = 8, cin = 2, cout = 3;
  const auto rot = [&](const Mat<double>& x, int channels) {  // (h, w) -> (w, n-1-h), per channel
    Mat<double> y(x.rows(), x.cols());
    for (int c = 0; c < channels; ++c)
      for (int h = 0; h < n; ++h)
        for (int w = 0; w < n; ++w) y((c * n + w) * n + (n - 1 - h), 0) = x((c * n + h) * n + w, 0);
    return y;
  };
  const auto mirror = [&](const Mat<double>& x, int channels) {
    Mat<double> y(x.rows(), x.cols());
    for (int c = 0; c < channels; ++c)
      for (int h = 0; h < n; ++h)
        for (int w = 0; w < n; ++w) y((c * n + h) * n + (n - 1 - w), 0) = x((c * n + h) * n + w, 0);
    return y;
  };
  const Mat<double> x = random_matrix(cin * n * n, 1, 12);
  for (const Padding padding : {Padding::zeros, Padding::circular})
    for (const bool symmetric : {true, false}) {
      ParameterBuffer<double> params;
      Conv2d<double> conv(params, cin, cout, n, n, 5, 5, padding, symmetric);
      RandomStream rng(4, StreamId::initialization, 0, 0);
      conv.init_default(rng);
      Mat<double> y, y_rot, y_mirror;
      conv.forward(x, y);
      conv.forward(rot(x, cin), y_rot);
      conv.forward(mirror(x, cin), y_mirror);
      const double change = std::max((y_rot - rot(y, cout)).cwiseAbs().maxCoeff(),
                                     (y_mirror - mirror(y, cout)).cwiseAbs().maxCoeff());
      if (symmetric)
        EXPECT_LT(change, 1e-12);
      else
        EXPECT_GT(change, 1e-3);
    }
}

TEST(Conv2dErrors, EvenKernelIsAConfigError) {
  ParameterBuffer<float> params;
  EXPECT_THROW(Conv2d<float>(params, 1, 2, 4, 4, 4, 4), ConfigError);
  EXPECT_THROW(Conv2d<float>(params, 1, 2, 1, 4, 1, 0), ConfigError);
}
