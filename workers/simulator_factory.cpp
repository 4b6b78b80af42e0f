// make_simulator: builtin task simulators, external programs, plugins.
#include "nsbi/simulator/simulator_factory.hpp"

#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/external_simulator.hpp"
#include "nsbi/simulator/mpi_plugin_simulator.hpp"
#include "nsbi/simulator/plugin_simulator.hpp"

namespace nsbi {
namespace {

std::string describe(const SimulatorOptions& o) {
  if (o.kind == SimulatorKind::plugin) return "plugin simulator '" + o.library + "'";
  if (o.kind == SimulatorKind::mpi_plugin) return "MPI plugin simulator '" + o.library + "'";
  std::string cmd;
  for (const auto& a : o.command) cmd += (cmd.empty() ? "" : " ") + a;
  return "external simulator '" + cmd + "'";
}

/// The dimension from the options, else from the task; both given must agree.
int pick_dim(const SimulatorOptions& o, const Task* task, int from_options, int from_task, const char* key) {
  const std::string where = describe(o);
  if (from_options < 0)
    throw ConfigError(make_message(where, std::string("simulator.") + key, "a positive integer",
                                   std::to_string(from_options)));
  if (task != nullptr && from_options > 0 && from_options != from_task)
    throw ShapeError(make_message(where, std::string(key) + " (simulator." + key + ")",
                                  std::to_string(from_task) + " as in task " + task->name,
                                  std::to_string(from_options)));
  if (from_options > 0) return from_options;
  if (task != nullptr) return from_task;
  throw ConfigError(make_message(where, std::string("simulator.") + key,
                                 "a positive integer (there is no builtin task to take it from)", "none"));
}

}  // namespace

std::unique_ptr<Simulator> make_simulator(const SimulatorOptions& options, const Task* task) {
  if (options.kind == SimulatorKind::builtin) {
    if (task == nullptr || !task->make_simulator)
      throw ConfigError(make_message("simulator", "kind = \"builtin\"", "a [task] whose simulator to use",
                                     "no task; use kind = \"external\" or \"plugin\" with theta_dim and x_dim"));
    std::unique_ptr<Simulator> sim = task->make_simulator();
    const int td = options.theta_dim, xd = options.x_dim;
    if ((td > 0 && td != sim->theta_dim()) || (xd > 0 && xd != sim->x_dim()))
      throw ShapeError(make_message(sim->name(), "simulator.theta_dim, simulator.x_dim",
                                    std::to_string(sim->theta_dim()) + ", " + std::to_string(sim->x_dim()) +
                                        " (or leave them out)",
                                    std::to_string(td) + ", " + std::to_string(xd)));
    return sim;
  }
  const int theta_dim =
      pick_dim(options, task, options.theta_dim, task != nullptr ? task->theta_dim : 0, "theta_dim");
  const int x_dim = pick_dim(options, task, options.x_dim, task != nullptr ? task->x_dim : 0, "x_dim");
  if (options.kind == SimulatorKind::external) return std::make_unique<ExternalSimulator>(options, theta_dim, x_dim);
  if (options.kind == SimulatorKind::mpi_plugin) return std::make_unique<MpiPluginSimulator>(options, theta_dim, x_dim);
  return std::make_unique<PluginSimulator>(options, theta_dim, x_dim);
}

void check_observation_dim(const Simulator& simulator, Eigen::Index observation_dim) {
  if (observation_dim != simulator.x_dim())
    throw ShapeError(make_message(simulator.name(), "observation length (x_dim of the simulator)",
                                  std::to_string(simulator.x_dim()), std::to_string(observation_dim)));
}

}  // namespace nsbi
