#pragma once
// Neural posterior estimation, one round (Papamakarios & Murray 2016; Greenberg et al. 2019 with
// the prior as proposal): train q(θ | x) by maximum likelihood on pairs (θ_n, x_n), θ_n ~ p(θ),
// then sample q(θ | x_o), rejecting draws outside the prior's support.
#include <memory>
#include <vector>

#include "nsbi/inference/posterior_sampler.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/trainer.hpp"

namespace nsbi {

struct NpeOptions {
  nn::DensityEstimatorSpec estimator;
  train::TrainingOptions training;
  RejectionOptions sampling;
  std::uint64_t seed = 1;
  /// Train q on u = T⁻¹(θ), T the prior's bijection onto its support (sbibm's "automatic
  /// transforms"): a bounded support then has no edges for the flow to learn and no posterior
  /// mass leaks outside it. q(θ|x) = q(u|x)·|det ∂T⁻¹/∂θ|.
  bool unconstrained = false;
  /// Number of estimators trained (seeds differ per member; data and split are shared); the
  /// posterior is their equal-weight mixture, like sbi's NeuralPosteriorEnsemble. 1 = one estimator.
  int ensemble = 1;
};

struct NpeResult {
  std::vector<std::unique_ptr<nn::ConditionalDensityEstimator<float>>> estimators;  // ensemble members
  std::vector<train::TrainingResult> trainings;  // one per member; the report shows the first's epochs
  PosteriorSamples posterior;
  double train_seconds = 0, sample_seconds = 0;
};

/// θ: theta_dim×N, x: x_dim×N (finite pairs only); identical on every rank of `comm`.
/// Collective; every rank returns the same estimator weights and samples.
NpeResult run_npe(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& x, const Eigen::VectorXd& x_o,
                  const Prior& prior, const NpeOptions& options, const mpi::Communicator& comm);

}  // namespace nsbi
