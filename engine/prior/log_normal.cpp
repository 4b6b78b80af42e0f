#include "nsbi/prior/log_normal.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "engine/prior/prior_checks.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {

LogNormal::LogNormal(Eigen::VectorXd log_mean, Eigen::VectorXd log_stddev)
    : log_mean_(std::move(log_mean)), log_stddev_(std::move(log_stddev)) {
  detail::require_finite_nonempty("LogNormal", "log_mean", log_mean_);
  detail::require_size("LogNormal", "log_stddev", log_stddev_, log_mean_.size());
  detail::require_positive("LogNormal", "log_stddev", log_stddev_);
  log_normalizer_ = -log_stddev_.array().log().sum() -
                    0.5 * static_cast<double>(log_mean_.size()) * std::log(2.0 * std::numbers::pi);
}

std::string LogNormal::describe() const {
  return "LogNormal(log_mean=" + detail::format_vector(log_mean_) +
         ", log_stddev=" + detail::format_vector(log_stddev_) + ")";
}

void LogNormal::sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const {
  detail::require_rows("LogNormal::sample", "theta", theta, dim());
  for (Eigen::Index i = 0; i < theta.size(); ++i) theta(i) = std::exp(log_mean_(i) + log_stddev_(i) * rng.normal());
}

Eigen::VectorXd LogNormal::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("LogNormal::log_prob", "theta", theta, dim());
  Eigen::VectorXd lp(theta.cols());
  for (Eigen::Index j = 0; j < theta.cols(); ++j) {
    double s = log_normalizer_;
    for (Eigen::Index i = 0; i < theta.rows(); ++i) {
      const double t = theta(i, j);
      if (!(t > 0.0 && t < std::numeric_limits<double>::infinity())) {
        s = -std::numeric_limits<double>::infinity();
        break;
      }
      const double y = std::log(t);
      const double z = (y - log_mean_(i)) / log_stddev_(i);
      s += -y - 0.5 * z * z;
    }
    lp(j) = s;
  }
  return lp;
}

Eigen::VectorXd LogNormal::lower() const { return Eigen::VectorXd::Zero(dim()); }
Eigen::VectorXd LogNormal::upper() const {
  return Eigen::VectorXd::Constant(dim(), std::numeric_limits<double>::infinity());
}

Eigen::MatrixXd LogNormal::from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("LogNormal::from_unconstrained", "u", u, dim());
  return u.array().exp().matrix();
}
Eigen::MatrixXd LogNormal::to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("LogNormal::to_unconstrained", "theta", theta, dim());
  return theta.array().log().matrix();
}
Eigen::VectorXd LogNormal::log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("LogNormal::log_abs_det_jacobian", "u", u, dim());
  return u.colwise().sum().transpose();
}

Eigen::VectorXd LogNormal::mean() const {
  return (log_mean_.array() + 0.5 * log_stddev_.array().square()).exp().matrix();
}
Eigen::VectorXd LogNormal::stddev() const {
  return (mean().array() * (log_stddev_.array().square().exp() - 1.0).sqrt()).matrix();
}

}  // namespace nsbi
