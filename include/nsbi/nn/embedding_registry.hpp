#pragma once
// The one place that maps an embedding name from the configuration ([embedding] type) to a
// network. Adding one: its header and source, one entry here, one line in the contract test.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/nn/embedding_net.hpp"
#include "nsbi/nn/parameter_buffer.hpp"

namespace nsbi::nn {

/// [embedding]: which network and its sizes (defaults: sbi's FCEmbedding / CNNEmbedding).
struct EmbeddingSpec {
  std::string type = "none";  // one of embedding_names(); "none": x goes to the estimator as it is
  int features = 20;          // summary dimension, the estimator's context
  int hidden = 50;            // units of the fully connected layers
  int layers = 2;             // mlp: hidden layers; cnn1d/cnn2d: convolution blocks; deepset: φ's hidden layers
  int channels = 6;           // cnn: channels of the first convolution block, doubled in each further one
  int kernel = 5;             // cnn: odd kernel size (k×k, or 1×k for cnn1d)
  std::vector<int> shape{};   // cnn2d: [H, W] with H·W = x's dimension
  int trials = 1;             // deepset: x is `trials` trials of x_dim / trials values each
  std::string pooling = "flatten";  // cnn: the blocks' output into the head: "flatten" (sbi), "mean", "logmean", "multiscale"
  std::string padding = "zeros";    // cnn: the convolutions' "same" padding: "zeros" (sbi) or "circular" (periodic x)
  bool isotropic = false;           // cnn: kernels symmetric under the rotations and reflections of the grid
  int bins = 16;                    // power_spectrum: intervals of equal width in log |k|² (empty ones dropped)
};

/// "none", "mlp", "cnn1d", "cnn2d", "deepset", "power_spectrum".
const std::vector<std::string>& embedding_names();
/// The cnn embeddings' `pooling`: "flatten", "mean", "logmean", "multiscale".
const std::vector<std::string>& embedding_poolings();
/// The cnn embeddings' `padding`: "zeros", "circular".
const std::vector<std::string>& embedding_paddings();

/// A key of [embedding] whose value does not fit x's dimension (or the type), for messages of
/// the form "<key>: expected <expected>, got <found>".
struct EmbeddingProblem {
  std::string key, expected, found;
};
/// The first such problem of `spec` for x of dimension x_dim, or nullopt.
std::optional<EmbeddingProblem> embedding_problem(const EmbeddingSpec& spec, int x_dim);

/// The network `spec` names for x of dimension x_dim, its layers registered in `params` and
/// initialised from `rng`. Throws ConfigError for "none", an unknown type or a problem above.
template <typename T>
std::unique_ptr<EmbeddingNet<T>> make_embedding_net(const EmbeddingSpec& spec, int x_dim, ParameterBuffer<T>& params,
                                                    RandomStream& rng);

}  // namespace nsbi::nn
