#include "nsbi/nn/linear.hpp"

#include <cmath>

namespace nsbi::nn {

template <typename T>
Linear<T>::Linear(ParameterBuffer<T>& params, int in, int out, bool bias) : params_(&params), in_(in), out_(out) {
  w_ = params.allocate(static_cast<Eigen::Index>(in) * out);
  if (bias) b_ = params.allocate(out);
}

template <typename T>
void Linear<T>::init_default(RandomStream& rng) {
  init_uniform(rng, 1.0 / std::sqrt(static_cast<double>(in_)));
}

template <typename T>
void Linear<T>::init_uniform(RandomStream& rng, double bound) {
  auto W = weight();
  for (Eigen::Index j = 0; j < W.cols(); ++j)
    for (Eigen::Index i = 0; i < W.rows(); ++i) W(i, j) = static_cast<T>(rng.uniform(-bound, bound));
  if (b_ >= 0) {
    auto b = params_->matrix(b_, out_, 1);
    for (Eigen::Index i = 0; i < out_; ++i) b(i) = static_cast<T>(rng.uniform(-bound, bound));
  }
  if (mask_) W.array() *= mask_->array();
}

template <typename T>
void Linear<T>::set_mask(const Mat<T>& mask) {
  mask_ = mask;
  weight().array() *= mask.array();
}

template <typename T>
void Linear<T>::forward(const Eigen::Ref<const Mat<T>>& X, Eigen::Ref<Mat<T>> Y) const {
  Y.noalias() = weight() * X;
  if (b_ >= 0) Y.colwise() += std::as_const(*params_).matrix(b_, out_, 1).col(0);
}

template <typename T>
void Linear<T>::forward_add(const Eigen::Ref<const Mat<T>>& X, Eigen::Ref<Mat<T>> Y) const {
  Y.noalias() += weight() * X;
}

template <typename T>
void Linear<T>::backward_params(const Eigen::Ref<const Mat<T>>& X, const Eigen::Ref<const Mat<T>>& dY) {
  auto dW = params_->grad_matrix(w_, out_, in_);
  dW.noalias() += dY * X.transpose();
  if (mask_) dW.array() *= mask_->array();
  if (b_ >= 0) params_->grad_matrix(b_, out_, 1).col(0) += dY.rowwise().sum();
}

template <typename T>
void Linear<T>::backward_input(const Eigen::Ref<const Mat<T>>& dY, Eigen::Ref<Mat<T>> dX, bool accumulate) const {
  if (accumulate)
    dX.noalias() += weight().transpose() * dY;
  else
    dX.noalias() = weight().transpose() * dY;
}

template class Linear<float>;
template class Linear<double>;

}  // namespace nsbi::nn
