// sbibm gaussian_mixture (TASKS.md §7): θ ∈ [−10, 10]², x ∈ R². One component per simulation,
// shared by both coordinates (sbibm ≥ 1.1.0; the paper's runs drew one per batch):
//   k ~ Bernoulli(½);  x ~ N(θ, I) if k = 0, x ~ N(θ, 0.01·I) if k = 1.
#include <memory>

#include "nsbi/core/random_variates.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

namespace {
class GaussianMixtureSimulator final : public BuiltinSimulator {
 public:
  GaussianMixtureSimulator() : BuiltinSimulator("gaussian_mixture", 2, 2) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    const double sd = bernoulli(rng, 0.5) ? 0.1 : 1.0;
    for (int i = 0; i < 2; ++i) x(i) = theta(i) + sd * rng.normal();
  }
};
}  // namespace

Task gaussian_mixture_task() {
  return {.name = "gaussian_mixture",
          .theta_dim = 2,
          .x_dim = 2,
          .description = "x from a 50/50 mixture of N(theta, I) and N(theta, 0.01 I); uniform prior on [-10,10]^2",
          .make_prior =
              [] {
                return std::make_unique<BoxUniform>(Eigen::VectorXd::Constant(2, -10.0),
                                                    Eigen::VectorXd::Constant(2, 10.0));
              },
          .make_simulator = [] { return std::make_unique<GaussianMixtureSimulator>(); }};
}

}  // namespace nsbi
