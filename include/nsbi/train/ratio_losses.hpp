#pragma once
// The losses of neural ratio estimation, on a classifier d(θ, x) (nn::RatioClassifier) whose
// logit estimates a log density ratio. Each is a ShardLoss: loss_and_gradient returns the SUM of
// loss_n over the shard's examples and adds the gradient of that sum.
//
// NRE-A / AALR (Hermans et al. 2019, "Likelihood-free MCMC with amortized approximate ratio
// estimators"; sbi's SNRE_A), BceRatioLoss: x_n against its own θ_n (label 1, a draw of the joint
// p(θ, x)) and against θ_m of another member m ≠ n of the minibatch, drawn uniformly for each n
// (label 0, a draw of p(θ)p(x); sbi's _classifier_logits with num_atoms = 2):
//   loss_n = softplus(−d(θ_n, x_n)) + softplus(d(θ_m, x_n)),
// the binary cross-entropy with logits of both pairs. Its minimiser is
// d(θ, x) = log p(θ, x)/(p(θ)p(x)) = log p(x|θ) − log p(x). (sbi averages over the 2B pairs, so its
// loss is half this per-example mean.)
//
// NRE-B (Durkan et al. 2020, "On contrastive learning for likelihood-free inference"; sbi's
// SNRE_B), ContrastiveRatioLoss: x_n against K atoms, θ_n (j = 0) and K − 1 others of the
// minibatch drawn without replacement:
//   loss_n = −d(θ_n, x_n) + log Σ_j exp d(θ_j, x_n),
// the 1-of-K cross-entropy. Its minimiser is d(θ, x) = log p(x|θ) − log p(x) + c(x): the ratio up
// to a function of x alone, which cancels in a posterior ∝ exp(d(θ, x_o)) p(θ). With θ drawn from
// a proposal p̃ instead of the prior the minimiser is log p(x|θ) + c(x) still, so the same
// posterior holds in sequential rounds (Durkan et al. 2020, §3).
//
// CARL (Cranmer et al. 2015, "Approximating likelihood ratios with calibrated discriminative
// classifiers"): class 1 x ~ p(x|θ), class 0 x ~ p(x|θ_ref), paired with θ ~ p(θ) in equal
// numbers; the minimiser of the BCE is d(θ, x) = log p(x|θ) − log p(x|θ_ref).
//   CarlRatioLoss: example n holds (θ_n, x_n ~ p(x|θ_n)) and x'_n ~ p(x|θ_ref); as x'_n does not
//     depend on θ, class 0 pairs it with θ_m of another member m of the minibatch, drawn afresh
//     for every batch like NRE-A's marginal partner:
//       loss_n = softplus(−d(θ_n, x_n)) + softplus(d(θ_m, x'_n)).
//     Class 0 is a new draw of p(θ)p(x|θ_ref) in every epoch instead of one fixed pairing
//     (θ_n, x'_n) the classifier can memorise: on gaussian_linear at 10k the fixed pairing gave a
//     mean C2ST of 0.670 over the five observations, the redrawn partner 0.633.
//
// The contrasting positions of NRE-A and CARL (one) and NRE-B (K − 1) are drawn in begin_batch for every
// position of the minibatch from RandomStream(seed, atoms, round, Minibatch::key()), so a shard's
// loss depends only on its examples and the batch, never on the rank or on the shard boundaries.
// K = min(atoms, batch size).
#include <cstdint>
#include <span>
#include <vector>

#include "nsbi/nn/ratio_classifier.hpp"
#include "nsbi/train/shard_loss.hpp"

namespace nsbi::train {

/// x_n of each example against K θ of its minibatch: its own, then K − 1 other members'. The
/// per-example loss on the K logits is the subclass's.
class ContrastingRatioLoss : public ShardLoss {
 public:
  nn::ParameterBuffer<float>& parameters() override { return classifier_.parameters(); }
  void begin_batch(const Minibatch& batch) override;
  double loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;
  double loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;

  /// The contrasting positions of batch position i in the last batch (K − 1 other positions).
  std::span<const std::int64_t> contrasts_of(std::int64_t i) const {
    return {others_.data() + i * (k_ - 1), static_cast<std::size_t>(k_ - 1)};
  }
  /// K for a minibatch of batch_size: min(atoms, batch_size).
  int atoms(std::int64_t batch_size) const;

 protected:
  /// theta: Dθ×N and x: Dx×N, the examples' pairs in the classifier's raw units (referenced,
  /// must outlive the loss); atoms K ≥ 2. `name` names the loss in error messages.
  /// x_contrast (Dx×N, referenced; null: x itself) is the x of atoms j ≥ 1 (CARL's reference
  /// block).
  ContrastingRatioLoss(const char* name, nn::RatioClassifier<float>& classifier, DataRef theta,
                       DataRef x, int atoms, std::uint64_t seed,
                       const DataRef* x_contrast = nullptr);
  /// loss_n from the K logits z (z(0): the dependent pair); when grad is not null, writes the K
  /// derivatives d loss_n / d z_j there.
  virtual double example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const = 0;

 private:
  double evaluate(const Minibatch& batch, std::int64_t begin, std::int64_t end, bool gradient);

  const char* name_;
  nn::RatioClassifier<float>& classifier_;
  DataRef theta_;
  DataRef x_;
  DataRef x_contrast_;
  int atoms_;
  std::uint64_t seed_;
  int k_ = 0;                         // K of the current batch
  std::vector<std::int64_t> others_;  // (K − 1) batch positions per position
  nn::Mat<float> thetab_, xb_;
  nn::Vec<float> logits_, g_;
  Eigen::VectorXd z_;
};

/// NRE-A: the dependent pair against one marginal pair (K = 2).
class BceRatioLoss final : public ContrastingRatioLoss {
 public:
  /// theta: Dθ×N, x: Dx×N (referenced); marginal partners from `seed`.
  BceRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta, DataRef x,
               std::uint64_t seed);

  /// The position whose θ forms the marginal pair with position i's x in the last batch.
  std::int64_t marginal_of(std::int64_t i) const { return contrasts_of(i)[0]; }

 private:
  double example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const override;
};

/// NRE-B: the 1-of-K contrastive loss over `atoms` θ per x (sbi's num_atoms, default 10).
class ContrastiveRatioLoss final : public ContrastingRatioLoss {
 public:
  /// theta: Dθ×N, x: Dx×N (referenced); atoms ≥ 2 (ConfigError otherwise).
  ContrastiveRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta, DataRef x,
                       int atoms, std::uint64_t seed);

 private:
  double example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const override;
};

/// CARL: (θ_n, x_n) against (θ_m, x_ref_n), m another member of the minibatch (K = 2).
class CarlRatioLoss final : public ContrastingRatioLoss {
 public:
  /// theta, x: Dθ×N, Dx×N, the pairs simulated at θ; x_ref: Dx×N, simulated at θ_ref (all
  /// referenced); partners from `seed`.
  CarlRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta, DataRef x,
                DataRef x_ref, std::uint64_t seed);

  /// The position whose θ is paired with position i's reference x in the last batch.
  std::int64_t partner_of(std::int64_t i) const { return contrasts_of(i)[0]; }

 private:
  double example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const override;
};

}  // namespace nsbi::train
