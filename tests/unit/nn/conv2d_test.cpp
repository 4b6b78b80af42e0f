#include "nsbi/nn/conv2d.hpp"

#include <gtest/gtest.h>

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
};

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
  Conv2d<double> conv(params, g.cin, g.cout, g.h, g.w, g.kh, g.kw, g.padding);
  params.values() = random_matrix(static_cast<int>(params.size()), 1, 3).col(0);
  const Mat<double> X = random_matrix(conv.in_size(), 4, 4);
  Mat<double> Y;
  conv.forward(X, Y);
  const int K = g.cin * g.kh * g.kw;
  const Mat<double> kernel = params.matrix(0, g.cout, K), bias = params.matrix(g.cout * K, g.cout, 1);
  EXPECT_LT((Y - direct_convolution(g, kernel, bias, X)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST_P(Conv2dTest, BackwardMatchesFiniteDifferences) {
  const Geometry g = GetParam();
  ParameterBuffer<double> params;
  Conv2d<double> conv(params, g.cin, g.cout, g.h, g.w, g.kh, g.kw, g.padding);
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
                      Geometry{3, 2, 2, 2, 5, 5, Padding::circular}, Geometry{1, 2, 3, 7, 5, 7, Padding::circular}));

TEST(Conv2dErrors, EvenKernelIsAConfigError) {
  ParameterBuffer<float> params;
  EXPECT_THROW(Conv2d<float>(params, 1, 2, 4, 4, 4, 4), ConfigError);
  EXPECT_THROW(Conv2d<float>(params, 1, 2, 1, 4, 1, 0), ConfigError);
}
