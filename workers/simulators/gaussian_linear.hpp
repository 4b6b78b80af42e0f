#pragma once
// x ~ N(θ, 0.1·I_D): the likelihood shared by gaussian_linear and gaussian_linear_uniform
// (TASKS.md §1, §2); 0.1 is a variance.
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

class GaussianLinearSimulator final : public BuiltinSimulator {
 public:
  GaussianLinearSimulator(std::string name, int dim) : BuiltinSimulator(std::move(name), dim, dim) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override;
};

/// log N(x_o; θ, 0.1·I) as a function of θ: the exact likelihood of both tasks, for the reference
/// posteriors of `nsbi bench reference`.
Task::LogLikelihood gaussian_linear_log_likelihood(const Eigen::VectorXd& x_o);

}  // namespace nsbi
