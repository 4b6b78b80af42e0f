// sbibm slcp (TASKS.md §3): θ ∈ [−3, 3]⁵, x ∈ R⁸ = four iid points z_k ~ N(m, Σ) in R², where
//   m = (θ1, θ2), s1 = θ3², s2 = θ4², ρ = tanh θ5,
//   Σ = [[s1², ρ·s1·s2], [ρ·s1·s2, s2²]] + 1e-6·I.
#include "workers/simulators/slcp.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"

namespace nsbi {

void simulate_slcp(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng, Eigen::Ref<Eigen::VectorXd> x) {
  const double s1 = theta(2) * theta(2), s2 = theta(3) * theta(3), rho = std::tanh(theta(4));
  const double c11 = s1 * s1 + 1e-6, c12 = rho * s1 * s2, c22 = s2 * s2 + 1e-6;
  // 2×2 Cholesky Σ = L·Lᵀ; z = m + L·ε.
  const double l11 = std::sqrt(c11), l21 = c12 / l11, l22 = std::sqrt(std::max(c22 - l21 * l21, 0.0));
  for (int k = 0; k < 4; ++k) {
    const double e1 = rng.normal(), e2 = rng.normal();
    x(2 * k) = theta(0) + l11 * e1;
    x(2 * k + 1) = theta(1) + l21 * e1 + l22 * e2;
  }
}

namespace {
class SlcpSimulator final : public BuiltinSimulator {
 public:
  SlcpSimulator() : BuiltinSimulator("slcp", 5, 8) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    simulate_slcp(theta, rng, x);
  }
};
}  // namespace

std::unique_ptr<Prior> slcp_prior() {
  return std::make_unique<BoxUniform>(Eigen::VectorXd::Constant(5, -3.0), Eigen::VectorXd::Constant(5, 3.0));
}

Task slcp_task() {
  return {.name = "slcp",
          .theta_dim = 5,
          .x_dim = 8,
          .description = "4 iid 2-D Gaussian draws with mean and covariance nonlinear in theta; 4-mode posterior",
          .make_prior = slcp_prior,
          .make_simulator = [] { return std::make_unique<SlcpSimulator>(); }};
}

}  // namespace nsbi
