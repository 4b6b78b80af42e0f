#pragma once
// The run configuration: plain structs with the defaults of the reference package `sbi`
// (DESIGN.md §2), read from TOML (toml++) by load_run_config and written back by to_toml.
//
//   seed = 1
//   [task]        name = "two_moons"
//   [prior]       type = "box_uniform" | "gaussian" | "lognormal" | "product"   (optional)
//   [simulator]   kind, command, mode, library, symbol, theta_dim, x_dim, timeout, kill_grace,
//                 max_retries, on_failure, max_resample_factor, chunk_size, ranks_per_simulation
//   [observation] file = "obs.csv"  or  values = [..]
//   [inference]   method, estimator, simulations, rounds, unconstrained, atoms, combined_loss, truncation_quantile,
//                 proposal_inflation, theta_ref
//   [estimator]   hidden_features, transforms, ensemble, bins, tail_bound, components, order, scale,
//                 z_score_x
//   [embedding]   type, features, hidden, layers, channels, kernel, shape, trials, pooling,
//                 padding, isotropic, bins
//                 (a network from x to summary features; the NPE and NRE methods)
//   [training]    batch_size, learning_rate, clip_norm, validation_fraction, stop_after_epochs,
//                 max_epochs, micro_batch, lr_decays, lr_decay_factor
//   [posterior]   samples, max_sampling_draws, min_acceptance_warning, min_acceptance
//   [mcmc]        sampler, chains, warmup, thin, init, init_candidates, group_size, max_expansions
//                 (methods that sample by MCMC only)
//   [output]      dir, overwrite
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/nn/embedding_registry.hpp"
#include "nsbi/prior/prior.hpp"
#include "nsbi/simulator/simulator_options.hpp"

namespace nsbi {

/// Inference methods (the registry of inference_method.hpp) and estimators (estimator_registry.hpp)
/// that a configuration may name.
const std::vector<std::string>& accepted_methods();
const std::vector<std::string>& accepted_estimators();
/// Prior types of the [prior] table: box_uniform, gaussian, lognormal, product.
const std::vector<std::string>& accepted_prior_types();
/// mcmc.sampler and mcmc.init values.
const std::vector<std::string>& accepted_samplers();
const std::vector<std::string>& accepted_flow_orders();  // estimator.order
const std::vector<std::string>& accepted_maf_scales();   // estimator.scale
const std::vector<std::string>& accepted_z_scores();     // estimator.z_score_x
const std::vector<std::string>& accepted_mcmc_inits();

/// [task]: a builtin benchmark task (prior + simulator). Empty name = none.
struct TaskConfig {
  std::string name;
};

/// [prior]: an explicit prior, replacing the task's. Which fields are used depends on `type`:
///   box_uniform: low, high            gaussian: mean and (std or covariance)
///   lognormal: log_mean, log_std      product: parts (θ is the concatenation of the parts' θ)
struct PriorConfig {
  std::string type;
  std::vector<double> low, high;
  std::vector<double> mean, std;
  std::vector<std::vector<double>> covariance;  // rows of a symmetric positive-definite D×D matrix
  std::vector<double> log_mean, log_std;
  std::vector<PriorConfig> parts;

