#include <cstdint>
#include <string>

#include "nsbi/cli/commands.hpp"
#include "nsbi/inference/sbc_run.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::cli {

void add_sbc_command(CLI::App& app) {
  auto req = std::make_shared<SbcRequest>();
  auto seed = std::make_shared<std::uint64_t>(0);
  auto* cmd = app.add_subcommand("sbc", "Simulation-based calibration of a trained amortized run (ranks, coverage, TARP)");
  cmd->add_option("run_dir", req->run_dir, "Run directory written by `nsbi run` (holds estimator.bin)")->required();
  cmd->add_option("--tests", req->tests, "Number of (θ, x) tests drawn from the prior and simulator")->required();
  cmd->add_option("--samples", req->samples, "Posterior draws per test (default 1000)");
  cmd->add_option("--out", req->out, "Output directory (default RUN_DIR/sbc)");
  auto* seed_opt = cmd->add_option("--seed", *seed, "Seed of the tests (default: the run's)");
  cmd->callback([req, seed, seed_opt] {
    if (seed_opt->count()) req->seed = *seed;
    run_sbc(*req, mpi::Communicator());
  });
}

}  // namespace nsbi::cli
