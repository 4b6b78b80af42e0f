#include "nsbi/prior/box_uniform.hpp"

#include <cmath>
#include <limits>
#include <utility>

#include "engine/prior/prior_checks.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {

namespace {
// log σ(u) = −softplus(−u), written so that neither tail overflows.
double log_sigmoid(double u) { return -(std::max(-u, 0.0) + std::log1p(std::exp(-std::abs(u)))); }
double sigmoid(double u) {
  if (u >= 0.0) return 1.0 / (1.0 + std::exp(-u));
  const double e = std::exp(u);
  return e / (1.0 + e);
}
}  // namespace

BoxUniform::BoxUniform(Eigen::VectorXd low, Eigen::VectorXd high) : low_(std::move(low)), high_(std::move(high)) {
  const std::string where = "BoxUniform";
  detail::require_finite_nonempty(where, "low", low_);
  detail::require_size(where, "high", high_, low_.size());
  detail::require_finite_nonempty(where, "high", high_);
  for (Eigen::Index i = 0; i < low_.size(); ++i)
    if (!(low_(i) < high_(i)))
      throw ConfigError(make_message(where, "bounds of dimension " + std::to_string(i), "low < high",
                                     "low = " + std::to_string(low_(i)) + ", high = " + std::to_string(high_(i))));
  width_ = high_ - low_;
  log_volume_ = width_.array().log().sum();
}

std::string BoxUniform::describe() const {
  return "BoxUniform(low=" + detail::format_vector(low_) + ", high=" + detail::format_vector(high_) + ")";
}

void BoxUniform::sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const {
  detail::require_rows("BoxUniform::sample", "theta", theta, dim());
  for (Eigen::Index i = 0; i < theta.size(); ++i) theta(i) = low_(i) + width_(i) * rng.uniform();
}

Eigen::VectorXd BoxUniform::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("BoxUniform::log_prob", "theta", theta, dim());
  Eigen::VectorXd lp(theta.cols());
  for (Eigen::Index j = 0; j < theta.cols(); ++j) {
    const bool inside = ((theta.col(j).array() >= low_.array()) && (theta.col(j).array() <= high_.array())).all();
    lp(j) = inside ? -log_volume_ : -std::numeric_limits<double>::infinity();
  }
  return lp;
}

Eigen::MatrixXd BoxUniform::from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("BoxUniform::from_unconstrained", "u", u, dim());
  Eigen::MatrixXd theta(u.rows(), u.cols());
  for (Eigen::Index j = 0; j < u.cols(); ++j)
    for (Eigen::Index i = 0; i < u.rows(); ++i) theta(i, j) = low_(i) + width_(i) * sigmoid(u(i, j));
  return theta;
}

// u = logit(y) = log y − log(1 − y), y = (θ − low)/(high − low).
Eigen::MatrixXd BoxUniform::to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("BoxUniform::to_unconstrained", "theta", theta, dim());
  Eigen::MatrixXd u(theta.rows(), theta.cols());
  for (Eigen::Index j = 0; j < theta.cols(); ++j)
    for (Eigen::Index i = 0; i < theta.rows(); ++i) {
      const double y = (theta(i, j) - low_(i)) / width_(i);
      u(i, j) = std::log(y) - std::log1p(-y);
    }
  return u;
}

Eigen::VectorXd BoxUniform::log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("BoxUniform::log_abs_det_jacobian", "u", u, dim());
  Eigen::VectorXd ladj(u.cols());
  for (Eigen::Index j = 0; j < u.cols(); ++j) {
    double s = log_volume_;
    for (Eigen::Index i = 0; i < u.rows(); ++i) s += log_sigmoid(u(i, j)) + log_sigmoid(-u(i, j));
    ladj(j) = s;
  }
  return ladj;
}

Eigen::VectorXd BoxUniform::mean() const { return 0.5 * (low_ + high_); }
Eigen::VectorXd BoxUniform::stddev() const { return width_ / std::sqrt(12.0); }

}  // namespace nsbi
