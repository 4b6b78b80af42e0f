#include <cstdint>
#include <string>

#include "nsbi/cli/commands.hpp"
#include "nsbi/inference/amortized_sampling.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::cli {

void add_sample_command(CLI::App& app) {
  auto req = std::make_shared<SampleRequest>();
  auto seed = std::make_shared<std::uint64_t>(0);
  auto* cmd = app.add_subcommand("sample", "Posterior samples of a trained amortized run at a new observation");
  cmd->add_option("run_dir", req->run_dir, "Run directory written by `nsbi run` (holds estimator.bin)")->required();
  cmd->add_option("--observation", req->observation, "CSV file: one data row of x (optional header)")->required();
  cmd->add_option("-n,--samples", req->samples, "Number of posterior samples")->required();
  cmd->add_option("--out", req->out, "Output directory (default RUN_DIR/sample_<observation stem>)");
  auto* seed_opt = cmd->add_option("--seed", *seed, "Seed of the draws (default: the run's)");
  cmd->callback([req, seed, seed_opt] {
    if (seed_opt->count()) req->seed = *seed;
    sample_trained_run(*req, mpi::Communicator());
  });
}

}  // namespace nsbi::cli
