#include "nsbi/inference/trained_run.hpp"

#include <filesystem>

#include "nsbi/core/error.hpp"
#include "nsbi/inference/trained_state.hpp"
#include "nsbi/mpi/agreement.hpp"

namespace nsbi {

void check_amortized(const RunConfig& config, const std::string& source) {
  const MethodInfo& info = find_method(config.inference.method);
  // carl's second round is its reference block at θ_ref: nothing in training depends on x_o.
  if (config.inference.rounds > 1 && !info.reference_parameter)
    throw ConfigError(make_message(
        source, "inference.rounds", "1 (an amortized posterior)",
        std::to_string(config.inference.rounds) + ": method \"" + config.inference.method +
            "\" trained its final posterior on proposals focused on the run's observation, so it is not amortized "
            "and cannot be used at other observations; run it with inference.rounds = 1 (or method npe, nle, "
            "nre_a, nre_b)"));
}

RunConfig load_run_dir_config(const std::string& run_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec))
    throw IoError(make_message(run_dir, "run directory", "a directory written by `nsbi run`", "no such directory"));
  const std::string path = (fs::path(run_dir) / "config.toml").string();
  if (!fs::exists(path, ec))
    throw IoError(make_message(run_dir, "run directory", "one holding config.toml (written by `nsbi run`)", "none"));
  return load_run_config(path);
}

TrainedRun::TrainedRun(const std::string& run_dir, const mpi::Communicator& comm, Log& log) : dir_(run_dir) {
  namespace fs = std::filesystem;
  const fs::path dir = run_dir;
  const std::string config_path = (dir / "config.toml").string(), state_path = (dir / "estimator.bin").string();
  mpi::agree(comm, [&] {
    std::error_code ec;
    config_ = load_run_dir_config(run_dir);
    check_amortized(config_, config_path);
    if (!fs::exists(state_path, ec))
      throw IoError(make_message(run_dir, "run directory",
                                 "one holding estimator.bin, the loadable estimator `nsbi run` writes for every "
                                 "method but snpe_a",
                                 "none (method \"" + config_.inference.method + "\")"));
    prior_ = make_prior(config_);
    x_dim_ = config_.x_dim();
    x_o_ = Eigen::VectorXd::Zero(x_dim_);
  }, mpi::Failure::bad_input);
  const MethodContext context{config_, *prior_, x_o_, comm, log};
  method_ = mpi::agree(comm, [&] {
    auto m = find_method(config_.inference.method).make(context);
    m->restore(read_trained_state(state_path));
    return m;
  }, mpi::Failure::bad_input);
}

}  // namespace nsbi
