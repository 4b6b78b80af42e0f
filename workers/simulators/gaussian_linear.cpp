// sbibm gaussian_linear (TASKS.md §1): θ ~ N(0, 0.1·I₁₀), x ~ N(θ, 0.1·I₁₀).
#include "workers/simulators/gaussian_linear.hpp"

#include <cmath>
#include <memory>
#include <numbers>

#include "nsbi/prior/gaussian.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

constexpr double kNoiseVariance = 0.1;  // of x given θ, per coordinate

void GaussianLinearSimulator::simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                                           Eigen::Ref<Eigen::VectorXd> x) const {
  const double noise_sd = std::sqrt(kNoiseVariance);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = theta(i) + noise_sd * rng.normal();
}

Task::LogLikelihood gaussian_linear_log_likelihood(const Eigen::VectorXd& x_o) {
  const double log_norm = -0.5 * static_cast<double>(x_o.size()) * std::log(2.0 * std::numbers::pi * kNoiseVariance);
  return [x_o, log_norm](const Eigen::Ref<const Eigen::VectorXd>& theta) {
    return log_norm - 0.5 * (x_o - theta).squaredNorm() / kNoiseVariance;
  };
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
          .make_simulator = [] { return std::make_unique<GaussianLinearSimulator>("gaussian_linear", 10); },
          .make_log_likelihood = gaussian_linear_log_likelihood};
}

}  // namespace nsbi
