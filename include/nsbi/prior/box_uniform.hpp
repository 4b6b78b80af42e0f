#pragma once
// Uniform prior on the box [low, high] ⊂ R^D (sbi's BoxUniform).
// Bijection to R^D: θ = low + (high − low)·σ(u), σ the logistic sigmoid, so
// log|det ∂θ/∂u| = Σ_i [log(high_i − low_i) + log σ(u_i) + log σ(−u_i)].
#include <Eigen/Core>
#include <string>

#include "nsbi/prior/prior.hpp"

namespace nsbi {

class BoxUniform final : public Prior {
 public:
  /// low, high: length D ≥ 1, finite, low < high elementwise. Throws ShapeError on a size
  /// mismatch, ConfigError on non-finite or non-increasing bounds.
  BoxUniform(Eigen::VectorXd low, Eigen::VectorXd high);

  using Prior::sample;
  int dim() const override { return static_cast<int>(low_.size()); }
  std::string describe() const override;
  void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd lower() const override { return low_; }
  Eigen::VectorXd upper() const override { return high_; }
  Eigen::MatrixXd from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::MatrixXd to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::VectorXd mean() const override;
  Eigen::VectorXd stddev() const override;

 private:
  Eigen::VectorXd low_, high_, width_;
  double log_volume_;  // Σ log(high − low)
};

}  // namespace nsbi
