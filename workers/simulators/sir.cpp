// sbibm sir (TASKS.md §9): θ = (β, γ), β ~ LogNormal(log 0.4, 0.5), γ ~ LogNormal(log 0.125, 0.2);
// x_k ~ Binomial(1000, clamp(I(t_k)/N, 0, 1)) at the 10 times of sir.hpp.
#include "workers/simulators/sir.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "nsbi/core/random_variates.hpp"
#include "nsbi/prior/log_normal.hpp"
#include "nsbi/simulator/task.hpp"
#include "workers/simulators/builtin_simulator.hpp"
#include "workers/simulators/ode_solve.hpp"

namespace nsbi {

bool sir_infected_fraction(double beta, double gamma, std::array<double, 10>& fraction) {
  using State = std::array<double, 3>;
  const auto rhs = [beta, gamma](const State& u, State& du, double) {
    const double infections = beta * u[0] * u[1] / kSirPopulation, recoveries = gamma * u[1];
    du[0] = -infections;
    du[1] = infections - recoveries;
    du[2] = recoveries;
  };
  std::array<State, 10> u;
  if (!solve_at_times(rhs, State{kSirPopulation - 1, 1, 0}, kSirTimes, u)) return false;
  for (std::size_t k = 0; k < u.size(); ++k) fraction[k] = u[k][1] / kSirPopulation;
  return true;
}

namespace {
constexpr int kSirDraws = 1000;

class SirSimulator final : public BuiltinSimulator {
 public:
  SirSimulator() : BuiltinSimulator("sir", 2, 10) {}

 protected:
  void simulate_one(const Eigen::Ref<const Eigen::VectorXd>& theta, RandomStream& rng,
                    Eigen::Ref<Eigen::VectorXd> x) const override {
    std::array<double, 10> fraction;
    if (!sir_infected_fraction(theta(0), theta(1), fraction)) {
      x.setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    for (int k = 0; k < 10; ++k)
      x(k) = static_cast<double>(binomial(rng, kSirDraws, std::clamp(fraction[static_cast<std::size_t>(k)], 0.0, 1.0)));
  }
};
}  // namespace

Task sir_task() {
  return {.name = "sir",
          .theta_dim = 2,
          .x_dim = 10,
          .description = "SIR epidemic ODE; binomially sampled infected fraction (1000 draws) at 10 times",
          .make_prior =
              [] {
                return std::make_unique<LogNormal>(Eigen::Vector2d(std::log(0.4), std::log(0.125)),
                                                   Eigen::Vector2d(0.5, 0.2));
              },
          .make_simulator = [] { return std::make_unique<SirSimulator>(); }};
}

}  // namespace nsbi
