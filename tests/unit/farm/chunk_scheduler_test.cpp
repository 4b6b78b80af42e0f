#include "nsbi/farm/chunk_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nsbi::farm {
namespace {

ChunkPolicy fixed(std::size_t workers, std::size_t cap) {
  ChunkPolicy p;
  p.workers = workers;
  p.fixed_cap = cap;
  return p;
}

TEST(GuidedChunkSizeTest, IsRemainingOverTwiceTheWorkersRoundedUp) {
  EXPECT_EQ(guided_chunk_size(1000, 4, 2, 1000), 125u);  // 1000 / 8
  EXPECT_EQ(guided_chunk_size(1001, 4, 2, 1000), 126u);  // ceil(1001 / 8)
  EXPECT_EQ(guided_chunk_size(7, 4, 2, 1000), 1u);
  EXPECT_EQ(guided_chunk_size(0, 4, 2, 1000), 1u);
}

TEST(GuidedChunkSizeTest, IsClampedToTheCap) {
  EXPECT_EQ(guided_chunk_size(1'000'000, 2, 2, 64), 64u);
  EXPECT_EQ(guided_chunk_size(1'000'000, 2, 2, 0), 1u);  // a zero cap still moves work
}

TEST(ChunkSchedulerTest, HandsOutConsecutiveShrinkingRangesCoveringTheRound) {
  ChunkScheduler s(1000, FailurePolicy::drop, 2.0, fixed(4, 100000));
  std::vector<IndexRange> chunks;
  while (auto r = s.next_chunk()) chunks.push_back(*r);
  std::uint64_t next = 0;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    EXPECT_EQ(chunks[k].first, next);
    EXPECT_GE(chunks[k].count, 1u);
    if (k > 0) {
      EXPECT_LE(chunks[k].count, chunks[k - 1].count);
    }
    next += chunks[k].count;
  }
  EXPECT_EQ(next, 1000u);
  EXPECT_EQ(chunks.front().count, 125u);  // ceil(1000 / (2·4))
  EXPECT_EQ(chunks.back().count, 1u);
  // Guided self-scheduling needs O(P log(n/P)) chunks, far fewer than n.
  EXPECT_LT(chunks.size(), 100u);
  EXPECT_FALSE(s.finished());
  for (const IndexRange& r : chunks) s.complete(r, 0, 0.0);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.completed(), 1000u);
}

TEST(ChunkSchedulerTest, FixedCapBoundsEveryChunk) {
  ChunkScheduler s(100, FailurePolicy::drop, 2.0, fixed(1, 7));
  std::size_t total = 0;
  while (auto r = s.next_chunk()) {
    EXPECT_LE(r->count, 7u);
    total += r->count;
  }
  EXPECT_EQ(total, 100u);
}

TEST(ChunkSchedulerTest, AutomaticCapStartsAtOneAndFollowsTheMeasuredTime) {
  ChunkPolicy p;
  p.workers = 2;
  p.target_seconds = 0.5;
  p.max_cap = 5000;
  ChunkScheduler s(100000, FailurePolicy::drop, 2.0, p);
  EXPECT_EQ(s.cap(), 1u);  // nothing measured: a simulation might take hours
  const IndexRange a = *s.next_chunk();
  EXPECT_EQ(a.count, 1u);
  s.complete(a, 0, 0.01);  // 10 ms per simulation -> 0.5 s / 10 ms = 50
  EXPECT_EQ(s.cap(), 50u);
  EXPECT_EQ(s.next_chunk()->count, 50u);
  const IndexRange b{1, 50};
  s.complete(b, 0, 50 * 1e-6);  // mean (0.01 + 50e-6) / 51 s per simulation
  EXPECT_EQ(s.cap(), static_cast<std::size_t>(0.5 / ((0.01 + 50e-6) / 51)));  // 2537
  p.max_cap = 1000;
  ChunkScheduler bounded(100000, FailurePolicy::drop, 2.0, p);
  bounded.complete(*bounded.next_chunk(), 0, 1e-5);
  EXPECT_EQ(bounded.cap(), 1000u);
  ChunkScheduler instant(100000, FailurePolicy::drop, 2.0, p);
  instant.complete(*instant.next_chunk(), 0, 0.0);  // below the clock's resolution
  EXPECT_EQ(instant.cap(), 1000u);
}

