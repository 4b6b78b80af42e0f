#include "nsbi/farm/chunk_scheduler.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <iterator>

namespace nsbi::farm {

std::size_t guided_chunk_size(std::size_t remaining, std::size_t workers, std::size_t depth, std::size_t cap) {
  const std::size_t slots = std::max<std::size_t>(1, workers) * std::max<std::size_t>(1, depth);
  const std::size_t guided = (remaining + slots - 1) / slots;
  return std::clamp<std::size_t>(guided, 1, std::max<std::size_t>(1, cap));
}

ChunkScheduler::ChunkScheduler(std::size_t budget, FailurePolicy on_failure, double max_resample_factor,
                               ChunkPolicy policy)
    : budget_(budget),
      max_total_(on_failure == FailurePolicy::resample
                     ? std::max(budget, static_cast<std::size_t>(std::floor(max_resample_factor * double(budget))))
                     : budget),
      resample_(on_failure == FailurePolicy::resample),
      policy_(policy),
      issued_(budget) {}

std::size_t ChunkScheduler::cap() const {
  const std::size_t max_cap = std::max<std::size_t>(1, policy_.max_cap);
  if (policy_.fixed_cap > 0) return std::min(policy_.fixed_cap, max_cap);
  if (timed_ == 0) return 1;  // nothing known yet: one simulation might take hours
  const double mean = seconds_ / double(timed_);
  if (!(mean > 0.0)) return max_cap;
  const double c = std::floor(policy_.target_seconds / mean);
  return c >= double(max_cap) ? max_cap : std::max<std::size_t>(1, static_cast<std::size_t>(c));
}

std::optional<IndexRange> ChunkScheduler::next_chunk() {
  while (!done_.empty() && done_.begin()->first == dispatched_) {
    dispatched_ += done_.begin()->second;
    done_.erase(done_.begin());
  }
  if (dispatched_ >= issued_) return std::nullopt;
  const std::size_t remaining = issued_ - dispatched_;
  std::size_t size = std::min(remaining, guided_chunk_size(remaining, policy_.workers, policy_.depth, cap()));
  if (!done_.empty()) size = std::min<std::size_t>(size, done_.begin()->first - dispatched_);
  const IndexRange r{dispatched_, size};
  dispatched_ += size;
  return r;
}

bool ChunkScheduler::mark_done(IndexRange range, std::size_t failures) {
  if (dispatched_ != 0 || range.count == 0 || failures > range.count || range.first > issued_ ||
      range.count > issued_ - range.first)  // not first + count > issued_: a journal's first may wrap it
    return false;
  const auto next = done_.lower_bound(range.first);
  if (next != done_.end() && next->first < range.first + range.count) return false;
  if (next != done_.begin() && std::prev(next)->first + std::prev(next)->second > range.first) return false;
  done_.emplace(range.first, range.count);
  completed_ += range.count;
  failures_ += failures;
  if (resample_) issued_ = std::min(max_total_, std::max(issued_, budget_ + failures_));
  return true;
}

void ChunkScheduler::complete(IndexRange range, std::size_t failures, double seconds) {
  assert(range.first + range.count <= dispatched_ && failures <= range.count);
  completed_ += range.count;
  failures_ += failures;
  if (seconds >= 0.0 && range.count > 0) {
    seconds_ += seconds;
    timed_ += range.count;
  }
  if (resample_) issued_ = std::min(max_total_, std::max(issued_, budget_ + failures_));
}

}  // namespace nsbi::farm
