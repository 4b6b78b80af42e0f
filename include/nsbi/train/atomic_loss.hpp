#pragma once
// The atomic loss of APT / SNPE-C (Greenberg et al. 2019, "Automatic posterior transformation
// for likelihood-free inference", §3 and eq. 6 with a uniform proposal over atoms).
//
// For example n with pair (θ_n, x_n), a set of K atoms {θ_n} ∪ {θ_m : m ∈ M_n}, the K − 1 others
// drawn uniformly without replacement from the rest of the minibatch; with
//   a_nj = log q(θ_j | x_n) − log p(θ_j),
//   loss_n = −a_n0 + log Σ_j exp(a_nj),
// the negative log of the proposal posterior q̃(θ_n | x_n) restricted to the atoms. Its minimiser
// is q = the true posterior whatever proposals produced the θ. The gradient with respect to
// log q(θ_j | x_n) is softmax_j(a_n) − δ_j0.
//
// Combined loss (sbi's use_combined_loss): examples with prior_weight_n = 1 (the prior's draws)
// add −log q(θ_n | x_n), the plain NLL, to their atomic term. The atoms all lie in the proposals'
// support, so the atomic loss alone cannot see mass the flow puts outside a bounded prior; the
// NLL of the prior's draws does.
//
// The atoms of a minibatch come from RandomStream(seed, atoms, round, Minibatch::key()), drawn
// in begin_batch for every position of the batch: the same on every rank at any rank count.
#include <algorithm>
#include <vector>

#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/train/shard_loss.hpp"

namespace nsbi::train {

class AtomicLoss final : public ShardLoss {
 public:
  /// y: θ (target_dim×N) in the estimator's units; c: x (context_dim×N); log_prior: N values
  /// log p(y_n) in the same units (its constant part cancels); atoms K ≥ 2; nll_weight: empty
  /// (the atomic loss alone) or N weights of the added NLL term (1 for the prior's draws, 0
  /// otherwise). All referenced.
  AtomicLoss(nn::ConditionalDensityEstimator<float>& estimator, DataRef y, DataRef c,
             const Eigen::VectorXd& log_prior, int atoms, std::uint64_t seed,
             const Eigen::VectorXd& nll_weight = no_nll_weight());

  static const Eigen::VectorXd& no_nll_weight() {
    static const Eigen::VectorXd none;
    return none;
  }

  nn::ParameterBuffer<float>& parameters() override { return estimator_.parameters(); }
  void begin_batch(const Minibatch& batch) override;
  double loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;
  double loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;

  /// The atoms of position i of the last batch (other batch positions, K − 1 of them).
  std::span<const std::int64_t> atoms_of(std::int64_t i) const {
    return {others_.data() + i * (k_ - 1), static_cast<std::size_t>(k_ - 1)};
  }
  int atoms(std::int64_t batch_size) const { return static_cast<int>(std::min<std::int64_t>(atoms_, batch_size)); }

 private:
  double evaluate(const Minibatch& batch, std::int64_t begin, std::int64_t end, bool gradient);

  nn::ConditionalDensityEstimator<float>& estimator_;
  DataRef y_;
  DataRef c_;
  const Eigen::VectorXd& log_prior_;
  const Eigen::VectorXd& nll_weight_;
  int atoms_;
  std::uint64_t seed_;
  int k_ = 0;                          // atoms in the current batch (≤ its size)
  std::vector<std::int64_t> others_;   // (k−1) batch positions per position
  nn::Mat<float> yb_, cb_;
  nn::Vec<float> lp_, g_;
  Eigen::VectorXd a_;
};

}  // namespace nsbi::train
