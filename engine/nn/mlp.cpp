#include "nsbi/nn/mlp.hpp"

#include <cmath>

namespace nsbi::nn {

template <typename T>
Mlp<T>::Mlp(std::vector<int> sizes, Activation activation, std::uint64_t seed, bool glorot)
    : sizes_(std::move(sizes)),
      act_(activation),
      owned_(std::make_unique<ParameterBuffer<T>>()),
      params_(owned_.get()) {
  add_layers();
  RandomStream rng(seed, StreamId::initialization, 0, 0);
  for (auto& layer : layers_) {
    if (glorot)
      layer.init_uniform(rng, std::sqrt(6.0 / (layer.in() + layer.out())));
    else
      layer.init_default(rng);
  }
}

template <typename T>
Mlp<T>::Mlp(ParameterBuffer<T>& params, std::vector<int> sizes, Activation activation, RandomStream& rng)
    : sizes_(std::move(sizes)), act_(activation), params_(&params) {
  add_layers();
  for (auto& layer : layers_) layer.init_default(rng);
}

template <typename T>
void Mlp<T>::add_layers() {
  const std::size_t L = sizes_.size() - 1;
  layers_.reserve(L);
  for (std::size_t l = 0; l < L; ++l) layers_.emplace_back(*params_, sizes_[l], sizes_[l + 1]);
  a_.resize(L + 1);
  d_.resize(L + 1);
}

template <typename T>
const Mat<T>& Mlp<T>::forward(const Eigen::Ref<const Mat<T>>& X) {
  const std::size_t L = layers_.size();
  a_[0] = X;
  for (std::size_t l = 0; l < L; ++l) {
    a_[l + 1].resize(layers_[l].out(), X.cols());
    layers_[l].forward(a_[l], a_[l + 1]);
    if (l + 1 < L) {
      if (act_ == Activation::relu)
        a_[l + 1].array() = a_[l + 1].array().max(T(0));
      else
        a_[l + 1].array() = a_[l + 1].array().tanh();
    }
  }
  return a_[L];
}

template <typename T>
const Mat<T>& Mlp<T>::backward(const Eigen::Ref<const Mat<T>>& d_out) {
  const std::size_t L = layers_.size();
  d_[L] = d_out;
  for (std::size_t l = L; l-- > 0;) {
    if (l + 1 < L) {  // through the activation that produced a_[l+1]
      if (act_ == Activation::relu)
        d_[l + 1].array() *= (a_[l + 1].array() > T(0)).template cast<T>();
      else
        d_[l + 1].array() *= T(1) - a_[l + 1].array().square();
    }
    layers_[l].backward_params(a_[l], d_[l + 1]);
    d_[l].resize(layers_[l].in(), d_out.cols());
    layers_[l].backward_input(d_[l + 1], d_[l]);
  }
  return d_[0];
}

template <typename T>
double Mlp<T>::weight_square_sum() const {
  double s = 0;
  for (const auto& layer : layers_) s += layer.weight().template cast<double>().squaredNorm();
  return s;
}

template <typename T>
void Mlp<T>::add_weight_decay_grad(T factor) {
  // Weights are the first block of each layer; their gradient view is the matching block.
  for (auto& layer : layers_) {
    const auto W = layer.weight();
    const Eigen::Index offset = W.data() - params_->values().data();
    params_->grad_matrix(offset, W.rows(), W.cols()) += factor * W;
  }
}

template class Mlp<float>;
template class Mlp<double>;

}  // namespace nsbi::nn
