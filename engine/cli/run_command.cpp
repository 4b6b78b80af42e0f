#include <filesystem>
#include <string>
#include <vector>

#include "nsbi/cli/commands.hpp"
#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/inference/run.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/mpi/communicator.hpp"

namespace nsbi::cli {

void add_run_command(CLI::App& app) {
  struct Args {
    std::string config;
    std::vector<std::string> sets;
    RunOptions options;
  };
  auto args = std::make_shared<Args>();
  auto* run = app.add_subcommand("run", "Simulate, train and sample the posterior as CONFIG describes");
  run->add_option("config", args->config, "TOML configuration file")->required();
  run->add_option("--set", args->sets, "Override a configuration key: key.path=value (repeatable)")
      ->allow_extra_args(false);
  run->add_flag("--resume", args->options.resume,
                "Continue the interrupted run in output.dir: simulations in its journal are not run again");
  run->add_flag("--overwrite", args->options.overwrite, "Replace a finished or interrupted run in output.dir (as output.overwrite = true)");
  run->callback([args] {
    const mpi::Communicator comm;
    // Read on every rank (the file may be readable on some nodes only); all of it is user input.
    const RunConfig cfg = mpi::agree(comm, [&] { return load_run_config(args->config, args->sets); },
                                     mpi::Failure::bad_input);
    install_interrupt_handlers();
    run_inference(cfg, comm, args->options);
  });

  auto dir = std::make_shared<std::string>();
  auto* resume = app.add_subcommand("resume", "Continue the interrupted run in RUN_DIR (as `run RUN_DIR/config.toml --resume`)");
  resume->add_option("run_dir", *dir, "run directory (holds config.toml and journal.bin)")->required();
  resume->callback([dir] {
    const mpi::Communicator comm;
    const std::string file = (std::filesystem::path(*dir) / "config.toml").string();
    const RunConfig cfg = mpi::agree(comm, [&] {
      std::error_code ec;
      if (!std::filesystem::exists(file, ec))
        throw ConfigError(make_message("nsbi resume", "run directory", "one holding config.toml", "'" + *dir + "'"));
      RunConfig c = load_run_config(file);
      c.output.dir = *dir;  // the directory given, wherever it has moved since
      return c;
    }, mpi::Failure::bad_input);
    RunOptions o;
    o.resume = true;
    install_interrupt_handlers();
    run_inference(cfg, comm, o);
  });
}

}  // namespace nsbi::cli
