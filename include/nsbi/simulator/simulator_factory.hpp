#pragma once
// The one place that turns a [simulator] table into a Simulator: builtin, external or plugin.
#include <Eigen/Core>
#include <memory>

#include "nsbi/simulator/simulator.hpp"
#include "nsbi/simulator/simulator_options.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

/// builtin → task->make_simulator() (task required);
/// external → ExternalSimulator, plugin → PluginSimulator, with dimensions from options.theta_dim /
/// options.x_dim, or from the task where those are 0. When both the options and the task give a
/// dimension they must agree (the task's prior fixes θ; its observation fixes x), otherwise
/// ShapeError naming the simulator. Missing dimensions or a builtin without task: ConfigError.
/// Every rank calls this for its own instance (an external child per instance).
std::unique_ptr<Simulator> make_simulator(const SimulatorOptions& options, const Task* task);

/// Throws ShapeError naming the simulator unless the observation has x_dim entries.
void check_observation_dim(const Simulator& simulator, Eigen::Index observation_dim);

}  // namespace nsbi
