#pragma once
// Neural ratio estimation: a classifier d(θ, x) whose logit estimates log p(x|θ) − log p(x) up
// to a function of x, and the posterior p̂(θ | x_o) ∝ exp(d(θ, x_o))·p(θ) sampled by
// parallel-chain MCMC.
//   nre_a  — AALR (Hermans, Begy & Louppe 2019): binary cross-entropy of dependent pairs
//            (θ_n, x_n) against marginal pairs (θ_m, x_n), m another member of the minibatch;
//   nre_b  — SRE (Durkan, Murray & Papamakarios 2020): the 1-of-K contrastive loss with
//            inference.atoms θ from the minibatch per x;
//   snre_b — nre_b over rounds, proposals = MCMC samples of the posterior at x_o. The
//            contrastive loss compares θ's for one x, so its optimum log p(x|θ) + c(x) does not
//            depend on the distribution the θ came from: rounds need no correction.
// Classifier: "resnet" (sbi's default, two residual blocks) or "mlp", estimator.hidden_features
// units; z-scoring of θ and x fitted on round 0's pairs; trained on every round's pairs.
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/potential_posterior.hpp"
#include "nsbi/nn/ratio_classifier.hpp"

namespace nsbi {

enum class RatioLossKind { binary, contrastive };

/// The state of a classifier for estimator.bin: its z-scorings (θ, x) and weights.
TrainedState classifier_state(const std::string& method, const nn::RatioClassifier<float>& classifier);

/// log π(θ | x) = d(θ, x) + log p(θ), batched with x broadcast over the columns; the classifier
/// and prior are referenced.
PotentialPosterior::PotentialAt ratio_potential(nn::RatioClassifier<float>& classifier, const Prior& prior);

/// CARL (Cranmer, Pavez & Louppe 2015): a classifier between x ~ p(x|θ) (θ from the prior) and
/// x ~ p(x|θ_ref) paired with the same θ, whose logit estimates log p(x|θ)/p(x|θ_ref); the
/// posterior is ∝ exp(d(θ, x_o))·p(θ). The run has two rounds of half the budget each: round 0
/// simulates at prior draws, round 1 at θ_ref (`inference.theta_ref`, default the prior's mean) —
/// the reference block, separately seeded because it is another round. Pairs are matched by
/// position among the valid rows of each block. Where p(x|θ) and p(x|θ_ref) do not overlap, the
/// classifier separates them perfectly and the ratio there is unidentified: CARL fails exactly
/// where θ is far from θ_ref (compare nre_a).
class Carl final : public InferenceMethod {
 public:
  explicit Carl(const MethodContext& context);
  ~Carl() override;

  const Proposal& proposal() const override { return *proposal_; }
  RoundTraining train(const SimulationBank& bank, std::uint32_t round) override;
  const Posterior& posterior() const override { return *posterior_; }
  double next_proposal(std::uint32_t next) override;
  Eigen::MatrixXd weights() const override;
  /// The classifier's z-scorings (θ, x) and weights.
  std::optional<TrainedState> trained_state() const override;
  void restore(const TrainedState& state) override;

 private:
  /// The classifier and the MCMC posterior, with z-scorings fitted on the first training (or restored).
  void build(const nn::Standardizer& theta_std, const nn::Standardizer& x_std);
  MethodContext ctx_;
  Eigen::VectorXd theta_ref_;
  std::unique_ptr<nn::RatioClassifier<float>> classifier_;
  std::unique_ptr<PotentialPosterior> posterior_;
  std::unique_ptr<Proposal> proposal_;
  std::vector<std::unique_ptr<Proposal>> past_proposals_;
};

class RatioEstimation final : public InferenceMethod {
 public:
  RatioEstimation(const MethodContext& context, RatioLossKind loss, bool sequential);
  ~RatioEstimation() override;

  const Proposal& proposal() const override { return *proposal_; }
  RoundTraining train(const SimulationBank& bank, std::uint32_t round) override;
  const Posterior& posterior() const override { return *posterior_; }
  double next_proposal(std::uint32_t next) override;
  Eigen::MatrixXd weights() const override;
  /// The classifier's z-scorings (θ, x) and weights.
  std::optional<TrainedState> trained_state() const override;
  void restore(const TrainedState& state) override;

 private:
  /// The classifier and the MCMC posterior, with z-scorings fitted on the first training (or restored).
  void build(const nn::Standardizer& theta_std, const nn::Standardizer& x_std);
  MethodContext ctx_;
  RatioLossKind loss_;
  bool sequential_;
  std::unique_ptr<nn::RatioClassifier<float>> classifier_;
  std::unique_ptr<PotentialPosterior> posterior_;
  std::unique_ptr<Proposal> proposal_;
  std::vector<std::unique_ptr<Proposal>> past_proposals_;
};

}  // namespace nsbi