TEST(ChunkSchedulerTest, DropAndAbortNeverIssueReplacements) {
  for (FailurePolicy policy : {FailurePolicy::drop, FailurePolicy::abort}) {
    ChunkScheduler s(10, policy, 3.0, fixed(1, 100));
    const IndexRange r = *s.next_chunk();
    EXPECT_EQ(r.count, 5u);
    s.complete(r, 5, 0.0);
    EXPECT_EQ(s.issued(), 10u);
    EXPECT_EQ(s.max_total(), 10u);
    s.complete(*s.next_chunk(), 0, 0.0);
    while (auto q = s.next_chunk()) s.complete(*q, 0, 0.0);
    EXPECT_TRUE(s.finished());
    EXPECT_EQ(s.failures(), 5u);
  }
}

TEST(ChunkSchedulerTest, ResampleIssuesOneReplacementPerFailureUpToTheBound) {
  ChunkScheduler s(10, FailurePolicy::resample, 1.5, fixed(1, 100));
  EXPECT_EQ(s.max_total(), 15u);
  const IndexRange a = *s.next_chunk();  // [0, 5)
  s.complete(a, 2, 0.0);
  EXPECT_EQ(s.issued(), 12u);
  const IndexRange b = *s.next_chunk();
  EXPECT_EQ(b.first, 5u);
  s.complete(b, 0, 0.0);
  // Replacements are handed out after the round's own θ, in index order.
  std::vector<IndexRange> rest;
  while (auto r = s.next_chunk()) rest.push_back(*r);
  EXPECT_EQ(rest.front().first, b.first + b.count);
  EXPECT_EQ(rest.back().first + rest.back().count, 12u);
  EXPECT_FALSE(s.finished());
  s.complete(rest.front(), rest.front().count, 0.0);  // every simulation of this range failed
  for (std::size_t k = 1; k < rest.size(); ++k) s.complete(rest[k], 0, 0.0);
  EXPECT_FALSE(s.finished());
  EXPECT_EQ(s.issued(), std::min<std::size_t>(15, 12 + rest.front().count));
  while (auto r = s.next_chunk()) s.complete(*r, r->count, 0.0);  // these fail too
  while (auto r = s.next_chunk()) s.complete(*r, r->count, 0.0);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.issued(), 15u);  // stopped by max_resample_factor · budget
}

TEST(ChunkSchedulerTest, ResampleBankDoesNotDependOnCompletionOrder) {
  // Failures at fixed indices; ranges completed in two different orders must end at the same M:
  // the first prefix holding `budget` successes.
  const std::size_t budget = 40;
  const auto failed = [](std::uint64_t i) { return i % 3 == 0 || (i > 30 && i < 38); };
  std::size_t expected_m = 0;
  for (std::size_t ok = 0; ok < budget; ++expected_m) ok += !failed(expected_m);
  for (bool reverse : {false, true}) {
    ChunkScheduler s(budget, FailurePolicy::resample, 3.0, fixed(3, 100));
    while (!s.finished()) {
      std::vector<IndexRange> batch;
      while (auto r = s.next_chunk()) batch.push_back(*r);
      if (reverse) std::reverse(batch.begin(), batch.end());
      for (const IndexRange& r : batch) {
        std::size_t f = 0;
        for (std::uint64_t i = r.first; i < r.first + r.count; ++i) f += failed(i);
        s.complete(r, f, 0.0);
      }
    }
    EXPECT_EQ(s.issued(), expected_m) << "reverse=" << reverse;
    EXPECT_EQ(s.completed() - s.failures(), budget);
  }
}

