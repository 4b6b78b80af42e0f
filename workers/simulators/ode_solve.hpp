#pragma once
// ODE integration shared by the sir and lotka_volterra tasks (workers-internal).
//
// sbibm integrates with DifferentialEquations.jl's Tsit5 at reltol = abstol = 1e-8 and reads the
// solution at its save points. Odeint has no Tsit5; its Dormand–Prince 5(4) pair (the same
// order, also with FSAL and a 4th-order dense output) at the same tolerances is used instead,
// with dense output evaluated exactly at the observation times. A failed integration — too many
// steps, a step size that cannot be adjusted, a non-finite state — returns false; the task then
// returns NaN, which the simulator frame reports as status non_finite (sbibm's NaN rows).
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstddef>
#include <stdexcept>

namespace nsbi {

/// sbibm's solver tolerances, and the step budget between two observation times
/// (DifferentialEquations.jl's default maxiters is 10⁵ for the whole solve).
inline constexpr double kOdeTolerance = 1e-8;
inline constexpr int kOdeMaxStepsPerInterval = 10000;

/// u(t_k) for u' = rhs(u, t), u(times[0]) = u0, into out[k]; times increasing. Does not allocate.
template <class State, class System, std::size_t T>
bool solve_at_times(System rhs, State u0, const std::array<double, T>& times, std::array<State, T>& out) {
  namespace odeint = boost::numeric::odeint;
  auto stepper = odeint::make_dense_output(kOdeTolerance, kOdeTolerance, odeint::runge_kutta_dopri5<State>());
  std::size_t k = 0;
  auto observe = [&](const State& u, double) {
    if (k < T) out[k] = u;
    ++k;
  };
  try {
    odeint::integrate_times(stepper, rhs, u0, times.begin(), times.end(), 1e-3, observe,
                            odeint::max_step_checker(kOdeMaxStepsPerInterval));
  } catch (const std::runtime_error&) {  // odeint's no_progress_error and step_adjustment_error
    return false;
  }
  if (k != T) return false;
  for (const State& u : out)
    for (double v : u)
      if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace nsbi
