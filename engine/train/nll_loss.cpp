#include "nsbi/train/nll_loss.hpp"

namespace nsbi::train {

NllLoss::NllLoss(nn::ConditionalDensityEstimator<float>& estimator, const nn::Mat<float>& y, const nn::Mat<float>& c)
    : estimator_(estimator), y_(y), c_(c) {}

void NllLoss::gather(std::span<const std::int64_t> examples) {
  const auto n = static_cast<Eigen::Index>(examples.size());
  yb_.resize(y_.rows(), n);
  cb_.resize(c_.rows(), n);
  for (Eigen::Index j = 0; j < n; ++j) {
    yb_.col(j) = y_.col(examples[j]);
    cb_.col(j) = c_.col(examples[j]);
  }
  lp_.resize(n);
}

double NllLoss::loss_and_gradient(std::span<const std::int64_t> examples) {
  gather(examples);
  estimator_.log_prob(yb_, cb_, lp_);
  g_.setConstant(lp_.size(), -1.0f);  // d(−log q)/d(log q)
  estimator_.backward(g_);
  return -lp_.cast<double>().sum();
}

double NllLoss::loss(std::span<const std::int64_t> examples) {
  gather(examples);
  estimator_.log_prob(yb_, cb_, lp_);
  return -lp_.cast<double>().sum();
}

}  // namespace nsbi::train
