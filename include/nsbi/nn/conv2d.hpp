#pragma once
// 2-D convolution, stride 1, zero "same" padding: the layer of the cnn2d embedding (maps) and of
// the cnn1d embedding (series, as height 1 with a 1×k kernel). One sample per column,
// channel-major: feature c·H·W + h·W + w is channel c at row h, column w. With an odd kernel
// kh×kw and X = 0 outside the grid,
//   Y[o, h, w] = b_o + Σ_{c,i,j} K[o, c, i, j] · X[c, h + i − ⌊kh/2⌋, w + j − ⌊kw/2⌋].
// Per sample this is one GEMM on the im2col patch matrix P (C·kh·kw × H·W), Y_s = K·P + b, with
// K (out × C·kh·kw, column (c·kh + i)·kw + j) the weight of a Linear layer: PyTorch's default
// initialisation (bound 1/√fan_in, fan_in = C·kh·kw) and the parameter gradients are Linear's.
#include <vector>

#include "nsbi/nn/linear.hpp"

namespace nsbi::nn {

template <typename T>
class Conv2d {
 public:
  /// Registers K and b in `params`; throws ConfigError for an even or non-positive kernel.
  Conv2d(ParameterBuffer<T>& params, int in_channels, int out_channels, int height, int width, int kernel_height,
         int kernel_width);

  int in_size() const { return cin_ * h_ * w_; }
  int out_size() const { return cout_ * h_ * w_; }
  int out_channels() const { return cout_; }
  void init_default(RandomStream& rng) { kernel_.init_default(rng); }

  /// X (in_size×N) → Y (out_size×N); keeps the patches for backward.
  void forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y);
  /// dY (out_size×N) of the last forward: adds dK, db to the gradient buffer; dX (in_size×N).
  void backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX);

 private:
  // f(r, p, k) for every patch entry P(r, p) that copies input feature k (the zero padding left out).
  template <class F>
  void for_each_tap(F&& f) const;

  int cin_, cout_, h_, w_, kh_, kw_;
  Linear<T> kernel_;
  std::vector<Mat<T>> patches_;  // P of each sample of the last forward
  Mat<T> ys_, dys_, dp_;         // one sample's output, its gradient, the patches' gradient
};

}  // namespace nsbi::nn
