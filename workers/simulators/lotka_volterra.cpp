// sbibm lotka_volterra (TASKS.md §10): θ = (α, β, γ, δ), log θ ~ N((−0.125, −3, −0.125, −3), 0.5²·I);
// x = (X(t_1..t_10), Y(t_1..t_10)) with each value u drawn as
// LogNormal(log clamp(u, 1e-10, 1e4), 0.1), at the times of lotka_volterra.hpp.
#include "workers/simulators/lotka_volterra.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "nsbi/prior/log_normal.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"
#include "workers/simulators/ode_solve.hpp"

namespace nsbi {

bool lotka_volterra_populations(const std::array<double, 4>& theta, std::array<double, 20>& populations) {
  using State = std::array<double, 2>;
  // Plain variables, not a structured binding: clang before 16 cannot capture bindings in a lambda.
  const double alpha = theta[0], beta = theta[1], gamma = theta[2], delta = theta[3];
  const auto rhs = [=](const State& u, State& du, double) {
    du[0] = alpha * u[0] - beta * u[0] * u[1];
    du[1] = -gamma * u[1] + delta * u[0] * u[1];
  };
  std::array<State, 10> u;
  if (!solve_at_times(rhs, State{30, 1}, kLotkaVolterraTimes, u)) return false;
  for (std::size_t k = 0; k < u.size(); ++k) populations[k] = u[k][0], populations[k + 10] = u[k][1];
  return true;
}

namespace {
constexpr double kNoiseLogStddev = 0.1;

class LotkaVolterraSimulator final : public BuiltinSimulator {
 public:
  LotkaVolterraSimulator() : BuiltinSimulator("lotka_volterra", 4, 20) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    std::array<double, 20> u;
    if (!lotka_volterra_populations({theta(0), theta(1), theta(2), theta(3)}, u)) {
      x.setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    for (int i = 0; i < 20; ++i)
      x(i) = std::exp(std::log(std::clamp(u[static_cast<std::size_t>(i)], 1e-10, 1e4)) + kNoiseLogStddev * rng.normal());
  }
};
}  // namespace

Task lotka_volterra_task() {
  Eigen::Vector4d log_mean(-0.125, -3.0, -0.125, -3.0);
  return {.name = "lotka_volterra",
          .theta_dim = 4,
          .x_dim = 20,
          .description = "predator-prey ODE; log-normal noisy prey and predator counts at 10 times",
          .make_prior = [log_mean] { return std::make_unique<LogNormal>(log_mean, Eigen::Vector4d::Constant(0.5)); },
          .make_simulator = [] { return std::make_unique<LotkaVolterraSimulator>(); }};
}

}  // namespace nsbi
