#include "nsbi/nn/linear.hpp"

#include <gtest/gtest.h>

#include "gradient_check.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {
Mat<double> random_matrix(int r, int c, RandomStream& rng) {
  Mat<double> m(r, c);
  for (auto& v : m.reshaped()) v = rng.normal();
  return m;
}
}  // namespace

TEST(LinearTest, ForwardIsAffine) {
  ParameterBuffer<double> p;
  Linear<double> l(p, 3, 2);
  RandomStream rng(1, StreamId::initialization, 0, 0);
  l.init_default(rng);
  Mat<double> X = random_matrix(3, 4, rng), Y(2, 4);
  l.forward(X, Y);
  Eigen::Map<const Mat<double>> W(p.values().data(), 2, 3);
  Eigen::Map<const Vec<double>> b(p.values().data() + 6, 2);
  EXPECT_LT((Y - ((W * X).colwise() + b)).norm(), 1e-12);
}

TEST(LinearTest, BackwardMatchesFiniteDifferences) {
  ParameterBuffer<double> p;
  Linear<double> l(p, 4, 3);
  RandomStream rng(2, StreamId::initialization, 0, 0);
  l.init_default(rng);
  Mat<double> X = random_matrix(4, 5, rng), R = random_matrix(3, 5, rng), Y(3, 5);
  // loss = Σ R ∘ tanh(Y) so that the upstream gradient is not constant.
  auto loss = [&] {
    l.forward(X, Y);
    return (R.array() * Y.array().tanh()).sum();
  };
  loss();
  Mat<double> dY = (R.array() * (1 - Y.array().tanh().square())).matrix();
  p.zero_grad();
  l.backward_params(X, dY);
  Mat<double> dX(4, 5);
  l.backward_input(dY, dX);
  EXPECT_LT(fd::relative_error(p.grads(), fd::numerical_gradient(p.values(), loss)), 1e-7);
  Eigen::VectorXd xflat = X.reshaped();
  auto loss_x = [&] {
    Mat<double> Xs = xflat.reshaped(4, 5);
    l.forward(Xs, Y);
    return (R.array() * Y.array().tanh()).sum();
  };
  EXPECT_LT(fd::relative_error(dX.reshaped(), fd::numerical_gradient(xflat, loss_x)), 1e-7);
}

TEST(LinearTest, MaskedWeightsStayZeroAndGetZeroGradient) {
  ParameterBuffer<double> p;
  Linear<double> l(p, 3, 3);
  Mat<double> mask = Mat<double>::Ones(3, 3).triangularView<Eigen::Lower>();
  l.set_mask(mask);
  RandomStream rng(3, StreamId::initialization, 0, 0);
  l.init_default(rng);
  Mat<double> X = random_matrix(3, 6, rng), dY = random_matrix(3, 6, rng);
  l.backward_params(X, dY);
  Eigen::Map<const Mat<double>> W(p.values().data(), 3, 3), dW(p.grads().data(), 3, 3);
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j) {
      EXPECT_EQ(W(i, j), 0.0);
      EXPECT_EQ(dW(i, j), 0.0);
    }
  EXPECT_NE(dW(2, 0), 0.0);
}
