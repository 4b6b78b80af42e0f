#include "nsbi/train/atomic_loss.hpp"

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/train/logit_losses.hpp"
#include "nsbi/train/other_positions.hpp"

namespace nsbi::train {

AtomicLoss::AtomicLoss(nn::ConditionalDensityEstimator<float>& estimator, DataRef y,
                       DataRef c, const Eigen::VectorXd& log_prior, int atoms, std::uint64_t seed,
                       const Eigen::VectorXd& nll_weight)
    : estimator_(estimator), y_(y), c_(c), log_prior_(log_prior), nll_weight_(nll_weight), atoms_(atoms), seed_(seed) {
  if (atoms < 2) throw ConfigError(make_message("atomic loss", "atoms", ">= 2", std::to_string(atoms)));
  if (log_prior.size() != y.cols() || c.cols() != y.cols())
    throw ShapeError(make_message("atomic loss", "examples", std::to_string(y.cols()) + " θ, x and log p",
                                  std::to_string(c.cols()) + " x and " + std::to_string(log_prior.size()) + " log p"));
  if (nll_weight.size() != 0 && nll_weight.size() != y.cols())
    throw ShapeError(make_message("atomic loss", "NLL weights", "none or " + std::to_string(y.cols()),
                                  std::to_string(nll_weight.size())));
}

void AtomicLoss::begin_batch(const Minibatch& batch) {
  const auto B = static_cast<std::int64_t>(batch.examples.size());
  k_ = atoms(B);
  RandomStream rng(seed_, StreamId::atoms, batch.round, batch.key());
  draw_other_positions(B, k_ - 1, rng, others_);
}

double AtomicLoss::evaluate(const Minibatch& batch, std::int64_t begin, std::int64_t end, bool gradient) {
  const std::int64_t m = end - begin, K = k_;
  const Eigen::Index cols = static_cast<Eigen::Index>(m * K);
  yb_.resize(y_.rows(), cols);
  cb_.resize(c_.rows(), cols);
  lp_.resize(cols);
  a_.resize(cols);
  // Column i·K + j: atom j of example i; atom 0 is the example's own θ.
  for (std::int64_t i = 0; i < m; ++i) {
    const std::int64_t pos = begin + i, n = batch.examples[pos];
    const auto base = static_cast<Eigen::Index>(i * K);
    yb_.col(base) = y_.col(n);
    a_(base) = -log_prior_(n);
    const auto o = atoms_of(pos);
    for (std::int64_t j = 1; j < K; ++j) {
      const std::int64_t e = batch.examples[o[j - 1]];
      yb_.col(base + j) = y_.col(e);
      a_(base + j) = -log_prior_(e);
    }
    cb_.middleCols(base, K).colwise() = c_.col(n);
  }
  estimator_.log_prob(yb_, cb_, lp_);
  a_ += lp_.cast<double>();
  double total = 0;
  if (gradient) g_.resize(cols);
  for (std::int64_t i = 0; i < m; ++i) {
    const auto base = static_cast<Eigen::Index>(i * K);
    total += softmax_cross_entropy(a_.segment(base, K), gradient ? g_.data() + base : nullptr);
    if (nll_weight_.size() == 0) continue;
    // Combined loss: + w_n · (−log q(θ_n | x_n)), the own atom's log q.
    const double w = nll_weight_(batch.examples[begin + i]);
    total -= w * static_cast<double>(lp_(base));
    if (gradient) g_(base) -= static_cast<float>(w);
  }
  if (gradient) estimator_.backward(g_);
  return total;
}

double AtomicLoss::loss_and_gradient(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  return evaluate(batch, begin, end, true);
}

double AtomicLoss::loss(const Minibatch& batch, std::int64_t begin, std::int64_t end) {
  return evaluate(batch, begin, end, false);
}

}  // namespace nsbi::train
