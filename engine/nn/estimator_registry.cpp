#include "nsbi/nn/estimator_registry.hpp"

#include "nsbi/core/error.hpp"
#include "nsbi/nn/coupling_spline_flow.hpp"
#include "nsbi/nn/embedded_density_estimator.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/nn/mixture_density_network.hpp"
#include "nsbi/nn/neural_spline_flow.hpp"
#include "nsbi/nn/ratio_classifier.hpp"

namespace nsbi::nn {
namespace {

[[noreturn]] void unknown_name(const std::string& what, const std::string& name, const std::vector<std::string>& known) {
  std::string list;
  for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
  throw ConfigError(make_message(what, "name", "one of " + list, "\"" + name + "\""));
}

}  // namespace

const std::vector<std::string>& density_estimator_names() {
  static const std::vector<std::string> names{"maf", "nsf", "nsf_coupling", "mdn"};
  return names;
}

std::unique_ptr<ConditionalDensityEstimator<float>> make_density_estimator(const DensityEstimatorSpec& spec,
                                                                           int target_dim, int context_dim,
                                                                           std::uint64_t seed, Standardizer y_std,
                                                                           Standardizer c_std) {
  if (spec.embedding.type != "none") {
    if (c_std.dim() != context_dim)
      throw ShapeError(make_message("estimator", "context z-scoring", std::to_string(context_dim) + " features",
                                    std::to_string(c_std.dim())));
    DensityEstimatorSpec inner = spec;
    inner.embedding.type = "none";
    const int f = spec.embedding.features;
    return std::make_unique<EmbeddedDensityEstimator<float>>(
        make_density_estimator(inner, target_dim, f, seed, std::move(y_std), Standardizer::identity(f)), spec.embedding,
        seed, std::move(c_std));
  }
  if (spec.name == "maf")
    return std::make_unique<MaskedAutoregressiveFlow<float>>(target_dim, context_dim,
                                                             MafOptions{spec.transforms, spec.hidden,
                                                                        flow_order_from(spec.order, "order"),
                                                                        maf_scale_from(spec.scale, "scale")},
                                                             seed,
                                                             std::move(y_std), std::move(c_std));
  if (spec.name == "nsf")
    return std::make_unique<NeuralSplineFlow<float>>(target_dim, context_dim,
                                                     NsfOptions{spec.transforms, spec.hidden, spec.bins, spec.tail_bound,
                                                                flow_order_from(spec.order, "order")},
                                                     seed, std::move(y_std), std::move(c_std));
  if (spec.name == "nsf_coupling")
    return std::make_unique<CouplingSplineFlow<float>>(
        target_dim, context_dim, CouplingNsfOptions{spec.transforms, spec.hidden, spec.bins, spec.tail_bound}, seed,
        std::move(y_std), std::move(c_std));
  if (spec.name == "mdn")
    return std::make_unique<MixtureDensityNetwork<float>>(target_dim, context_dim,
                                                          MdnOptions{spec.components, spec.hidden}, seed,
                                                          std::move(y_std), std::move(c_std));
  unknown_name("estimator", spec.name, density_estimator_names());
}

const std::vector<std::string>& ratio_classifier_names() {
  static const std::vector<std::string> names{"resnet", "mlp"};
  return names;
}

std::unique_ptr<RatioClassifier<float>> make_ratio_classifier(const std::string& name, int theta_dim, int x_dim,
                                                              int hidden, std::uint64_t seed, Standardizer theta_std,
                                                              Standardizer x_std, int blocks,
                                                              const EmbeddingSpec& embedding) {
  RatioClassifierOptions options{RatioArchitecture::resnet, hidden, blocks};
  if (name == "mlp")
    options.architecture = RatioArchitecture::mlp;
  else if (name != "resnet")
    unknown_name("classifier", name, ratio_classifier_names());
  return std::make_unique<RatioClassifier<float>>(theta_dim, x_dim, options, seed, std::move(theta_std),
                                                  std::move(x_std), embedding);
}

}  // namespace nsbi::nn
