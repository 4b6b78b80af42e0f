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
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

struct RunSummary {
  std::string run_dir;
  double seconds = 0;
};

/// Collective over comm. Throws nsbi::Error on bad input; simulations already paid for are on
/// disk before training starts.
RunSummary run_inference(const RunConfig& config, const mpi::Communicator& comm);

}  // namespace nsbi
