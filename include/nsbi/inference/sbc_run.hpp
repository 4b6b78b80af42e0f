#pragma once
// `nsbi sbc RUN_DIR --tests T [--samples L]`: simulation-based calibration of a trained amortized
// run (issue 12; statistics in nsbi/diagnostics/sbc.hpp). θ_i ~ prior, x_i ~ the run's simulator
// through the farm (failed simulations dropped and counted), then L posterior draws at each x_i.
//
// Blocks, not ranks: the valid tests are cut into blocks of kSbcBlock in index order, block b on
// rank b mod P; test i's draws come from a seed keyed by (seed, sbc, 1, i), its TARP reference
// point from (seed, sbc, 2, i), so every output is the same bytes at any rank count.
//
// Outputs in --out (default RUN_DIR/sbc/), one row per valid test in index order:
//   ranks.npy     int64 tests×D: #{draws below θ_i} per dimension, in 0..L
//   theta.npy     float64 tests×D: θ_i
//   coverage.csv  level,expected_coverage,tarp_coverage (levels 0.05..0.95)
//   sbc.json      tests, valid_tests, samples_per_test, dim, rank_pvalues, uniform,
//                 max_coverage_deviation, tarp_max_deviation, seconds, …
//   log.txt
#include <cstdint>
#include <optional>
#include <string>

#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

inline constexpr std::int64_t kSbcBlock = 10;

struct SbcRequest {
  std::string run_dir;
  std::int64_t tests = 0;
  std::int64_t samples = 1000;        // L posterior draws per test
  std::string out;                    // empty: RUN_DIR/sbc
  std::optional<std::uint64_t> seed;  // empty: the run's seed
};

/// Collective over comm. Bad input (run directory, tests or samples < 1, an output directory
/// that cannot be written) throws before any simulation.
void run_sbc(const SbcRequest& request, const mpi::Communicator& comm);

}  // namespace nsbi
