#include "nsbi/farm/chunk_messages.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>

#include "nsbi/core/error.hpp"

namespace nsbi::farm {
namespace {

TEST(ChunkMessagesTest, WorkRoundTripsThetaAndRange) {
  Eigen::MatrixXd theta(3, 4);
  theta.setRandom();
  const IndexRange r{(std::uint64_t(1) << 40) + 7, 4};  // index past 32 bits
  const std::vector<double> m = pack_work(r, theta);
  EXPECT_EQ(m.size(), 2u + 12u);
  const WorkChunk w = unpack_work(m, 3);
  EXPECT_EQ(w.range, r);
  EXPECT_EQ(w.theta, theta);
}

TEST(ChunkMessagesTest, WorkOfABlockViewPacksItsColumns) {
  Eigen::MatrixXd big(2, 10);
  big.setRandom();
  const WorkChunk w = unpack_work(pack_work({3, 4}, big.middleCols(3, 4)), 2);
  EXPECT_EQ(w.theta, big.middleCols(3, 4));
}

TEST(ChunkMessagesTest, ResultRoundTripsBitsStatusAndAttempts) {
  ChunkResult r;
  r.range = {100, 3};
  r.seconds = 0.25;
  r.x.resize(2, 3);
  r.x << 1.5, -0.0, std::numeric_limits<double>::quiet_NaN(), 1e-310, 3.0, std::numeric_limits<double>::infinity();
  r.status = {SimStatus::ok, SimStatus::timeout, SimStatus::non_finite};
  r.attempts = {1, 3, 1};
  const ChunkResult back = unpack_result(pack_result(r), 2);
  EXPECT_EQ(back.range, r.range);
  EXPECT_EQ(back.seconds, 0.25);
  EXPECT_EQ(back.status, r.status);
  EXPECT_EQ(back.attempts, r.attempts);
  ASSERT_EQ(back.x.size(), r.x.size());
  EXPECT_EQ(std::memcmp(back.x.data(), r.x.data(), sizeof(double) * 6), 0);  // -0.0 and NaN bits kept
}

TEST(ChunkMessagesTest, MalformedMessagesAreShapeErrors) {
  EXPECT_THROW(unpack_work(std::vector<double>{0.0}, 2), ShapeError);
  EXPECT_THROW(unpack_work(std::vector<double>{0.0, 2.0, 1.0, 2.0, 3.0}, 2), ShapeError);  // 3 values for 2×2
  EXPECT_THROW(unpack_work(std::vector<double>{-1.0, 0.0}, 2), ShapeError);
  EXPECT_THROW(unpack_work(std::vector<double>{0.5, 0.0}, 2), ShapeError);
  EXPECT_THROW(unpack_result(std::vector<double>{0.0, 1.0, 0.0, 8.0}, 1), ShapeError);  // x missing
  EXPECT_THROW(unpack_result(std::vector<double>{0.0, 1.0, 0.0, 7.0, 1.0}, 1), ShapeError);  // status 7, 0 attempts
  EXPECT_THROW(unpack_result(std::vector<double>{0.0, 1.0, 0.0, 13.0, 1.0}, 1), ShapeError);  // status 5
}

}  // namespace
}  // namespace nsbi::farm
