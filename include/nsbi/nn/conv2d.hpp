#pragma once
// 2-D convolution, stride 1, "same" padding: the layer of the cnn2d embedding (maps) and of the
// cnn1d embedding (series, as height 1 with a 1×k kernel). One sample per column, channel-major:
// feature c·H·W + h·W + w is channel c at row h, column w. With an odd kernel kh×kw,
//   Y[o, h, w] = b_o + Σ_{c,i,j} K[o, c, i, j] · X[c, h + i − ⌊kh/2⌋, w + j − ⌊kw/2⌋],
// where X = 0 outside the grid (Padding::zeros) or X is periodic, indices taken modulo H and W
// (Padding::circular: a periodic simulation box, whose maps have no edges; the layer then
// commutes with circular shifts of the grid).
// With `symmetric`, the layer uses the kernel averaged over the symmetries of its rectangle,
//   K_s[o, c] = (1/|G|) Σ_{g ∈ G} K[o, c] ∘ g,
// G the reflections of both axes and, for a square kernel, the transposition (the 8 rotations
// and reflections of the square, D4; the reversal for a 1×k kernel). Each K_s[o, c] is then
// invariant under G, so the layer commutes with those rotations and reflections of the map (of a
// square map for D4): the isotropic filters of an isotropic field. K stays the parameter; its
// gradient is the average of K_s's (the projection is its own adjoint).
// This is one GEMM on the im2col patch matrix of the batch, Pᵀ (N·H·W × C·kh·kw): Yᵀ = Pᵀ·Kᵀ + 1·bᵀ,
// with K (out × C·kh·kw, column (c·kh + i)·kw + j) and b registered as a Linear layer's weight
// and bias, so the initialisation is PyTorch's default (bound 1/√fan_in, fan_in = C·kh·kw).
#include <vector>

#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

enum class Padding { zeros, circular };

template <typename T>
class Conv2d {
 public:
  /// Registers K and b in `params`; throws ConfigError for an even or non-positive kernel.
  Conv2d(ParameterBuffer<T>& params, int in_channels, int out_channels, int height, int width, int kernel_height,
         int kernel_width, Padding padding = Padding::zeros, bool symmetric = false);

  int in_size() const { return cin_ * h_ * w_; }
  int out_size() const { return cout_ * h_ * w_; }
  int out_channels() const { return cout_; }
  void init_default(RandomStream& rng) { kernel_.init_default(rng); }

  /// X (in_size×N) → Y (out_size×N); keeps the patches for backward.
  void forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y);
  /// dY (out_size×N) of the last forward: adds dK, db to the gradient buffer; dX (in_size×N).
  void backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX);

 private:
  // f(r, p, k, len) for every run of len patch entries Pᵀ(p … p+len−1, r) of one sample that copy
  // the inputs k … k+len−1 (a row segment of one channel; the zero padding left out, a circular
  // one's wrap-around starting a new run).
  template <class F>
  void for_each_run(F&& f) const;
  bool symmetric() const { return !orbits_.empty(); }
  // out(:, c·taps + t) (=, or += with accumulate) the mean of K(:, c·taps + u) over t's orbit.
  template <class Out>
  void symmetrize(const Eigen::Ref<const Mat<T>>& K, Out&& out, bool accumulate) const;
  // The kernel the layer applies: K, or K_s (ks_, computed by forward).
  Eigen::Ref<const Mat<T>> applied_kernel() const;

  ParameterBuffer<T>* params_;
  int cin_, cout_, h_, w_, kh_, kw_;
  Padding padding_;
  // symmetric: for each tap t = i·kw + j of a kernel, the taps of its orbit under G (|G| each,
  // with repeats), and K_s and its gradient.
  std::vector<std::vector<int>> orbits_;
  Mat<T> ks_, dks_;
  Eigen::Index w_offset_;  // K's offset in the buffer; b follows it
  Linear<T> kernel_;
  Mat<T> patches_;        // Pᵀ of the last forward
  Mat<T> yt_, dyt_, dpt_;  // Yᵀ, d(loss)/dYᵀ and d(loss)/dPᵀ, samples stacked by rows
};

}  // namespace nsbi::nn
