#pragma once
// Shape check shared by the simulator adapters in workers/ (internal header).
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/simulator/simulator.hpp"

namespace nsbi::detail {

/// Throws ShapeError unless theta is theta_dim×n, seeds and status have n entries, x is x_dim×n.
inline void check_simulate_shapes(const std::string& name, int theta_dim, int x_dim,
                                  const Eigen::Ref<const Eigen::MatrixXd>& theta, std::size_t seeds,
                                  const Eigen::Ref<Eigen::MatrixXd>& x, std::size_t status) {
  const auto n = static_cast<std::size_t>(theta.cols());
  if (theta.rows() == theta_dim && x.rows() == x_dim && static_cast<std::size_t>(x.cols()) == n && seeds == n &&
      status == n)
    return;
  throw ShapeError(make_message(
      name + " simulate", "theta, seeds, x, status",
      std::to_string(theta_dim) + "×n, n, " + std::to_string(x_dim) + "×n, n",
      std::to_string(theta.rows()) + "×" + std::to_string(theta.cols()) + ", " + std::to_string(seeds) + ", " +
          std::to_string(x.rows()) + "×" + std::to_string(x.cols()) + ", " + std::to_string(status)));
}

}  // namespace nsbi::detail
