#include "nsbi/train/nll_loss.hpp"

#include "nsbi/core/error.hpp"

namespace nsbi::train {

const nn::Vec<float>& NllLoss::empty_weights() {
  static const nn::Vec<float> none;
  return none;
}

NllLoss::NllLoss(nn::ConditionalDensityEstimator<float>& estimator, DataRef y, DataRef c,
                 const nn::Vec<float>& weights)
    : estimator_(estimator), y_(y), c_(c), w_(weights) {
  if (w_.size() != 0 && w_.size() != y_.cols())
    throw ShapeError(make_message("nll loss", "weights", std::to_string(y_.cols()), std::to_string(w_.size())));
}

void NllLoss::gather(std::span<const std::int64_t> examples) {
  const auto n = static_cast<Eigen::Index>(examples.size());
  yb_.resize(y_.rows(), n);
  cb_.resize(c_.rows(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    yb_.col(j) = y_.col(examples[j]);
    cb_.col(j) = c_.col(examples[j]);
  }
  lp_.resize(n);
  if (w_.size()) {
    g_.resize(n);
    for (Eigen::Index j = 0; j < n; ++j) g_(j) = w_(examples[j]);
  }
}

double NllLoss::loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  gather(batch.examples.subspan(begin, end - begin));
  estimator_.log_prob(yb_, cb_, lp_);
  if (w_.size() == 0) {
    g_.setConstant(lp_.size(), -1.0f);  // d(−log q)/d(log q)
    estimator_.backward(g_);
    return -lp_.cast<double>().sum();
  }
  const double l = -(g_.cast<double>().array() * lp_.cast<double>().array()).sum();
  g_ = -g_;  // d(−w log q)/d(log q) = −w
  estimator_.backward(g_);
  return l;
}

double NllLoss::loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  gather(batch.examples.subspan(begin, end - begin));
  estimator_.log_prob(yb_, cb_, lp_);
  if (w_.size() == 0) return -lp_.cast<double>().sum();
  return -(g_.cast<double>().array() * lp_.cast<double>().array()).sum();
}

}  // namespace nsbi::train
