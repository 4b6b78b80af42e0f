#pragma once
// Internal to engine/config: the one list of RunConfig's scalar keys. Reading TOML, writing TOML,
// listing the valid keys of a table and checking value ranges all walk this list, so adding a
// key is one line in visit_fields. ([prior] is recursive and type-dependent: handled apart.)
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nsbi/config/run_config.hpp"

namespace nsbi::config_detail {

/// What a value must satisfy, beyond its type.
enum class Rule {
  any,
  optional,      // string/array: may be empty, and then it is omitted from to_toml
  non_empty,     // string
  positive,      // > 0
  non_negative,  // >= 0
  at_least_one,  // >= 1
  open_unit,     // in (0, 1)
  closed_unit,   // in [0, 1]
};

/// Names of an enum's values as written in TOML.
template <class E>
using EnumNames = std::vector<std::pair<std::string, E>>;

const EnumNames<SimulatorKind>& simulator_kind_names();
const EnumNames<ExternalMode>& external_mode_names();
const EnumNames<FailurePolicy>& failure_policy_names();

/// The sections in the order to_toml writes them; "" is the top level.
inline const std::vector<std::string>& section_names() {
  static const std::vector<std::string> names{"",          "task",      "prior",     "simulator", "observation",
                                              "inference", "estimator", "embedding", "training",  "posterior",
                                              "mcmc",      "output",    "checkpoint"};
  return names;
}

/// Calls v(section, key, member, rule) for every scalar key, v(section, key, member, enum_names)
/// for enums and v(section, key, member, accepted_names) for names from a fixed list.
/// `C` is RunConfig or const RunConfig.
template <class C, class V>
void visit_fields(C& c, V&& v) {
  v("", "seed", c.seed, Rule::any);
  v("task", "name", c.task.name, Rule::optional);

  v("simulator", "kind", c.simulator.kind, simulator_kind_names());
  v("simulator", "command", c.simulator.command, Rule::any);
  v("simulator", "mode", c.simulator.mode, external_mode_names());
  v("simulator", "library", c.simulator.library, Rule::any);
  v("simulator", "symbol", c.simulator.symbol, Rule::non_empty);
  v("simulator", "ranks_per_simulation", c.simulator.ranks_per_simulation, Rule::at_least_one);
  v("simulator", "theta_dim", c.simulator.theta_dim, Rule::non_negative);
  v("simulator", "x_dim", c.simulator.x_dim, Rule::non_negative);
  v("simulator", "timeout", c.simulator.timeout_seconds, Rule::non_negative);
  v("simulator", "kill_grace", c.simulator.kill_grace_seconds, Rule::non_negative);
  v("simulator", "max_retries", c.simulator.max_retries, Rule::non_negative);
  v("simulator", "on_failure", c.simulator.on_failure, failure_policy_names());
  v("simulator", "max_resample_factor", c.simulator.max_resample_factor, Rule::at_least_one);
  v("simulator", "chunk_size", c.simulator.chunk_size, Rule::non_negative);

  v("observation", "file", c.observation.file, Rule::optional);
  v("observation", "values", c.observation.values, Rule::optional);

  v("inference", "method", c.inference.method, accepted_methods());
  v("inference", "estimator", c.inference.estimator, accepted_estimators());
  v("inference", "simulations", c.inference.simulations, Rule::positive);
  v("inference", "rounds", c.inference.rounds, Rule::positive);
  v("inference", "unconstrained", c.inference.unconstrained, Rule::any);
  v("inference", "atoms", c.inference.atoms, Rule::positive);
  v("inference", "combined_loss", c.inference.combined_loss, Rule::any);
  v("inference", "truncation_quantile", c.inference.truncation_quantile, Rule::open_unit);
  v("inference", "proposal_inflation", c.inference.proposal_inflation, Rule::at_least_one);
  v("inference", "theta_ref", c.inference.theta_ref, Rule::optional);

  v("estimator", "hidden_features", c.estimator.hidden_features, Rule::positive);
  v("estimator", "transforms", c.estimator.transforms, Rule::positive);
  v("estimator", "ensemble", c.estimator.ensemble, Rule::positive);
  v("estimator", "bins", c.estimator.bins, Rule::positive);
  v("estimator", "tail_bound", c.estimator.tail_bound, Rule::positive);
  v("estimator", "components", c.estimator.components, Rule::positive);
  v("estimator", "order", c.estimator.order, accepted_flow_orders());
  v("estimator", "scale", c.estimator.scale, accepted_maf_scales());
  v("estimator", "z_score_x", c.estimator.z_score_x, accepted_z_scores());

  v("embedding", "type", c.embedding.type, nn::embedding_names());
  v("embedding", "features", c.embedding.features, Rule::positive);
  v("embedding", "hidden", c.embedding.hidden, Rule::positive);
  v("embedding", "layers", c.embedding.layers, Rule::positive);
  v("embedding", "channels", c.embedding.channels, Rule::positive);
  v("embedding", "kernel", c.embedding.kernel, Rule::positive);
  v("embedding", "shape", c.embedding.shape, Rule::optional);
  v("embedding", "trials", c.embedding.trials, Rule::positive);
  v("embedding", "pooling", c.embedding.pooling, nn::embedding_poolings());
  v("embedding", "padding", c.embedding.padding, nn::embedding_paddings());
  v("embedding", "isotropic", c.embedding.isotropic, Rule::any);
  v("embedding", "bins", c.embedding.bins, Rule::positive);

  v("training", "batch_size", c.training.batch_size, Rule::positive);
  v("training", "learning_rate", c.training.learning_rate, Rule::positive);
  v("training", "clip_norm", c.training.clip_norm, Rule::positive);
  v("training", "validation_fraction", c.training.validation_fraction, Rule::open_unit);
  v("training", "stop_after_epochs", c.training.stop_after_epochs, Rule::positive);
  v("training", "max_epochs", c.training.max_epochs, Rule::positive);
  v("training", "micro_batch", c.training.micro_batch, Rule::positive);
  v("training", "lr_decays", c.training.lr_decays, Rule::non_negative);
  v("training", "lr_decay_factor", c.training.lr_decay_factor, Rule::open_unit);

  v("posterior", "samples", c.posterior.samples, Rule::positive);
  v("posterior", "max_sampling_draws", c.posterior.max_sampling_draws, Rule::positive);
  v("posterior", "min_acceptance_warning", c.posterior.min_acceptance_warning, Rule::closed_unit);
  v("posterior", "min_acceptance", c.posterior.min_acceptance, Rule::closed_unit);

  v("mcmc", "sampler", c.mcmc.sampler, accepted_samplers());
  v("mcmc", "chains", c.mcmc.chains, Rule::positive);
  v("mcmc", "warmup", c.mcmc.warmup, Rule::non_negative);
  v("mcmc", "thin", c.mcmc.thin, Rule::positive);
  v("mcmc", "init", c.mcmc.init, accepted_mcmc_inits());
  v("mcmc", "init_candidates", c.mcmc.init_candidates, Rule::positive);
  v("mcmc", "group_size", c.mcmc.group_size, Rule::positive);
  v("mcmc", "max_expansions", c.mcmc.max_expansions, Rule::positive);

  v("output", "dir", c.output.dir, Rule::non_empty);
  v("output", "overwrite", c.output.overwrite, Rule::any);

  v("checkpoint", "every_seconds", c.checkpoint.every_seconds, Rule::non_negative);
}

/// Calls f(key, member) for the number-array keys of a [prior] table. `P` is PriorConfig or
/// const PriorConfig.
template <class P, class F>
void visit_prior_vectors(P& p, F&& f) {
  f("low", p.low);
  f("high", p.high);
  f("mean", p.mean);
  f("std", p.std);
  f("log_mean", p.log_mean);
  f("log_std", p.log_std);
}

/// "section.key" (or "key" at the top level).
inline std::string key_path(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

/// What a value of type T under `rule` must be, for messages: "a positive integer", ...
template <class T>
std::string expected_text(Rule rule);
/// "one of \"a\", \"b\"".
std::string one_of(const std::vector<std::string>& names);
template <class E>
std::vector<std::string> names_of(const EnumNames<E>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(n.first);
  return out;
}

/// `s` in double quotes with '"' and '\' escaped.
std::string quote_string(const std::string& s);
/// Shortest round-trip text of a double.
std::string number_text(double v);

/// Prefix naming where a key came from ("cfg.toml:5:15", "--set a.b=1", "cfg.toml"), or "" for
/// a configuration built in code.
using Locate = std::function<std::string(const std::string& key_path)>;

/// Throws ConfigError "<where>: <key>: expected <expected>, got <found>".
[[noreturn]] void fail(const Locate& locate, const std::string& key, const std::string& expected,
                       const std::string& found);
/// The same message as ShapeError / NumericalError.
[[noreturn]] void fail_shape(const Locate& locate, const std::string& key, const std::string& expected,
                             const std::string& found);
[[noreturn]] void fail_numerical(const Locate& locate, const std::string& key, const std::string& expected,
                                 const std::string& found);

/// RunConfig::validate with messages located by `locate`.
void validate(const RunConfig& config, const Locate& locate);
/// Checks one [prior] table (recursively for products); `path` is its key path ("prior",
/// "prior.parts[1]").
void validate_prior(const PriorConfig& prior, const std::string& path, const Locate& locate);

/// observation.values has config.x_dim() finite entries (ShapeError / NumericalError otherwise).
void check_observation_values(const RunConfig& config, const Locate& locate);

/// Keys a [prior] table of this type may hold ("type" first).
std::vector<std::string> prior_keys(const std::string& type);

}  // namespace nsbi::config_detail
