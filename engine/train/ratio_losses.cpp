#include "nsbi/train/ratio_losses.hpp"

#include <algorithm>
#include <string>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/train/logit_losses.hpp"
#include "nsbi/train/other_positions.hpp"

namespace nsbi::train {
namespace {

// θ and x must be pairs of the classifier's dimensions.
void check_pairs(const char* name, const nn::RatioClassifier<float>& d, DataRef theta,
                 DataRef x) {
  if (theta.rows() != d.theta_dim() || x.rows() != d.x_dim() || x.cols() != theta.cols())
    throw ShapeError(make_message(name, "θ and x", std::to_string(d.theta_dim()) + "×N and " +
                                                       std::to_string(d.x_dim()) + "×N",
                                  std::to_string(theta.rows()) + "×" + std::to_string(theta.cols()) + " and " +
                                      std::to_string(x.rows()) + "×" + std::to_string(x.cols())));
}

// softplus(−z₀) + softplus(z₁): the BCE of a pair with label 1 (NRE-A's dependent pair, CARL's
// simulation at θ) and one with label 0 (the marginal pair, the reference simulation).
double positive_negative_bce(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) {
  const LogitLoss positive = bce_with_logits(z(0), 1.0), negative = bce_with_logits(z(1), 0.0);
  if (grad) {
    grad[0] = static_cast<float>(positive.gradient);
    grad[1] = static_cast<float>(negative.gradient);
  }
  return positive.value + negative.value;
}

}  // namespace

ContrastingRatioLoss::ContrastingRatioLoss(const char* name, nn::RatioClassifier<float>& classifier,
                                           DataRef theta, DataRef x, int atoms,
                                           std::uint64_t seed, const DataRef* x_contrast)
    : name_(name), classifier_(classifier), theta_(theta), x_(x), x_contrast_(x_contrast ? *x_contrast : x),
      atoms_(atoms), seed_(seed) {
  if (atoms < 2) throw ConfigError(make_message(name, "atoms", ">= 2", std::to_string(atoms)));
  check_pairs(name, classifier, theta, x);
  if (x_contrast_.rows() != x.rows() || x_contrast_.cols() != x.cols())
    throw ShapeError(make_message(name, "reference x", std::to_string(x.rows()) + "×" + std::to_string(x.cols()),
                                  std::to_string(x_contrast_.rows()) + "×" + std::to_string(x_contrast_.cols())));
}

int ContrastingRatioLoss::atoms(std::int64_t batch_size) const {
  return static_cast<int>(std::min<std::int64_t>(atoms_, batch_size));
}

void ContrastingRatioLoss::begin_batch(const Minibatch& batch) {
  const auto B = static_cast<std::int64_t>(batch.examples.size());
  if (B < 2)
    throw ConfigError(make_message(name_, "minibatch size", ">= 2 (an example needs another to contrast with)",
                                   std::to_string(B)));
  k_ = atoms(B);
  RandomStream rng(seed_, StreamId::atoms, batch.round, batch.key());
  draw_other_positions(B, k_ - 1, rng, others_);
}

double ContrastingRatioLoss::evaluate(const Minibatch& batch, std::int64_t begin, std::int64_t end, bool gradient) {
  const std::int64_t m = end - begin, K = k_;
  const auto cols = static_cast<Eigen::Index>(m * K);
  thetab_.resize(theta_.rows(), cols);
  xb_.resize(x_.rows(), cols);
  // Column i·K + j: x_n of example i (x_contrast_n for j ≥ 1) against the θ of its atom j; atom 0
  // is the example's own θ.
  for (std::int64_t i = 0; i < m; ++i) {
    const std::int64_t pos = begin + i, n = batch.examples[pos];
    const auto base = static_cast<Eigen::Index>(i * K);
    thetab_.col(base) = theta_.col(n);
    const auto o = contrasts_of(pos);
    for (std::int64_t j = 1; j < K; ++j) thetab_.col(base + j) = theta_.col(batch.examples[o[j - 1]]);
    xb_.col(base) = x_.col(n);
    xb_.middleCols(base + 1, K - 1).colwise() = x_contrast_.col(n);
  }
  logits_.resize(cols);
  classifier_.forward(thetab_, xb_, logits_);
  z_ = logits_.cast<double>();
  if (gradient) g_.resize(cols);
  double total = 0;
  for (std::int64_t i = 0; i < m; ++i) {
    const auto base = static_cast<Eigen::Index>(i * K);
    total += example_loss(z_.segment(base, K), gradient ? g_.data() + base : nullptr);
  }
  if (gradient) classifier_.backward(g_);
  return total;
}

double ContrastingRatioLoss::loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  return evaluate(batch, begin, end, true);
}

double ContrastingRatioLoss::loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  return evaluate(batch, begin, end, false);
}

BceRatioLoss::BceRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta,
                           DataRef x, std::uint64_t seed)
    : ContrastingRatioLoss("NRE-A loss", classifier, theta, x, 2, seed) {}

double BceRatioLoss::example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const {
  return positive_negative_bce(z, grad);
}

ContrastiveRatioLoss::ContrastiveRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta,
                                           DataRef x, int atoms, std::uint64_t seed)
    : ContrastingRatioLoss("NRE-B loss", classifier, theta, x, atoms, seed) {}

double ContrastiveRatioLoss::example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const {
  return softmax_cross_entropy(z, grad);
}

CarlRatioLoss::CarlRatioLoss(nn::RatioClassifier<float>& classifier, DataRef theta,
                             DataRef x, DataRef x_ref, std::uint64_t seed)
    : ContrastingRatioLoss("CARL loss", classifier, theta, x, 2, seed, &x_ref) {}

double CarlRatioLoss::example_loss(const Eigen::Ref<const Eigen::VectorXd>& z, float* grad) const {
  return positive_negative_bce(z, grad);
}

}  // namespace nsbi::train
