#pragma once
// Max pooling over non-overlapping ph×pw windows (stride = window), the down-sampling step of the
// CNN embeddings: Y[c, h, w] = max_{i<ph, j<pw} X[c, h·ph + i, w·pw + j], output H/ph × W/pw
// (rounded down: a last partial row or column is dropped, as PyTorch's MaxPool2d). Layout as
// Conv2d: one sample per column, channel-major. The gradient goes to the input that was the
// maximum (the first one in row-major window order on a tie).
#include "nsbi/nn/tensor.hpp"

namespace nsbi::nn {

template <typename T>
class MaxPool2d {
 public:
  /// Throws ConfigError when a window is larger than the grid (the output would be empty).
  MaxPool2d(int channels, int height, int width, int pool_height, int pool_width);

  int out_height() const { return h_ / ph_; }
  int out_width() const { return w_ / pw_; }
  int in_size() const { return c_ * h_ * w_; }
  int out_size() const { return c_ * out_height() * out_width(); }

  /// X (in_size×N) → Y (out_size×N); remembers which input each output took.
  void forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y);
  /// dY (out_size×N) of the last forward → dX (in_size×N).
  void backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX) const;

 private:
  int c_, h_, w_, ph_, pw_;
  Eigen::Matrix<Eigen::Index, Eigen::Dynamic, Eigen::Dynamic> argmax_;  // out_size×N input feature indices
};

}  // namespace nsbi::nn
