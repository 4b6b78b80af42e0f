#pragma once
// The NPE posterior: q(θ | x) of one flow, or the equal-weight mixture of an ensemble, restricted
// to the prior's support (rejection of the draws outside it, as sbi). With `unconstrained` the
// flows model u = T⁻¹(θ) and q(θ|x) = q(u|x)·|det ∂T⁻¹/∂θ| = q(u|x) / |det ∂T/∂u|.
#include <span>
#include <vector>

#include "nsbi/inference/posterior.hpp"
#include "nsbi/inference/restricted_proposal.hpp"
#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/prior/prior.hpp"

namespace nsbi {

class DirectPosterior final : public Posterior {
 public:
  /// The estimators are referenced, not owned, and must outlive the posterior.
  DirectPosterior(std::vector<nn::ConditionalDensityEstimator<float>*> estimators, const Prior& prior,
                  bool unconstrained);
  int dim() const override { return prior_.dim(); }
  std::string describe() const override;
  PosteriorSamples sample(const Eigen::VectorXd& x, const PosteriorSampleOptions& options,
                          const mpi::Communicator& comm) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta, const Eigen::VectorXd& x) const override;

  /// n draws of the unrestricted estimate at x, in θ units (NaN/outside-support columns
  /// possible), from `rng` alone: member k of a ensemble makes draws k, k+K, ….
  Eigen::MatrixXd draw(const Eigen::VectorXd& x, Eigen::Index n, RandomStream& rng) const;
  const Prior& prior() const { return prior_; }

 private:
  std::vector<nn::ConditionalDensityEstimator<float>*> q_;
  const Prior& prior_;
  bool unconstrained_;
};

/// The posterior at x_o restricted to the prior's support, as the next round's proposal:
/// p̃(θ) = q(θ|x_o)·1_support(θ) / Z, Z the mass of q inside the support.
class PosteriorProposal final : public RestrictedProposal {
 public:
  PosteriorProposal(const DirectPosterior& posterior, Eigen::VectorXd x_o, std::uint64_t seed, std::uint32_t round,
                    const Options& options);
  PosteriorProposal(const DirectPosterior& posterior, Eigen::VectorXd x_o, std::uint64_t seed, std::uint32_t round)
      : PosteriorProposal(posterior, std::move(x_o), seed, round, Options{}) {}
  int dim() const override { return posterior_.dim(); }
  std::string describe() const override { return "the posterior at x_o restricted to the prior's support"; }
  Eigen::VectorXd lower() const override { return posterior_.prior().lower(); }
  Eigen::VectorXd upper() const override { return posterior_.prior().upper(); }

 protected:
  Eigen::MatrixXd candidates(RandomStream& rng, Eigen::Index n) const override;
  void accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const override;
  Eigen::VectorXd base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;

 private:
  const DirectPosterior& posterior_;
  Eigen::VectorXd x_o_;
};

}  // namespace nsbi
