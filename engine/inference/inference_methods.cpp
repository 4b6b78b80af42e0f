// The registry of inference methods: the one place that maps a method name to its defaults,
// its configuration checks and its constructor.
#include <algorithm>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/likelihood_estimation.hpp"
#include "nsbi/inference/ratio_estimation.hpp"
#include "nsbi/inference/sequential_npe.hpp"
#include "nsbi/inference/snpe_a.hpp"
#include "nsbi/nn/estimator_registry.hpp"

namespace nsbi {

namespace {

std::optional<MethodConfigProblem> check_atoms(const RunConfig& c) {
  if (c.inference.atoms < 2 || c.inference.atoms > c.training.batch_size)
    return MethodConfigProblem{"inference.atoms",
                               "an integer in [2, training.batch_size = " + std::to_string(c.training.batch_size) +
                                   "] (atoms are drawn from the minibatch)",
                               std::to_string(c.inference.atoms)};
  return std::nullopt;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "\"" : ", \"") + n + "\"";
  return s;
}

/// The estimator is a density estimator (NPE, NLE) or a classifier (NRE), as the method needs.
std::optional<MethodConfigProblem> check_family(const RunConfig& c, bool classifier) {
  const auto& names = classifier ? nn::ratio_classifier_names() : nn::density_estimator_names();
  if (std::find(names.begin(), names.end(), c.inference.estimator) != names.end()) return std::nullopt;
  return MethodConfigProblem{"inference.estimator",
                             std::string(classifier ? "a classifier" : "a density estimator") + " for method \"" +
                                 c.inference.method + "\": one of " + quoted_list(names),
                             "\"" + c.inference.estimator + "\""};
}

/// Runs the checks in order and returns the first problem.
template <class... F>
std::optional<MethodConfigProblem> first_problem(const RunConfig& c, F... checks) {
  std::optional<MethodConfigProblem> p;
  ((p = p ? p : checks(c)), ...);
  return p;
}

std::optional<MethodConfigProblem> check_density(const RunConfig& c) {
  if (auto p = check_family(c, false)) return p;
  const std::string& default_scale = EstimatorConfig{}.scale;
  if (c.estimator.scale != default_scale && c.inference.estimator != "maf")
    return MethodConfigProblem{"estimator.scale",
                               "the default \"" + default_scale + "\" for estimator \"" + c.inference.estimator +
                                   "\" (maf only)",
                               "\"" + c.estimator.scale + "\""};
  const std::string& default_order = EstimatorConfig{}.order;
  if (c.estimator.order != default_order && c.inference.estimator != "maf" && c.inference.estimator != "nsf")
    return MethodConfigProblem{"estimator.order",
                               "the default \"" + default_order + "\" for estimator \"" + c.inference.estimator +
                                   "\" (the autoregressive flows maf and nsf only)",
                               "\"" + c.estimator.order + "\""};
  return std::nullopt;
}
/// NRE: one classifier (NPE and NLE take ensembles; classifier ensembles are not built yet).
std::optional<MethodConfigProblem> check_classifier(const RunConfig& c) {
  if (auto p = check_family(c, true)) return p;
  if (c.estimator.ensemble != 1)
    return MethodConfigProblem{"estimator.ensemble", "1 for method \"" + c.inference.method + "\"",
                               std::to_string(c.estimator.ensemble)};
  return std::nullopt;
}

/// NLE/NRE: the estimator on θ as it is (the chains, not the estimator, run in the unconstrained
/// space).
std::optional<MethodConfigProblem> check_mcmc_method(const RunConfig& c) {
  const std::string& m = c.inference.method;
  if (c.inference.unconstrained)
    return MethodConfigProblem{"inference.unconstrained",
                               "false for method \"" + m + "\" (its MCMC chains always run in the prior's "
                               "unconstrained space)",
                               "true"};
  return std::nullopt;
}

/// A one-round method: inference.rounds = 1, naming the sequential variant.
template <const char* Sequential>
std::optional<MethodConfigProblem> check_one_round(const RunConfig& c) {
  if (c.inference.rounds != 1)
    return MethodConfigProblem{"inference.rounds",
                               "1 for method \"" + c.inference.method + "\" (sequential rounds: " + Sequential + ")",
                               std::to_string(c.inference.rounds)};
  return std::nullopt;
}
constexpr char kSnle[] = "snle";
constexpr char kSnreB[] = "snre_b";
constexpr char kSnpe[] = "snpe_a, snpe_b, snpe_c or tsnpe";

/// NLE's and SNLE's defaults. A MAF with softplus scales: x given θ is often wider than x's
/// z-scored marginal in places (slcp: the spread of x grows with θ₃², θ₄²), which sigmoid
/// scales cannot represent (see MafScale). Two learning-rate decays before stopping: the
/// potential of MCMC is the flow's density itself, so its last digits of fit count.
/// Measured on slcp at 10k (bench/RESULTS.md): mean C2ST 0.850 → 0.767 (softplus) → 0.748.
void likelihood_defaults(RunConfig& c, const std::function<bool(const std::string&)>& given) {
  if (!given("estimator.scale") && c.inference.estimator == "maf") c.estimator.scale = "softplus";
  if (!given("training.lr_decays")) c.training.lr_decays = 2;
}

/// SNPE-A's default patience, 60 epochs instead of 20. The last round starts its K components as
/// jittered copies of the one trained Gaussian: a saddle of the loss where the copies move
/// together, and whose plateau ends 20-epoch early stopping before they separate (two_moons: the
/// posterior stays one blob between the moons, C2ST 0.96–0.98 on observations 1 and 5).
/// Measured on two_moons at 10k (bench/RESULTS.md): mean C2ST 0.735 → 0.605.
void snpe_a_defaults(RunConfig& c, const std::function<bool(const std::string&)>& given) {
  if (!given("training.stop_after_epochs")) c.training.stop_after_epochs = 60;
}

template <NpeVariant V>
std::unique_ptr<InferenceMethod> make_npe(const MethodContext& ctx) {
  return std::make_unique<SequentialNpe>(ctx, V);
}

}  // namespace