  /// Dimension of θ under this prior (0 for an unknown type).
  int dim() const;
};

/// [observation]: x_o, exactly one of a CSV file (one row, optional header) or inline values.
/// load_run_config stores `file` as an absolute path (relative paths in the config file resolve
/// against its directory; relative paths given with --set against the working directory).
struct ObservationConfig {
  std::string file;
  std::vector<double> values;
};

struct InferenceConfig {
  std::string method = "npe";     // one of accepted_methods()
  /// One of accepted_estimators(); when the file does not name one, the method's default
  /// ("maf" for the flows' methods, "mdn" for snpe_a).
  std::string estimator = "maf";
  /// The total simulation budget, split evenly over the rounds (the sbibm protocol); the first
  /// simulations % rounds rounds get one more.
  std::int64_t simulations = 10000;
  /// Rounds; when the file does not say, the method's default (1 for npe, 10 for the sequential
  /// methods).
  int rounds = 1;
  int atoms = 10;                     // snpe_c: atoms of the atomic loss, in [2, batch_size]
  /// snpe_c: add the plain NLL of the prior's draws (round 0) to their atomic loss in every later
  /// round (sbi's use_combined_loss). The atomic loss only compares atoms inside the proposal's
  /// support, so it does not see mass the flow puts outside a bounded prior; the NLL term does.
  bool combined_loss = false;
  double truncation_quantile = 1e-4;  // tsnpe: ε, the mass outside the truncation region
  /// snpe_a: the proposal of round r+1 is the corrected Gaussian of round r with its covariance
  /// multiplied by this factor (≥ 1). With 1 (the paper) a posterior that is bimodal along some
  /// direction gives a product q ∝ p(θ|x)·p̃(θ) as wide as p̃ there, and the correction
  /// Λ_q − Λ_p̃ is singular (a non-positive-definite error half of the time); with c > 1 its
  /// margin is (1 − 1/c)·Λ in that direction.
  double proposal_inflation = 2.0;
  /// carl: the reference parameters θ_ref (empty: the prior's mean).
  std::vector<double> theta_ref;
  /// Train on θ mapped to unconstrained space by the prior's bijection (sbibm's automatic
  /// transforms); samples are mapped back, so none falls outside the prior's support.
  bool unconstrained = false;
};

struct EstimatorConfig {
  int hidden_features = 50;
  int transforms = 5;
  int ensemble = 1;  // estimators trained with different seeds; the posterior is their mixture
  int bins = 10;              // nsf: spline bins per feature
  double tail_bound = 3.0;    // nsf: the splines act on [−B, B] of the z-scored values, identity outside
  int components = 10;        // mdn: mixture components (snpe_a: of the final round; earlier rounds 1)
  std::string order = "reverse";  // maf, nsf: "reverse" or "random" autoregressive orders (nn::FlowOrder)
  std::string scale = "sigmoid";  // maf: "sigmoid" or "softplus" scales (nn::MafScale)
  /// x's z-scoring: "independent" (per feature), "structured" (one mean and std for all of x's
  /// values, for maps and series), or "auto": structured for the cnn2d and power_spectrum
  /// embeddings (per-pixel factors, estimated from the simulations, would modulate the map and mix
  /// its Fourier modes), independent otherwise.
  std::string z_score_x = "auto";
};

struct TrainingConfig {
  int batch_size = 200;
  double learning_rate = 5e-4;
  double clip_norm = 5.0;            // max global gradient norm
  double validation_fraction = 0.1;  // in (0, 1)
  int stop_after_epochs = 20;        // early stopping patience
  int max_epochs = 100000;
  int micro_batch = 50;  // gradient micro-shard size: the unit of work whose size does not depend on P
  int lr_decays = 0;             // plateaus answered by a learning-rate decay before stopping
  double lr_decay_factor = 0.2;  // in (0, 1)
};

struct PosteriorConfig {
  std::int64_t samples = 10000;
  std::int64_t max_sampling_draws = 10000000;  // cap on proposal draws for rejection sampling
  double min_acceptance_warning = 1e-3;        // warn below this acceptance rate
  /// Sequential methods stop when less than this fraction of the posterior's draws fall inside
  /// the prior's support (leakage), instead of sampling on at a vanishing rate.
  double min_acceptance = 1e-3;
};

/// [mcmc]: parallel-chain MCMC of the methods whose posterior is known up to a constant (NLE,
/// NRE); sbi's and sbibm's settings by default (mcmc/parallel_chains.hpp).
struct McmcConfig {
  std::string sampler = "slice";  // "slice" | "mh"
  int chains = 100;
  int warmup = 100;                // steps per chain before draws are kept
  int thin = 10;                   // steps per kept draw
  std::string init = "sir";        // "sir" (sampling-importance-resampling) | "prior"
  std::int64_t init_candidates = 10000;
  /// Chains per group: a group runs on one rank with one batched evaluation per sampler round.
  /// The samples do not depend on the rank count, but they do on this value. 50 is twice as fast
  /// per process as 10 (wider network batches) and keeps 2 ranks busy with 100 chains.
  int group_size = 50;
  int max_expansions = 100;        // slice: stepping-out budget per coordinate update
  /// The first key of an [mcmc] table the file or an override gave ("" when none): a method that
  /// does not sample by MCMC refuses it.
  std::string given_key;
};

struct OutputConfig {
  std::string dir;  // load_run_config defaults it to "runs/<config file stem>"
  bool overwrite = false;  // true: a finished or interrupted run in dir may be replaced (as --overwrite)
};

/// [checkpoint] (issue 11): when a run saves its trainings besides the end of each training and a
/// stop signal. Not part of the run's identity: a run may be resumed with other values.
struct CheckpointConfig {
  double every_seconds = 600;  // at the next epoch boundary after this many seconds; 0: never by time
};

struct RunConfig {
  std::uint64_t seed = 1;
  TaskConfig task;
  std::optional<PriorConfig> prior;  // [prior] if given, else the task's prior
  SimulatorOptions simulator;
  ObservationConfig observation;
  InferenceConfig inference;
  EstimatorConfig estimator;
  /// [embedding]: x → summary features trained with the estimator (nn::EmbeddingSpec; type
  /// "none" by default). Only the methods whose network conditions on x (NPE's flow, NRE's
  /// classifier) take one.
  nn::EmbeddingSpec embedding;
  TrainingConfig training;
  PosteriorConfig posterior;
  McmcConfig mcmc;
  OutputConfig output;
  CheckpointConfig checkpoint;
  std::string source;  // the file it was loaded from; "" when built in code

