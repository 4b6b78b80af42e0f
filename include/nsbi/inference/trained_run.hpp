#pragma once
// A finished run directory loaded for amortized use (`nsbi sample`, `nsbi sbc`): its resolved
// config.toml, its prior and its method rebuilt from estimator.bin, without retraining.
//
// Only amortized posteriors load: one-round runs, and carl (its second round simulates at θ_ref,
// not near x_o). A sequential method's final posterior was trained on proposals focused on the
// run's x_o and is refused — at another observation it would be wrong without telling.
#include <Eigen/Core>
#include <memory>
#include <string>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/log.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi {

class TrainedRun {
 public:
  /// Reads RUN_DIR/config.toml and RUN_DIR/estimator.bin on every rank (an agreement point:
  /// every rank throws the same error, marked bad input). `log` and `comm` must outlive it.
  TrainedRun(const std::string& run_dir, const mpi::Communicator& comm, Log& log);
  TrainedRun(const TrainedRun&) = delete;
  TrainedRun& operator=(const TrainedRun&) = delete;

  const std::string& dir() const { return dir_; }
  const RunConfig& config() const { return config_; }
  const Prior& prior() const { return *prior_; }
  const Posterior& posterior() const { return method_->posterior(); }
  /// The round of the final posterior (its sample streams): rounds − 1.
  std::uint32_t last_round() const { return static_cast<std::uint32_t>(config_.inference.rounds - 1); }
  /// x's dimension: the one of the run's estimator (config x_dim, or the observation's length).
  int x_dim() const { return x_dim_; }

 private:
  std::string dir_;
  RunConfig config_;
  std::unique_ptr<Prior> prior_;
  Eigen::VectorXd x_o_;  // unused by a restored method (no proposals are built); kept for its context
  int x_dim_ = 0;
  std::unique_ptr<InferenceMethod> method_;
};

/// RUN_DIR/config.toml, the resolved configuration of a finished run; IoError naming RUN_DIR when
/// it is not a directory or holds no config.toml, the loader's errors otherwise.
RunConfig load_run_dir_config(const std::string& run_dir);

/// Throws ConfigError unless `config`'s final posterior is amortized (see above); `source`
/// names the configuration file in the message.
void check_amortized(const RunConfig& config, const std::string& source);

}  // namespace nsbi
