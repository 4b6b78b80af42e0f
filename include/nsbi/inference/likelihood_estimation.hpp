#pragma once
// Neural likelihood estimation (Papamakarios, Sterratt & Murray 2019; Lueckmann et al. 2019):
// a flow q(x | θ) trained by maximum likelihood on the (θ, x) pairs, and the posterior
// p̂(θ | x_o) ∝ q(x_o | θ)·p(θ) sampled by parallel-chain MCMC.
//   nle  — one round from the prior;
//   snle — rounds r ≥ 1 draw θ from MCMC samples of the current posterior at x_o. The NLL of a
//          likelihood model needs no correction for the proposal (q(x|θ) is a conditional
//          density whatever distribution θ came from), so every round's pairs train the same
//          flow, continued from round to round (sbi's default).
// z-scoring of x (the flow's target) and θ (its context) is fitted on round 0's pairs.
// estimator.ensemble = K > 1: K flows with their own seeds on the same pairs and validation
// split; the likelihood is their equal-weight mixture, q̄(x | θ) = (1/K)·Σ_k q_k(x | θ).
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/potential_posterior.hpp"
#include "nsbi/nn/conditional_density_estimator.hpp"

namespace nsbi {

class LikelihoodEstimation final : public InferenceMethod {
 public:
  LikelihoodEstimation(const MethodContext& context, bool sequential);
  ~LikelihoodEstimation() override;

  const Proposal& proposal() const override { return *proposal_; }
  RoundTraining train(const SimulationBank& bank, std::uint32_t round) override;
  const Posterior& posterior() const override { return *posterior_; }
  double next_proposal(std::uint32_t next) override;
  Eigen::MatrixXd weights() const override;
  /// The flows' z-scorings (x, θ) and weights.
  std::optional<TrainedState> trained_state() const override;
  void restore(const TrainedState& state) override;

 private:
  /// The flows q_k(x | θ) and the MCMC posterior, with z-scorings fitted on round 0 (or restored).
  void build(const nn::Standardizer& x_std, const nn::Standardizer& theta_std);
  MethodContext ctx_;
  nn::Standardizer x_std_, theta_std_;
  bool sequential_;
  std::vector<std::unique_ptr<nn::ConditionalDensityEstimator<float>>> estimators_;
  std::unique_ptr<PotentialPosterior> posterior_;
  std::unique_ptr<Proposal> proposal_;
  std::vector<std::unique_ptr<Proposal>> past_proposals_;
};

}  // namespace nsbi
