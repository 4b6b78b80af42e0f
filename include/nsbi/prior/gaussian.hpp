#pragma once
// Multivariate normal prior N(μ, Σ) on R^D with full covariance Σ = L·Lᵀ (Cholesky).
//   log p(θ) = −½‖L⁻¹(θ − μ)‖² − Σ_i log L_ii − (D/2)·log 2π
// Unbounded; the bijection to unconstrained space is the identity (log|det J| = 0).
#include <Eigen/Core>
#include <string>

#include "nsbi/prior/prior.hpp"

namespace nsbi {

class Gaussian final : public Prior {
 public:
  /// mean: length D ≥ 1; covariance: D×D, symmetric (to 1e-10 relative) and positive definite.
  /// Throws ShapeError on mismatched sizes, ConfigError on non-finite, asymmetric or
  /// non-positive-definite input (the message gives the smallest eigenvalue).
  Gaussian(Eigen::VectorXd mean, Eigen::MatrixXd covariance);
  /// Independent coordinates: Σ = diag(stddev²); stddev > 0 elementwise.
  static Gaussian diagonal(Eigen::VectorXd mean, Eigen::VectorXd stddev);

  using Prior::sample;
  int dim() const override { return static_cast<int>(mean_.size()); }
  std::string describe() const override;
  void sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const override;
  Eigen::VectorXd log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd lower() const override;
  Eigen::VectorXd upper() const override;
  Eigen::MatrixXd from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::MatrixXd to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const override;
  Eigen::VectorXd log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const override;
  Eigen::VectorXd mean() const override { return mean_; }
  Eigen::VectorXd stddev() const override;

  const Eigen::MatrixXd& covariance() const { return covariance_; }
  /// Lower-triangular L with L·Lᵀ = Σ.
  const Eigen::MatrixXd& cholesky_factor() const { return chol_; }

 private:
  Eigen::VectorXd mean_;
  Eigen::MatrixXd covariance_, chol_;
  double log_normalizer_;  // −Σ log L_ii − (D/2) log 2π
};

}  // namespace nsbi