  /// Throws ConfigError naming the first invalid key ("<key>: expected <what>, got <value>"):
  /// ranges, accepted names, an unknown task, prior and simulator dimensions that disagree,
  /// not exactly one observation source. observation.values of the wrong length is a ShapeError,
  /// a non-finite entry a NumericalError naming its index. Does not read any file.
  void validate() const;

  /// Dimension of θ: simulator.theta_dim if set, else the [prior]'s, else the task's (0 if unknown).
  int theta_dim() const;
  /// Dimension of x: simulator.x_dim if set, else the task's (0 if unknown).
  int x_dim() const;
  /// Simulations of round r: the budget split evenly over the rounds.
  std::int64_t round_simulations(int round) const;
};

/// Reads the TOML file at `path`, applies `overrides` ("key.path=value", the value parsed as a
/// TOML value — number, bool, array, inline table, quoted string — or else taken as a bare
/// string; a key absent from the file is created), and validates the result.
/// Relative observation.file paths become absolute (see ObservationConfig); an absent output.dir
/// becomes "runs/<file stem>". Throws IoError (unreadable file), or the errors of validate()
/// prefixed with "file:line:col" where toml++ knows it, or with "--set <argument>" for a value
/// that came from an override: malformed TOML (with toml++'s description), unknown key (listing
/// the valid keys of its table), wrong type, invalid value.
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same from TOML text; `source_name` stands for the file in messages and relative paths
/// resolve against the working directory.
RunConfig parse_run_config(const std::string& toml_text, const std::string& source_name,
                           const std::vector<std::string>& overrides = {});

/// The resolved configuration as TOML: every key with its value, so that loading it gives back
/// an identical RunConfig (doubles round-trip exactly).
std::string to_toml(const RunConfig& config);

/// The observed data x_o.
struct Observation {
  Eigen::VectorXd x_o;  // length x_dim
  std::string source;   // the file it came from, or "observation.values"
};

/// Reads x_o from observation.file (relative paths resolve against the directory of
/// config.source) or observation.values and checks it: IoError for a missing or malformed file,
/// ShapeError when its length is not config.x_dim() (or the file has more than one data row),
/// NumericalError naming the index of a non-finite value.
Observation load_observation(const RunConfig& config);

/// Reads an observation CSV file (one data row, optional header) and checks it as above;
/// `x_dim` = 0 skips the length check. `what` names the expected length in messages.
Observation load_observation_file(const std::string& path, int x_dim, const std::string& what = "x dimension");

/// The prior of the run: from [prior] if present, else the task's.
std::unique_ptr<Prior> make_prior(const RunConfig& config);
/// The prior described by one [prior] table (validated first).
std::unique_ptr<Prior> make_prior(const PriorConfig& prior);

}  // namespace nsbi
