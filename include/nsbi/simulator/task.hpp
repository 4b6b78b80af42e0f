#pragma once
// Builtin benchmark tasks (sbibm): a prior and a simulator registered by name. The registry is
// one explicit list in workers/simulators/task_registry.cpp; adding a task is one file in
// workers/simulators/ plus one line there.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nsbi/prior/prior.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi {

struct Task {
  std::string name;
  int theta_dim = 0;
  int x_dim = 0;
  std::string description;
  std::function<std::unique_ptr<Prior>()> make_prior;
  std::function<std::unique_ptr<Simulator>()> make_simulator;
  /// log p(x_o | θ) as a function of θ, for tasks whose likelihood is known in closed form (the
  /// reference posterior of `nsbi bench reference`); empty for the others.
  using LogLikelihood = std::function<double(const Eigen::Ref<const Eigen::VectorXd>& theta)>;
  std::function<LogLikelihood(const Eigen::VectorXd& x_o)> make_log_likelihood{};
};

/// All builtin tasks, in a fixed order.
const std::vector<Task>& builtin_tasks();
/// The task called `name`; throws ConfigError listing the known names otherwise.
const Task& find_task(const std::string& name);

}  // namespace nsbi
