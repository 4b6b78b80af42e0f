#pragma once
// TSNPE's proposal (Deistler et al. 2022): the prior truncated to the highest-density region of
// the current posterior estimate that holds 1 − ε of its mass,
//   A = {θ : log q(θ | x_o) ≥ τ},  τ = the ε-quantile of log q(θ_s | x_o), θ_s ~ q(· | x_o),
//   p̃(θ) = p(θ)·1_A(θ) / P(A).
// Candidates come from the prior restricted to a box that bounds A (the bounding box of the
// samples above τ, widened by `box_margin` of its width on each side, intersected with the
// prior's support): for a box-uniform prior they are uniform in that box, otherwise prior draws
// outside it are discarded. The box only saves work; the test log q ≥ τ defines A.
#include "nsbi/inference/direct_posterior.hpp"

namespace nsbi {

struct TruncationOptions {
  double quantile = 1e-4;          // ε
  std::int64_t samples = 10000;    // posterior samples that estimate τ (sbi's default)
  double box_margin = 0.1;
};

class TruncatedPriorProposal final : public RestrictedProposal {
 public:
  /// Collective over comm (the posterior samples that locate A); the result is the same on every
  /// rank and at every rank count.
  TruncatedPriorProposal(const DirectPosterior& posterior, const Eigen::VectorXd& x_o, std::uint64_t seed,
                         std::uint32_t round, const TruncationOptions& truncation, const mpi::Communicator& comm,
                         const Options& options = Options{});
  int dim() const override { return posterior_.dim(); }
  std::string describe() const override { return "the prior truncated to the posterior's HPD region"; }
  Eigen::VectorXd lower() const override { return box_lo_; }
  Eigen::VectorXd upper() const override { return box_hi_; }
  double threshold() const { return tau_; }
  /// Prior mass of A: P(A) (the fraction of the prior the next round explores).
  double prior_mass() const { return std::exp(log_box_mass_ + log_normalizer()); }

 protected:
  Eigen::MatrixXd candidates(RandomStream& rng, Eigen::Index n) const override;
  void accept(const Eigen::Ref<const Eigen::MatrixXd>& theta, std::vector<char>& accepted) const override;
  Eigen::VectorXd base_log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;

 private:
  const DirectPosterior& posterior_;
  Eigen::VectorXd x_o_;
  double tau_ = 0;
  Eigen::VectorXd box_lo_, box_hi_;
  bool uniform_in_box_ = false;  // box-uniform prior: candidates uniform in the box
  double log_box_mass_ = 0;      // log P(box) under the prior when candidates are uniform in it
};

}  // namespace nsbi
