#pragma once
// Independent log-normal prior: log θ_i ~ N(log_mean_i, log_stddev_i²), support (0, ∞)^D
// (sbibm's sir and lotka_volterra priors).
//   log p(θ) = Σ_i [−log θ_i − log s_i − ½ log 2π − ½((log θ_i − m_i)/s_i)²]
//   E θ_i = exp(m_i + s_i²/2),  sd θ_i = E θ_i · sqrt(exp(s_i²) − 1)
// Bijection to R^D: θ = exp(u), log|det ∂θ/∂u| = Σ_i u_i.
#include <Eigen/Core>
#include <string>

#include "nsbi/prior/prior.hpp"

namespace nsbi {

class LogNormal final : public Prior {
 public:
  /// log_mean, log_stddev: length D ≥ 1, finite; log_stddev > 0. Throws ShapeError on a size
  /// mismatch, ConfigError otherwise.
  LogNormal(Eigen::VectorXd log_mean, Eigen::VectorXd log_stddev);

  using Prior::sample;
  int dim() const override { return static_cast<int>(log_mean_.size()); }
  std::string describe() const override;
  void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd lower() const override;
  Eigen::VectorXd upper() const override;
  Eigen::MatrixXd from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::MatrixXd to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::VectorXd mean() const override;
  Eigen::VectorXd stddev() const override;

 private:
  Eigen::VectorXd log_mean_, log_stddev_;
  double log_normalizer_;  // −Σ log s_i − (D/2) log 2π
};

}  // namespace nsbi
