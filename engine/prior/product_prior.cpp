#include "nsbi/prior/product_prior.hpp"

#include <utility>

#include "engine/prior/prior_checks.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {

ProductPrior::ProductPrior(std::vector<std::unique_ptr<Prior>> parts) : parts_(std::move(parts)) {
  if (parts_.empty()) throw ConfigError(make_message("ProductPrior", "number of parts", "at least 1", "0"));
  for (std::size_t k = 0; k < parts_.size(); ++k) {
    if (!parts_[k])
      throw ConfigError(make_message("ProductPrior", "part " + std::to_string(k), "a prior", "a null pointer"));
    offsets_.push_back(dim_);
    dim_ += parts_[k]->dim();
  }
}

Eigen::VectorXd ProductPrior::stack(VectorFn f) const {
  Eigen::VectorXd v(dim_);
  for (std::size_t k = 0; k < parts_.size(); ++k) v.segment(offsets_[k], parts_[k]->dim()) = ((*parts_[k]).*f)();
  return v;
}

Eigen::MatrixXd ProductPrior::blockwise(ColumnwiseFn f, const Eigen::Ref<const Eigen::MatrixXd>& in) const {
  Eigen::MatrixXd out(in.rows(), in.cols());
  for (std::size_t k = 0; k < parts_.size(); ++k) {
    const int d = parts_[k]->dim();
    out.middleRows(offsets_[k], d) = ((*parts_[k]).*f)(in.middleRows(offsets_[k], d));
  }
  return out;
}

Eigen::VectorXd ProductPrior::sum_over_parts(ReduceFn f, const Eigen::Ref<const Eigen::MatrixXd>& in) const {
  Eigen::VectorXd total = Eigen::VectorXd::Zero(in.cols());
  for (std::size_t k = 0; k < parts_.size(); ++k) total += ((*parts_[k]).*f)(in.middleRows(offsets_[k], parts_[k]->dim()));
  return total;
}

std::string ProductPrior::describe() const {
  std::string s = "ProductPrior(";
  for (std::size_t k = 0; k < parts_.size(); ++k) s += (k ? ", " : "") + parts_[k]->describe();
  return s + ")";
}

void ProductPrior::sample(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) const {
  detail::require_rows("ProductPrior::sample", "theta", theta, dim_);
  for (std::size_t k = 0; k < parts_.size(); ++k) parts_[k]->sample(rng, theta.segment(offsets_[k], parts_[k]->dim()));
}

Eigen::VectorXd ProductPrior::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("ProductPrior::log_prob", "theta", theta, dim_);
  return sum_over_parts(&Prior::log_prob, theta);
}

Eigen::VectorXd ProductPrior::lower() const { return stack(&Prior::lower); }
Eigen::VectorXd ProductPrior::upper() const { return stack(&Prior::upper); }
Eigen::VectorXd ProductPrior::mean() const { return stack(&Prior::mean); }
Eigen::VectorXd ProductPrior::stddev() const { return stack(&Prior::stddev); }

Eigen::MatrixXd ProductPrior::from_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("ProductPrior::from_unconstrained", "u", u, dim_);
  return blockwise(&Prior::from_unconstrained, u);
}
Eigen::MatrixXd ProductPrior::to_unconstrained(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  detail::require_rows("ProductPrior::to_unconstrained", "theta", theta, dim_);
  return blockwise(&Prior::to_unconstrained, theta);
}
// The Jacobian is block diagonal, so log|det J| is the sum over the blocks.
Eigen::VectorXd ProductPrior::log_abs_det_jacobian(const Eigen::Ref<const Eigen::MatrixXd>& u) const {
  detail::require_rows("ProductPrior::log_abs_det_jacobian", "u", u, dim_);
  return sum_over_parts(&Prior::log_abs_det_jacobian, u);
}

}  // namespace nsbi
