#include "nsbi/nn/mlp.hpp"

#include <gtest/gtest.h>

#include "gradient_check.hpp"

using namespace nsbi;
using namespace nsbi::nn;

class MlpTest : public ::testing::TestWithParam<Activation> {};

TEST_P(MlpTest, BackwardMatchesFiniteDifferences) {
  Mlp<double> net({3, 7, 5, 2}, GetParam(), 11, /*glorot=*/true);
  RandomStream rng(4, StreamId::initialization, 1, 0);
  Mat<double> X(3, 6), R(2, 6);
  for (auto& v : X.reshaped()) v = rng.normal();
  for (auto& v : R.reshaped()) v = rng.normal();
  auto loss = [&] { return (R.array() * net.forward(X).array()).sum() + 0.3 * net.weight_square_sum(); };
  loss();
  net.parameters().zero_grad();
  const Mat<double> dX = net.backward(R);
  net.add_weight_decay_grad(0.6);
  Eigen::VectorXd numeric = fd::numerical_gradient(net.parameters().values(), loss);
  EXPECT_LT(fd::relative_error(net.parameters().grads(), numeric), 1e-6);
  Eigen::VectorXd xflat = X.reshaped();
  auto loss_x = [&] {
    Mat<double> Xs = xflat.reshaped(3, 6);
    return (R.array() * net.forward(Xs).array()).sum();
  };
  EXPECT_LT(fd::relative_error(dX.reshaped(), fd::numerical_gradient(xflat, loss_x)), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Activations, MlpTest, ::testing::Values(Activation::relu, Activation::tanh));
