#pragma once
// The predator–prey ODE of sbibm's lotka_volterra task (TASKS.md §10), exposed for its test.
#include <array>

namespace nsbi {

/// Observation times: every 21st of the 201 save points 0, 0.1, …, 20, i.e. t_k = 2.1·k.
inline constexpr std::array<double, 10> kLotkaVolterraTimes{0, 2.1, 4.2, 6.3, 8.4, 10.5, 12.6, 14.7, 16.8, 18.9};

/// (X(t_1..t_10), Y(t_1..t_10)) at kLotkaVolterraTimes for θ = (α, β, γ, δ) of
///   X' = α·X − β·X·Y (prey),  Y' = −γ·Y + δ·X·Y (predator),  (X, Y)(0) = (30, 1)
/// (ode_solve.hpp); false when the integration fails.
bool lotka_volterra_populations(const std::array<double, 4>& theta, std::array<double, 20>& populations);

}  // namespace nsbi
