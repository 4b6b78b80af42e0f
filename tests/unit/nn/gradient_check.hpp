#pragma once
// Central finite differences for the network gradient tests: d f / d p_i ≈ (f(p+h e_i) − f(p−h e_i)) / 2h.
#include <Eigen/Core>
#include <functional>

namespace nsbi::nn::fd {

/// Numerical gradient of the scalar f with respect to every entry of `p` (modified in place and
/// restored). With skip_zeros, entries that are exactly 0 get gradient 0: those are the masked
/// weights of MADE layers, which are structurally absent (a randomly initialised free weight is
/// never exactly 0), and whose analytic gradient is 0 by design.
inline Eigen::VectorXd numerical_gradient(Eigen::Ref<Eigen::VectorXd> p, const std::function<double()>& f,
                                          double h = 1e-6, bool skip_zeros = false) {
  Eigen::VectorXd g = Eigen::VectorXd::Zero(p.size());
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    if (skip_zeros && p(i) == 0.0) continue;
    const double old = p(i);
    p(i) = old + h;
    const double fp = f();
    p(i) = old - h;
    const double fm = f();
    p(i) = old;
    g(i) = (fp - fm) / (2 * h);
  }
  return g;
}

/// max |a − b| / max(1, max|b|): the error relative to the gradient's scale.
inline double relative_error(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

}  // namespace nsbi::nn::testing
