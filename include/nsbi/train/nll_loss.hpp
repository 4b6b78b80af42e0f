#pragma once
// Negative log-likelihood of a conditional density estimator, optionally importance-weighted:
//   loss_n = −w_n · log q(y_n | c_n)
// (NPE: y = θ, c = x; NLE: y = x, c = θ). With weights w_n = p(θ_n)/p̃_n(θ_n), normalised to
// mean 1 over the data, this is the SNPE-B loss (Lueckmann et al. 2017): the weighted sum is an
// unbiased estimate of the prior-data NLL when θ_n came from proposals p̃_n.
#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/train/shard_loss.hpp"

namespace nsbi::train {

class NllLoss final : public ShardLoss {
 public:
  /// y: target_dim×N, c: context_dim×N, weights: N or empty (all 1); all are referenced, not
  /// copied, and must outlive the loss.
  NllLoss(nn::ConditionalDensityEstimator<float>& estimator, DataRef y, DataRef c,
          const nn::Vec<float>& weights = empty_weights());

  nn::ParameterBuffer<float>& parameters() override { return estimator_.parameters(); }
  double loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;
  double loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) override;

  static const nn::Vec<float>& empty_weights();

 private:
  void gather(std::span<const std::int64_t> examples);

  nn::ConditionalDensityEstimator<float>& estimator_;
  DataRef y_;
  DataRef c_;
  const nn::Vec<float>& w_;
  nn::Mat<float> yb_, cb_;
  nn::Vec<float> lp_, g_;
};

}  // namespace nsbi::train
