#pragma once
// Embedding "deepset" (Zaheer et al. 2017; sbi's PermutationInvariantEmbedding) for x made of
// `trials` i.i.d. trials of d = x_dim / trials values each, x = (x_1, …, x_T):
//   features = ρ( (1/T) Σ_t φ(x_t) ),
// φ: d → `layers` hidden layers of `hidden` ReLU units → `hidden` outputs (linear);
// ρ: hidden → `hidden` ReLU units → `features` outputs. The mean makes the features invariant to
// the order of the trials.
#include "nsbi/nn/embedding_net.hpp"
#include "nsbi/nn/mlp.hpp"

namespace nsbi::nn {

template <typename T>
class DeepSetEmbedding final : public EmbeddingNet<T> {
 public:
  /// trial_dim = d. Layers registered in `params` (φ, then ρ), weights from `rng`.
  DeepSetEmbedding(ParameterBuffer<T>& params, int trials, int trial_dim, int hidden, int layers, int features,
                   RandomStream& rng);

  int input_dim() const override { return trials_ * trial_dim_; }
  int output_dim() const override { return rho_.sizes().back(); }
  const Mat<T>& forward(const Eigen::Ref<const Mat<T>>& x) override;
  const Mat<T>& backward(const Eigen::Ref<const Mat<T>>& d_features) override;

 private:
  int trials_, trial_dim_;
  Mlp<T> phi_, rho_;
  // x's trials side by side (d × N·T, column n·T + t), their mean embedding (hidden × N), and
  // gradient workspace.
  Mat<T> trials_x_, mean_, d_phi_, dx_;
};

}  // namespace nsbi::nn
