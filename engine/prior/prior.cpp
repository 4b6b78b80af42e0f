#include "nsbi/prior/prior.hpp"

#include <cmath>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi {

bool Prior::bounded() const { return lower().allFinite() && upper().allFinite(); }

// The support is the closed box [lower, upper] (a NaN coordinate is outside).
bool Prior::in_support(const Eigen::Ref<const Eigen::VectorXd>& theta) const {
  if (theta.size() != dim())
    throw ShapeError(make_message("Prior::in_support", "theta length", std::to_string(dim()),
                                  std::to_string(theta.size())));
  const Eigen::VectorXd lo = lower(), hi = upper();
  for (Eigen::Index i = 0; i < theta.size(); ++i)
    if (!(theta(i) >= lo(i) && theta(i) <= hi(i))) return false;
  return true;
}

Eigen::MatrixXd Prior::sample(std::uint64_t seed, StreamId stream, std::uint32_t round, std::uint64_t first_index,
                              Eigen::Index n) const {
  if (n < 0) throw ShapeError(make_message("Prior::sample", "number of draws", ">= 0", std::to_string(n)));
  Eigen::MatrixXd theta(dim(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    RandomStream rng(seed, stream, round, first_index + static_cast<std::uint64_t>(j));
    sample(rng, theta.col(j));
  }
  return theta;
}

}  // namespace nsbi
