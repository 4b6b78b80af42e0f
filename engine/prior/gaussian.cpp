#include "nsbi/prior/gaussian.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "engine/prior/prior_checks.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {

Gaussian::Gaussian(Eigen::VectorXd mean, Eigen::MatrixXd covariance)
    : mean_(std::move(mean)), covariance_(std::move(covariance)) {
  const std::string where = "Gaussian";
  detail::require_finite_nonempty(where, "mean", mean_);
  const std::string d = std::to_string(mean_.size());
  if (covariance_.rows() != mean_.size() || covariance_.cols() != mean_.size())
    throw ShapeError(make_message(where, "covariance shape", d + "x" + d,
                                  std::to_string(covariance_.rows()) + "x" + std::to_string(covariance_.cols())));
  if (!covariance_.allFinite()) throw ConfigError(make_message(where, "covariance", "finite entries", "a non-finite entry"));
  const double scale = covariance_.cwiseAbs().maxCoeff();
  const double asym = (covariance_ - covariance_.transpose()).cwiseAbs().maxCoeff();
  if (asym > 1e-10 * scale)
    throw ConfigError(make_message(where, "covariance", "a symmetric matrix",
                                   "max |Σ_ij − Σ_ji| = " + std::to_string(asym)));
  covariance_ = 0.5 * (covariance_ + covariance_.transpose()).eval();
  const Eigen::LLT<Eigen::MatrixXd> llt(covariance_);
  if (llt.info() != Eigen::Success || !(llt.matrixL().toDenseMatrix().diagonal().array() > 0.0).all()) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(covariance_, Eigen::EigenvaluesOnly);
    throw ConfigError(make_message(where, "covariance", "positive definite",
                                   "smallest eigenvalue " + std::to_string(eig.eigenvalues().minCoeff())));
  }
  chol_ = llt.matrixL();
  log_normalizer_ = -chol_.diagonal().array().log().sum() - 0.5 * static_cast<double>(mean_.size()) *
                                                               std::log(2.0 * std::numbers::pi);
}

Gaussian Gaussian::diagonal(Eigen::VectorXd mean, Eigen::VectorXd stddev) {
  detail::require_finite_nonempty("Gaussian::diagonal", "mean", mean);
  detail::require_size("Gaussian::diagonal", "stddev", stddev, mean.size());
  detail::require_positive("Gaussian::diagonal", "stddev", stddev);
  Eigen::MatrixXd cov = stddev.array().square().matrix().asDiagonal();
  return Gaussian(std::move(mean), std::move(cov));
}

std::string Gaussian::describe() const {
  const Eigen::MatrixXd off = covariance_ - Eigen::MatrixXd(covariance_.diagonal().asDiagonal());
  std::string s = "Gaussian(mean=" + detail::format_vector(mean_) + ", stddev=" + detail::format_vector(stddev());
  if (!off.isZero(0.0)) {
    const Eigen::VectorXd inv_sd = stddev().cwiseInverse();
    const Eigen::MatrixXd corr = inv_sd.asDiagonal() * covariance_ * inv_sd.asDiagonal();
    s += ", correlation rows=[";
    for (Eigen::Index i = 0; i < corr.rows(); ++i) s += (i ? ", " : "") + detail::format_vector(corr.row(i).transpose());
    s += "]";
  }
  return s + ")";
}

// θ = μ + L·z, z ~ N(0, I).
void Gaussian::sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const {
  detail::require_rows("Gaussian::sample", "theta", theta, dim());
  theta = mean_;
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    const double z = rng.normal();
    theta.tail(theta.size() - k) += z * chol_.col(k).tail(theta.size() - k);
  }
}

Eigen::VectorXd Gaussian::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("Gaussian::log_prob", "theta", theta, dim());
  Eigen::MatrixXd z = theta.colwise() - mean_;
  chol_.triangularView<Eigen::Lower>().solveInPlace(z);
  return (-0.5 * z.colwise().squaredNorm().transpose()).array() + log_normalizer_;
}

Eigen::VectorXd Gaussian::lower() const {
  return Eigen::VectorXd::Constant(dim(), -std::numeric_limits<double>::infinity());
}
Eigen::VectorXd Gaussian::upper() const {
  return Eigen::VectorXd::Constant(dim(), std::numeric_limits<double>::infinity());
}

Eigen::MatrixXd Gaussian::from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("Gaussian::from_unconstrained", "u", u, dim());
  return u;
}
Eigen::MatrixXd Gaussian::to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("Gaussian::to_unconstrained", "theta", theta, dim());
  return theta;
}
Eigen::VectorXd Gaussian::log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("Gaussian::log_abs_det_jacobian", "u", u, dim());
  return Eigen::VectorXd::Zero(u.cols());
}

Eigen::VectorXd Gaussian::stddev() const { return covariance_.diagonal().cwiseSqrt(); }

}  // namespace nsbi
