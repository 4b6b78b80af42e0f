#include "nsbi/farm/simulate_chunk.hpp"

#include <gtest/gtest.h>

#include "farm_test_simulators.hpp"
#include "nsbi/core/random.hpp"

namespace nsbi::farm {
namespace {

using farm_test::ScriptedSimulator;

// Indices of a round whose seeds fall in the scripted range [lo, hi) of seed % 100.
std::uint64_t first_index_with(std::uint64_t seed, std::uint32_t round, std::uint64_t lo, std::uint64_t hi) {
  for (std::uint64_t i = 0;; ++i) {
    const std::uint64_t h = simulation_seed(seed, round, i) % 100;
    if (h >= lo && h < hi) return i;
  }
}

TEST(SimulateChunkTest, ColumnJRunsWithTheSeedOfIndexFirstPlusJ) {
  ScriptedSimulator sim(2, false);
  const Eigen::MatrixXd theta = farm_test::test_theta(2, 5);
  const ChunkResult r = simulate_chunk(sim, WorkChunk{{40, 5}, theta}, 7, 3, 2);
  ASSERT_EQ(sim.calls.size(), 5u);
  for (std::uint64_t j = 0; j < 5; ++j) {
    const std::uint64_t s = simulation_seed(7, 3, 40 + j);
    EXPECT_EQ(sim.calls[j], s);
    EXPECT_EQ(r.x.col(Eigen::Index(j)), farm_test::affine_x(theta.col(Eigen::Index(j)), s));
    EXPECT_EQ(r.status[j], SimStatus::ok);
    EXPECT_EQ(r.attempts[j], 1u);
  }
  EXPECT_GE(r.seconds, 0.0);
}

struct Case {
  std::uint64_t lo, hi;  // scripted behaviour (farm_test_simulators.hpp)
  SimStatus status;
  std::uint32_t attempts;  // with max_retries = 2
};

TEST(SimulateChunkTest, RetriesOnlyCrashesAndTimeoutsWithTheSameSeed) {
  const Case cases[] = {
      {0, 5, SimStatus::non_finite, 1},  // NaN with status ok: caught, not retried
      {5, 8, SimStatus::error, 1},       // not retried
      {8, 11, SimStatus::ok, 2},         // crashed once, then ok
      {11, 13, SimStatus::crashed, 3},   // 1 + max_retries calls
      {13, 14, SimStatus::timeout, 3},
      {14, 100, SimStatus::ok, 1},
  };
  for (const Case& c : cases) {
    ScriptedSimulator sim(2, true);
    const std::uint64_t i = first_index_with(11, 0, c.lo, c.hi);
    const Eigen::MatrixXd theta = farm_test::test_theta(2, 1);
    const ChunkResult r = simulate_chunk(sim, WorkChunk{{i, 1}, theta}, 11, 0, 2);
    EXPECT_EQ(r.status[0], c.status) << "seed class " << c.lo;
    EXPECT_EQ(r.attempts[0], c.attempts) << "seed class " << c.lo;
    ASSERT_EQ(sim.calls.size(), c.attempts);
    for (std::uint64_t s : sim.calls) EXPECT_EQ(s, simulation_seed(11, 0, i));
    if (c.status == SimStatus::ok)
      EXPECT_TRUE(r.x.allFinite());
    else
      EXPECT_TRUE(r.x.array().isNaN().all()) << "failed columns carry NaN";
  }
}

TEST(SimulateChunkTest, RetryBlocksHoldOnlyTheFailedColumns) {
  ScriptedSimulator sim(1, true);
  const Eigen::MatrixXd theta = farm_test::test_theta(1, 200);
  const ChunkResult r = simulate_chunk(sim, WorkChunk{{0, 200}, theta}, 5, 1, 1);
  std::size_t expected_calls = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const std::uint64_t h = simulation_seed(5, 1, i) % 100;
    const bool retried = h >= 8 && h < 14;
    EXPECT_EQ(r.attempts[i], retried ? 2u : 1u);
    expected_calls += retried ? 2 : 1;
  }
  EXPECT_EQ(sim.calls.size(), expected_calls);
}

TEST(SimulateChunkTest, ZeroRetriesMeansOneCall) {
  ScriptedSimulator sim(2, true);
  const std::uint64_t i = first_index_with(3, 0, 11, 13);
  const ChunkResult r = simulate_chunk(sim, WorkChunk{{i, 1}, farm_test::test_theta(2, 1)}, 3, 0, 0);
  EXPECT_EQ(r.status[0], SimStatus::crashed);
  EXPECT_EQ(r.attempts[0], 1u);
}

TEST(SimulateChunkTest, SimulatorExceptionsPropagateAndThetaShapeIsChecked) {
  ScriptedSimulator sim(2, false);
  sim.throw_on = {simulation_seed(1, 0, 2)};
  EXPECT_THROW(simulate_chunk(sim, WorkChunk{{0, 4}, farm_test::test_theta(2, 4)}, 1, 0, 2), SimulatorError);
  EXPECT_THROW(simulate_chunk(sim, WorkChunk{{0, 4}, farm_test::test_theta(3, 4)}, 1, 0, 2), ShapeError);
}

}  // namespace
}  // namespace nsbi::farm
