#pragma once
// Adam (Kingma & Ba 2015) on a flat parameter vector, and gradient-norm clipping as in
// torch.nn.utils.clip_grad_norm_.
#include <cstdint>

#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

struct AdamOptions {
  double learning_rate = 5e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

template <typename T>
class Adam {
 public:
  Adam(Eigen::Index size, const AdamOptions& options);

  /// params −= lr · m̂ / (√v̂ + eps) with bias-corrected moments.
  void step(Eigen::Ref<Vec<T>> params, const Eigen::Ref<const Vec<T>>& grads);

  std::int64_t steps() const { return t_; }
  const Vec<T>& first_moment() const { return m_; }
  const Vec<T>& second_moment() const { return v_; }
  /// Restores the state (checkpoints, best-weights restore keeps moments as they are).
  void set_state(std::int64_t t, Vec<T> m, Vec<T> v);
  AdamOptions& options() { return opt_; }

 private:
  AdamOptions opt_;
  Vec<T> m_, v_;
  std::int64_t t_ = 0;
};

/// Scales `grads` so that its 2-norm is at most max_norm (torch's rule: factor
/// max_norm / (norm + 1e-6) when below 1). Returns the norm before clipping.
template <typename T>
double clip_grad_norm(Eigen::Ref<Vec<T>> grads, double max_norm);

}  // namespace nsbi::nn
