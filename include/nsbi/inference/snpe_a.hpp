#pragma once
// SNPE-A (Papamakarios & Murray 2016, "Fast ε-free inference of simulation models with Bayesian
// conditional density estimation", Algorithm 2): a mixture density network q(θ | x) with full
// covariances, trained round by round on that round's pairs (θ ~ p̃_r) with the weights carried
// over, and corrected in closed form:
//   p̂(θ | x_o) ∝ q(θ | x_o) · p(θ) / p̃_r(θ).
// Rounds before the last use one Gaussian component, so that each corrected posterior — the next
// round's proposal — is one Gaussian (restricted to the prior's support); the last round expands
// the network to `estimator.components` components (copies of the one, jittered) and trains on.
// The prior must be Gaussian or box-uniform; a box truncates the corrected mixture (sampled by
// rejection inside it). A component wider than the proposal in some direction (a corrected
// precision that is not positive definite) has no Gaussian correction: with a box prior it is
// corrected inside the box as a Gaussian envelope with a quadratic tilt (correct_mixture_in_box,
// sampled by rejection under the envelope; the next round's proposal is then the envelope, a
// Gaussian as the correction needs); with a Gaussian prior the correction would not be
// normalisable, and the run stops naming the round and component.
//
// Each round trains on its own round's pairs only: the closed-form correction needs the one
// Gaussian proposal those pairs came from (pairs of earlier rounds came from other proposals).
#include "nsbi/core/gaussian_mixture.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/restricted_proposal.hpp"
#include "nsbi/nn/mixture_density_network.hpp"
#include "nsbi/prior/gaussian.hpp"

namespace nsbi {

/// A (tilted) Gaussian mixture restricted to a prior's support, as proposal and (through
/// MixturePosterior) as posterior: p̃(θ) = g(θ)·1_support(θ) / Z.
class MixtureProposal final : public RestrictedProposal {
 public:
  MixtureProposal(TiltedMixture mixture, const Prior& prior, std::uint64_t seed, std::uint32_t round);
  int dim() const override { return mixture_.mixture.dim(); }
  std::string describe() const override;
  Eigen::VectorXd lower() const override { return prior_.lower(); }
  Eigen::VectorXd upper() const override { return prior_.upper(); }
  /// The Gaussian mixture (for tilted components, the envelopes).
  const GaussianMixture& mixture() const { return mixture_.mixture; }

 protected:
  Eigen::MatrixXd candidates(RandomStream& rng, Eigen::Index n) const override { return mixture_.candidates(rng, n); }
  void accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const override;
  Eigen::VectorXd base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override {
    return mixture_.log_prob(theta);
  }

 private:
  TiltedMixture mixture_;
  const Prior& prior_;
};

/// The corrected mixture as a posterior (its samples need no communication: every rank draws
/// the same ones from the same streams).
class MixturePosterior final : public Posterior {
 public:
  MixturePosterior(TiltedMixture mixture, const Prior& prior, std::uint64_t seed, std::uint32_t round)
      : proposal_(std::move(mixture), prior, seed, round) {}
  int dim() const override { return proposal_.dim(); }
  std::string describe() const override { return "the corrected mixture"; }
  PosteriorSamples sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& options,
                          const mpi::Communicator& comm) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta, const Eigen::VectorXd& x) const override;
  const MixtureProposal& restricted() const { return proposal_; }

 private:
  MixtureProposal proposal_;
};

class SnpeA final : public InferenceMethod {
 public:
  explicit SnpeA(const MethodContext& context);
  /// A Gaussian or box-uniform prior (the closed-form correction); the problem otherwise.
  static std::optional<MethodConfigProblem> check_prior(const RunConfig& config, const Prior& prior);
  ~SnpeA() override;
  const Proposal& proposal() const override { return *proposal_; }
  RoundTraining train(const SimulationBank& bank, std::uint32_t round) override;
  const Posterior& posterior() const override { return *posterior_; }
  double next_proposal(std::uint32_t next) override;
  Eigen::MatrixXd weights() const override;

 private:
  MethodContext ctx_;
  const Gaussian* gaussian_prior_ = nullptr;  // else the prior is box-uniform
  std::unique_ptr<nn::MixtureDensityNetwork<float>> mdn_;
  std::unique_ptr<Proposal> proposal_;
  std::vector<std::unique_ptr<Proposal>> past_proposals_;
  GaussianMixture proposal_gaussian_;  // the Gaussian behind proposal_ (rounds ≥ 1)
  std::unique_ptr<MixturePosterior> posterior_;
};

}  // namespace nsbi
