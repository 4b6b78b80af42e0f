#pragma once
// Settings of one call of run_simulations. Every rank passes the same values.
#include <cstdint>
#include <string>

#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi {

struct FarmOptions {
  /// Uses max_retries, on_failure, max_resample_factor and chunk_size (> 0: upper bound on the
  /// simulations per chunk; 0: automatic, about target_chunk_seconds of work per chunk).
  SimulatorOptions sim;
  std::uint64_t seed = 0;   // run seed: simulation i of `round` runs with simulation_seed(seed, round, i)
  std::uint32_t round = 0;
  bool progress = false;    // progress lines on rank 0's stderr
  std::string label = "simulations";  // first word of the progress line
  double target_chunk_seconds = 0.5;  // automatic chunk size: work per chunk to aim for
  /// Stop with a SimulatorError once simulations 0..min(fail_fast_after, budget)-1 (by index,
  /// whatever the order they come back in) have all failed: the simulator is misconfigured.
  /// 0 = never.
  std::size_t fail_fast_after = 50;

  /// Throws ConfigError naming the offending key.
  void validate() const;
};

}  // namespace nsbi
