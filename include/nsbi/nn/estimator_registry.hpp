#pragma once
// The one place that maps an estimator name from the configuration to a constructor. Adding an
// estimator: its header and source, one entry here, one line in the contract-test list.
#include <memory>
#include <string>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/nn/embedding_registry.hpp"
#include "nsbi/nn/standardizer.hpp"

namespace nsbi::nn {

struct DensityEstimatorSpec {
  std::string name = "maf";
  int transforms = 5;
  int hidden = 50;
  int bins = 10;            // nsf, nsf_coupling
  double tail_bound = 3.0;  // nsf, nsf_coupling
  int components = 10;      // mdn
  std::string order = "reverse";  // maf, nsf: FlowOrder by name
  std::string scale = "sigmoid";  // maf: MafScale by name
  EmbeddingSpec embedding{};      // type "none": the estimator conditions on x as it is
};

/// Names accepted for density estimators ("maf", "nsf", "nsf_coupling", "mdn").
const std::vector<std::string>& density_estimator_names();

/// q(y | c) of the named kind, with fixed z-scoring of y and c; throws ConfigError for an unknown name.
/// With an embedding (spec.embedding.type ≠ "none"), q(y | embed(c)): an EmbeddedDensityEstimator
/// around the named kind built with context_dim = embedding.features, c_std z-scoring c in front
/// of the embedding.
std::unique_ptr<ConditionalDensityEstimator<float>> make_density_estimator(const DensityEstimatorSpec& spec,
                                                                           int target_dim, int context_dim,
                                                                           std::uint64_t seed, Standardizer y_std,
                                                                           Standardizer c_std);

template <typename T>
class RatioClassifier;  // nsbi/nn/ratio_classifier.hpp

/// Names accepted for ratio classifiers ("resnet", "mlp").
const std::vector<std::string>& ratio_classifier_names();

/// d(θ, x) of the named architecture (RatioClassifier) with `hidden` units per layer and
/// `blocks` residual blocks (resnet; the mlp has sbi's two hidden layers), fixed z-scoring of θ
/// and x, weights from `seed`, x through `embedding` when its type is not "none"; throws
/// ConfigError for an unknown name, listing the known ones.
std::unique_ptr<RatioClassifier<float>> make_ratio_classifier(const std::string& name, int theta_dim, int x_dim,
                                                              int hidden, std::uint64_t seed, Standardizer theta_std,
                                                              Standardizer x_std, int blocks = 2,
                                                              const EmbeddingSpec& embedding = {});

}  // namespace nsbi::nn
