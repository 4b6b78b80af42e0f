#pragma once
// The SIR epidemic of sbibm's sir task (TASKS.md §9), exposed for its test.
#include <array>

namespace nsbi {

/// Observation times (days): every 17th of the 161 daily save points on [0, 160].
inline constexpr std::array<double, 10> kSirTimes{0, 17, 34, 51, 68, 85, 102, 119, 136, 153};
/// Population N; initial (S, I, R) = (N − 1, 1, 0).
inline constexpr double kSirPopulation = 1e6;

/// I(t_k)/N at kSirTimes for infection rate β and recovery rate γ of
///   S' = −β·S·I/N,  I' = β·S·I/N − γ·I,  R' = γ·I
/// (ode_solve.hpp); false when the integration fails.
bool sir_infected_fraction(double beta, double gamma, std::array<double, 10>& fraction);

}  // namespace nsbi
