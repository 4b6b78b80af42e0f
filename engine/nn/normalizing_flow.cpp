#include "nsbi/nn/normalizing_flow.hpp"

#include <cmath>
#include <numbers>

namespace nsbi::nn {

template <typename T>
NormalizingFlow<T>::NormalizingFlow(int dim, int context_dim, Standardizer y_standardizer, Standardizer c_standardizer)
    : dim_(dim),
      context_dim_(context_dim),
      y_std_(std::move(y_standardizer)),
      c_std_(std::move(c_standardizer)),
      params_(std::make_unique<ParameterBuffer<T>>()) {}

template <typename T>
void NormalizingFlow<T>::standardize(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c, Mat<T>& u0,
                                     Mat<T>& cz, Vec<T>& log_det) const {
  const Eigen::Index n = y.cols();
  u0.resize(dim_, n);
  y_std_.apply<T>(y, u0);
  cz.resize(context_dim_, n);
  c_std_.apply<T>(c, cz);
  log_det.setConstant(n, static_cast<T>(y_std_.log_abs_det()));
}

template <typename T>
void NormalizingFlow<T>::base_log_prob(const Mat<T>& u, const Vec<T>& log_det, Eigen::Ref<Vec<T>> out) {
  const T half_log_2pi = static_cast<T>(0.5 * std::log(2.0 * std::numbers::pi));
  out = (T(-0.5) * u.array().square().colwise().sum()).matrix().transpose();
  out.array() += log_det.array() - static_cast<T>(u.rows()) * half_log_2pi;
}

template <typename T>
Mat<T> NormalizingFlow<T>::transform(const Eigen::Ref<const Mat<T>>& y, const Eigen::Ref<const Mat<T>>& c) {
  Vec<T> lp(y.cols());
  this->log_prob(y, c, lp);
  return base_point();
}

template <typename T>
Mat<T> NormalizingFlow<T>::inverse(const Eigen::Ref<const Mat<T>>& u_K, const Eigen::Ref<const Mat<T>>& c) {
  const Eigen::Index n = u_K.cols();
  Mat<T> cz(context_dim_, n);
  c_std_.apply<T>(c, cz);
  Mat<T> u = u_K, v, prev(dim_, n);
  for (int k = transforms() - 1; k >= 0; --k) {
    v = u.colwise().reverse();
    invert_transform(k, v, cz, prev);
    u.swap(prev);
  }
  Mat<T> y(dim_, n);
  y_std_.invert<T>(u, y);
  return y;
}

template <typename T>
Mat<T> NormalizingFlow<T>::sample(const Eigen::Ref<const Vec<T>>& c, Eigen::Index n, RandomStream& rng) {
  Mat<T> z(dim_, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (int i = 0; i < dim_; ++i) z(i, j) = static_cast<T>(rng.normal());
  return inverse(z, c.replicate(1, n));
}

template class NormalizingFlow<float>;
template class NormalizingFlow<double>;

}  // namespace nsbi::nn
