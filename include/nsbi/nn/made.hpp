#pragma once
// MADE: masked autoencoder for distribution estimation (Germain et al. 2015), conditioned on a
// context (Papamakarios et al. 2017). For input u (D×N) and context c (C×N) it outputs, per
// dimension i, a shift m_i and an unconstrained log-scale a_i that depend on u_<i and c only:
//   h1 = tanh(W1·u + V·c + b1),  h2 = tanh(W2·h1 + b2),  [m; a] = W3·h2 + b3   (2D×N)
// Degrees follow nflows' sequential assignment: input i has degree i+1, hidden unit k has
// degree k mod max(1, D−1) + min(1, D−1); a hidden unit sees inputs of degree ≤ its own, an
// output of degree d sees hidden units of degree < d.
#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

template <typename T>
class Made {
 public:
  Made(ParameterBuffer<T>& params, int dim, int context_dim, int hidden);

  int dim() const { return dim_; }
  void init(RandomStream& rng);

  /// Computes [m; a] (2D×N) into output(); keeps u, c and the activations for backward.
  void forward(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);
  const Mat<T>& output() const { return out_; }

  /// d_out = d(loss)/d[m; a] (2D×N): adds parameter gradients and writes d(loss)/du through
  /// the network into du (D×N).
  void backward(const Eigen::Ref<const Mat<T>>& d_out, Eigen::Ref<Mat<T>> du);

  /// The degree masks (for tests): input→hidden, hidden→hidden, hidden→output.
  const Mat<T>& mask_in() const { return m1_; }
  const Mat<T>& mask_hidden() const { return m2_; }
  const Mat<T>& mask_out() const { return m3_; }

 private:
  int dim_, context_dim_, hidden_;
  Linear<T> l1_, ctx_, l2_, l3_;
  Mat<T> m1_, m2_, m3_;
  // Workspace, resized only when the batch size changes.
  Mat<T> u_, c_, h1_, h2_, out_, dh2_, dh1_;
};

}  // namespace nsbi::nn
