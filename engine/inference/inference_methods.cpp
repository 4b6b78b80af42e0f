// The registry of inference methods: the one place that maps a method name to its defaults,
// its configuration checks and its constructor.
#include <algorithm>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/nn/estimator_registry.hpp"

namespace nsbi {

namespace {

std::optional<MethodConfigProblem> needs_flow(const RunConfig& c, const std::string& method) {
  if (c.inference.estimator == "mdn")
    return MethodConfigProblem{"inference.estimator", "a flow (\"maf\" or \"nsf\") for method \"" + method + "\"",
                               "\"mdn\" (the mixture density network is SNPE-A's estimator)"};
  return std::nullopt;
}

std::optional<MethodConfigProblem> check_atoms(const RunConfig& c) {
  if (c.inference.atoms < 2 || c.inference.atoms > c.training.batch_size)
    return MethodConfigProblem{"inference.atoms",
                               "an integer in [2, training.batch_size = " + std::to_string(c.training.batch_size) +
                                   "] (atoms are drawn from the minibatch)",
                               std::to_string(c.inference.atoms)};
  return std::nullopt;
}

template <NpeVariant V>
std::unique_ptr<InferenceMethod> make_npe(const MethodContext& ctx) {
  return std::make_unique<SequentialNpe>(ctx, V);
}

}  // namespace

const std::vector<MethodInfo>& inference_methods() {
  static const std::vector<MethodInfo> methods{
      {"npe", "neural posterior estimation, one round from the prior", 1, "",
       [](const RunConfig& c) -> std::optional<MethodConfigProblem> {
         if (c.inference.rounds != 1)
           return MethodConfigProblem{"inference.rounds",
                                      "1 for method \"npe\" (sequential rounds: snpe_a, snpe_b, snpe_c or tsnpe)",
                                      std::to_string(c.inference.rounds)};
         return std::nullopt;
       },
       make_npe<NpeVariant::npe>},
      {"snpe_b", "sequential NPE with an importance-weighted loss (Lueckmann et al. 2017)", 10, "",
       [](const RunConfig& c) { return needs_flow(c, "snpe_b"); }, make_npe<NpeVariant::snpe_b>},
      {"snpe_c", "sequential NPE with the atomic APT loss (Greenberg et al. 2019)", 10, "",
       [](const RunConfig& c) {
         if (auto p = needs_flow(c, "snpe_c")) return p;
         return check_atoms(c);
       },
       make_npe<NpeVariant::snpe_c>},
      {"tsnpe", "truncated sequential NPE: prior truncated to the posterior's HPD region (Deistler et al. 2022)", 10,
       "", [](const RunConfig& c) { return needs_flow(c, "tsnpe"); }, make_npe<NpeVariant::tsnpe>},
  };
  return methods;
}

const MethodInfo& find_method(const std::string& name) {
  const auto& all = inference_methods();
  const auto it = std::find_if(all.begin(), all.end(), [&](const MethodInfo& m) { return m.name == name; });
  if (it != all.end()) return *it;
  std::string known;
  for (const auto& m : all) known += (known.empty() ? "" : ", ") + m.name;
  throw ConfigError(make_message("inference.method", "method", "one of " + known, "\"" + name + "\""));
}

}  // namespace nsbi
