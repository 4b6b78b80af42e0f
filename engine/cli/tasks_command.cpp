#include <cstdio>

#include "nsbi/cli/commands.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi::cli {

void add_tasks_command(CLI::App& app) {
  auto* tasks = app.add_subcommand("tasks", "List the builtin benchmark tasks");
  tasks->callback([] {
    std::printf("%-26s %9s %6s  %s\n", "task", "theta_dim", "x_dim", "description");
    for (const auto& t : builtin_tasks())
      std::printf("%-26s %9d %6d  %s\n", t.name.c_str(), t.theta_dim, t.x_dim, t.description.c_str());
  });
}

}  // namespace nsbi::cli
