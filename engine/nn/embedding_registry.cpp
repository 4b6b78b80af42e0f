#include "nsbi/nn/embedding_registry.hpp"

#include <algorithm>

#include "nsbi/core/error.hpp"
#include "nsbi/nn/cnn_embedding.hpp"
#include "nsbi/nn/deep_set_embedding.hpp"
#include "nsbi/nn/mlp_embedding.hpp"
#include "nsbi/nn/power_spectrum_embedding.hpp"

namespace nsbi::nn {

const std::vector<std::string>& embedding_names() {
  static const std::vector<std::string> names{"none", "mlp", "cnn1d", "cnn2d", "deepset", "power_spectrum"};
  return names;
}

const std::vector<std::string>& embedding_poolings() {
  static const std::vector<std::string> names{"flatten", "mean", "logmean", "multiscale"};
  return names;
}

const std::vector<std::string>& embedding_paddings() {
  static const std::vector<std::string> names{"zeros", "circular"};
  return names;
}

std::optional<EmbeddingProblem> embedding_problem(const EmbeddingSpec& s, int x_dim) {
  const auto& names = embedding_names();
  if (std::find(names.begin(), names.end(), s.type) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
    return EmbeddingProblem{"embedding.type", "one of " + list, "\"" + s.type + "\""};
  }
  const bool map = s.type == "cnn2d" || s.type == "power_spectrum";  // x is an H×W map
  if (map) {
    if (s.shape.size() != 2 || s.shape[0] < 1 || s.shape[1] < 1)
      return EmbeddingProblem{"embedding.shape", "[H, W], two positive integers, for type \"" + s.type + "\"",
                              std::to_string(s.shape.size()) + " values"};
    if (static_cast<long long>(s.shape[0]) * s.shape[1] != x_dim)
      return EmbeddingProblem{"embedding.shape", "[H, W] with H·W = x's dimension " + std::to_string(x_dim),
                              "[" + std::to_string(s.shape[0]) + ", " + std::to_string(s.shape[1]) + "] (" +
                                  std::to_string(static_cast<long long>(s.shape[0]) * s.shape[1]) + " values)"};
  } else if (!s.shape.empty()) {
    return EmbeddingProblem{"embedding.shape", "no shape for type \"" + s.type + "\" (only cnn2d and power_spectrum read it)",
                            std::to_string(s.shape.size()) + " values"};
  }
  const bool cnn = s.type == "cnn1d" || s.type == "cnn2d";
  // A cnn-only choice: one of `names`, and its first (the default) for the other types.
  const auto choice = [&](const std::string& name, const std::string& value,
                          const std::vector<std::string>& names) -> std::optional<EmbeddingProblem> {
    const std::string key = "embedding." + name, quoted = "\"" + value + "\"";
    if (std::find(names.begin(), names.end(), value) == names.end()) {
      std::string list;
      for (std::size_t i = 0; i < names.size(); ++i)
        list += (i == 0 ? "\"" : i + 1 == names.size() ? " or \"" : ", \"") + names[i] + "\"";
      return EmbeddingProblem{key, list, quoted};
    }
    if (!cnn && value != names.front())
      return EmbeddingProblem{key, "no " + name + " for type \"" + s.type + "\" (only cnn1d and cnn2d read it)", quoted};
    return std::nullopt;
  };
  if (auto p = choice("pooling", s.pooling, embedding_poolings())) return p;
  if (auto p = choice("padding", s.padding, embedding_paddings())) return p;
  if (!cnn && s.isotropic)
    return EmbeddingProblem{"embedding.isotropic", "false for type \"" + s.type + "\" (only cnn1d and cnn2d read it)",
                            "true"};
  if (cnn && s.kernel % 2 == 0)
    return EmbeddingProblem{"embedding.kernel", "an odd kernel size (same padding)", std::to_string(s.kernel)};
  if (s.type == "power_spectrum" && s.shape[0] * s.shape[1] < 2)
    return EmbeddingProblem{"embedding.shape", "a map of at least 2 cells for type \"power_spectrum\"",
                            "[" + std::to_string(s.shape[0]) + ", " + std::to_string(s.shape[1]) + "]"};
  if (s.type != "power_spectrum" && s.bins != EmbeddingSpec{}.bins)
    return EmbeddingProblem{"embedding.bins",
                            "no bins for type \"" + s.type + "\" (only power_spectrum reads it)",
                            std::to_string(s.bins)};
  if (s.type == "deepset" && x_dim % s.trials != 0)
    return EmbeddingProblem{"embedding.trials", "a divisor of x's dimension " + std::to_string(x_dim),
                            std::to_string(s.trials)};
  return std::nullopt;
}

template <typename T>
std::unique_ptr<EmbeddingNet<T>> make_embedding_net(const EmbeddingSpec& s, int x_dim, ParameterBuffer<T>& params,
                                                    RandomStream& rng) {
  if (const auto p = embedding_problem(s, x_dim)) throw ConfigError(make_message("embedding", p->key, p->expected, p->found));
  if (s.type == "mlp") return std::make_unique<MlpEmbedding<T>>(params, x_dim, s.hidden, s.layers, s.features, rng);
  if (s.type == "cnn1d" || s.type == "cnn2d") {
    CnnEmbeddingOptions o;
    o.height = s.type == "cnn1d" ? 1 : s.shape[0];
    o.width = s.type == "cnn1d" ? x_dim : s.shape[1];
    o.channels = s.channels;
    o.kernel = s.kernel;
    o.layers = s.layers;
    o.hidden = s.hidden;
    o.features = s.features;
    o.global_mean = s.pooling == "mean" || s.pooling == "logmean" || s.pooling == "multiscale";
    o.multiscale = s.pooling == "multiscale";
    o.log_mean = s.pooling == "logmean";
    o.padding = s.padding == "circular" ? Padding::circular : Padding::zeros;
    o.isotropic = s.isotropic;
    return std::make_unique<CnnEmbedding<T>>(params, o, rng);
  }
  if (s.type == "power_spectrum")
    return std::make_unique<PowerSpectrumEmbedding<T>>(params, s.shape[0], s.shape[1], s.bins, s.hidden, s.layers,
                                                        s.features, rng);
  if (s.type == "deepset")
    return std::make_unique<DeepSetEmbedding<T>>(params, s.trials, x_dim / s.trials, s.hidden, s.layers, s.features,
                                                 rng);
  throw ConfigError(make_message("embedding", "embedding.type", "a network (not \"none\")", "\"" + s.type + "\""));
}

template std::unique_ptr<EmbeddingNet<float>> make_embedding_net(const EmbeddingSpec&, int, ParameterBuffer<float>&,
                                                                 RandomStream&);
template std::unique_ptr<EmbeddingNet<double>> make_embedding_net(const EmbeddingSpec&, int, ParameterBuffer<double>&,
                                                                  RandomStream&);

}  // namespace nsbi::nn
