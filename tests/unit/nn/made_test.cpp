#include "nsbi/nn/made.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nsbi/core/error.hpp"

#include "gradient_check.hpp"
#include "random_matrix.hpp"

using namespace nsbi;
using namespace nsbi::nn;
using nsbi::nn::test::random_matrix;

TEST(MadeTest, OutputsDependOnPrecedingInputsOnly) {
  // Structure: every output of dimension i (M per dimension, row p·D + i) must not depend on
  // inputs ≥ i; checked for MAF's M = 2 and a spline's M = 3·bins − 1.
  for (int M : {2, 11}) {
    ParameterBuffer<double> p;
    Made<double> made(p, 5, 2, 12, M);
    ASSERT_EQ(made.outputs_per_dim(), M);
    RandomStream rng(3, StreamId::initialization, 0, 0);
    made.init(rng);
    Mat<double> u = random_matrix(5, 1, 8), c = random_matrix(2, 1, 9);
    made.forward(u, c);
    const Mat<double> base = made.output();
    ASSERT_EQ(base.rows(), 5 * M);
    for (int j = 0; j < 5; ++j) {
      Mat<double> up = u;
      up(j, 0) += 0.5;
      made.forward(up, c);
      for (int i = 0; i < 5; ++i)
        for (int q = 0; q < M; ++q) {
          if (i <= j) {
            EXPECT_EQ(made.output()(q * 5 + i, 0), base(q * 5 + i, 0)) << "output " << q << " of dim " << i << " depends on input " << j;
          }
        }
      // and the last dimension does see every earlier input
      if (j < 4) {
        EXPECT_NE(made.output()(4, 0), base(4, 0)) << "input " << j;
      }
    }
  }
}

TEST(MadeTest, AGivenOrderDecidesWhichInputsAnOutputSees) {
  // order[i] is input i's position: output i may depend on input j only when order[j] < order[i],
  // and the output at the last position sees every other input.
  const std::vector<int> order{3, 0, 4, 1, 2};
  ParameterBuffer<double> p;
  Made<double> made(p, 5, 2, 12, 2, order);
  for (int r = 0; r < 5; ++r) EXPECT_EQ(order[static_cast<std::size_t>(made.feature_at(r))], r);
  RandomStream rng(3, StreamId::initialization, 0, 0);
  made.init(rng);
  Mat<double> u = random_matrix(5, 1, 8), c = random_matrix(2, 1, 9);
  made.forward(u, c);
  const Mat<double> base = made.output();
  for (int j = 0; j < 5; ++j) {
    Mat<double> up = u;
    up(j, 0) += 0.5;
    made.forward(up, c);
    for (int i = 0; i < 5; ++i)
      for (int q = 0; q < 2; ++q) {
        const bool changed = made.output()(q * 5 + i, 0) != base(q * 5 + i, 0);
        if (order[j] >= order[i]) {
          EXPECT_FALSE(changed) << "output " << q << " of dim " << i << " sees input " << j;
        }
      }
    if (j != 2) {
      EXPECT_NE(made.output()(2, 0), base(2, 0)) << "the last position (input 2) misses input " << j;
    }
  }
  // Not a permutation: named.
  try {
    Made<double> bad(p, 3, 2, 6, 2, std::vector<int>{0, 2, 2});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a permutation of 0..2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Made<double>(p, 3, 2, 6, 2, std::vector<int>{0, 1}), ShapeError);
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
