#include "nsbi/nn/max_pool2d.hpp"

#include <gtest/gtest.h>

#include "gradient_check.hpp"
#include "nsbi/core/error.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

TEST(MaxPool2dTest, TakesTheMaximumOfEachWindow) {
  // One channel, 3×4 grid pooled 2×2: the last row is dropped (rounded down).
  MaxPool2d<double> pool(1, 3, 4, 2, 2);
  Mat<double> X(12, 1);
  X.col(0) << 1, 5, 2, 0,  //
      3, 4, 8, 7,          //
      9, 9, 9, 9;
  Mat<double> Y;
  pool.forward(X, Y);
  ASSERT_EQ(Y.rows(), 2);
  EXPECT_EQ(Y(0, 0), 5);
  EXPECT_EQ(Y(1, 0), 8);
  Mat<double> dX;
  pool.backward(Mat<double>::Constant(2, 1, 1.0), dX);
  EXPECT_EQ(dX(1, 0), 1);  // the 5
  EXPECT_EQ(dX(6, 0), 1);  // the 8
  EXPECT_EQ(dX.sum(), 2);
}

TEST(MaxPool2dTest, BackwardMatchesFiniteDifferences) {
  for (const auto& [c, h, w, ph, pw] : {std::tuple{2, 4, 6, 2, 2}, std::tuple{3, 1, 9, 1, 2}, std::tuple{1, 5, 5, 2, 2}}) {
    MaxPool2d<double> pool(c, h, w, ph, pw);
    Mat<double> X = random_matrix(pool.in_size(), 3, 8);  // distinct values: no ties
    const Mat<double> R = random_matrix(pool.out_size(), 3, 9);
    Mat<double> Y, dX;
    auto loss = [&] {
      pool.forward(X, Y);
      return (R.array() * Y.array()).sum();
    };
    loss();
    pool.backward(R, dX);
    Eigen::Map<Eigen::VectorXd> x_flat(X.data(), X.size());
    EXPECT_LT(fd::relative_error(dX.reshaped(), fd::numerical_gradient(x_flat, loss)), 1e-8) << c << " " << h << " " << w;
  }
}

TEST(MaxPool2dTest, WindowLargerThanTheGridIsAConfigError) {
  EXPECT_THROW(MaxPool2d<float>(1, 1, 8, 2, 2), ConfigError);
}
