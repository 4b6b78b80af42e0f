// sbibm gaussian_linear_uniform (TASKS.md §2): θ ~ U([−1, 1]¹⁰), x ~ N(θ, 0.1·I₁₀).
#include <memory>

#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/gaussian_linear.hpp"

namespace nsbi {

Task gaussian_linear_uniform_task() {
  return {.name = "gaussian_linear_uniform",
          .theta_dim = 10,
          .x_dim = 10,
          .description = "uniform prior on [-1,1]^10, x ~ N(theta, 0.1 I); box-truncated Gaussian posterior",
          .make_prior =
              [] {
                return std::make_unique<BoxUniform>(Eigen::VectorXd::Constant(10, -1.0),
                                                    Eigen::VectorXd::Constant(10, 1.0));
              },
          .make_simulator = [] { return std::make_unique<GaussianLinearSimulator>("gaussian_linear_uniform", 10); },
          .make_log_likelihood = gaussian_linear_log_likelihood};
}

}  // namespace nsbi
