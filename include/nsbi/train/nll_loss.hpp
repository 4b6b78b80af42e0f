#pragma once
// Negative log-likelihood of a conditional density estimator: loss_n = −log q(y_n | c_n)
// (NPE: y = θ, c = x; NLE: y = x, c = θ).
#include "nsbi/nn/conditional_density_estimator.hpp"
#include "nsbi/train/shard_loss.hpp"

namespace nsbi::train {

class NllLoss final : public ShardLoss {
 public:
  /// y: target_dim×N, c: context_dim×N; both are referenced, not copied, and must outlive the loss.
  NllLoss(nn::ConditionalDensityEstimator<float>& estimator, const nn::Mat<float>& y, const nn::Mat<float>& c);

  nn::ParameterBuffer<float>& parameters() override { return estimator_.parameters(); }
  double loss_and_gradient(std::span<const std::int64_t> examples) override;
  double loss(std::span<const std::int64_t> examples) override;

 private:
  void gather(std::span<const std::int64_t> examples);

  nn::ConditionalDensityEstimator<float>& estimator_;
  const nn::Mat<float>& y_;
  const nn::Mat<float>& c_;
  nn::Mat<float> yb_, cb_;
  nn::Vec<float> lp_, g_;
};

}  // namespace nsbi::train
