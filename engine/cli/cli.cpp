#include "nsbi/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "nsbi/cli/c2st_command.hpp"
#include "nsbi/cli/commands.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/version.hpp"

namespace nsbi::cli {

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  const bool root = mpi::Communicator().is_root();
  CLI::App app{"nsbi: neural simulation-based inference on HPC clusters"};
  app.set_version_flag("--version", std::string(kVersion) + " (" + kGitHash + ")");
  app.require_subcommand(1);
  add_run_command(app);
  add_tasks_command(app);
  add_bench_command(app);
  add_c2st_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = root ? app.exit(e) : (e.get_exit_code() == 0 ? 0 : 2);
    return code == 0 ? 0 : 2;
  } catch (const Error& e) {
    // Errors of the input are detected identically on every rank; rank 0 reports.
    if (root) std::cerr << "nsbi: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nsbi: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace nsbi::cli
