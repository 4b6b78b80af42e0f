#include "nsbi/nn/mlp_embedding.hpp"

namespace nsbi::nn {

namespace {

std::vector<int> layer_sizes(int x_dim, int hidden, int layers, int features) {
  std::vector<int> sizes{x_dim};
  sizes.insert(sizes.end(), static_cast<std::size_t>(layers), hidden);
  sizes.push_back(features);
  return sizes;
}

}  // namespace

template <typename T>
MlpEmbedding<T>::MlpEmbedding(ParameterBuffer<T>& params, int x_dim, int hidden, int layers, int features,
                              RandomStream& rng)
    : net_(params, layer_sizes(x_dim, hidden, layers, features), Activation::relu, rng) {}

template class MlpEmbedding<float>;
template class MlpEmbedding<double>;

}  // namespace nsbi::nn
