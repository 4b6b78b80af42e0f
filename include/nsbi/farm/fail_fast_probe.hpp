#pragma once
// The farm's "simulator looks misconfigured" stop (pure: no MPI). It is a function of simulation
// indices, not of the order in which results arrive: the stop is due once every simulation with
// index < n has come back and none of them has status ok. So whether a round stops, and the
// message it stops with, is the same at every rank count.
#include <array>
#include <cstddef>

#include "nsbi/simulator/simulator.hpp"

namespace nsbi::farm {

class FailFastProbe {
 public:
  /// Watches simulations 0..n-1; n = 0 never stops.
  explicit FailFastProbe(std::size_t n) : n_(n) {}

  /// Simulation i came back with `status` (each index once).
  void record(std::size_t i, SimStatus status) {
    if (i >= n_) return;
    ++seen_;
    ++counts_[static_cast<std::size_t>(status)];
  }
  /// Every simulation 0..n-1 has come back and none succeeded.
  bool stop() const { return n_ > 0 && seen_ == n_ && counts_[0] == 0; }
  std::size_t size() const { return n_; }
  /// Final statuses among simulations 0..n-1 seen so far.
  const std::array<std::size_t, kNumSimStatus>& counts() const { return counts_; }

 private:
  std::size_t n_, seen_ = 0;
  std::array<std::size_t, kNumSimStatus> counts_{};
};

}  // namespace nsbi::farm
