#include <string>
#include <vector>

#include "nsbi/cli/commands.hpp"
#include "nsbi/config/run_config.hpp"
#include "nsbi/inference/run.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::cli {

void add_run_command(CLI::App& app) {
  struct Args {
    std::string config;
    std::vector<std::string> sets;
  };
  auto args = std::make_shared<Args>();
  auto* run = app.add_subcommand("run", "Simulate, train and sample the posterior as CONFIG describes");
  run->add_option("config", args->config, "TOML configuration file")->required();
  run->add_option("--set", args->sets, "Override a configuration key: key.path=value (repeatable)")
      ->allow_extra_args(false);
  run->callback([args] {
    const mpi::Communicator comm;
    // Read on every rank (the file may be readable on some nodes only); all of it is user input.
    const RunConfig cfg = mpi::agree(comm, [&] { return load_run_config(args->config, args->sets); },
                                     mpi::Failure::bad_input);
    run_inference(cfg, comm);
  });
}

}  // namespace nsbi::cli
