#pragma once
// Neural posterior estimation over rounds, with flows (MAF, NSF) as q(θ | x):
//   npe    — one round from the prior (Papamakarios & Murray 2016; sbi's NPE), loss −log q;
//   snpe_b — proposals = the posterior at x_o; loss −w·log q with w = p(θ)/p̃_r(θ) for each
//            row's own round proposal, normalised to mean 1 (Lueckmann et al. 2017);
//   snpe_c — proposals = the posterior at x_o; after round 0 the atomic loss of APT
//            (Greenberg et al. 2019) on every round's pairs;
//   tsnpe  — proposals = the prior truncated to the posterior's 1 − ε HPD region; loss −log q
//            (Deistler et al. 2022).
// One estimator (or ensemble) lives across rounds: z-scoring fitted on round 0's data, weights
// carried from round to round (sbi's default; each round a fresh optimiser and patience).
#include "nsbi/inference/direct_posterior.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/nn/estimator_registry.hpp"

namespace nsbi {

enum class NpeVariant { npe, snpe_b, snpe_c, tsnpe };

class SequentialNpe final : public InferenceMethod {
 public:
  SequentialNpe(const MethodContext& context, NpeVariant variant);
  ~SequentialNpe() override;

  const Proposal& proposal() const override { return *proposal_; }
  RoundTraining train(const SimulationBank& bank, std::uint32_t round) override;
  const Posterior& posterior() const override { return *posterior_; }
  double next_proposal(std::uint32_t next) override;
  Eigen::MatrixXd weights() const override;

 private:
  MethodContext ctx_;
  NpeVariant variant_;
  std::vector<std::unique_ptr<nn::ConditionalDensityEstimator<float>>> estimators_;
  std::unique_ptr<DirectPosterior> posterior_;
  std::unique_ptr<Proposal> proposal_;
  std::vector<std::unique_ptr<Proposal>> past_proposals_;  // kept alive: their log densities are in the bank
};

/// The training/validation split of a bank with rows from several rounds: each round's rows are
/// split on their own (split_examples with that round's number), so a row keeps its side from
/// round to round and round 0 alone splits exactly as a single-round run does.
void split_by_round(const std::vector<std::uint32_t>& row_round, double validation_fraction, std::uint64_t seed,
                    std::vector<std::int64_t>& train, std::vector<std::int64_t>& validation);

/// The training options of the configuration's [training] table.
train::TrainingOptions training_options(const RunConfig& config);

}  // namespace nsbi
