// The builtin task registry (task.hpp). Adding a task: one file in workers/simulators/ defining
// its factory, declared and listed here.
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

Task bernoulli_glm_task();
Task bernoulli_glm_raw_task();
Task gaussian_linear_task();
Task gaussian_linear_uniform_task();
Task gaussian_mixture_task();
Task gaussian_random_field_task();
Task lotka_volterra_task();
Task sir_task();
Task slcp_task();
Task slcp_distractors_task();
Task two_moons_task();

const std::vector<Task>& builtin_tasks() {
  static const std::vector<Task> tasks{
      gaussian_linear_task(),
      gaussian_linear_uniform_task(),
      slcp_task(),
      slcp_distractors_task(),
      bernoulli_glm_task(),
      bernoulli_glm_raw_task(),
      gaussian_mixture_task(),
      two_moons_task(),
      sir_task(),
      lotka_volterra_task(),
      gaussian_random_field_task(),
  };
  return tasks;
}

const Task& find_task(const std::string& name) {
  std::string known;
  for (const Task& t : builtin_tasks()) {
    if (t.name == name) return t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  throw ConfigError(make_message("task", "name", "one of " + known, "'" + name + "'"));
}

}  // namespace nsbi
