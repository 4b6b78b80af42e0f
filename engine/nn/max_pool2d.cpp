#include "nsbi/nn/max_pool2d.hpp"

#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi::nn {

template <typename T>
MaxPool2d<T>::MaxPool2d(int channels, int height, int width, int pool_height, int pool_width)
    : c_(channels), h_(height), w_(width), ph_(pool_height), pw_(pool_width) {
  if (ph_ < 1 || pw_ < 1 || ph_ > h_ || pw_ > w_)
    throw ConfigError(make_message("MaxPool2d", "window", "at most the grid " + std::to_string(h_) + "×" +
                                                              std::to_string(w_),
                                   std::to_string(ph_) + "×" + std::to_string(pw_)));
}

template <typename T>
void MaxPool2d<T>::forward(const Eigen::Ref<const Mat<T>>& X, Mat<T>& Y) {
  const Eigen::Index n = X.cols();
  const int oh = out_height(), ow = out_width();
  Y.resize(out_size(), n);
  argmax_.resize(out_size(), n);
  for (Eigen::Index s = 0; s < n; ++s) {
    const T* x = X.col(s).data();
    Eigen::Index o = 0;
    for (int c = 0; c < c_; ++c)
      for (int h = 0; h < oh; ++h)
        for (int w = 0; w < ow; ++w, ++o) {
          Eigen::Index best = (static_cast<Eigen::Index>(c) * h_ + h * ph_) * w_ + w * pw_;
          for (int i = 0; i < ph_; ++i)
            for (int j = 0; j < pw_; ++j) {
              const Eigen::Index k = (static_cast<Eigen::Index>(c) * h_ + h * ph_ + i) * w_ + w * pw_ + j;
              if (x[k] > x[best]) best = k;
            }
          argmax_(o, s) = best;
          Y(o, s) = x[best];
        }
  }
}

template <typename T>
void MaxPool2d<T>::backward(const Eigen::Ref<const Mat<T>>& dY, Mat<T>& dX) const {
  dX.setZero(in_size(), dY.cols());
  for (Eigen::Index s = 0; s < dY.cols(); ++s)
    for (Eigen::Index o = 0; o < dY.rows(); ++o) dX(argmax_(o, s), s) += dY(o, s);
}

template class MaxPool2d<float>;
template class MaxPool2d<double>;

}  // namespace nsbi::nn