TEST(ChunkSchedulerTest, MarkedRangesAreSkippedAndCountAsCompleted) {
  ChunkScheduler s(100, FailurePolicy::drop, 2.0, fixed(1, 30));
  ASSERT_TRUE(s.mark_done({10, 20}, 0));
  ASSERT_TRUE(s.mark_done({60, 5}, 1));
  EXPECT_FALSE(s.mark_done({25, 10}, 0));  // overlaps [10, 30)
  EXPECT_FALSE(s.mark_done({5, 6}, 0));    // overlaps [10, 30) from below
  EXPECT_FALSE(s.mark_done({95, 10}, 0));  // past the issued indices
  EXPECT_FALSE(s.mark_done({0, 3}, 4));    // more failures than simulations
  // A corrupt journal chunk whose first + count wraps past 2^64 (it was accepted, and the
  // coordinator then read θ far outside the round).
  EXPECT_FALSE(s.mark_done({~std::uint64_t{0}, 1}, 0));
  EXPECT_FALSE(s.mark_done({~std::uint64_t{0} - 4, 10}, 0));
  EXPECT_EQ(s.completed(), 25u);
  EXPECT_EQ(s.failures(), 1u);
  std::vector<bool> covered(100, false);
  for (std::uint64_t i = 10; i < 30; ++i) covered[i] = true;
  for (std::uint64_t i = 60; i < 65; ++i) covered[i] = true;
  while (auto r = s.next_chunk()) {
    for (std::uint64_t i = r->first; i < r->first + r->count; ++i) {
      EXPECT_FALSE(covered[i]) << "index " << i << " handed out twice";
      covered[i] = true;
    }
    s.complete(*r, 0, 0.0);
  }
  EXPECT_TRUE(std::all_of(covered.begin(), covered.end(), [](bool c) { return c; }));
  EXPECT_TRUE(s.finished());
  EXPECT_FALSE(s.mark_done({0, 1}, 0));  // only before the first chunk
}

TEST(ChunkSchedulerTest, ResampleReplayingAnInterruptedRoundEndsAtTheSameBank) {
  // An interrupted round completed some ranges (a journal holds them); a resumed round marks
  // them done, with other chunk sizes (another rank count), and must end at the same M.
  const std::size_t budget = 50;
  const auto failed = [](std::uint64_t i) { return i % 4 == 1 || (i > 20 && i < 33); };
  const auto failures_in = [&](IndexRange r) {
    std::size_t f = 0;
    for (std::uint64_t i = r.first; i < r.first + r.count; ++i) f += failed(i);
    return f;
  };
  std::size_t expected_m = 0;
  for (std::size_t ok = 0; ok < budget; ++expected_m) ok += !failed(expected_m);
  ChunkScheduler first(budget, FailurePolicy::resample, 3.0, fixed(2, 7));
  std::vector<IndexRange> journal;
  for (int k = 0; k < 6; ++k) {
    const IndexRange r = *first.next_chunk();
    if (k != 2) {  // chunk 2 was in flight when the run was killed
      first.complete(r, failures_in(r), 0.0);
      journal.push_back(r);
    }
  }
  ChunkScheduler resumed(budget, FailurePolicy::resample, 3.0, fixed(5, 3));
  for (const IndexRange& r : journal) ASSERT_TRUE(resumed.mark_done(r, failures_in(r)));
  while (!resumed.finished()) {
    std::vector<IndexRange> batch;
    while (auto r = resumed.next_chunk()) batch.push_back(*r);
    for (const IndexRange& r : batch) resumed.complete(r, failures_in(r), 0.0);
  }
  EXPECT_EQ(resumed.issued(), expected_m);
  EXPECT_EQ(resumed.completed() - resumed.failures(), budget);
}

TEST(ChunkSchedulerTest, EmptyRoundIsFinishedAtOnce) {
  ChunkScheduler s(0, FailurePolicy::resample, 2.0, fixed(4, 10));
  EXPECT_TRUE(s.finished());
  EXPECT_FALSE(s.next_chunk().has_value());
}

}  // namespace
}  // namespace nsbi::farm
