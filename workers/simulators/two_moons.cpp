// sbibm two_moons (TASKS.md §8): θ ∈ [−1, 1]², x ∈ R².
//   a ~ U(−π/2, π/2), r ~ N(0.1, 0.01²), p = (r·cos a + 0.25, r·sin a),
//   x = p + (−|θ1 + θ2|/√2, (−θ1 + θ2)/√2).
#include <cmath>
#include <memory>
#include <numbers>

#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

namespace {
class TwoMoonsSimulator final : public BuiltinSimulator {
 public:
  TwoMoonsSimulator() : BuiltinSimulator("two_moons", 2, 2) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    constexpr double half_pi = 0.5 * std::numbers::pi;
    const double a = rng.uniform(-half_pi, half_pi);
    const double r = 0.1 + 0.01 * rng.normal();
    x(0) = r * std::cos(a) + 0.25 - std::abs(theta(0) + theta(1)) / std::numbers::sqrt2;
    x(1) = r * std::sin(a) + (-theta(0) + theta(1)) / std::numbers::sqrt2;
  }
};
}  // namespace

Task two_moons_task() {
  return {.name = "two_moons",
          .theta_dim = 2,
          .x_dim = 2,
          .description = "crescent-shaped bimodal posterior from a rotated, |.|-folded noisy arc",
          .make_prior =
              [] {
                return std::make_unique<BoxUniform>(Eigen::VectorXd::Constant(2, -1.0),
                                                    Eigen::VectorXd::Constant(2, 1.0));
              },
          .make_simulator = [] { return std::make_unique<TwoMoonsSimulator>(); }};
}

}  // namespace nsbi
