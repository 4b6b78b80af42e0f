#include "nsbi/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "nsbi/cli/c2st_command.hpp"
#include "nsbi/cli/commands.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/mpi/exit_gate.hpp"
#include "nsbi/version.hpp"

namespace nsbi::cli {

// Exit codes (nsbi::exit_code, DESIGN.md §7): 0 success; 2 bad input — the configuration, the
// command line, an input file, output.dir or a checkpoint must change (ConfigError, ShapeError,
// IoError, CheckpointError, and any error found while the run's input is checked, such as a
// non-finite observation or a simulator that cannot start); 1 the run failed — a numerical or
// simulator failure once the run is under way, or an internal error; 3 stopped by a signal
// (SIGTERM, SIGUSR1, SIGINT) at a safe point, resumable with `nsbi resume`. One line on stderr,
// "nsbi: error: ..." ("nsbi: internal error: ..." for the last), printed once for the whole job.
int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  mpi::ExitGate gate;
  const bool root = mpi::Communicator().is_root();
  CLI::App app{"nsbi: neural simulation-based inference on HPC clusters"};
  app.set_version_flag("--version", std::string(kVersion) + " (" + kGitHash + ")");
  app.require_subcommand(1);
  add_run_command(app);
  add_tasks_command(app);
  add_bench_command(app);
  add_c2st_command(app);
  add_sample_command(app);
  add_sbc_command(app);
  add_ppc_command(app);
  add_plot_command(app);

  int code = 0;
  std::string message;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // The same command line on every rank: rank 0 reports.
    code = root ? app.exit(e) : e.get_exit_code();
    code = code == 0 ? 0 : 2;
  } catch (const Interrupted& e) {
    code = exit_code(e);
    message = std::string("nsbi: interrupted: ") + e.what();
  } catch (const Error& e) {
    code = exit_code(e);
    message = std::string("nsbi: error: ") + e.what();
  } catch (const std::exception& e) {
    code = exit_code(e);
    message = std::string("nsbi: internal error: ") + e.what();
  }
  // Every rank leaves through the gate: one line for the job, or an abort if the error was
  // seen on this rank only and the others wait for it elsewhere.
  return gate.leave(code, message);
}

}  // namespace nsbi::cli
