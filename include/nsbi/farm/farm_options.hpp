#pragma once
// Settings of one call of run_simulations. Every rank passes the same values.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nsbi/farm/simulation_bank.hpp"

#include "nsbi/farm/simulation_journal.hpp"

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

  /// Rank 0 only (workers ignore both). `replay`: chunks of this round already paid for (a
  /// resumed run's journal); they are taken as results instead of being simulated again, after
  /// checking that their θ is the round's. `on_chunk`: called with every chunk that arrives from
  /// a simulating rank, and its θ, before anything else is done with it (the journal append).
  const farm::JournalReplay* replay = nullptr;
  std::function<void(const farm::ChunkResult&, const Eigen::Ref<const Eigen::MatrixXd>& theta)> on_chunk;
  /// Rank 0 only: called with every chunk stored in the bank, replayed or simulated (x.npy's
  /// writer keeps the simulator's doubles, which the bank holds as float).
  std::function<void(const farm::ChunkResult&)> on_stored;
  /// Rank 0 only: where x of simulations 0 … x_into.cols() − 1 is written (the run's node-shared
  /// window); the bank returned holds a view of it when no replacement went beyond it. Empty:
  /// the bank's own memory.
  BankX x_into;

  /// Throws ConfigError naming the offending key.
  void validate() const;
};

}  // namespace nsbi
