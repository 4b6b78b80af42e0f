#pragma once
// `nsbi sample RUN_DIR --observation FILE -n N`: posterior samples of a trained amortized run at
// a new observation, without retraining (issue 12). Writes, like a run: posterior_samples.csv
// and .npy, report.json (timings, acceptance, MCMC diagnostics) and log.txt.
#include <cstdint>
#include <optional>
#include <string>

#include "nsbi/core/log.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi {

struct SampleRequest {
  std::string run_dir;
  std::string observation;  // CSV: one data row, optional header
  std::int64_t samples = 0;
  std::string out;                    // empty: RUN_DIR/sample_<stem of observation>
  std::optional<std::uint64_t> seed;  // empty: the run's seed (at the run's x_o: its samples)
};

/// Collective over comm; the same bytes at any rank count. Bad input (the run directory, the
/// observation, samples < 1, an output directory that cannot be written) throws before sampling.
void sample_trained_run(const SampleRequest& request, const mpi::Communicator& comm);

/// Makes `dir` ready for a command's outputs on rank 0: creates it, starts log.txt afresh (`log`
/// writes to it from now on). IoError naming `option` and the path when it cannot.
void prepare_command_dir(const std::string& dir, const std::string& option, Log& log);

}  // namespace nsbi
