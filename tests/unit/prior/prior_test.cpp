// The non-virtual members of Prior (bounded, in_support, block sampling), through BoxUniform
// and LogNormal.
#include "nsbi/prior/prior.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nsbi/core/error.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/prior/log_normal.hpp"

namespace nsbi {
namespace {

TEST(PriorTest, SampleColumnNUsesStreamAtFirstIndexPlusN) {
  const BoxUniform box(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(1, 1, 1));
  const std::uint64_t first = (1ull << 32) + 5;  // index bits above 32 are part of the address
  const Eigen::MatrixXd theta = box.sample(42, StreamId::resample, 2, first, 3);
  for (int n = 0; n < 3; ++n) {
    RandomStream rng(42, StreamId::resample, 2, first + n);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(theta(i, n), rng.uniform()) << "column " << n << " row " << i;
  }
  // Other stream ids, rounds and seeds give other draws.
  EXPECT_NE(box.sample(42, StreamId::proposal, 2, first, 1), theta.col(0));
  EXPECT_NE(box.sample(42, StreamId::resample, 3, first, 1), theta.col(0));
  EXPECT_NE(box.sample(43, StreamId::resample, 2, first, 1), theta.col(0));
}

TEST(PriorTest, SampleOfZeroIsEmptyAndNegativeThrows) {
  const BoxUniform box(Eigen::Vector2d(0, 0), Eigen::Vector2d(1, 1));
  const Eigen::MatrixXd none = box.sample(1, StreamId::proposal, 0, 0, 0);
  EXPECT_EQ(none.rows(), 2);
  EXPECT_EQ(none.cols(), 0);
  EXPECT_THROW(box.sample(1, StreamId::proposal, 0, 0, -1), ShapeError);
}

TEST(PriorTest, InSupportIsTheClosedBox) {
  const BoxUniform box(Eigen::Vector2d(-1, 2), Eigen::Vector2d(1, 3));
  EXPECT_TRUE(box.bounded());
  EXPECT_TRUE(box.in_support(Eigen::Vector2d(-1, 3)));
  EXPECT_TRUE(box.in_support(Eigen::Vector2d(0, 2.5)));
  EXPECT_FALSE(box.in_support(Eigen::Vector2d(0, 3.0000001)));
  EXPECT_FALSE(box.in_support(Eigen::Vector2d(std::nan(""), 2.5)));
  EXPECT_THROW(box.in_support(Eigen::Vector3d(0, 2.5, 0)), ShapeError);

  const LogNormal ln(Eigen::Vector2d(0, 0), Eigen::Vector2d(1, 1));
  EXPECT_FALSE(ln.bounded());  // half-bounded is not bounded
  EXPECT_TRUE(ln.in_support(Eigen::Vector2d(1e-300, 1e300)));
  EXPECT_FALSE(ln.in_support(Eigen::Vector2d(-1e-300, 1)));
}

}  // namespace
}  // namespace nsbi
