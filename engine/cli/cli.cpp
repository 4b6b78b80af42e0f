#include "nsbi/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "nsbi/core/error.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/simulator/task.hpp"
#include "nsbi/version.hpp"

namespace nsbi::cli {

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  CLI::App app{"nsbi: neural simulation-based inference on HPC clusters"};
  app.set_version_flag("--version", std::string(kVersion) + " (" + kGitHash + ")");
  app.require_subcommand(1);

  auto* tasks = app.add_subcommand("tasks", "List the builtin benchmark tasks");
  tasks->callback([] {
    std::printf("%-26s %9s %6s  %s\n", "task", "theta_dim", "x_dim", "description");
    for (const auto& t : builtin_tasks())
      std::printf("%-26s %9d %6d  %s\n", t.name.c_str(), t.theta_dim, t.x_dim, t.description.c_str());
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const Error& e) {
    std::cerr << "nsbi: error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace nsbi::cli
