#include <cstdint>
#include <string>

#include "nsbi/cli/commands.hpp"
#include "nsbi/inference/ppc_run.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::cli {

void add_ppc_command(CLI::App& app) {
  auto req = std::make_shared<PpcRequest>();
  auto seed = std::make_shared<std::uint64_t>(0);
  auto* cmd = app.add_subcommand("ppc", "Posterior predictive check: simulate at the run's posterior samples, compare with x_o");
  cmd->add_option("run_dir", req->run_dir, "Run directory written by `nsbi run`")->required();
  cmd->add_option("-n,--draws", req->draws, "Posterior samples to simulate at (default 100)");
  cmd->add_option("--out", req->out, "Output directory (default RUN_DIR/ppc)");
  auto* seed_opt = cmd->add_option("--seed", *seed, "Seed of the simulations (default: the run's)");
  cmd->callback([req, seed, seed_opt] {
    if (seed_opt->count()) req->seed = *seed;
    run_ppc(*req, mpi::Communicator());
  });
}

}  // namespace nsbi::cli
