#pragma once
// The one place that maps an estimator name from the configuration to a constructor. Adding an
// estimator: its header and source, one entry here, one line in the contract-test list.
#include <memory>
#include <string>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

struct DensityEstimatorSpec {
  std::string name = "maf";
  int transforms = 5;
  int hidden = 50;
  int bins = 10;            // nsf
  double tail_bound = 3.0;  // nsf
  int components = 10;      // mdn
};

/// Names accepted for density estimators ("maf", "nsf", "mdn").
const std::vector<std::string>& density_estimator_names();

/// q(y | c) of the named kind, with fixed z-scoring of y and c; throws ConfigError for an unknown name.
std::unique_ptr<ConditionalDensityEstimator<float>> make_density_estimator(const DensityEstimatorSpec& spec,
                                                                           int target_dim, int context_dim,
                                                                           std::uint64_t seed, Standardizer y_std,
                                                                           Standardizer c_std);

}  // namespace nsbi::nn
