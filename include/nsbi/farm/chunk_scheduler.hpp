#pragma once
// Scheduling math of the simulation farm (pure: no MPI, no clock). Decides which simulation
// indices exist, how many of them the next chunk holds, and when the round is complete.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi::farm {

/// Simulation indices first, first+1, ..., first+count-1.
struct IndexRange {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  bool operator==(const IndexRange&) const = default;
};

/// Guided self-scheduling (Polychronopoulos & Kuck 1987) with `depth` chunks held per worker:
///   size = ceil(remaining / (depth · workers)), clamped to [1, cap].
/// Early chunks are large (few messages); as the round drains they shrink to one simulation, so a
/// slow chunk near the end holds the round for little more than one simulation.
std::size_t guided_chunk_size(std::size_t remaining, std::size_t workers, std::size_t depth, std::size_t cap);

struct ChunkPolicy {
  std::size_t workers = 1;       // ranks that simulate
  std::size_t depth = 2;         // chunks in flight per worker
  std::size_t fixed_cap = 0;     // > 0: simulator.chunk_size, the cap whatever the timing
  double target_seconds = 0.5;   // fixed_cap = 0: cap = target_seconds / mean seconds per simulation
  std::size_t max_cap = 16384;   // bound on simulations per message (message size)
};

/// Bookkeeping of one round. Indices are handed out in increasing order as consecutive ranges;
/// the caller reports each range back once with its number of final failures.
///
/// on_failure = resample: the round needs `budget` simulations with status ok. Its bank is the
/// prefix [0, M) of indices, M the smallest m with ok(0..m) = budget, or max_total() when no m up
/// to max_total() has enough. Indices ≥ budget are replacements. The scheduler keeps
///   issued = min(max_total, budget + failures seen so far),
/// which never passes M (failures seen ≤ failures in [0, M) = M − budget) and stops at M, so the
/// bank does not depend on the order in which results arrive, hence not on the rank count.
/// drop and abort: issued = budget.
class ChunkScheduler {
 public:
  ChunkScheduler(std::size_t budget, FailurePolicy on_failure, double max_resample_factor, ChunkPolicy policy);

  /// The next range to hand out, or nullopt when every issued index is already handed out.
  /// Ranges never overlap one given to mark_done.
  std::optional<IndexRange> next_chunk();
  /// `range` was completed before this round started (a resumed run replays the results its
  /// journal holds), with `failures` final failures: it counts as completed, its failures count
  /// as seen, and next_chunk skips it. Call before the first next_chunk(), with ranges inside
  /// [0, issued()) once the failures of the ranges before it are counted, each index at most once;
  /// returns false (changing nothing) otherwise.
  bool mark_done(IndexRange range, std::size_t failures);
  /// `range` (a range returned by next_chunk) is done; `failures` of its simulations ended with a
  /// status other than ok; `seconds` is the time its simulations took (sets the automatic cap).
  void complete(IndexRange range, std::size_t failures, double seconds);

  std::size_t budget() const { return budget_; }
  std::size_t max_total() const { return max_total_; }
  std::size_t issued() const { return issued_; }          // indices [0, issued) exist
  std::size_t dispatched() const { return dispatched_; }  // indices [0, dispatched) handed out
  std::size_t completed() const { return completed_; }
  std::size_t failures() const { return failures_; }
  /// Every issued index is complete and no further index will be issued.
  bool finished() const { return completed_ == issued_; }
  /// Largest chunk handed out now: fixed_cap, or target_seconds / (mean seconds per simulation)
  /// within [1, max_cap]; 1 before the first timing arrives.
  std::size_t cap() const;

 private:
  std::size_t budget_, max_total_;
  bool resample_;
  ChunkPolicy policy_;
  std::size_t issued_, dispatched_ = 0, completed_ = 0, failures_ = 0;
  std::size_t timed_ = 0;  // simulations whose time is in seconds_
  std::map<std::uint64_t, std::uint64_t> done_;  // first → count of ranges completed before the round, not yet passed
  double seconds_ = 0.0;
};

}  // namespace nsbi::farm
