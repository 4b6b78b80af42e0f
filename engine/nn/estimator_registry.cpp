#include "nsbi/nn/estimator_registry.hpp"

#include "nsbi/core/error.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/nn/mixture_density_network.hpp"
#include "nsbi/nn/neural_spline_flow.hpp"

namespace nsbi::nn {

const std::vector<std::string>& density_estimator_names() {
  static const std::vector<std::string> names{"maf", "nsf", "mdn"};
  return names;
}

std::unique_ptr<ConditionalDensityEstimator<float>> make_density_estimator(const DensityEstimatorSpec& spec,
                                                                           int target_dim, int context_dim,
                                                                           std::uint64_t seed, Standardizer y_std,
                                                                           Standardizer c_std) {
  if (spec.name == "maf")
    return std::make_unique<MaskedAutoregressiveFlow<float>>(target_dim, context_dim,
                                                             MafOptions{spec.transforms, spec.hidden}, seed,
                                                             std::move(y_std), std::move(c_std));
  if (spec.name == "nsf")
    return std::make_unique<NeuralSplineFlow<float>>(target_dim, context_dim,
                                                     NsfOptions{spec.transforms, spec.hidden, spec.bins, spec.tail_bound},
                                                     seed, std::move(y_std), std::move(c_std));
  if (spec.name == "mdn")
    return std::make_unique<MixtureDensityNetwork<float>>(target_dim, context_dim,
                                                          MdnOptions{spec.components, spec.hidden}, seed,
                                                          std::move(y_std), std::move(c_std));
  std::string known;
  for (const auto& n : density_estimator_names()) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError(make_message("estimator", "name", "one of " + known, "\"" + spec.name + "\""));
}

}  // namespace nsbi::nn
