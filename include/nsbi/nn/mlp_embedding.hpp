#pragma once
// Embedding "mlp" (sbi's FCEmbedding): x → `layers` hidden layers of `hidden` ReLU units → a
// linear layer of `features` outputs.
#include "nsbi/nn/embedding_net.hpp"
#include "nsbi/nn/mlp.hpp"

namespace nsbi::nn {

template <typename T>
class MlpEmbedding final : public EmbeddingNet<T> {
 public:
  /// Layers registered in `params`, weights (PyTorch's default) from `rng`.
  MlpEmbedding(ParameterBuffer<T>& params, int x_dim, int hidden, int layers, int features, RandomStream& rng);

  int input_dim() const override { return net_.sizes().front(); }
  int output_dim() const override { return net_.sizes().back(); }
  const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& x) override { return net_.forward(x); }
  const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_features) override { return net_.backward(d_features); }

 private:
  Mlp<T> net_;
};

}  // namespace nsbi::nn
