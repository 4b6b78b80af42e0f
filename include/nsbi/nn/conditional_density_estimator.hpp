#pragma once
// The density-estimator seam: q(y | c) for a batch, backward into the flat gradient buffer,
// and sampling. NPE uses y = θ, c = x; NLE uses y = x, c = θ. Losses live elsewhere and only
// supply d(loss)/d(log q) per sample.
#include <cmath>
#include <numbers>
#include <cstdint>
#include <vector>

#include "nsbi/core/random.hpp"
#include "nsbi/nn/parameter_buffer.hpp"
#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

template <typename T>
class ConditionalDensityEstimator {
 public:
  virtual ~ConditionalDensityEstimator() = default;

  virtual int target_dim() const = 0;
  virtual int context_dim() const = 0;
  virtual ParameterBuffer<T>& parameters() = 0;

  /// log q(y_n | c_n) for each column: y (target_dim×N), c (context_dim×N), in the raw
  /// (un-standardised) units of the data → out (N). Keeps what backward() needs.
  virtual void log_prob(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                        Eigen::Ref<Vec<T>> out) = 0;
  /// Given g_n = d(loss)/d(log q(y_n|c_n)) for the last log_prob call, adds d(loss)/d(params)
  /// to parameters().grads().
  virtual void backward(const Eigen::Ref<const Vec<T>>& g) = 0;
  /// backward(g), and also dc = d(loss)/dc (context_dim×N, raw units of c) for the last
  /// log_prob call: the gradient an embedding network in front of the estimator trains on.
  virtual void backward_with_context(const Eigen::Ref<const Vec<T>>& g, Eigen::Ref<Mat<T>> dc) = 0;
  /// log q(y_n | c_n) like log_prob, for inference: it may take a faster path whose result
  /// agrees with log_prob's to rounding. backward() needs a log_prob() after the last evaluate()
  /// (the default here is log_prob itself; MAF's own path leaves the training state alone).
  virtual void evaluate(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c,
                        Eigen::Ref<Vec<T>> out) {
    log_prob(y, c, out);
  }
  /// n draws y ~ q(· | c) for one context c (context_dim) → target_dim×n.
  virtual Mat<T> sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) = 0;
  /// Data-dependent initialisation from the training contexts (context_dim×N), once, after
  /// construction and before the first training (an embedding's EmbeddingNet::calibrate); the
  /// default does nothing.
  virtual void calibrate_context(const Eigen::Ref<const Mat<T>>& c) { (void)c; }
};

/// rows × cols draws of N(0, 1) from `rng`, column by column: the base draws of a flow's sample().
template <typename T>
Mat<T> standard_normal(int rows, Eigen::Index cols, RandomStream& rng) {
  Mat<T> z(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) z(i, j) = static_cast<T>(rng.normal());
  return z;
}

/// out(n) = log N(u_n; 0, I) + log_det(n) for each column u_n of u: a flow's density from its
/// base draws and the summed log-determinants of its transforms.
template <typename T>
void standard_normal_log_prob(const Mat<T>& u, const Vec<T>& log_det, Eigen::Ref<Vec<T>> out) {
  const T half_log_2pi = static_cast<T>(0.5 * std::log(2.0 * std::numbers::pi));
  out = (T(-0.5) * u.array().square().colwise().sum()).matrix().transpose();
  out.array() += log_det.array() - static_cast<T>(u.rows()) * half_log_2pi;
}

/// The equal-weight mixture of an ensemble, log((1/K)·Σ_k q_k(y_n | c_n)) for each column, by
/// each member's evaluate() and log-sum-exp over members (a column where the largest member is
/// −∞ or NaN keeps it). lp and members are the caller's workspace, so that repeated calls of
/// the same width do not allocate. NPE's posterior ensembles and NLE's likelihood ensembles.
inline void ensemble_log_prob(const std::vector<ConditionalDensityEstimator<float>*>& q,
                              const Eigen::Ref<const Mat<float>>& y, const Eigen::Ref<const Mat<float>>& c,
                              Vec<float>& lp, Eigen::MatrixXd& members, Eigen::Ref<Eigen::VectorXd> out) {
  const Eigen::Index n = y.cols();
  lp.resize(n);
  if (q.size() == 1) {
    q.front()->evaluate(y, c, lp);
    out = lp.cast<double>();
    return;
  }
  members.resize(static_cast<Eigen::Index>(q.size()), n);
  for (std::size_t k = 0; k < q.size(); ++k) {
    q[k]->evaluate(y, c, lp);
    members.row(static_cast<Eigen::Index>(k)) = lp.cast<double>().transpose();
  }
  const double log_k = std::log(static_cast<double>(q.size()));
  for (Eigen::Index j = 0; j < n; ++j) {
    const double mx = members.col(j).maxCoeff();
    out(j) = (std::isfinite(mx) ? mx + std::log((members.col(j).array() - mx).exp().sum()) : mx) - log_k;
  }
}

}  // namespace nsbi::nn
