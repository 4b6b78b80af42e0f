#pragma once
// One complete `nsbi run`: simulate, train, sample, write the run directory (DESIGN.md §1, §6).
//
// Run directory:
//   config.toml              the resolved configuration (every key)
//   theta.npy, x.npy         the simulation bank of round 0 (N×theta_dim, N×x_dim; NaN x where failed)
//   status.npy               per-simulation status (uint8: 0 ok, 1 non-finite, 2 error, 3 crashed, 4 timeout)
//   posterior_samples.csv    header theta_1,...; one sample per row
//   posterior_samples.npy    the same samples, N×theta_dim float64
//   estimator.bin            the loadable estimator (z-scorings and weights; trained_state.hpp)
//   report.json              timings per phase, epochs, losses per epoch, acceptance, failures
//   log.txt                  the run log
//   journal.bin              every finished chunk of simulations, appended as it arrives (resume)
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

/// Wall time of each phase of a run, on rank 0 (report.json's timings_seconds).
struct PhaseTimes {
  double setup = 0, simulate = 0, train = 0, proposal = 0, sample = 0, write = 0, total = 0;
};

struct RunSummary {
  std::string run_dir;
  double seconds = 0;
  PhaseTimes phases;
  int epochs = 0;  // epochs of the last round's training (the first ensemble member's)
};

struct RunOptions {
  /// Continue the run in output.dir: the simulations its journal holds are taken instead of being
  /// simulated again, and everything after them is computed as an uninterrupted run would, so
  /// the finished run directory has the same bytes (at any rank count).
  bool resume = false;
  /// Replace a finished or interrupted run in output.dir (without it, or output.overwrite, such a
  /// directory is refused: paid-for simulations are never discarded by accident).
  bool overwrite = false;
};

/// Collective over comm. Throws nsbi::Error on bad input; every finished chunk of simulations is
/// in output.dir/journal.bin the moment it arrives, and the round's bank on disk before training.
RunSummary run_inference(const RunConfig& config, const mpi::Communicator& comm, const RunOptions& options = {});

}  // namespace nsbi
