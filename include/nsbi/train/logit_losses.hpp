#pragma once
// Per-example losses on logits, shared by every classifier objective: the C2ST's classifier, the
// ratio estimators' losses (BCE of NRE-A and CARL, the 1-of-K loss of NRE-B) and the atomic APT
// loss, so that each numerically delicate formula exists once.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace nsbi::train {

struct LogitLoss {
  double value = 0;     // the loss
  double gradient = 0;  // its derivative with respect to the logit
};

/// Binary cross-entropy of label y ∈ [0, 1] against the logit z (σ(z) = P(class 1)):
///   −y log σ(z) − (1 − y) log(1 − σ(z)) = softplus(z) − y z,
///   d/dz = σ(z) − y,
/// with softplus(z) = max(z, 0) + log1p(exp(−|z|)) and σ from the same exp(−|z|), so neither
/// overflows for any finite z (for |z| ≫ 1 the loss is |z| or 0, never inf or NaN).
inline LogitLoss bce_with_logits(double z, double y) {
  const double e = std::exp(-std::abs(z));
  const double sigma = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  return {std::max(z, 0.0) - y * z + std::log1p(e), sigma - y};
}

/// The 1-of-K cross-entropy with class 0 correct, on the K logits a:
///   −log softmax(a)_0 = logsumexp_j a_j − a_0,
/// computed as m + log Σ_j exp(a_j − m) with m = max_j a_j. When `grad` is not null it receives
/// the K derivatives softmax(a)_j − δ_j0 (in float, as the networks consume them).
inline double softmax_cross_entropy(const Eigen::Ref<const Eigen::VectorXd>& a, float* grad = nullptr) {
  const double m = a.maxCoeff();
  const double lse = m + std::log((a.array() - m).exp().sum());
  if (grad) {
    Eigen::Map<Eigen::VectorXf> g(grad, a.size());
    g = (a.array() - lse).exp().cast<float>().matrix();
    g(0) -= 1.0f;
  }
  return lse - a(0);
}

}  // namespace nsbi::train
