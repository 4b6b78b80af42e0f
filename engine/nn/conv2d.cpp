#include "nsbi/nn/conv2d.hpp"

#include <algorithm>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

namespace {

int checked_kernel(int k, const char* what) {
  if (k < 1 || k % 2 == 0)
    throw ConfigError(make_message("Conv2d", what, "an odd positive kernel size", std::to_string(k)));
  return k;
}

}  // namespace

template <typename T>
Conv2d<T>::Conv2d(ParameterBuffer<T>& params, int in_channels, int out_channels, int height, int width,
                  int kernel_height, int kernel_width, Padding padding)
    : params_(&params),
      cin_(in_channels),
      cout_(out_channels),
      h_(height),
      w_(width),
      kh_(checked_kernel(kernel_height, "kernel height")),
      kw_(checked_kernel(kernel_width, "kernel width")),
      padding_(padding),
      w_offset_(params.size()),
      kernel_(params, in_channels * kernel_height * kernel_width, out_channels) {}

template <typename T>
template <class F>
void Conv2d<T>::for_each_run(F&& f) const {
  const int ph = kh_ / 2, pw = kw_ / 2;
  if (padding_ == Padding::circular) {
    const auto wrap = [](int v, int n) { return ((v % n) + n) % n; };
    for (int c = 0; c < cin_; ++c)
      for (int i = 0; i < kh_; ++i)
        for (int j = 0; j < kw_; ++j) {
          const Eigen::Index r = (static_cast<Eigen::Index>(c) * kh_ + i) * kw_ + j;
          for (int h = 0; h < h_; ++h) {
            const Eigen::Index row = (static_cast<Eigen::Index>(c) * h_ + wrap(h + i - ph, h_)) * w_;
            // Output columns w read input column (w + j − pw) mod W: runs that end where it wraps.
            for (int w = 0; w < w_;) {
              const int src = wrap(w + j - pw, w_), len = std::min(w_ - w, w_ - src);
              f(r, static_cast<Eigen::Index>(h) * w_ + w, row + src, len);
              w += len;
            }
          }
        }
    return;
  }
  for (int c = 0; c < cin_; ++c)
    for (int i = 0; i < kh_; ++i)
      for (int j = 0; j < kw_; ++j) {
        // Output columns w whose input column w + j − pw is inside the grid.
        const int w0 = std::max(0, pw - j), w1 = std::min(w_, w_ + pw - j);
        if (w1 <= w0) continue;
        const Eigen::Index r = (static_cast<Eigen::Index>(c) * kh_ + i) * kw_ + j;
        for (int h = std::max(0, ph - i); h < std::min(h_, h_ + ph - i); ++h)
          f(r, static_cast<Eigen::Index>(h) * w_ + w0,
            (static_cast<Eigen::Index>(c) * h_ + h + i - ph) * w_ + w0 + j - pw, w1 - w0);
      }
}

template <typename T>
void Conv2d<T>::forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y) {
  const Eigen::Index n = X.cols(), hw = static_cast<Eigen::Index>(h_) * w_;
  const auto K = std::as_const(kernel_).weight();
  const auto b = std::as_const(kernel_).bias();
  // im2col, transposed and the samples stacked: Pᵀ(s·H·W + h·W + w, (c·kh + i)·kw + j) holds
  // X_s[c, h + i − ph, w + j − pw] (0 outside), copied a row segment at a time; then one GEMM
  // for the batch, Yᵀ = Pᵀ·Kᵀ + 1·bᵀ.
  patches_.setZero(hw * n, K.cols());
  for (Eigen::Index s = 0; s < n; ++s) {
    const T* x = X.col(s).data();
    for_each_run([&](Eigen::Index r, Eigen::Index p, Eigen::Index k, int len) {
      std::copy_n(x + k, len, &patches_(s * hw + p, r));
    });
  }
  yt_.resize(hw * n, cout_);
  yt_.rowwise() = b.col(0).transpose();
  yt_.noalias() += patches_ * K.transpose();
  // Sample s's rows of Yᵀ (H·W × out, column-major) are its channel-major output column.
  Y.resize(out_size(), n);
  for (Eigen::Index s = 0; s < n; ++s) Eigen::Map<Mat<T>>(Y.col(s).data(), hw, cout_) = yt_.middleRows(s * hw, hw);
}

template <typename T>
void Conv2d<T>::backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX) {
  const Eigen::Index n = dY.cols(), hw = static_cast<Eigen::Index>(h_) * w_;
  const auto K = std::as_const(kernel_).weight();
  dyt_.resize(hw * n, cout_);
  for (Eigen::Index s = 0; s < n; ++s) dyt_.middleRows(s * hw, hw) = Eigen::Map<const Mat<T>>(dY.col(s).data(), hw, cout_);
  // dK += dYᵀᵀ·Pᵀ, db += Σ rows of dYᵀ, dPᵀ = dYᵀ·K.
  params_->grad_matrix(w_offset_, cout_, K.cols()).noalias() += dyt_.transpose() * patches_;
  params_->grad_matrix(w_offset_ + K.size(), cout_, 1).col(0) += dyt_.colwise().sum().transpose();
  dpt_.noalias() = dyt_ * K;
  // col2im: every patch entry sends its gradient back to the input it was copied from.
  dX.setZero(in_size(), n);
  for (Eigen::Index s = 0; s < n; ++s) {
    T* dx = dX.col(s).data();
    for_each_run([&](Eigen::Index r, Eigen::Index p, Eigen::Index k, int len) {
      const T* d = &dpt_(s * hw + p, r);
      for (int t = 0; t < len; ++t) dx[k + t] += d[t];
    });
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace nsbi::nn
