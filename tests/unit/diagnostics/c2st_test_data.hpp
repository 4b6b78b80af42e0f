#pragma once
// Sample sets for the C2ST tests.
#include <Eigen/Core>
#include <cstdint>

#include "nsbi/core/random.hpp"

namespace nsbi::c2st_testing {

/// D×n draws of N(shift·1, I); `index` selects an independent stream.
inline Eigen::MatrixXd gaussian(int D, int n, double shift, std::uint64_t index) {
  RandomStream rng(99, StreamId::proposal, 0, index);
  Eigen::MatrixXd M(D, n);
  for (auto& v : M.reshaped()) v = rng.normal() + shift;
  return M;
}

}  // namespace nsbi::c2st_testing
