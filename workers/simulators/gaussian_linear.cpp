// sbibm gaussian_linear (TASKS.md §1): θ ~ N(0, 0.1·I₁₀), x ~ N(θ, 0.1·I₁₀).
#include "workers/simulators/gaussian_linear.hpp"

#include <cmath>
#include <memory>

#include "nsbi/prior/gaussian.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

void GaussianLinearSimulator::simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                                           Eigen::Ref<Eigen::VectorXd> x) const {
  const double noise_sd = std::sqrt(0.1);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = theta(i) + noise_sd * rng.normal();
}

Task gaussian_linear_task() {
  return {.name = "gaussian_linear",
          .theta_dim = 10,
          .x_dim = 10,
          .description = "Gaussian prior N(0, 0.1 I), x ~ N(theta, 0.1 I); closed-form Gaussian posterior",
          .make_prior =
              [] {
                return std::make_unique<Gaussian>(
                    Gaussian::diagonal(Eigen::VectorXd::Zero(10), Eigen::VectorXd::Constant(10, std::sqrt(0.1))));
              },
          .make_simulator = [] { return std::make_unique<GaussianLinearSimulator>("gaussian_linear", 10); }};
}

}  // namespace nsbi