const std::vector<MethodInfo>& inference_methods() {
  static const std::vector<MethodInfo> methods{
      {.name = "npe",
       .summary = "neural posterior estimation, one round from the prior",
       .default_rounds = 1,
       .check = [](const RunConfig& c) { return first_problem(c, check_one_round<kSnpe>, check_density); },
       .make = make_npe<NpeVariant::npe>,
       .embedding = true},
      {.name = "snpe_a",
       .summary = "sequential NPE with a mixture density network, corrected in closed form (Papamakarios & Murray 2016)",
       .default_rounds = 10,
       .default_estimator = "mdn",
       .check = [](const RunConfig& c) -> std::optional<MethodConfigProblem> {
         if (c.inference.estimator != "mdn")
           return MethodConfigProblem{"inference.estimator", "\"mdn\" for method \"snpe_a\" (its correction is in "
                                                             "closed form for Gaussian mixtures)",
                                      "\"" + c.inference.estimator + "\""};
         if (c.inference.unconstrained)
           return MethodConfigProblem{"inference.unconstrained", "false for method \"snpe_a\"", "true"};
         if (c.estimator.ensemble != 1)
           return MethodConfigProblem{"estimator.ensemble", "1 for method \"snpe_a\"", std::to_string(c.estimator.ensemble)};
         return std::nullopt;
       },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> { return std::make_unique<SnpeA>(ctx); },
       .defaults = snpe_a_defaults,
       .check_prior = SnpeA::check_prior},
      {.name = "snpe_b",
       .summary = "sequential NPE with an importance-weighted loss (Lueckmann et al. 2017)",
       .default_rounds = 10,
       .check = check_density,
       .make = make_npe<NpeVariant::snpe_b>,
       .embedding = true},
      {.name = "snpe_c",
       .summary = "sequential NPE with the atomic APT loss (Greenberg et al. 2019)",
       .default_rounds = 10,
       .check = [](const RunConfig& c) { return first_problem(c, check_density, check_atoms); },
       .make = make_npe<NpeVariant::snpe_c>,
       .embedding = true,
       .combined_loss = true},
      {.name = "tsnpe",
       .summary = "truncated sequential NPE: prior truncated to the posterior's HPD region (Deistler et al. 2022)",
       .default_rounds = 10,
       .check = check_density,
       .make = make_npe<NpeVariant::tsnpe>,
       .embedding = true},
      {.name = "nle",
       .summary = "neural likelihood estimation, one round from the prior, posterior by MCMC (Papamakarios et al. 2019)",
       .default_rounds = 1,
       .check = [](const RunConfig& c) {
         return first_problem(c, check_one_round<kSnle>, check_density, check_mcmc_method);
       },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> {
         return std::make_unique<LikelihoodEstimation>(ctx, false);
       },
       .mcmc = true,
       .defaults = likelihood_defaults},
      {.name = "snle",
       .summary = "sequential NLE: rounds from MCMC samples of the posterior at x_o (Papamakarios et al. 2019)",
       .default_rounds = 10,
       .check = [](const RunConfig& c) { return first_problem(c, check_density, check_mcmc_method); },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> {
         return std::make_unique<LikelihoodEstimation>(ctx, true);
       },
       .mcmc = true,
       .defaults = likelihood_defaults},
      {.name = "nre_a",
       .summary = "ratio estimation with a classifier of dependent vs shuffled pairs, AALR (Hermans et al. 2019)",
       .default_rounds = 1,
       .default_estimator = "resnet",
       .check = [](const RunConfig& c) {
         return first_problem(c, check_one_round<kSnreB>, check_classifier, check_mcmc_method);
       },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> {
         return std::make_unique<RatioEstimation>(ctx, RatioLossKind::binary, false);
       },
       .mcmc = true,
       .embedding = true},
      // nre_b, snre_b and carl default to the mlp classifier: five-observation C2ST at 10k
      // (bench/RESULTS.md) nre_b two_moons 0.615 vs the resnet's 0.670, gaussian_linear 0.557 vs
      // 0.570, snre_b slcp 0.820 vs 0.851; nre_a keeps the resnet (two_moons 0.617 vs 0.676).
      {.name = "nre_b",
       .summary = "ratio estimation with the contrastive 1-of-K classifier, SRE (Durkan et al. 2020)",
       .default_rounds = 1,
       .default_estimator = "mlp",
       .check = [](const RunConfig& c) {
         return first_problem(c, check_one_round<kSnreB>, check_classifier, check_mcmc_method, check_atoms);
       },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> {
         return std::make_unique<RatioEstimation>(ctx, RatioLossKind::contrastive, false);
       },
       .mcmc = true,
       .embedding = true},
      {.name = "snre_b",
       .summary = "sequential contrastive ratio estimation: rounds from MCMC samples of the posterior (Durkan et al. 2020)",
       .default_rounds = 10,
       .default_estimator = "mlp",
       .check = [](const RunConfig& c) { return first_problem(c, check_classifier, check_mcmc_method, check_atoms); },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> {
         return std::make_unique<RatioEstimation>(ctx, RatioLossKind::contrastive, true);
       },
       .mcmc = true,
       .embedding = true},
      // carl: gaussian_linear 0.584 with the mlp against 0.633 with the resnet.
      {.name = "carl",
       .summary = "ratio p(x|θ)/p(x|θ_ref) by a classifier, CARL (Cranmer et al. 2015); round 1 simulates at θ_ref",
       .default_rounds = 2,
       .default_estimator = "mlp",
       .check = [](const RunConfig& c) -> std::optional<MethodConfigProblem> {
         if (c.inference.rounds != 2)
           return MethodConfigProblem{"inference.rounds",
                                      "2 for method \"carl\" (round 0 at prior draws, round 1 at theta_ref, half the "
                                      "budget each)",
                                      std::to_string(c.inference.rounds)};
         if (!c.inference.theta_ref.empty() && c.theta_dim() > 0 &&
             static_cast<int>(c.inference.theta_ref.size()) != c.theta_dim())
           return MethodConfigProblem{"inference.theta_ref", std::to_string(c.theta_dim()) + " values (θ's dimension)",
                                      std::to_string(c.inference.theta_ref.size()) + " values"};
         return first_problem(c, check_classifier, check_mcmc_method);
       },
       .make = [](const MethodContext& ctx) -> std::unique_ptr<InferenceMethod> { return std::make_unique<Carl>(ctx); },
       .mcmc = true,
       .reference_parameter = true,
       .embedding = true},
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

void InferenceMethod::restore(const TrainedState& state) {
  throw ConfigError(make_message("inference.method", "a method whose trained posterior can be saved and loaded",
                                 "one of npe, snpe_b, snpe_c, tsnpe, nle, snle, nre_a, nre_b, snre_b, carl",
                                 "\"" + state.method + "\""));
}

void check_trained_state(const TrainedState& state, const RunConfig& config, std::size_t estimators) {
  if (state.method != config.inference.method)
    throw CheckpointError(make_message("estimator.bin", "method", "\"" + config.inference.method + "\" (the run's config.toml)",
                                       "\"" + state.method + "\""));
  if (state.estimators.size() != estimators)
    throw CheckpointError(make_message("estimator.bin", "estimators", std::to_string(estimators),
                                       std::to_string(state.estimators.size())));
}

void restore_weights(Eigen::VectorXf& parameters, const Eigen::VectorXf& weights, const std::string& what) {
  if (parameters.size() != weights.size())
    throw CheckpointError(make_message("estimator.bin", what + " weights",
                                       std::to_string(parameters.size()) + " (the architecture of the run's config.toml)",
                                       std::to_string(weights.size())));
  parameters = weights;
}

}  // namespace nsbi
