#pragma once
// MADE: masked autoencoder for distribution estimation (Germain et al. 2015), conditioned on a
// context (Papamakarios et al. 2017). For input u (D×N) and context c (C×N) it outputs M values
// per dimension i (M = outputs_per_dim) that depend on u_<i and c only:
//   h1 = tanh(W1·u + V·c + b1),  h2 = tanh(W2·h1 + b2),  o = W3·h2 + b3   (M·D×N)
// Row p·D + i of o is value p of dimension i: for MAF (M = 2) the shift m_i and the
// unconstrained log-scale a_i, [m; a]; for a spline flow the bin widths, heights and slopes.
// Degrees follow nflows' sequential assignment: input i has degree order(i)+1 (the identity
// order by default), hidden unit k has degree k mod max(1, D−1) + min(1, D−1); a hidden unit
// sees inputs of degree ≤ its own, an output of feature i has input i's degree and sees hidden
// units of lower degree. So output i depends on the inputs that come before i in the order.
#include <span>
#include <vector>

#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

template <typename T>
class Made {
 public:
  /// `order`: a permutation of 0..dim−1, order[i] the position of input i in the autoregressive
  /// order (empty: the identity).
  Made(ParameterBuffer<T>& params, int dim, int context_dim, int hidden, int outputs_per_dim = 2,
       std::span<const int> order = {});

  int dim() const { return dim_; }
  /// The input at position r of the autoregressive order (inversion goes in this order).
  int feature_at(int r) const { return feature_at_[static_cast<std::size_t>(r)]; }
  int outputs_per_dim() const { return outputs_; }
  void init(RandomStream& rng);

  /// Computes o (M·D×N) into output(); keeps u, c and the activations for backward.
  void forward(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c);
  const Mat<T>& output() const { return out_; }

  /// The same network in the batch-major layout, for inference: u (N×D), c (N×C) → out
  /// (N×M·D, column p·D + i = value p of dimension i). Keeps nothing for backward.
  void forward_batch_major(const Eigen::Ref<const Mat<T>>& u, const Eigen::Ref<const Mat<T>>& c, Mat<T>& out);

  /// d_out = d(loss)/do (M·D×N): adds parameter gradients and writes d(loss)/du through
  /// the network into du (D×N); with `dc`, also adds d(loss)/dc into *dc (C×N).
  void backward(const Eigen::Ref<const Mat<T>>& d_out, Eigen::Ref<Mat<T>> du, Mat<T>* dc = nullptr);

  /// The degree masks (for tests): input→hidden, hidden→hidden, hidden→output.
  const Mat<T>& mask_in() const { return m1_; }
  const Mat<T>& mask_hidden() const { return m2_; }
  const Mat<T>& mask_out() const { return m3_; }

 private:
  int dim_, context_dim_, hidden_, outputs_;
  Linear<T> l1_, ctx_, l2_, l3_;
  Mat<T> m1_, m2_, m3_;
  std::vector<int> feature_at_;
  // Workspace, resized only when the batch size changes.
  Mat<T> u_, c_, h1_, h2_, out_, dh2_, dh1_;
  Mat<T> g1_, g2_;  // batch-major hidden activations of forward_batch_major
};

}  // namespace nsbi::nn
