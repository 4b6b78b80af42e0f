// sbibm bernoulli_glm_raw (TASKS.md §6): bernoulli_glm's model with the raw spike train
// y ∈ {0, 1}¹⁰⁰ as data; Xᵀy is sufficient, so the posterior is bernoulli_glm's.
#include <memory>

#include "nsbi/simulator/task.hpp"
#include "workers/simulators/bernoulli_glm.hpp"

namespace nsbi {

Task bernoulli_glm_raw_task() {
  return {.name = "bernoulli_glm_raw",
          .theta_dim = 10,
          .x_dim = 100,
          .description = "Bernoulli GLM spiking neuron; x = the raw 100-bin binary spike train",
          .make_prior = bernoulli_glm_prior,
          .make_simulator = [] { return std::make_unique<BernoulliGlmSimulator>("bernoulli_glm_raw", true); }};
}

}  // namespace nsbi
