#pragma once
// The inference-method seam and its one registry (DESIGN.md §1, §4; STYLE.md: no method chosen
// by string if/else outside this list).
//
// A run is a loop over rounds r = 0 … R−1: draw θ from the method's proposal, simulate, let the
// method train on the bank of every round so far, and (before the last round) make the next
// proposal from the posterior. run_inference owns the I/O; a method owns its estimators.
#include <Eigen/Core>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/farm/simulation_bank.hpp"
#include "nsbi/inference/posterior.hpp"
#include "nsbi/inference/proposal.hpp"
#include "nsbi/inference/trained_state.hpp"
#include "nsbi/mcmc/parallel_chains.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/train/trainer.hpp"

namespace nsbi {

/// What a method sees of the run; every reference outlives the method.
struct MethodContext {
  const RunConfig& config;
  const Prior& prior;
  const Eigen::VectorXd& x_o;
  const mpi::Communicator& comm;
  Log& log;
  /// The run's checkpoints: every Trainer a method makes takes it as TrainingOptions::ledger.
  train::TrainingLedger* ledger = nullptr;
  /// The run's checkpoints of MCMC samplings: every PotentialPosterior a method makes takes it
  /// as McmcOptions::ledger.
  mcmc::ChainsLedger* chains = nullptr;
};

/// What one round's training did (for the log and report.json).
struct RoundTraining {
  std::vector<train::TrainingResult> trainings;  // one per trained estimator (ensemble member)
  std::int64_t examples = 0;                      // pairs trained on (all rounds)
  std::string loss;                               // "nll", "weighted nll", "atomic", …
  double seconds = 0;
};

class InferenceMethod {
 public:
  virtual ~InferenceMethod() = default;
  /// The proposal of the current round (round 0: the prior).
  virtual const Proposal& proposal() const = 0;
  /// Trains on `bank`: every round so far, identical on every rank (round and log_proposal
  /// filled). Collective.
  virtual RoundTraining train(const SimulationBank& bank, std::uint32_t round) = 0;
  /// The posterior after the last train().
  virtual const Posterior& posterior() const = 0;
  /// Replaces proposal() by the proposal of round `next` built from the current posterior;
  /// returns what the report shows of it (e.g. the acceptance of a restriction). Collective.
  virtual double next_proposal(std::uint32_t next) = 0;
  /// The trained weights, one column per estimator (float32 values stored as float64).
  virtual Eigen::MatrixXd weights() const = 0;
  /// What rebuilds posterior() without the bank (the run's estimator.bin); nullopt for a method
  /// whose posterior needs more than its estimators (SNPE-A: its correction by the proposals).
  virtual std::optional<TrainedState> trained_state() const { return std::nullopt; }
  /// In place of train(): rebuilds the estimators and posterior() from trained_state() of a run
  /// with the same configuration. CheckpointError when the state does not fit the configuration;
  /// ConfigError for a method without a trained state.
  virtual void restore(const TrainedState& state);
};

/// The checks every restore() makes before it builds: `state` comes from this configuration's
/// method and holds `estimators` estimators. CheckpointError otherwise.
void check_trained_state(const TrainedState& state, const RunConfig& config, std::size_t estimators);
/// Copies a restored estimator's weights into its parameters; CheckpointError when their
/// number differs (the configuration's architecture is not the one that was trained).
void restore_weights(Eigen::VectorXf& parameters, const Eigen::VectorXf& weights, const std::string& what);

/// A configuration problem a method finds: "<key>: expected <expected>, got <found>".
struct MethodConfigProblem {
  std::string key, expected, found;
};

struct MethodInfo {
  std::string name;
  std::string summary;           // one line for the README and `nsbi tasks`-like listings
  int default_rounds = 1;
  std::string default_estimator{};  // when [inference] estimator is not given
  /// Method-specific checks of a configuration (estimator kind, atoms, …); nullopt when fine.
  std::function<std::optional<MethodConfigProblem>(const RunConfig&)> check{};
  std::function<std::unique_ptr<InferenceMethod>(const MethodContext&)> make{};
  /// Samples its posterior by MCMC: reads the [mcmc] table (other methods refuse it).
  bool mcmc = false;
  /// Simulates at a reference parameter: reads inference.theta_ref (other methods refuse it).
  bool reference_parameter = false;
  /// Feeds x to a network that conditions on it (NPE's flow, NRE's classifier): takes an
  /// [embedding] network in front (other methods refuse it).
  bool embedding = false;
  /// The method's own defaults for keys a configuration leaves out (given(key) tells whether the
  /// file or an override set it), applied after the file is read and before it is validated.
  std::function<void(RunConfig&, const std::function<bool(const std::string&)>& given)> defaults{};
  /// Checks of the prior a method needs (snpe_a: a closed-form correction); empty when any
  /// prior serves. The method's constructor enforces it (before any simulation); the benchmark
  /// grid asks it to skip cells without building the method.
  std::function<std::optional<MethodConfigProblem>(const RunConfig&, const Prior&)> check_prior{};
  /// Trains with the atomic APT loss: reads inference.combined_loss (other methods refuse it).
  bool combined_loss = false;
};

/// Every method, in the order the documentation lists them.
const std::vector<MethodInfo>& inference_methods();
/// The method named `name`; throws ConfigError listing the known names.
const MethodInfo& find_method(const std::string& name);

}  // namespace nsbi
