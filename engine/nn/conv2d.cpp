#include "nsbi/nn/conv2d.hpp"

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
                  int kernel_height, int kernel_width)
    : cin_(in_channels),
      cout_(out_channels),
      h_(height),
      w_(width),
      kh_(checked_kernel(kernel_height, "kernel height")),
      kw_(checked_kernel(kernel_width, "kernel width")),
      kernel_(params, in_channels * kernel_height * kernel_width, out_channels) {}

template <typename T>
template <class F>
void Conv2d<T>::for_each_tap(F&& f) const {
  const int ph = kh_ / 2, pw = kw_ / 2;
  for (int c = 0; c < cin_; ++c)
    for (int i = 0; i < kh_; ++i)
      for (int j = 0; j < kw_; ++j) {
        const Eigen::Index r = (static_cast<Eigen::Index>(c) * kh_ + i) * kw_ + j;
        for (int h = 0; h < h_; ++h) {
          const int hh = h + i - ph;
          if (hh < 0 || hh >= h_) continue;
          for (int w = 0; w < w_; ++w) {
            const int ww = w + j - pw;
            if (ww >= 0 && ww < w_)
              f(r, static_cast<Eigen::Index>(h) * w_ + w, (static_cast<Eigen::Index>(c) * h_ + hh) * w_ + ww);
          }
        }
      }
}

template <typename T>
void Conv2d<T>::forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y) {
  const Eigen::Index n = X.cols(), hw = static_cast<Eigen::Index>(h_) * w_;
  patches_.resize(static_cast<std::size_t>(n));
  Y.resize(out_size(), n);
  ys_.resize(cout_, hw);
  for (Eigen::Index s = 0; s < n; ++s) {
    // im2col: P((c·kh + i)·kw + j, h·W + w) = X[c, h + i − ph, w + j − pw], 0 outside.
    Mat<T>& P = patches_[static_cast<std::size_t>(s)];
    P.setZero(static_cast<Eigen::Index>(cin_) * kh_ * kw_, hw);
    const T* x = X.col(s).data();
    for_each_tap([&](Eigen::Index r, Eigen::Index p, Eigen::Index k) { P(r, p) = x[k]; });
    kernel_.forward(P, ys_);
    // ys_ (out × H·W) column-major is position-major; the column wants channel-major: its transpose.
    Eigen::Map<Mat<T>>(Y.col(s).data(), hw, cout_) = ys_.transpose();
  }
}

template <typename T>
void Conv2d<T>::backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX) {
  const Eigen::Index n = dY.cols(), hw = static_cast<Eigen::Index>(h_) * w_;
  dX.setZero(in_size(), n);
  for (Eigen::Index s = 0; s < n; ++s) {
    const Mat<T>& P = patches_[static_cast<std::size_t>(s)];
    dys_ = Eigen::Map<const Mat<T>>(dY.col(s).data(), hw, cout_).transpose();
    kernel_.backward_params(P, dys_);
    dp_.resize(P.rows(), hw);
    kernel_.backward_input(dys_, dp_);
    // col2im: every patch entry sends its gradient back to the input it was copied from.
    T* dx = dX.col(s).data();
    for_each_tap([&](Eigen::Index r, Eigen::Index p, Eigen::Index k) { dx[k] += dp_(r, p); });
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace nsbi::nn
