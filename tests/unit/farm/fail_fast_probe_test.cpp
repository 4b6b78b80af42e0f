#include "nsbi/farm/fail_fast_probe.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace nsbi::farm {
namespace {

// Records 0..total-1 in `order`, with status ok for the indices in `ok`; returns whether the
// probe asked to stop, and after how many results.
std::pair<bool, std::size_t> replay(std::size_t n, const std::vector<std::size_t>& order,
                                    const std::vector<std::size_t>& ok) {
  FailFastProbe probe(n);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    probe.record(i, std::count(ok.begin(), ok.end(), i) ? SimStatus::ok : SimStatus::crashed);
    if (probe.stop()) return {true, k + 1};
  }
  return {false, order.size()};
}

std::vector<std::size_t> shuffled(std::size_t total, unsigned seed) {
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  return order;
}

TEST(FailFastProbeTest, StopsOnceTheFirstNAllFailedWhateverTheOrder) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    const auto order = shuffled(200, seed);
    const auto [stopped, after] = replay(50, order, {});
    EXPECT_TRUE(stopped);
    // Exactly when the last of 0..49 came back.
    std::size_t seen = 0, k = 0;
    while (seen < 50) seen += order[k++] < 50;
    EXPECT_EQ(after, k);
  }
}

TEST(FailFastProbeTest, OneSuccessAmongTheFirstNKeepsTheRoundGoingEvenIfItArrivesLast) {
  std::vector<std::size_t> order(200);
  std::iota(order.rbegin(), order.rend(), 0);  // 199 first, ..., index 0 last
  EXPECT_FALSE(replay(50, order, {0}).first);
  for (unsigned seed = 0; seed < 20; ++seed) EXPECT_FALSE(replay(50, shuffled(200, seed), {49}).first);
}

TEST(FailFastProbeTest, SuccessesAfterTheFirstNDoNotPreventTheStop) {
  for (unsigned seed = 0; seed < 20; ++seed) EXPECT_TRUE(replay(50, shuffled(200, seed), {50, 51, 120}).first);
}

TEST(FailFastProbeTest, SizeZeroNeverStops) { EXPECT_FALSE(replay(0, shuffled(100, 1), {}).first); }

}  // namespace
}  // namespace nsbi::farm
